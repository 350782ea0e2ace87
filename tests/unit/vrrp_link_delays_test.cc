// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/vrrp_link_delays_test.cc: interface_up_down_delays (LinkDelays)
// over a FakeLinkMonitor on a SimLoop: a change is seen after its delay, a
// change undone within it never, undelayed interfaces and existence changes
// at once, and a reload that drops the delays shows the real state.
#include <gtest/gtest.h>

#include "support/fake_link_monitor.hh"
#include "support/sim_loop.hh"
#include "vrrp/link_delays.hh"

namespace halbd::vrrp {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

config::InterfaceUpDownDelay delay(const char* name, int down, int up) {
    config::InterfaceUpDownDelay d;
    d.name = name;
    d.down_delay = seconds(down);
    d.up_delay = seconds(up);
    return d;
}

struct LinkDelaysTest : ::testing::Test {
    core::SimLoop loop;
    net::FakeLinkMonitor inner;
    LinkDelays links{loop, inner};
    std::vector<std::string> seen;
    LinkDelaysTest() {
        inner.set("eth0", true);
        inner.set("eth1", true);
        links.set_listener([this](const std::string& i) {
            seen.push_back(i + (links.up(i).value_or(false) ? " up" : " down"));
        });
        links.configure({delay("eth0", 2, 5)});
    }
};

TEST_F(LinkDelaysTest, DownIsSeenAfterItsDelayUpAfterItsOwn) {
    inner.set("eth0", false);
    EXPECT_EQ(links.up("eth0"), true);
    loop.advance(milliseconds(1990));
    EXPECT_TRUE(seen.empty());
    loop.advance(milliseconds(10));
    EXPECT_EQ(seen, (std::vector<std::string>{"eth0 down"}));
    EXPECT_EQ(links.up("eth0"), false);
    inner.set("eth0", true);
    loop.advance(milliseconds(4990));
    EXPECT_EQ(links.up("eth0"), false);
    loop.advance(milliseconds(10));
    EXPECT_EQ(seen, (std::vector<std::string>{"eth0 down", "eth0 up"}));
}

TEST_F(LinkDelaysTest, AFlapWithinTheDelayIsNeverSeen) {
    inner.set("eth0", false);
    loop.advance(seconds(1));
    inner.set("eth0", true);
    loop.advance(seconds(10));
    EXPECT_TRUE(seen.empty());
    EXPECT_EQ(links.up("eth0"), true);
}

TEST_F(LinkDelaysTest, OtherInterfacesAndExistenceChangesPassAtOnce) {
    inner.set("eth1", false);
    inner.remove("eth0");
    EXPECT_EQ(seen, (std::vector<std::string>{"eth1 down", "eth0 down"}));
    EXPECT_EQ(links.up("eth0"), std::nullopt);
}

TEST_F(LinkDelaysTest, AReloadWithoutTheDelayShowsTheRealState) {
    inner.set("eth0", false);
    links.configure({});
    EXPECT_EQ(seen, (std::vector<std::string>{"eth0 down"}));
    loop.advance(seconds(10));
    EXPECT_EQ(seen.size(), 1u);
}

}  // namespace
}  // namespace halbd::vrrp
