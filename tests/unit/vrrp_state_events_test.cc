// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/vrrp_state_events_test.cc: the VRRP state seam
// (vrrp/state_events.hh) over the VrrpSubsystem and its fakes on SimLoop:
// the order of adverts, hooks, addresses, GARPs and events when a sync
// group goes MASTER and BACKUP, and a lone instance held by an asynchronous
// hook until it resumes, until its budget passes, or dropped when it leaves.
#include <gtest/gtest.h>

#include <algorithm>

#include "vrrp_subsystem_fixture.hh"

namespace halbd::vrrp {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Lines = std::vector<std::string>;

std::string instance(const char* name, int vrid, int prio, const char* vip) {
    return std::string("vrrp_instance ") + name + " {\n interface eth0\n virtual_router_id " + std::to_string(vrid) +
           "\n priority " + std::to_string(prio) + "\n advert_int 1\n garp_master_repeat 1\n virtual_ipaddress {\n  " +
           vip + "/24\n }\n}\n";
}

const std::string kGlobal = "global_defs {\n vrrp_version 3\n vrrp_garp_master_delay 0\n}\n";

std::string event_line(const StateEvent& e) {
    std::string s = "event ";
    s += e.of == StateEvent::Of::SyncGroup ? "group " + e.name : e.name;
    if (!e.sync_group.empty()) s += " of " + e.sync_group;
    return s + " " + to_string(e.from) + "->" + to_string(e.to);
}

// One timeline of what the fakes saw and what the seam said. The fakes keep
// their own journals; they are read into the timeline each time the seam
// speaks (adverts, then addresses, then GARPs: the instance's own order
// within one entry, asserted by VrrpSyncTest with RecordingActions).
struct StateEventsTest : test_util::SubsystemFixture {
    Lines timeline;
    size_t sent_seen = 0, addrs_seen = 0, garps_seen = 0;
    core::Subscription events;

    StateEventsTest() {
        addrs.add_link("eth0", net::Prefix::parse("192.0.2.1/24"));
        vrrp = std::make_unique<VrrpSubsystem>(loop, addrs, routes, announcer, transport);
        events = vrrp->state_events().subscribe([this](const StateEvent& e) { note(event_line(e)); });
    }
    void catch_up() {
        for (; sent_seen < transport.sent().size(); ++sent_seen) {
            const auto& s = transport.sent()[sent_seen];
            auto d = decode(s.msg, RxMeta{net::Family::V4, s.src, s.dst, 255});
            timeline.push_back(d ? "advert vrid " + std::to_string(d->advert.vrid) + " priority " +
                                       std::to_string(d->advert.priority)
                                 : std::string("advert ?"));
        }
        for (; addrs_seen < addrs.journal().size(); ++addrs_seen) timeline.push_back(addrs.journal()[addrs_seen]);
        for (; garps_seen < announcer.journal().size(); ++garps_seen) timeline.push_back(announcer.journal()[garps_seen]);
    }
    void note(const std::string& line) {
        catch_up();
        timeline.push_back(line);
    }
    Lines take() {
        catch_up();
        return std::exchange(timeline, {});
    }
    // The same without adverts (whether a master answers a higher priority
    // with one is higher_prio_send_advert's business, not the seam's).
    Lines take_without_adverts() {
        Lines l = take();
        l.erase(std::remove_if(l.begin(), l.end(), [](const std::string& s) { return s.rfind("advert", 0) == 0; }),
                l.end());
        return l;
    }
    static std::string hook_line(const MasterEntry& e) {
        std::string s = std::string("hook ") + (e.sync_group ? "group " : "") + e.name + " [";
        for (const auto& i : e.instances) s += (s.back() == '[' ? "" : " ") + i;
        return s + "] (" + e.reason + ")";
    }
    // VI_1 (priority 100) alone, MASTER after its Master_Down_Interval.
    void lone() {
        apply(kGlobal + instance("VI_1", 51, 100, "192.0.2.101"));
        take();
    }
    // VI_1 hears a master of this priority.
    void inject_advert(uint8_t prio) {
        Instance& vi = *vrrp->instance("VI_1");
        RxMeta meta{net::Family::V4, *net::IpAddress::parse("192.0.2.2"), *net::IpAddress::parse("224.0.0.18"), 255};
        ASSERT_EQ(vi.receive(make_advert(vi.config(), prio), meta), std::nullopt);
    }
};

TEST_F(StateEventsTest, SyncGroupGoesMasterWithOneHookRunBeforeTheFirstAddress) {
    auto hook = vrrp->state_events().before_master("conntrack sync", [this](const MasterEntry& e) { note(hook_line(e)); });
    apply(kGlobal + instance("VI_1", 51, 100, "192.0.2.101") + instance("VI_2", 52, 150, "192.0.2.102") +
          "vrrp_sync_group VG_1 {\n group {\n  VI_1\n  VI_2\n }\n}\n");
    EXPECT_EQ(take(), (Lines{"event VI_1 of VG_1 INIT->BACKUP", "event VI_2 of VG_1 INIT->BACKUP"}));
    // VI_2 times out first and is held by the group; VI_1's timeout takes both.
    loop.advance(seconds(4));
    ASSERT_EQ(vrrp->instance("VI_2")->state(), State::Master);
    EXPECT_EQ(take(), (Lines{
                          "advert vrid 51 priority 100",
                          "hook group VG_1 [VI_1 VI_2] (no master seen for 3.61s)",
                          "add 192.0.2.101/24 eth0",
                          "garp 192.0.2.101 eth0",
                          "event VI_1 of VG_1 BACKUP->MASTER",
                          "event group VG_1 BACKUP->MASTER",
                          "advert vrid 52 priority 150",
                          "add 192.0.2.102/24 eth0",
                          "garp 192.0.2.102 eth0",
                          "event VI_2 of VG_1 BACKUP->MASTER",
                      }));
    EXPECT_EQ(vrrp->state_hub().stats().entries, 1u);
    // Going BACKUP: the member that changed first, the group, the others.
    inject_advert(200);
    EXPECT_EQ(take_without_adverts(), (Lines{
                          "remove 192.0.2.101/24 eth0",
                          "event VI_1 of VG_1 MASTER->BACKUP",
                          "event group VG_1 MASTER->BACKUP",
                          "remove 192.0.2.102/24 eth0",
                          "event VI_2 of VG_1 MASTER->BACKUP",
                      }));
}

TEST_F(StateEventsTest, HooksRunInRegistrationOrderOncePerEntryUntilRemoved) {
    Lines ran;
    auto first = vrrp->state_events().before_master("a", [&](const MasterEntry&) { ran.push_back("a"); });
    auto second = vrrp->state_events().before_master_async("b", seconds(1), [&](const MasterEntry&, Resume r) {
        ran.push_back("b");
        r();
        r();  // a second call does nothing
    });
    lone();
    loop.advance(seconds(4));
    EXPECT_EQ(ran, (Lines{"a", "b"}));
    inject_advert(200);
    first.reset();
    loop.advance(seconds(4));
    EXPECT_EQ(vrrp->instance("VI_1")->state(), State::Master);
    EXPECT_EQ(ran, (Lines{"a", "b", "b"}));
    EXPECT_EQ(vrrp->state_hub().stats().entries, 2u);
    EXPECT_EQ(vrrp->state_hub().stats().late, 0u);
}

TEST_F(StateEventsTest, AsyncHookHoldsTheAddressesWhileTheMasterAdvertises) {
    Resume resume;
    auto hook = vrrp->state_events().before_master_async("conntrack sync", seconds(5), [&](const MasterEntry& e, Resume r) {
        note(hook_line(e));
        resume = std::move(r);
    });
    lone();
    loop.advance(seconds(4));
    Instance& vi = *vrrp->instance("VI_1");
    EXPECT_EQ(vi.state(), State::Master);
    EXPECT_TRUE(vi.entering_master());
    EXPECT_TRUE(cap.contains("VI_1: BACKUP -> MASTER"));
    loop.advance(milliseconds(2500));  // two more adverts, no address, no GARP, no event
    EXPECT_EQ(take(), (Lines{"advert vrid 51 priority 100", "hook VI_1 [VI_1] (no master seen for 3.61s)",
                             "advert vrid 51 priority 100", "advert vrid 51 priority 100"}));
    resume();
    EXPECT_FALSE(vi.entering_master());
    EXPECT_EQ(take(), (Lines{"add 192.0.2.101/24 eth0", "garp 192.0.2.101 eth0", "event VI_1 BACKUP->MASTER"}));
    resume();  // late: nothing
    loop.advance(seconds(5));
    EXPECT_EQ(take(), (Lines{"advert vrid 51 priority 100", "advert vrid 51 priority 100", "advert vrid 51 priority 100",
                             "advert vrid 51 priority 100", "advert vrid 51 priority 100"}));
    EXPECT_EQ(vrrp->state_hub().stats().late, 0u);
}

TEST_F(StateEventsTest, AsyncHookPastItsBudgetLetsTheEntryGoOn) {
    Resume resume;
    auto hook = vrrp->state_events().before_master_async("conntrack sync", milliseconds(600),
                                                         [&](const MasterEntry&, Resume r) { resume = std::move(r); });
    lone();
    loop.advance(seconds(4));
    EXPECT_FALSE(addrs.has("eth0", *net::IpAddress::parse("192.0.2.101")));
    loop.advance(milliseconds(300));
    EXPECT_TRUE(addrs.has("eth0", *net::IpAddress::parse("192.0.2.101")));
    EXPECT_TRUE(cap.contains("VI_1: before-master hook of conntrack sync did not finish within 0.60s"));
    EXPECT_EQ(vrrp->state_hub().stats().late, 1u);
    const Lines done = take();
    EXPECT_EQ(std::count(done.begin(), done.end(), "event VI_1 BACKUP->MASTER"), 1);
    resume();  // after the budget: nothing
    EXPECT_EQ(std::count(addrs.journal().begin(), addrs.journal().end(), "add 192.0.2.101/24 eth0"), 1);
}

TEST_F(StateEventsTest, EntryLeftWhileHeldIsDroppedAndNeverPublished) {
    Resume resume;
    auto hook = vrrp->state_events().before_master_async("conntrack sync", seconds(2),
                                                         [&](const MasterEntry&, Resume r) { resume = std::move(r); });
    lone();
    loop.advance(seconds(4));
    inject_advert(200);  // a higher priority master while held
    EXPECT_EQ(vrrp->instance("VI_1")->state(), State::Backup);
    EXPECT_FALSE(vrrp->instance("VI_1")->entering_master());
    resume();
    EXPECT_EQ(vrrp->state_hub().stats().dropped, 1u);
    // Subscribers saw BACKUP all along: no event; no address, no GARP.
    EXPECT_EQ(take_without_adverts(), Lines{});
    EXPECT_TRUE(cap.contains("VI_1: MASTER entry dropped before its before-master hooks finished"));
}

TEST_F(StateEventsTest, ResumeAfterTheSubsystemIsGoneDoesNothing) {
    Resume resume;
    auto hook = vrrp->state_events().before_master_async("conntrack sync", seconds(2),
                                                         [&](const MasterEntry&, Resume r) { resume = std::move(r); });
    lone();
    loop.advance(seconds(4));
    ASSERT_TRUE(vrrp->instance("VI_1")->entering_master());
    vrrp.reset();
    resume();
    hook.reset();
    EXPECT_FALSE(addrs.has("eth0", *net::IpAddress::parse("192.0.2.101")));
}

// Rule 7: a hold keeps a lower-priority master; released, preemption follows.
TEST_F(StateEventsTest, PreemptionHoldKeepsALowerMasterUntilReleased) {
    auto hold = vrrp->state_events().hold_preemption("VI_1", "conntrack sync", "waiting for the peer's table");
    EXPECT_EQ(vrrp->state_events().preemption_held("VI_1"), "conntrack sync: waiting for the peer's table");
    EXPECT_EQ(vrrp->state_events().preemption_held("VI_2"), std::nullopt);
    lone();
    for (int i = 0; i < 10; ++i) {
        inject_advert(50);
        loop.advance(seconds(1));
    }
    Instance& vi = *vrrp->instance("VI_1");
    EXPECT_EQ(vi.state(), State::Backup);
    EXPECT_EQ(vi.stats().preempt_held, 10u);
    EXPECT_TRUE(cap.contains("VI_1: not preempting master 192.0.2.2 (priority 50, ours 100): conntrack sync: "
                             "waiting for the peer's table"));
    hold.reset();
    EXPECT_EQ(vrrp->state_events().preemption_held("VI_1"), std::nullopt);
    for (int i = 0; i < 4 && vi.state() == State::Backup; ++i) {
        inject_advert(50);
        loop.advance(seconds(1));
    }
    EXPECT_EQ(vi.state(), State::Master);
    EXPECT_EQ(vi.stats().preempt_held, 10u);
}

TEST_F(StateEventsTest, PreemptionHoldNeverLeavesTheUnitWithoutAMaster) {
    auto hold = vrrp->state_events().hold_preemption("VG_1", "conntrack sync", "waiting for the peer's table");
    apply(kGlobal + instance("VI_1", 51, 100, "192.0.2.101") + "vrrp_sync_group VG_1 {\n group {\n  VI_1\n }\n}\n");
    take();
    inject_advert(50);
    loop.advance(seconds(1));
    EXPECT_EQ(vrrp->instance("VI_1")->stats().preempt_held, 1u);  // held through its group
    loop.advance(seconds(4));  // the master went silent: the hold does not keep us BACKUP
    EXPECT_EQ(vrrp->instance("VI_1")->state(), State::Master);
}

}  // namespace
}  // namespace halbd::vrrp
