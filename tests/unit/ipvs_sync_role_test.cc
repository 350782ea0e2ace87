// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/ipvs_sync_role_test.cc: the IPVS sync-daemon role policy
// (forward/ipvs/sync_role_policy.hh) over ForwardSubsystem and FakeBackend:
// the lvs_sync_daemon instance's MASTER starts the master daemon, BACKUP and
// FAULT the backup daemon; other instances and other states change nothing.
#include <gtest/gtest.h>

#include "support/fake_backend.hh"
#include "forward/ipvs/sync_role_policy.hh"
#include "forward/subsystem.hh"
#include "forward_test_util.hh"
#include "vrrp/instance.hh"

namespace halbd::forward::ipvs {
namespace {

using test_util::load;
using vrrp::State;

const char* kConf = R"(
global_defs {
    lvs_sync_daemon eth0 VI_1 id 5
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        192.0.2.10
    }
}
virtual_server 10.0.0.1 80 {
    protocol TCP
    real_server 10.0.0.2 80 {
    }
}
)";

TEST(SyncRolePolicy, RoleForStateOfTheNamedInstance) {
    auto m = load(kConf);
    ASSERT_TRUE(m);
    EXPECT_EQ(sync_role_for(*m, "VI_1", State::Master), SyncDaemon::Role::Master);
    EXPECT_EQ(sync_role_for(*m, "VI_1", State::Backup), SyncDaemon::Role::Backup);
    EXPECT_EQ(sync_role_for(*m, "VI_1", State::Fault), SyncDaemon::Role::Backup);
    EXPECT_EQ(sync_role_for(*m, "VI_1", State::Stopped), std::nullopt);
    EXPECT_EQ(sync_role_for(*m, "VI_1", State::Initialize), std::nullopt);
    EXPECT_EQ(sync_role_for(*m, "VI_2", State::Master), std::nullopt);
    auto none = load("virtual_server 10.0.0.1 80 {\n    protocol TCP\n    real_server 10.0.0.2 80 {\n    }\n}\n");
    ASSERT_TRUE(none);
    EXPECT_EQ(sync_role_for(*none, "VI_1", State::Master), std::nullopt);
}

TEST(SyncRolePolicy, DrivesTheSyncDaemonThroughForwarding) {
    auto m = load(kConf);
    ASSERT_TRUE(m);
    FakeBackend fb;
    ForwardSubsystem fwd(fb);
    fwd.apply(nullptr, *m);
    SyncRolePolicy policy(fwd, [&]() -> const config::Model& { return *m; });

    policy.on_instance_state("VI_2", State::Master);  // not the sync instance
    EXPECT_FALSE(fb.daemon(SyncDaemon::Role::Master));
    policy.on_instance_state("VI_1", State::Master);
    ASSERT_TRUE(fb.daemon(SyncDaemon::Role::Master));
    EXPECT_EQ(fb.daemon(SyncDaemon::Role::Master)->syncid, 5u);
    policy.on_instance_state("VI_1", State::Fault);
    EXPECT_FALSE(fb.daemon(SyncDaemon::Role::Master));
    EXPECT_TRUE(fb.daemon(SyncDaemon::Role::Backup));
    fb.clear_journal();
    policy.on_instance_state("VI_1", State::Stopped);  // no role: the backup daemon runs on
    policy.on_instance_state("VI_1", State::Backup);   // same role: nothing to do
    EXPECT_TRUE(fb.journal().empty());
    EXPECT_TRUE(fb.daemon(SyncDaemon::Role::Backup));
}

}  // namespace
}  // namespace halbd::forward::ipvs
