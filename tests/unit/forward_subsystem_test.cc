// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/forward_subsystem_test.cc: ForwardSubsystem over FakeBackend:
// start (flush, timeouts, sync daemon, adoption), minimal reloads, stop with
// and without -I, the sync-role hook, the USR1 dump, and opening the backend
// only once a configuration has a virtual server.
#include <gtest/gtest.h>

#include <cerrno>
#include <sstream>

#include "core/log.hh"
#include "forward/ipvs/ipvs_capabilities.hh"
#include "forward/subsystem.hh"
#include "forward_test_util.hh"
#include "support/fake_backend.hh"

namespace halbd::forward {
namespace {

using namespace test_util;

const char* kBase = R"(
global_defs {
    lvs_flush
    lvs_timeouts tcp 7200 udp 60
    lvs_sync_daemon eth0 id 5
}
virtual_server 10.0.0.1 80 {
    protocol TCP
    lvs_sched rr
    real_server 10.0.0.2 80 {
    }
    real_server 10.0.0.3 80 {
    }
}
virtual_server 10.0.0.1 443 {
    protocol TCP
    real_server 10.0.0.2 443 {
    }
}
)";

std::string with(std::string text, const std::string& from, const std::string& to) {
    auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
}

struct ForwardSubsystemTest : ::testing::Test {
    FakeBackend fb;
    ForwardSubsystem fwd{fb};
    log::ScopedCapture cap{log::Level::info};
};

TEST_F(ForwardSubsystemTest, StartProgramsEverything) {
    // Someone else's service, and a stale copy of ours with an extra real server.
    fb.table()[udp("192.0.2.1", 53)] = Service{udp("192.0.2.1", 53), sp("rr"), {}};
    auto m = load(kBase);
    ASSERT_TRUE(m);
    fwd.apply(nullptr, *m);
    // lvs_flush removed the foreign service first.
    ASSERT_GE(fb.journal().size(), 3u);
    EXPECT_EQ(fb.journal()[0], "flush");
    EXPECT_EQ(fb.journal()[1], "set_timeouts 7200 0 60");
    EXPECT_EQ(fb.table().size(), 2u);
    EXPECT_EQ(fb.table().at(tcp("10.0.0.1", 80)).dests.size(), 2u);
    EXPECT_EQ(fb.timeouts(), (Timeouts{7200, 120, 60}));
    // No sync daemon until VRRP gives a role (keepalived -C starts none either).
    EXPECT_FALSE(fb.daemon(SyncDaemon::Role::Master));
    EXPECT_FALSE(fb.daemon(SyncDaemon::Role::Backup));
    EXPECT_EQ(fwd.owned(), (std::set<ServiceKey>{tcp("10.0.0.1", 80), tcp("10.0.0.1", 443)}));
    EXPECT_TRUE(cap.contains("IPVS: added TCP 10.0.0.1:80 (rr) with 2 real servers (start)"));
}

TEST_F(ForwardSubsystemTest, StartAdoptsMatchingServicesAndLeavesOthers) {
    const std::string text = with(kBase, "    lvs_flush\n", "");
    fb.table()[udp("192.0.2.1", 53)] = Service{udp("192.0.2.1", 53), sp("rr"), {}};
    fb.table()[tcp("10.0.0.1", 443)] =
        Service{tcp("10.0.0.1", 443), sp("wlc"), {{dest("10.0.0.2", 443), dp(1)}, {dest("10.0.0.7", 443), dp(1)}}};
    auto m = load(text);
    ASSERT_TRUE(m);
    fwd.apply(nullptr, *m);
    EXPECT_TRUE(fb.table().count(udp("192.0.2.1", 53)));
    EXPECT_EQ(fb.table().at(tcp("10.0.0.1", 443)).dests.size(), 1u);
    EXPECT_FALSE(fwd.owned().count(udp("192.0.2.1", 53)));
}

TEST_F(ForwardSubsystemTest, ReloadTouchesOnlyWhatChanged) {
    auto m1 = load(kBase);
    ASSERT_TRUE(m1);
    fwd.apply(nullptr, *m1);
    const uint64_t before = fb.writes();

    // Same configuration: nothing written (timeouts and sync daemon unchanged too).
    auto same = load(kBase);
    fwd.apply(m1.get(), *same);
    EXPECT_EQ(fb.writes(), before);

    // One weight: exactly one write.
    auto m2 = load(with(kBase, "    real_server 10.0.0.3 80 {\n", "    real_server 10.0.0.3 80 {\n        weight 4\n"));
    ASSERT_TRUE(m2);
    cap.clear();
    fwd.apply(same.get(), *m2);
    EXPECT_EQ(fb.writes(), before + 1);
    EXPECT_EQ(fb.table().at(tcp("10.0.0.1", 80)).dests.at(dest("10.0.0.3", 80)).weight, 4);
    EXPECT_TRUE(cap.contains("IPVS: weight of 10.0.0.3:80 in TCP 10.0.0.1:80 changed 1 -> 4 (configuration reload)"));

    // A virtual server removed: one delete, the other untouched.
    auto m3 = load(with(with(kBase, "virtual_server 10.0.0.1 443 {", "virtual_server 10.0.0.1 8443 {"),
                        "real_server 10.0.0.2 443", "real_server 10.0.0.2 8443"));
    ASSERT_TRUE(m3);
    fb.clear_journal();
    fwd.apply(m2.get(), *m3);
    EXPECT_EQ(fb.journal(), (std::vector<std::string>{"update_dest TCP 10.0.0.1:80 10.0.0.3:80",
                                                      "add_service TCP 10.0.0.1:8443",
                                                      "add_dest TCP 10.0.0.1:8443 10.0.0.2:8443",
                                                      "delete_service TCP 10.0.0.1:443"}));
}

TEST_F(ForwardSubsystemTest, StopRemovesOwnedServicesOnly) {
    fb.table()[udp("192.0.2.1", 53)] = Service{udp("192.0.2.1", 53), sp("rr"), {}};
    auto m = load(with(kBase, "    lvs_flush\n", ""));
    ASSERT_TRUE(m);
    fwd.apply(nullptr, *m);
    fwd.set_sync_role(SyncDaemon::Role::Master);
    ASSERT_TRUE(fb.daemon(SyncDaemon::Role::Master));
    fwd.stop(config::StopOptions{});
    EXPECT_EQ(fb.table().size(), 1u);
    EXPECT_TRUE(fb.table().count(udp("192.0.2.1", 53)));
    EXPECT_FALSE(fb.daemon(SyncDaemon::Role::Master));
    EXPECT_TRUE(cap.contains("IPVS: removed TCP 10.0.0.1:80 (shutdown)"));
}

TEST_F(ForwardSubsystemTest, StopWithDontReleaseKeepsServices) {
    auto m = load(kBase);
    ASSERT_TRUE(m);
    fwd.apply(nullptr, *m);
    fwd.set_sync_role(SyncDaemon::Role::Master);
    ASSERT_TRUE(fb.daemon(SyncDaemon::Role::Master));
    config::StopOptions o;
    o.keep_forwarding = true;
    fwd.stop(o);
    EXPECT_EQ(fb.table().size(), 2u);
    EXPECT_FALSE(fb.daemon(SyncDaemon::Role::Master));  // the sync daemon always stops
}

TEST_F(ForwardSubsystemTest, StopWithFlushOnStop) {
    fb.table()[udp("192.0.2.1", 53)] = Service{udp("192.0.2.1", 53), sp("rr"), {}};
    auto m = load(with(kBase, "    lvs_flush\n", "    lvs_flush_on_stop\n"));
    ASSERT_TRUE(m);
    fwd.apply(nullptr, *m);
    fwd.stop(config::StopOptions{});
    EXPECT_TRUE(fb.table().empty());
}

TEST_F(ForwardSubsystemTest, SyncRoleHook) {
    auto m = load(kBase);
    ASSERT_TRUE(m);
    fwd.apply(nullptr, *m);
    fwd.set_sync_role(SyncDaemon::Role::Master);
    ASSERT_TRUE(fb.daemon(SyncDaemon::Role::Master));
    EXPECT_EQ(fb.daemon(SyncDaemon::Role::Master)->syncid, 5u);
    fwd.set_sync_role(SyncDaemon::Role::Backup);
    EXPECT_FALSE(fb.daemon(SyncDaemon::Role::Master));
    ASSERT_TRUE(fb.daemon(SyncDaemon::Role::Backup));
    EXPECT_EQ(fb.daemon(SyncDaemon::Role::Backup)->ifname, "eth0");
}

TEST_F(ForwardSubsystemTest, RefreshFollowsThePool) {
    struct Down : PoolView {
        bool is_up(const config::VirtualServer&, const config::RealServer& rs) const override {
            return !(rs.address == ip("10.0.0.3"));
        }
    } pool;
    auto m = load(kBase);
    ASSERT_TRUE(m);
    fwd.apply(nullptr, *m);
    fwd.set_pool(&pool);
    fb.clear_journal();
    fwd.refresh("real server 10.0.0.3:80 down");
    EXPECT_EQ(fb.journal(), std::vector<std::string>{"delete_dest TCP 10.0.0.1:80 10.0.0.3:80"});
    EXPECT_TRUE(cap.contains("IPVS: removed real server 10.0.0.3:80 from TCP 10.0.0.1:80 (real server 10.0.0.3:80 down)"));
    fwd.set_pool(nullptr);
}

TEST_F(ForwardSubsystemTest, DumpStateIsIpvsadmLayout) {
    auto m = load(kBase);
    ASSERT_TRUE(m);
    fwd.apply(nullptr, *m);
    std::ostringstream os;
    fwd.dump_state(os);
    EXPECT_NE(os.str().find("TCP  10.0.0.1:80 rr\n"
                            "  -> 10.0.0.2:80                  Masq    1      0          0         \n"),
              std::string::npos)
        << os.str();
}

// A reload plans against what halbd programmed, not a fresh kernel dump, so
// its cost follows the change; after a failed change the kernel is re-read.
TEST_F(ForwardSubsystemTest, ReloadDoesNotReadTheKernelUnlessAChangeFailed) {
    auto m1 = load(kBase);
    ASSERT_TRUE(m1);
    fwd.apply(nullptr, *m1);
    EXPECT_EQ(fb.dumps(), 1u);
    auto m2 = load(with(kBase, "    real_server 10.0.0.3 80 {\n", "    real_server 10.0.0.3 80 {\n        weight 4\n"));
    ASSERT_TRUE(m2);
    cap.clear();
    fb.fail_on(FakeBackend::Call::UpdateDest, EINVAL);
    fwd.apply(m1.get(), *m2);
    EXPECT_EQ(fb.dumps(), 1u);
    EXPECT_TRUE(cap.contains("the next change re-reads the kernel table"));
    fb.clear_failures();
    cap.clear();
    fwd.apply(m2.get(), *m2);  // same model: the failed weight change is retried
    EXPECT_EQ(fb.dumps(), 2u);
    EXPECT_EQ(fb.table().at(tcp("10.0.0.1", 80)).dests.at(dest("10.0.0.3", 80)).weight, 4);
    EXPECT_TRUE(cap.contains("IPVS: 1 change(s) with 1 netlink write(s) (configuration reload)"));
}

TEST_F(ForwardSubsystemTest, DumpFailureIsLogged) {
    fb.fail_on(FakeBackend::Call::Dump, EPERM);
    auto m = load(kBase);
    ASSERT_TRUE(m);
    fwd.apply(nullptr, *m);
    EXPECT_TRUE(cap.contains("IPVS: cannot read the kernel table"));
    EXPECT_EQ(fb.table().size(), 2u);
}

// No virtual server: the backend is not opened (a VRRP-only node never loads
// ip_vs). The reload that adds the first one opens it and programs it as a
// start; a failed open says why and is tried again at the next reload.
TEST(ForwardSubsystemOpen, OpensOnTheFirstVirtualServer) {
    log::ScopedCapture cap{log::Level::info};
    int opens = 0;
    bool fail = true;
    FakeBackend* fb = nullptr;
    ForwardSubsystem fwd(BackendChoice{ipvs::capabilities(), [&]() -> core::Result<std::unique_ptr<Backend>> {
        ++opens;
        if (fail) return core::Error{ENOENT, "no IPVS here"};
        auto b = std::make_unique<FakeBackend>();
        fb = b.get();
        return std::unique_ptr<Backend>(std::move(b));
    }});
    auto none = load("global_defs {\n    router_id x\n}\n");
    ASSERT_TRUE(none);
    fwd.apply(nullptr, *none);
    EXPECT_EQ(opens, 0);
    EXPECT_FALSE(fwd.running());
    EXPECT_EQ(fwd.absent_reason(), "the configuration has no virtual_server");
    fwd.refresh("real server up");  // nothing to do, nothing to crash
    auto first = load(kBase);
    ASSERT_TRUE(first);
    fwd.apply(none.get(), *first);
    EXPECT_EQ(opens, 1);
    EXPECT_FALSE(fwd.running());
    EXPECT_EQ(fwd.absent_reason(), "IPVS is not available: no IPVS here");
    EXPECT_TRUE(cap.contains("IPVS is not available: no IPVS here"));
    fail = false;
    auto second = load(kBase);
    ASSERT_TRUE(second);
    fwd.apply(first.get(), *second);
    EXPECT_EQ(opens, 2);
    ASSERT_TRUE(fwd.running());
    ASSERT_NE(fb, nullptr);
    EXPECT_EQ(fb->journal().at(0), "flush");  // a start: lvs_flush is honoured
    EXPECT_EQ(fb->table().size(), 2u);
    EXPECT_TRUE(cap.contains("(start)"));
    fwd.stop(config::StopOptions{});
    EXPECT_TRUE(fb->table().empty());
}

// A reload whose removal of a service fails keeps the service owned, so the
// next change removes it (before, it was forgotten and left in the kernel).
TEST_F(ForwardSubsystemTest, FailedRemovalStaysOwnedAndIsRetried) {
    auto m1 = load(kBase);
    ASSERT_TRUE(m1);
    fwd.apply(nullptr, *m1);
    auto m2 = load(with(kBase, "virtual_server 10.0.0.1 443 {\n    protocol TCP\n    real_server 10.0.0.2 443 {\n    }\n}\n", ""));
    ASSERT_TRUE(m2);
    fb.fail_on(FakeBackend::Call::DeleteService, EBUSY);
    fwd.apply(m1.get(), *m2);
    EXPECT_TRUE(fb.table().count(tcp("10.0.0.1", 443)));
    EXPECT_TRUE(fwd.owned().count(tcp("10.0.0.1", 443)));
    fb.clear_failures();
    fwd.apply(m2.get(), *m2);
    EXPECT_FALSE(fb.table().count(tcp("10.0.0.1", 443)));
    EXPECT_FALSE(fwd.owned().count(tcp("10.0.0.1", 443)));
}

}  // namespace
}  // namespace halbd::forward
