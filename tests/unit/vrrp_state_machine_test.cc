// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/vrrp_state_machine_test.cc: Instance on SimLoop. Each RFC 5798
// §6.4 transition with exact simulated times (advert_int 1 s, priority 100:
// Skew_Time = 156/256 s = 0.609375 s, Master_Down_Interval = 3.609375 s),
// preempt / nopreempt / preempt_delay, the address owner, priority 0,
// tie-break by address, keepalived's split-brain answer, fault in and out,
// priority tracking, subscribers. Two-router scenarios run over a Lan that
// carries real encoded packets through the codec.
#include <deque>
#include <memory>

#include <gtest/gtest.h>

#include "support/sim_loop.hh"
#include "vrrp/instance.hh"
#include "vrrp_test_util.hh"

namespace halbd::vrrp {
namespace {

using namespace test_util;
using namespace std::chrono_literals;

constexpr Duration kMdi100 = 3609375us;   // 3 + 156/256 s
constexpr Duration kSkew100 = 609375us;   // 156/256 s
constexpr Duration kMdi150 = 3414062500ns;  // 3 + 106/256 s

struct Fixture : ::testing::Test {
    core::SimLoop loop;
    RecordingActions act;
    log::ScopedCapture cap{log::Level::info};
    std::unique_ptr<Instance> vi;
    std::vector<std::string> events;
    Subscription sub;
    MonoTime t0 = loop.now();

    void make(InstanceConfig c) {
        vi = std::make_unique<Instance>(loop, std::move(c), act);
        sub = vi->subscribe([this](Instance&, const InstanceEvent& e) {
            if (e.kind == InstanceEvent::Kind::StateChange)
                events.push_back(std::string(to_string(e.from)) + "->" + to_string(e.to));
        });
    }
    Advert advert(uint8_t prio, uint16_t adver_int_cs = 100) {
        Advert a = make_advert(vi->config(), prio);
        a.adver_int = adver_int_cs;
        return a;
    }
    void rx(uint8_t prio, const char* src = "192.168.1.10", uint16_t cs = 100) {
        EXPECT_EQ(vi->receive(advert(prio, cs), mcast_meta(src)), std::nullopt);
    }
    void run_to(MonoTime t) { loop.advance_to(t); }
};

using VrrpStateMachineTest = Fixture;

TEST_F(VrrpStateMachineTest, TimersFollowRfcFormulas) {
    make(base_config());
    EXPECT_EQ(vi->skew_time(), kSkew100);
    EXPECT_EQ(vi->master_down_interval(), kMdi100);
    auto c = base_config("VI_2", 100);
    c.version = 2;
    c.adver_int = 2s;
    Instance v2(loop, c, act);
    EXPECT_EQ(v2.skew_time(), 609375us);           // (256 - 100) / 256 s, independent of the interval
    EXPECT_EQ(v2.master_down_interval(), 6609375us);
    auto c3 = base_config("VI_3", 100);
    c3.adver_int = 2s;
    Instance v3(loop, c3, act);
    EXPECT_EQ(v3.skew_time(), 1218750us);          // 156 * 2 s / 256
    auto c4 = base_config("VI_4", 100);
    c4.down_timer_adverts = 5;
    Instance v4(loop, c4, act);
    EXPECT_EQ(v4.master_down_interval(), 5s + kSkew100);
}

TEST_F(VrrpStateMachineTest, StartsBackupAndBecomesMasterAfterMasterDownInterval) {
    make(base_config());
    vi->start();
    EXPECT_EQ(vi->state(), State::Backup);
    EXPECT_EQ(vi->master_down_deadline(), t0 + kMdi100);
    EXPECT_TRUE(act.take().empty());
    run_to(t0 + kMdi100 - 1ns);
    EXPECT_EQ(vi->state(), State::Backup);
    run_to(t0 + kMdi100);
    EXPECT_EQ(vi->state(), State::Master);
    EXPECT_EQ(act.take(), (std::vector<std::string>{"advert 100", "add_vips", "announce 5 master"}));
    EXPECT_TRUE(cap.contains("VI_1: BACKUP -> MASTER (no master seen for 3.61s)"));
    EXPECT_EQ(events, (std::vector<std::string>{"INIT->BACKUP", "BACKUP->MASTER"}));
    EXPECT_EQ(vi->stats().become_master, 1u);
    // Adver_Timer every second, the delayed GARP burst 5 s later.
    run_to(t0 + kMdi100 + 1s);
    EXPECT_EQ(act.take(), std::vector<std::string>{"advert 100"});
    run_to(t0 + kMdi100 + 5s);
    EXPECT_EQ(act.take(), (std::vector<std::string>{"advert 100", "advert 100", "advert 100", "announce 5 master_delayed",
                                                    "advert 100"}));
    EXPECT_EQ(vi->adver_deadline(), t0 + kMdi100 + 6s);
    EXPECT_EQ(vi->lateness().count(), 5u);
    EXPECT_EQ(vi->lateness().max(), Duration::zero());
}

TEST_F(VrrpStateMachineTest, AddressOwnerWithStateMasterStartsMaster) {
    auto c = base_config("VI_1", 255);
    c.initial_master = true;
    make(c);
    vi->start();
    EXPECT_EQ(vi->state(), State::Master);
    EXPECT_EQ(act.take(), (std::vector<std::string>{"advert 255", "add_vips", "announce 5 master"}));
    EXPECT_TRUE(cap.contains("VI_1: INIT -> MASTER (address owner (priority 255))"));
    EXPECT_EQ(vi->adver_deadline(), t0 + 1s);
}

TEST_F(VrrpStateMachineTest, StateMasterWithoutOwnershipStartsAsBackup) {
    auto c = base_config();
    c.initial_master = true;  // keepalived 2.x: still waits Master_Down_Interval
    make(c);
    vi->start();
    EXPECT_EQ(vi->state(), State::Backup);
    EXPECT_EQ(vi->master_down_deadline(), t0 + kMdi100);
    auto c2 = base_config("VI_2", 255);  // owner with state BACKUP: waits too
    Instance owner_backup(loop, c2, act);
    owner_backup.start();
    EXPECT_EQ(owner_backup.state(), State::Backup);
    EXPECT_EQ(owner_backup.master_down_deadline(), t0 + 3s + 3906250ns);  // 3 + 1/256 s
}

TEST_F(VrrpStateMachineTest, BackupAdvertResetsMasterDownTimer) {
    make(base_config());
    vi->start();
    run_to(t0 + 2s);
    rx(150);
    EXPECT_EQ(vi->master_down_deadline(), t0 + 2s + kMdi100);
    EXPECT_EQ(vi->master_address(), ip("192.168.1.10"));
    rx(100);  // equal priority: still a valid master (RFC: >=)
    run_to(t0 + 2s + kMdi100);
    EXPECT_EQ(vi->state(), State::Master);
    EXPECT_TRUE(cap.contains("VI_1: BACKUP -> MASTER (peer 192.168.1.10 silent for 3.61s)"));
}

TEST_F(VrrpStateMachineTest, V3BackupLearnsMasterAdverInterval) {
    make(base_config());
    vi->start();
    rx(150, "192.168.1.10", 200);
    EXPECT_EQ(vi->master_adver_interval(), 2s);
    EXPECT_EQ(vi->master_down_deadline(), t0 + 6s + 1218750us);  // 3 * 2 + 156 * 2 / 256
    // Becoming master it advertises its own interval again.
    run_to(t0 + 6s + 1218750us);
    EXPECT_EQ(vi->state(), State::Master);
    EXPECT_EQ(vi->master_adver_interval(), 1s);
    EXPECT_EQ(vi->adver_deadline(), loop.now() + 1s);
}

TEST_F(VrrpStateMachineTest, PriorityZeroMakesBackupTakeOverAfterSkewTime) {
    make(base_config());
    vi->start();
    run_to(t0 + 1s);
    rx(150);
    run_to(t0 + 1500ms);
    rx(0);
    EXPECT_EQ(vi->master_down_deadline(), t0 + 1500ms + kSkew100);
    run_to(t0 + 1500ms + kSkew100);
    EXPECT_EQ(vi->state(), State::Master);
    EXPECT_TRUE(cap.contains("VI_1: BACKUP -> MASTER (peer 192.168.1.10 released mastership (priority 0))"));
    EXPECT_EQ(vi->stats().pri_zero_received, 1u);
}

TEST_F(VrrpStateMachineTest, PreemptIgnoresLowerPriorityMaster) {
    make(base_config("VI_1", 150));
    vi->start();
    for (auto t : {500ms, 1500ms, 2500ms}) {
        run_to(t0 + t);
        rx(100);
    }
    EXPECT_EQ(vi->master_down_deadline(), t0 + kMdi150);  // never reset
    run_to(t0 + kMdi150);
    EXPECT_EQ(vi->state(), State::Master);
}

TEST_F(VrrpStateMachineTest, NopreemptKeepsLowerPriorityMaster) {
    auto c = base_config("VI_1", 150);
    c.preempt = false;
    make(c);
    vi->start();
    for (int i = 0; i < 30; ++i) {
        run_to(t0 + 500ms + i * 1s);
        rx(100);
    }
    run_to(t0 + 31s);
    EXPECT_EQ(vi->state(), State::Backup);
    EXPECT_EQ(vi->master_down_deadline(), t0 + 500ms + 29s + kMdi150);
}

TEST_F(VrrpStateMachineTest, PreemptDelayAcceptsLowerMasterForTheDelay) {
    auto c = base_config("VI_1", 150);
    c.preempt_delay = 2s;
    make(c);
    vi->start();
    // First lower advert at 0.5 s starts the delay (until 2.5 s); adverts at
    // 0.5 and 1.5 are accepted, 2.5 and 3.5 are not.
    for (auto t : {500ms, 1500ms, 2500ms, 3500ms}) {
        run_to(t0 + t);
        rx(100);
    }
    EXPECT_EQ(vi->master_down_deadline(), t0 + 1500ms + kMdi150);
    run_to(t0 + 1500ms + kMdi150 - 1ns);
    EXPECT_EQ(vi->state(), State::Backup);
    run_to(t0 + 1500ms + kMdi150);
    EXPECT_EQ(vi->state(), State::Master);
}

TEST_F(VrrpStateMachineTest, PreemptDelayRestartsAfterHigherMaster) {
    auto c = base_config("VI_1", 150);
    c.preempt_delay = 2s;
    make(c);
    vi->start();
    rx(100);         // delay until t0 + 2 s
    run_to(t0 + 1s);
    rx(200);         // a higher master: delay cancelled
    run_to(t0 + 2s);
    rx(100);         // starts a new delay, until t0 + 4 s: accepted
    EXPECT_EQ(vi->master_down_deadline(), t0 + 2s + kMdi150);
}

struct MasterFixture : Fixture {
    void become_master(InstanceConfig c) {
        make(std::move(c));
        vi->set_primary_address(ip("192.168.1.5"));
        vi->start();
        run_to(t0 + vi->master_down_interval());
        ASSERT_EQ(vi->state(), State::Master);
        act.take();
        events.clear();
    }
};

using VrrpMasterTest = MasterFixture;

TEST_F(VrrpMasterTest, HigherPriorityAdvertMakesMasterBackup) {
    become_master(base_config());
    const MonoTime now = loop.now();
    rx(200, "192.168.1.10", 200);
    EXPECT_EQ(vi->state(), State::Backup);
    EXPECT_EQ(act.take(), std::vector<std::string>{"remove_vips"});
    EXPECT_EQ(vi->master_adver_interval(), 2s);
    EXPECT_EQ(vi->master_down_deadline(), now + 6s + 1218750us);
    EXPECT_EQ(vi->adver_deadline(), std::nullopt);
    EXPECT_TRUE(cap.contains("VI_1: MASTER -> BACKUP (higher priority 200 advert from 192.168.1.10)"));
    // The delayed GARP burst is cancelled with mastership.
    run_to(now + 5s);
    EXPECT_TRUE(act.take().empty());
}

TEST_F(VrrpMasterTest, HigherPrioSendAdvertAnswersBeforeLeaving) {
    auto c = base_config();
    c.higher_prio_send_advert = true;
    become_master(c);
    rx(200);
    EXPECT_EQ(act.take(), (std::vector<std::string>{"advert 100", "remove_vips"}));
}

TEST_F(VrrpMasterTest, LowerPriorityAdvertIsAnsweredAndReannounced) {
    become_master(base_config());
    std::vector<InstanceEvent> seen;
    auto s = vi->subscribe([&](Instance&, const InstanceEvent& e) { seen.push_back(e); });
    const MonoTime now = loop.now();
    rx(50, "192.168.1.10");
    EXPECT_EQ(vi->state(), State::Master);
    EXPECT_EQ(act.take(), (std::vector<std::string>{"advert 100", "announce 5 lower_prio"}));
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].kind, InstanceEvent::Kind::MasterRxLowerPriority);
    EXPECT_EQ(seen[0].peer, ip("192.168.1.10"));
    EXPECT_EQ(seen[0].priority, 50);
    EXPECT_EQ(vi->stats().lower_prio_received, 1u);
    run_to(now + 5s);
    auto later = act.take();
    EXPECT_EQ(std::count(later.begin(), later.end(), "announce 5 lower_prio"), 1);
}

// Issue 11 item 7: a flood of forged lower-priority adverts (1000 per
// second for 5 s) is answered (advert, GARPs, notify event) at most once per
// advert interval, writes one log line plus a count, and leaves the adverts
// on time.
TEST_F(VrrpMasterTest, LowerPriorityFloodIsAnsweredOncePerInterval) {
    become_master(base_config());
    std::vector<InstanceEvent> seen;
    auto s = vi->subscribe([&](Instance&, const InstanceEvent& e) { seen.push_back(e); });
    cap.clear();
    const MonoTime start = loop.now();
    for (int i = 0; i < 5000; ++i) {
        rx(50, "192.168.1.10");
        run_to(start + (i + 1) * 1ms);
    }
    const auto done = act.take();
    // Answered at 0, 1, 2, 3 and 4 s (the delayed GARP burst, re-armed by
    // each, would come 5 s after the last).
    EXPECT_EQ(std::count(done.begin(), done.end(), "announce 5 lower_prio"), 5);
    // Adverts: the 5 of Adver_Timer plus the 5 answers.
    EXPECT_EQ(std::count(done.begin(), done.end(), "advert 100"), 5 + 5);
    EXPECT_EQ(seen.size(), 5u);  // MasterRxLowerPriority: notify_master_rx_lower_pri
    EXPECT_EQ(vi->stats().lower_prio_received, 5000u);
    EXPECT_EQ(vi->stats().answers_limited, 4995u);
    EXPECT_LE(cap.lines().size(), 2u);  // one line, then at most one count
    EXPECT_EQ(vi->lateness().max(), Duration::zero());
    run_to(start + 20s);
    EXPECT_TRUE(cap.contains("(repeated 4999 times in the last 10.00s)"));
}

TEST_F(VrrpMasterTest, PriorityZeroFloodIsAnsweredOncePerInterval) {
    become_master(base_config());
    const MonoTime start = loop.now();
    for (int i = 0; i < 1000; ++i) {
        rx(0, "192.168.1.10");
        run_to(start + (i + 1) * 1ms);
    }
    // One answer at once, then Adver_Timer's advert at 1 s.
    EXPECT_EQ(act.take(), (std::vector<std::string>{"advert 100", "advert 100"}));
    EXPECT_EQ(vi->stats().answers_limited, 999u);
}

// garp_master_refresh: every N seconds as master, garp_master_refresh_repeat
// GARPs; the refresh stops with mastership.
TEST_F(VrrpMasterTest, GarpMasterRefreshRepeatsWhileMaster) {
    auto c = base_config();
    c.garp_master_delay = Duration::zero();
    c.garp_master_refresh = 10s;
    c.garp_master_refresh_repeat = 2;
    become_master(c);
    const MonoTime now = loop.now();
    run_to(now + 10s - 1ms);
    auto before = act.take();
    EXPECT_EQ(std::count(before.begin(), before.end(), "announce 2 refresh"), 0);
    run_to(now + 25s);
    auto during = act.take();
    EXPECT_EQ(std::count(during.begin(), during.end(), "announce 2 refresh"), 2);  // at 10 s and 20 s
    rx(200);
    ASSERT_EQ(vi->state(), State::Backup);
    act.take();
    // The one due at 30 s is cancelled (the instance would be master again
    // only after Master_Down_Interval, 3.6 s, with no advert from the other).
    run_to(now + 25s + 3s);
    EXPECT_EQ(vi->state(), State::Backup);
    auto after = act.take();
    EXPECT_EQ(std::count(after.begin(), after.end(), "announce 2 refresh"), 0);
}

TEST_F(VrrpMasterTest, LowerPrioNoAdvertFollowsTheRfc) {
    auto c = base_config();
    c.lower_prio_no_advert = true;
    c.garp_lower_prio_repeat = 0;
    become_master(c);
    rx(50);
    EXPECT_EQ(vi->state(), State::Master);
    EXPECT_TRUE(act.take().empty());
}

TEST_F(VrrpMasterTest, EqualPriorityTieBrokenByPrimaryAddress) {
    become_master(base_config());  // our address 192.168.1.5
    rx(100, "192.168.1.4");        // lower address: we stay
    EXPECT_EQ(vi->state(), State::Master);
    EXPECT_EQ(act.take(), (std::vector<std::string>{"advert 100", "announce 5 lower_prio"}));
    rx(100, "192.168.1.6");        // higher address: we yield
    EXPECT_EQ(vi->state(), State::Backup);
    EXPECT_TRUE(cap.contains("VI_1: MASTER -> BACKUP (same priority 100, higher address 192.168.1.6)"));
}

TEST_F(VrrpMasterTest, PriorityZeroMakesMasterAdvertiseAtOnce) {
    become_master(base_config());
    run_to(loop.now() + 300ms);
    rx(0);
    EXPECT_EQ(act.take(), std::vector<std::string>{"advert 100"});
    EXPECT_EQ(vi->adver_deadline(), loop.now() + 1s);
    EXPECT_EQ(vi->state(), State::Master);
}

TEST_F(VrrpMasterTest, TwoAddressOwnersLowerOurPriority) {
    auto c = base_config("VI_1", 255);
    c.initial_master = true;
    make(c);
    vi->set_primary_address(ip("192.168.1.5"));
    vi->start();
    rx(255, "192.168.1.4");
    EXPECT_EQ(vi->effective_priority(), 254);
    EXPECT_EQ(vi->state(), State::Backup);
    EXPECT_TRUE(cap.contains("CONFIGURATION ERROR"));
}

TEST_F(VrrpMasterTest, StopSendsPriorityZero) {
    become_master(base_config());
    vi->stop();
    EXPECT_EQ(vi->state(), State::Stopped);
    EXPECT_EQ(act.take(), (std::vector<std::string>{"advert 0", "remove_vips"}));
    EXPECT_EQ(vi->adver_deadline(), std::nullopt);
    EXPECT_EQ(vi->stats().pri_zero_sent, 1u);
    run_to(loop.now() + 10s);
    EXPECT_TRUE(act.take().empty());
    // A stopped instance may start again.
    vi->start();
    EXPECT_EQ(vi->state(), State::Backup);
}

TEST_F(VrrpStateMachineTest, StopFromBackupIsSilent) {
    make(base_config());
    vi->start();
    vi->stop("shutdown");
    EXPECT_EQ(vi->state(), State::Stopped);
    EXPECT_TRUE(act.take().empty());
    EXPECT_EQ(vi->master_down_deadline(), std::nullopt);
    EXPECT_TRUE(cap.contains("VI_1: BACKUP -> STOP (shutdown)"));
}

TEST_F(VrrpMasterTest, FaultInAndOut) {
    become_master(base_config());
    vi->set_fault(true, "track_interface eth0");
    EXPECT_EQ(vi->state(), State::Fault);
    EXPECT_EQ(act.take(), (std::vector<std::string>{"advert 0", "remove_vips"}));
    EXPECT_TRUE(cap.contains("VI_1: MASTER -> FAULT (track_interface eth0)"));
    vi->set_fault(true, "track_script chk");
    rx(50);  // ignored in Fault
    EXPECT_EQ(vi->state(), State::Fault);
    EXPECT_TRUE(act.take().empty());
    run_to(loop.now() + 20s);
    EXPECT_EQ(vi->state(), State::Fault);
    vi->set_fault(false, "track_interface eth0");
    EXPECT_EQ(vi->state(), State::Fault);  // the script still fails
    const MonoTime up = loop.now();
    vi->set_fault(false, "track_script chk");
    EXPECT_EQ(vi->state(), State::Backup);
    EXPECT_TRUE(cap.contains("VI_1: FAULT -> BACKUP (track_script chk recovered)"));
    EXPECT_EQ(vi->master_down_deadline(), up + kMdi100);
    EXPECT_EQ(events, (std::vector<std::string>{"MASTER->FAULT", "FAULT->BACKUP"}));
}

TEST_F(VrrpStateMachineTest, FaultBeforeStartAndOwnerLeavingFault) {
    auto c = base_config("VI_1", 255);
    c.initial_master = true;
    make(c);
    vi->set_fault(true, "track_interface eth0");
    vi->start();
    EXPECT_EQ(vi->state(), State::Fault);
    EXPECT_TRUE(act.take().empty());
    vi->set_fault(false, "track_interface eth0");
    EXPECT_EQ(vi->state(), State::Master);  // keepalived: an owner goes straight back
    EXPECT_EQ(events, (std::vector<std::string>{"INIT->FAULT", "FAULT->MASTER"}));
}

TEST_F(VrrpStateMachineTest, PriorityAdjustmentChangesSkewAndAdverts) {
    make(base_config());
    std::vector<int> prios;
    auto s = vi->subscribe([&](Instance&, const InstanceEvent& e) {
        if (e.kind == InstanceEvent::Kind::PriorityChanged) prios.push_back(e.priority);
    });
    vi->set_priority_adjustment(-30);
    EXPECT_EQ(vi->effective_priority(), 70);
    EXPECT_EQ(vi->master_down_interval(), 3s + 726562500ns);  // 3 + 186/256
    vi->set_priority_adjustment(-200);
    EXPECT_EQ(vi->effective_priority(), 1);
    vi->set_priority_adjustment(+200);
    EXPECT_EQ(vi->effective_priority(), 254);
    vi->set_priority_adjustment(+200);  // unchanged: no event
    EXPECT_EQ(prios, (std::vector<int>{70, 1, 254}));
    vi->set_priority_adjustment(-10);
    vi->start();
    run_to(t0 + vi->master_down_interval());
    EXPECT_EQ(act.take().front(), "advert 90");
    auto owner = base_config("VI_2", 255);
    Instance o(loop, owner, act);
    o.set_priority_adjustment(-50);
    EXPECT_EQ(o.effective_priority(), 255);
}

TEST_F(VrrpStateMachineTest, DroppedAdvertsChangeNothing) {
    make(base_config());
    vi->start();
    run_to(t0 + 1s);
    Advert a = advert(200);
    a.vrid = 52;
    EXPECT_EQ(vi->receive(a, mcast_meta("192.168.1.10")), DropReason::NotOurVrid);
    EXPECT_EQ(vi->receive(advert(200), mcast_meta("192.168.1.10", 64)), DropReason::BadTtl);
    EXPECT_EQ(vi->master_down_deadline(), t0 + kMdi100);
    EXPECT_EQ(vi->stats().adverts_received, 0u);
}

TEST_F(VrrpStateMachineTest, SkipCheckAdvAddrTrustsTheKnownMaster) {
    auto c = base_config();
    c.skip_check_adv_addr = true;
    make(c);
    vi->start();
    Advert wrong = advert(150);
    wrong.addresses = {ip("10.9.9.9")};
    // Unknown master: addresses checked.
    EXPECT_EQ(vi->receive(wrong, mcast_meta("192.168.1.10")), DropReason::AddressListMismatch);
    rx(150);
    EXPECT_EQ(vi->receive(wrong, mcast_meta("192.168.1.10")), std::nullopt);
    EXPECT_EQ(vi->receive(wrong, mcast_meta("192.168.1.11")), DropReason::AddressListMismatch);
}

TEST_F(VrrpStateMachineTest, SubscriptionEndsWhenDestroyed) {
    make(base_config());
    int calls = 0;
    {
        auto s = vi->subscribe([&](Instance&, const InstanceEvent&) { ++calls; });
        vi->start();
    }
    vi->stop();
    EXPECT_EQ(calls, 1);
    // A subscription may outlive its instance.
    auto late = vi->subscribe([&](Instance&, const InstanceEvent&) { ++calls; });
    vi.reset();
    late.reset();
    SUCCEED();
}

// --- Two routers on a simulated link, through the real codec. ---

class Lan;

struct Router : Actions {
    Router(Lan& lan, core::EventLoop& loop, InstanceConfig c, const char* addr);
    void send_advert(uint8_t priority) override;
    void add_vips() override { vips = true; }
    void remove_vips() override { vips = false; }
    void announce(uint32_t, AnnounceReason) override { ++announces; }

    Lan& lan;
    net::IpAddress address;
    bool vips = false;
    int announces = 0;
    std::unique_ptr<Instance> vrrp;
};

class Lan {
public:
    explicit Lan(core::EventLoop& loop) : timer_(loop.create_timer([this] { deliver(); })) {}
    void attach(Router* r) { routers_.push_back(r); }
    void send(Router* from, std::vector<uint8_t> bytes) {
        queue_.push_back({from, std::move(bytes)});
        timer_->arm(Duration::zero());  // zero latency, but never re-entrant
    }
    DropCounters drops;

private:
    void deliver() {
        auto batch = std::exchange(queue_, {});
        for (auto& [from, bytes] : batch)
            for (Router* r : routers_) {
                if (r == from || !r->vrrp) continue;
                auto d = decode(bytes, RxMeta{net::Family::V4, from->address, ip("224.0.0.18"), 255});
                if (!d) {
                    drops.add(d.error());
                    continue;
                }
                if (auto drop = r->vrrp->receive(d->advert, d->meta)) drops.add(*drop);
            }
    }
    core::TimerPtr timer_;
    std::vector<Router*> routers_;
    std::deque<std::pair<Router*, std::vector<uint8_t>>> queue_;
};

Router::Router(Lan& l, core::EventLoop& loop, InstanceConfig c, const char* addr) : lan(l), address(ip(addr)) {
    vrrp = std::make_unique<Instance>(loop, std::move(c), *this);
    vrrp->set_primary_address(address);
    lan.attach(this);
}

void Router::send_advert(uint8_t priority) {
    lan.send(this, encode(make_advert(vrrp->config(), priority), address, ip("224.0.0.18")));
}

struct VrrpLanTest : ::testing::Test {
    core::SimLoop loop;
    log::ScopedCapture cap{log::Level::info};
    Lan lan{loop};
    MonoTime t0 = loop.now();
};

TEST_F(VrrpLanTest, HigherPriorityWinsAndBackupTakesOverAfterSkewOnStop) {
    Router a(lan, loop, base_config("VI_A", 150), "192.168.1.1");
    Router b(lan, loop, base_config("VI_B", 100), "192.168.1.2");
    a.vrrp->start();
    b.vrrp->start();
    loop.advance_to(t0 + kMdi150);
    EXPECT_EQ(a.vrrp->state(), State::Master);
    EXPECT_EQ(b.vrrp->state(), State::Backup);
    EXPECT_TRUE(a.vips);
    EXPECT_FALSE(b.vips);
    // B keeps hearing A: its Master_Down_Timer follows A's adverts.
    loop.advance_to(t0 + 20s);
    EXPECT_EQ(b.vrrp->state(), State::Backup);
    const MonoTime stop = t0 + 20s + 300ms;
    loop.advance_to(stop);
    a.vrrp->stop();
    EXPECT_FALSE(a.vips);
    loop.advance_to(stop + kSkew100 - 1ns);
    EXPECT_EQ(b.vrrp->state(), State::Backup);
    loop.advance_to(stop + kSkew100);
    EXPECT_EQ(b.vrrp->state(), State::Master);
    EXPECT_TRUE(b.vips);
    EXPECT_TRUE(cap.contains("VI_B: BACKUP -> MASTER (peer 192.168.1.1 released mastership (priority 0))"));
    EXPECT_EQ(lan.drops.total(), 0u);
}

TEST_F(VrrpLanTest, BackupTakesOverAfterMasterDownIntervalWhenMasterDies) {
    Router a(lan, loop, base_config("VI_A", 150), "192.168.1.1");
    Router b(lan, loop, base_config("VI_B", 100), "192.168.1.2");
    a.vrrp->start();
    b.vrrp->start();
    loop.advance_to(t0 + kMdi150 + 2s);  // A's last advert at t0 + kMdi150 + 2 s
    a.vrrp.reset();                      // crash: no priority 0
    loop.advance_to(t0 + kMdi150 + 2s + kMdi100 - 1ns);
    EXPECT_EQ(b.vrrp->state(), State::Backup);
    loop.advance_to(t0 + kMdi150 + 2s + kMdi100);
    EXPECT_EQ(b.vrrp->state(), State::Master);
    EXPECT_TRUE(cap.contains("VI_B: BACKUP -> MASTER (peer 192.168.1.1 silent for 3.61s)"));
}

TEST_F(VrrpLanTest, HigherPriorityRouterPreemptsWhenItArrives) {
    Router b(lan, loop, base_config("VI_B", 100), "192.168.1.2");
    b.vrrp->start();
    loop.advance_to(t0 + kMdi100);
    ASSERT_EQ(b.vrrp->state(), State::Master);
    Router a(lan, loop, base_config("VI_A", 150), "192.168.1.1");
    const MonoTime ta = t0 + 10s + 500ms;
    loop.advance_to(ta);
    a.vrrp->start();
    loop.advance_to(ta + kMdi150 - 1ns);
    EXPECT_EQ(a.vrrp->state(), State::Backup);
    loop.advance_to(ta + kMdi150);
    EXPECT_EQ(a.vrrp->state(), State::Master);
    EXPECT_EQ(b.vrrp->state(), State::Backup);  // A's first advert arrived at once
    EXPECT_TRUE(a.vips);
    EXPECT_FALSE(b.vips);
}

TEST_F(VrrpLanTest, SplitBrainHealsTowardsHigherPriority) {
    // Both became master while the link was cut; when it heals the lower one
    // hears the higher and yields; the higher one answers the lower's advert.
    Router a(lan, loop, base_config("VI_A", 150), "192.168.1.1");
    Router b(lan, loop, base_config("VI_B", 100), "192.168.1.2");
    b.vrrp->start();
    loop.advance_to(t0 + kMdi100);
    a.vrrp->start();
    a.vrrp->force_master("test: link was cut");
    loop.advance_to(t0 + kMdi100 + 1ms);
    EXPECT_EQ(a.vrrp->state(), State::Master);
    EXPECT_EQ(b.vrrp->state(), State::Backup);
    EXPECT_TRUE(a.vips);
    EXPECT_FALSE(b.vips);
}

TEST_F(VrrpLanTest, EqualPrioritiesElectTheHigherAddress) {
    Router a(lan, loop, base_config("VI_A", 100), "192.168.1.1");
    Router b(lan, loop, base_config("VI_B", 100), "192.168.1.2");
    a.vrrp->start();
    b.vrrp->start();  // both time out at the same instant: both become Master
    loop.advance_to(t0 + kMdi100 + 1ms);
    EXPECT_EQ(a.vrrp->state(), State::Backup);
    EXPECT_EQ(b.vrrp->state(), State::Master);
    loop.advance_to(t0 + 30s);
    EXPECT_EQ(a.vrrp->state(), State::Backup);
    EXPECT_EQ(b.vrrp->state(), State::Master);
}

}  // namespace
}  // namespace halbd::vrrp
