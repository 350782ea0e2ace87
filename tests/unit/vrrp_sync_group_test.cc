// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/vrrp_sync_group_test.cc: vrrp_sync_group on SimLoop: members go
// Master only together, one Backup takes all Backup, one Fault faults all
// until every member's own fault clears, and the group's own events.
#include <memory>

#include <gtest/gtest.h>

#include "support/sim_loop.hh"
#include "vrrp/sync_group.hh"
#include "vrrp_test_util.hh"

namespace halbd::vrrp {
namespace {

using namespace test_util;
using namespace std::chrono_literals;

constexpr Duration kMdi100 = 3609375us;     // 3 + 156/256 s
constexpr Duration kMdi150 = 3414062500ns;  // 3 + 106/256 s

struct VrrpSyncTest : ::testing::Test {
    core::SimLoop loop;
    log::ScopedCapture cap{log::Level::info};
    RecordingActions act1, act2;
    std::unique_ptr<Instance> vi1, vi2;
    std::unique_ptr<SyncGroup> group;
    std::vector<std::string> group_events;
    Subscription sub;
    MonoTime t0 = loop.now();

    void make(InstanceConfig c1, InstanceConfig c2) {
        c2.vrid = 52;
        vi1 = std::make_unique<Instance>(loop, std::move(c1), act1);
        vi2 = std::make_unique<Instance>(loop, std::move(c2), act2);
        group = std::make_unique<SyncGroup>("VG_1", std::vector<Instance*>{vi1.get(), vi2.get()});
        sub = group->subscribe([this](const SyncGroup&, State from, State to, const std::string&) {
            group_events.push_back(std::string(to_string(from)) + "->" + to_string(to));
        });
    }
    void both_master() {
        make(base_config("VI_1", 100), base_config("VI_2", 150));
        vi1->start();
        vi2->start();
        loop.advance_to(t0 + kMdi100);
        ASSERT_EQ(vi1->state(), State::Master);
        ASSERT_EQ(vi2->state(), State::Master);
        act1.take();
        act2.take();
        group_events.clear();
    }
};

TEST_F(VrrpSyncTest, MembersBecomeMasterOnlyTogether) {
    make(base_config("VI_1", 100), base_config("VI_2", 150));
    vi1->start();
    vi2->start();
    EXPECT_EQ(group->state(), State::Backup);
    // VI_2 times out first but is held: VI_1 still hears a master.
    loop.advance_to(t0 + kMdi150);
    EXPECT_EQ(vi2->state(), State::Backup);
    EXPECT_TRUE(vi2->wants_master());
    EXPECT_FALSE(vi1->wants_master());
    loop.advance_to(t0 + kMdi100 - 1ns);
    EXPECT_EQ(vi2->state(), State::Backup);
    // VI_1 times out: everyone wants MASTER, so both go.
    loop.advance_to(t0 + kMdi100);
    EXPECT_EQ(vi1->state(), State::Master);
    EXPECT_EQ(vi2->state(), State::Master);
    EXPECT_EQ(group->state(), State::Master);
    EXPECT_EQ(act2.take(), (std::vector<std::string>{"advert 150", "add_vips", "announce 5 master"}));
    EXPECT_TRUE(cap.contains("VI_2: BACKUP -> MASTER (VG_1: VI_1 is MASTER)"));
    EXPECT_TRUE(cap.contains("VG_1: group BACKUP -> MASTER (VI_1 became MASTER)"));
    EXPECT_EQ(group_events, std::vector<std::string>{"BACKUP->MASTER"});
}

TEST_F(VrrpSyncTest, HeldMemberStaysBackupWhileAnotherHearsItsMaster) {
    make(base_config("VI_1", 100), base_config("VI_2", 150));
    vi1->start();
    vi2->start();
    // VI_1 keeps hearing a higher master; VI_2's peer is silent.
    for (int i = 1; i <= 20; ++i) {
        loop.advance_to(t0 + i * 1s);
        Advert a = make_advert(vi1->config(), 200);
        EXPECT_EQ(vi1->receive(a, mcast_meta("192.168.1.10")), std::nullopt);
    }
    EXPECT_EQ(vi1->state(), State::Backup);
    EXPECT_EQ(vi2->state(), State::Backup);
    EXPECT_TRUE(vi2->wants_master());
    EXPECT_TRUE(act2.take().empty());
}

TEST_F(VrrpSyncTest, OneMemberBackupTakesAllToBackup) {
    both_master();
    Advert a = make_advert(vi1->config(), 200);
    EXPECT_EQ(vi1->receive(a, mcast_meta("192.168.1.10")), std::nullopt);
    EXPECT_EQ(vi1->state(), State::Backup);
    EXPECT_EQ(vi2->state(), State::Backup);
    EXPECT_EQ(group->state(), State::Backup);
    EXPECT_EQ(act2.take(), std::vector<std::string>{"remove_vips"});
    EXPECT_TRUE(cap.contains("VI_2: MASTER -> BACKUP (VG_1: VI_1 is BACKUP)"));
    EXPECT_EQ(group_events, std::vector<std::string>{"MASTER->BACKUP"});
}

TEST_F(VrrpSyncTest, OneMemberFaultFaultsTheGroupUntilItRecovers) {
    both_master();
    vi1->set_fault(true, "track_interface eth1");
    EXPECT_EQ(vi1->state(), State::Fault);
    EXPECT_EQ(vi2->state(), State::Fault);
    EXPECT_EQ(group->state(), State::Fault);
    EXPECT_EQ(act2.take(), (std::vector<std::string>{"advert 0", "remove_vips"}));
    EXPECT_TRUE(cap.contains("VI_2: MASTER -> FAULT (sync group VG_1)"));
    loop.advance_to(t0 + 30s);
    EXPECT_EQ(vi2->state(), State::Fault);
    const MonoTime up = loop.now();
    vi1->set_fault(false, "track_interface eth1");
    EXPECT_EQ(vi1->state(), State::Backup);
    EXPECT_EQ(vi2->state(), State::Backup);
    EXPECT_EQ(group->state(), State::Backup);
    // And they come back together.
    loop.advance_to(up + kMdi100);
    EXPECT_EQ(vi1->state(), State::Master);
    EXPECT_EQ(vi2->state(), State::Master);
    EXPECT_EQ(group_events, (std::vector<std::string>{"MASTER->FAULT", "FAULT->BACKUP", "BACKUP->MASTER"}));
}

TEST_F(VrrpSyncTest, GroupStaysFaultWhileAnyMemberHasItsOwnFault) {
    both_master();
    vi1->set_fault(true, "track_interface eth1");
    vi2->set_fault(true, "track_script chk");
    vi1->set_fault(false, "track_interface eth1");
    EXPECT_EQ(vi1->state(), State::Fault);
    EXPECT_EQ(vi2->state(), State::Fault);
    EXPECT_EQ(group->state(), State::Fault);
    vi2->set_fault(false, "track_script chk");
    EXPECT_EQ(vi1->state(), State::Backup);
    EXPECT_EQ(vi2->state(), State::Backup);
    EXPECT_EQ(vi1->fault_sources().size(), 0u);
}

TEST_F(VrrpSyncTest, AddressOwnerWaitsForItsGroup) {
    auto owner = base_config("VI_1", 255);
    owner.initial_master = true;
    make(owner, base_config("VI_2", 100));
    vi1->start();
    EXPECT_EQ(vi1->state(), State::Backup);  // held: VI_2 does not want MASTER yet
    EXPECT_TRUE(vi1->wants_master());
    vi2->start();
    loop.advance_to(t0 + kMdi100);
    EXPECT_EQ(vi2->state(), State::Master);
    EXPECT_EQ(vi1->state(), State::Master);
}

TEST_F(VrrpSyncTest, DestroyingTheGroupFreesItsMembers) {
    make(base_config("VI_1", 100), base_config("VI_2", 150));
    group.reset();
    vi2->start();
    loop.advance_to(t0 + kMdi150);
    EXPECT_EQ(vi2->state(), State::Master);
    EXPECT_EQ(vi1->state(), State::Initialize);
}

}  // namespace
}  // namespace halbd::vrrp
