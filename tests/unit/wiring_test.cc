// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/wiring_test.cc: src/wiring.cc without the kernel: the table's
// order and reasons, the Daemon applying in that order and stopping in
// reverse with the StopOptions of -V / -I, and the IPVS sync daemon's role
// following the lvs_sync_daemon instance through the VRRP state seam.
#include <gtest/gtest.h>

#include <csignal>
#include <string>
#include <vector>

#include "core/log.hh"
#include "support/sim_loop.hh"
#include "support/fake_backend.hh"
#include "forward/subsystem.hh"
#include "forward_test_util.hh"
#include "vrrp/state_hub.hh"
#include "wiring.hh"

namespace halbd {
namespace {

using Lines = std::vector<std::string>;

struct Recorder final : config::ConfigSubscriber {
    Recorder(std::string n, Lines& l) : name(std::move(n)), log(l) {}
    void apply(const config::Model* previous, const config::Model&) override {
        log.push_back(name + (previous ? " reload" : " start"));
    }
    void stop(const config::StopOptions& o) override {
        log.push_back(name + " stop" + (o.keep_addresses ? " -V" : "") + (o.keep_forwarding ? " -I" : ""));
    }
    std::string name;
    Lines& log;
};

TEST(WiringTable, NamesEveryPlaceWithItsReason) {
    Lines names;
    for (const Stage& s : stages()) {
        names.push_back(s.name);
        EXPECT_GT(std::string(s.why).size(), 20u) << s.name;
    }
    EXPECT_EQ(names, (Lines{"process", "checks", "forwarding", "accept filter", "conntrack sync", "active-active", "vrrp",
                            "route announce"}));
}

TEST(WiringTable, DaemonAppliesInTableOrderAndStopsInReverse) {
    log::ScopedCapture cap{log::Level::info};
    core::SimLoop loop;
    Options opts;
    opts.dont_release_vrrp = true;
    opts.dont_release_ipvs = true;
    Lines log;
    Recorder checks("checks", log), forwarding("forwarding", log), vrrp("vrrp", log), announce("announce", log);
    Subscribers s;
    s.announce = &announce;
    s.vrrp = &vrrp;  // filled out of order; accept filter not running
    s.checks = &checks;
    s.forwarding = &forwarding;
    Daemon daemon(loop, opts, "halbd.conf");
    subscribe_in_order(daemon, s);
    auto m = forward::test_util::load("global_defs {\n}\n");
    ASSERT_TRUE(m);
    daemon.start(m);
    daemon.stop(SIGTERM);
    // The routes leave first: announce stops before VRRP releases anything.
    EXPECT_EQ(log, (Lines{"checks start", "forwarding start", "vrrp start", "announce start", "announce stop -V -I",
                          "vrrp stop -V -I", "forwarding stop -V -I", "checks stop -V -I"}));
}

// One subscriber drains for 1 s: the others stop only after it, the loop
// runs meanwhile (a timer of another subsystem fires), and a second TERM
// changes nothing.
struct Drainer final : config::ConfigSubscriber {
    Drainer(core::EventLoop& loop, Lines& l) : log(l), timer(loop.create_timer([this] { done(); })) {}
    void apply(const config::Model*, const config::Model&) override {}
    void drain_before_stop(const config::StopOptions&, std::function<void()> d) override {
        log.push_back("announce drain");
        done = std::move(d);
        timer->arm(std::chrono::seconds(1));
    }
    void stop(const config::StopOptions&) override { log.push_back("announce stop"); }
    Lines& log;
    std::function<void()> done;
    core::TimerPtr timer;
};

TEST(WiringTable, DaemonStopsTheOthersOnlyOnceADrainIsDoneAndTheLoopRunsMeanwhile) {
    log::ScopedCapture cap{log::Level::info};
    core::SimLoop loop;
    Options opts;
    Lines log;
    Recorder vrrp("vrrp", log);
    Drainer announce(loop, log);
    Subscribers s;
    s.vrrp = &vrrp;
    s.announce = &announce;
    Daemon daemon(loop, opts, "halbd.conf");
    subscribe_in_order(daemon, s);
    auto m = forward::test_util::load("global_defs {\n}\n");
    ASSERT_TRUE(m);
    daemon.start(m);
    int adverts = 0;
    core::TimerPtr advert;
    advert = loop.create_timer([&] {
        ++adverts;
        advert->arm(std::chrono::milliseconds(100));
    });
    advert->arm(std::chrono::milliseconds(100));
    daemon.stop(SIGTERM);
    EXPECT_TRUE(daemon.stopping());
    EXPECT_EQ(log, (Lines{"vrrp start", "announce drain"}));
    loop.advance(std::chrono::milliseconds(500));
    daemon.stop(SIGTERM);  // a second TERM: the stop goes on as it was
    EXPECT_EQ(log.back(), "announce drain");
    loop.advance(std::chrono::milliseconds(499));
    EXPECT_EQ(log.back(), "announce drain");
    EXPECT_GE(adverts, 9);  // the loop kept running during the drain
    loop.advance(std::chrono::milliseconds(1));
    EXPECT_EQ(log, (Lines{"vrrp start", "announce drain", "announce stop", "vrrp stop"}));
    EXPECT_TRUE(cap.contains("received SIGTERM while stopping: the stop goes on"));
}

TEST(WiringSyncRole, FollowsTheLvsSyncDaemonInstanceThroughTheSeam) {
    log::ScopedCapture cap{log::Level::info};
    core::SimLoop loop;
    Options opts;
    forward::FakeBackend fb;
    forward::ForwardSubsystem fwd{fb};
    vrrp::StateHub hub(loop);
    Daemon daemon(loop, opts, "halbd.conf");
    daemon.subscribe(&fwd);
    auto m = forward::test_util::load(
        "global_defs {\n lvs_sync_daemon eth0 VI_1 id 5\n}\n"
        "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n virtual_ipaddress {\n  192.0.2.100/24\n }\n}\n");
    ASSERT_TRUE(m);
    daemon.start(m);
    auto sub = follow_sync_role(hub, daemon, fwd);
    using vrrp::State;
    using vrrp::StateEvent;
    auto publish = [&](StateEvent::Of of, const char* name, State from, State to) {
        hub.publish(StateEvent{of, name, {}, from, to, "test", loop.now()});
    };
    publish(StateEvent::Of::Instance, "VI_1", State::Backup, State::Master);
    EXPECT_TRUE(fb.daemon(forward::SyncDaemon::Role::Master));
    publish(StateEvent::Of::Instance, "VI_2", State::Master, State::Backup);     // another instance
    publish(StateEvent::Of::SyncGroup, "VI_1", State::Master, State::Backup);    // a group of that name
    EXPECT_TRUE(fb.daemon(forward::SyncDaemon::Role::Master));
    publish(StateEvent::Of::Instance, "VI_1", State::Master, State::Fault);
    EXPECT_FALSE(fb.daemon(forward::SyncDaemon::Role::Master));
    EXPECT_TRUE(fb.daemon(forward::SyncDaemon::Role::Backup));
}

}  // namespace
}  // namespace halbd
