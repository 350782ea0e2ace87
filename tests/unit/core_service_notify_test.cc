// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/core_service_notify_test.cc: ServiceNotifier's messages to
// systemd in order (READY, RELOADING + MONOTONIC_USEC, READY, STOPPING), the
// watchdog pinged every half interval from the loop, STATUS= sent only when
// it changed. The stalled loop is proven for real in tests/config/systemd-notify.sh.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/service_notify.hh"
#include "support/sim_loop.hh"

namespace halbd::core {
namespace {

using namespace std::chrono_literals;

struct Fixture {
    SimLoop loop;
    std::vector<std::string> sent;
    std::string status = "1 VRRP instance(s): 1 MASTER; generation 1";
};

TEST(ServiceNotifierTest, LifeCycleInOrder) {
    Fixture f;
    ServiceNotifier n(f.loop, Supervisor{[&](const std::string& m) { f.sent.push_back(m); }, Duration::zero()},
                      [&] { return f.status; });
    n.ready();
    ASSERT_EQ(f.sent.size(), 1u);
    EXPECT_EQ(f.sent[0], "READY=1\nSTATUS=1 VRRP instance(s): 1 MASTER; generation 1");
    n.reloading();
    const auto usec = std::chrono::duration_cast<std::chrono::microseconds>(f.loop.now().time_since_epoch()).count();
    EXPECT_EQ(f.sent.back(), "RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
    f.status = "1 VRRP instance(s): 1 BACKUP; generation 2";
    n.reloaded();
    EXPECT_EQ(f.sent.back(), "READY=1\nSTATUS=1 VRRP instance(s): 1 BACKUP; generation 2");
    n.stopping();
    EXPECT_EQ(f.sent.back(), "STOPPING=1\nSTATUS=stopping");
    const size_t count = f.sent.size();
    f.loop.advance(1min);
    EXPECT_EQ(f.sent.size(), count) << "nothing after STOPPING";
    n.reloaded();  // a reload finishing after TERM says nothing
    EXPECT_EQ(f.sent.size(), count);
}

TEST(ServiceNotifierTest, WatchdogEveryHalfIntervalStatusOnlyWhenChanged) {
    Fixture f;
    ServiceNotifier n(f.loop, Supervisor{[&](const std::string& m) { f.sent.push_back(m); }, 2s},
                      [&] { return f.status; });
    EXPECT_EQ(n.period(), Duration(1s));
    n.ready();
    ASSERT_EQ(f.sent.size(), 2u);
    EXPECT_EQ(f.sent[1], "WATCHDOG=1");
    f.loop.advance(3s);
    ASSERT_EQ(f.sent.size(), 5u);
    for (size_t k = 2; k < 5; ++k) EXPECT_EQ(f.sent[k], "WATCHDOG=1");
    f.status = "1 VRRP instance(s): 1 FAULT; generation 1";
    f.loop.advance(1s);
    EXPECT_EQ(f.sent.back(), "WATCHDOG=1\nSTATUS=1 VRRP instance(s): 1 FAULT; generation 1");
    EXPECT_EQ(n.watchdog_sent(), 5u);
    EXPECT_EQ(n.watchdog_withheld(), 0u);
}

TEST(ServiceNotifierTest, NoWatchdogStatusTickOnly) {
    Fixture f;
    ServiceNotifier n(f.loop, Supervisor{[&](const std::string& m) { f.sent.push_back(m); }, Duration::zero()},
                      [&] { return f.status; });
    EXPECT_EQ(n.period(), ServiceNotifier::kStatusPeriod);
    n.ready();
    f.loop.advance(1min);
    EXPECT_EQ(f.sent.size(), 1u) << "status unchanged, no watchdog: silent";
    f.status = "changed";
    f.loop.advance(ServiceNotifier::kStatusPeriod);
    EXPECT_EQ(f.sent.back(), "STATUS=changed");
}

}  // namespace
}  // namespace halbd::core
