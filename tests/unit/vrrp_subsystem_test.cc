// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/vrrp_subsystem_test.cc: VrrpSubsystem and InstanceIo over the
// fakes (FakeTransport, FakeAddressBackend, FakeAnnouncer) on a SimLoop:
// start, election, VIPs and GARP/NA, dispatch and drop counting, stop with
// and without -V, reloads that keep state, stale VIPs, unicast and IPv6;
// virtual_routes/rules following mastership and static_* kept regardless of
// it (FakeRouteBackend), each reload applying only the difference.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include <sstream>

#include "core/log.hh"
#include "forward_test_util.hh"
#include "support/fake_net.hh"
#include "support/fake_transport.hh"
#include "support/sim_loop.hh"
#include "vrrp/net_objects.hh"
#include "vrrp/subsystem.hh"
#include "vrrp_subsystem_fixture.hh"

namespace halbd::vrrp {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

net::IpAddress ip(const char* s) { return *net::IpAddress::parse(s); }

std::string conf(const std::string& body, const std::string& extra_instances = "") {
    return "global_defs {\n vrrp_version 3\n vrrp_garp_master_delay 0\n}\n"
           "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n advert_int 1\n" +
           body + "}\n" + extra_instances;
}

const char* kVip = " virtual_ipaddress {\n  192.0.2.100/24\n }\n";

// A raw IPv4 packet carrying a VRRP message, as the socket returns it.
std::vector<uint8_t> ipv4(const Advert& a, const char* src, const char* dst = "224.0.0.18", uint8_t ttl = 255) {
    auto msg = encode(a, ip(src), ip(dst));
    std::vector<uint8_t> p(20);
    p[0] = 0x45;
    p[2] = static_cast<uint8_t>((20 + msg.size()) >> 8);
    p[3] = static_cast<uint8_t>(20 + msg.size());
    p[8] = ttl;
    p[9] = kIpProtoVrrp;
    std::memcpy(&p[12], ip(src).bytes(), 4);
    std::memcpy(&p[16], ip(dst).bytes(), 4);
    const uint16_t sum = checksum_fold(checksum_add(0, p));
    p[10] = static_cast<uint8_t>(sum >> 8);
    p[11] = static_cast<uint8_t>(sum);
    p.insert(p.end(), msg.begin(), msg.end());
    return p;
}

Advert advert(uint8_t prio, uint8_t vrid = 51) {
    Advert a;
    a.version = 3;
    a.vrid = vrid;
    a.priority = prio;
    a.set_interval(seconds(1));
    a.addresses = {ip("192.0.2.100")};
    return a;
}

struct VrrpSubsystemTest : test_util::SubsystemFixture {
    VrrpSubsystemTest() {
        addrs.add_link("eth0", net::Prefix::parse("192.0.2.1/24"));
        vrrp = std::make_unique<VrrpSubsystem>(loop, addrs, routes, announcer, transport);
    }
    void inject(const std::vector<uint8_t>& bytes) {
        RxPacket p;
        p.bytes = bytes;
        p.ip_header = true;
        ASSERT_TRUE(transport.inject("eth0", net::Family::V4, p));
    }
    State state(const char* name = "VI_1") { return vrrp->instance(name)->state(); }
    // The priority of the last advert sent.
    int last_priority() {
        if (transport.sent().empty()) return -1;
        const auto& s = transport.sent().back();
        auto d = decode(s.msg, RxMeta{net::Family::V4, s.src, s.dst, 255});
        return d ? d->advert.priority : -2;
    }
};

TEST_F(VrrpSubsystemTest, StartsBackupThenBecomesMasterWithVipsAndGarps) {
    apply(conf(" priority 100\n" + std::string(kVip)));
    EXPECT_EQ(state(), State::Backup);
    EXPECT_TRUE(transport.is_open("eth0", net::Family::V4));
    EXPECT_EQ(transport.groups("eth0", net::Family::V4).count(ip("224.0.0.18")), 1u);
    loop.advance(seconds(4));
    ASSERT_EQ(state(), State::Master);
    EXPECT_TRUE(addrs.has("eth0", ip("192.0.2.100")));
    EXPECT_EQ(std::count(announcer.journal().begin(), announcer.journal().end(), "garp 192.0.2.100 eth0"), 5);
    ASSERT_FALSE(transport.sent().empty());
    EXPECT_EQ(transport.sent().back().src, ip("192.0.2.1"));
    EXPECT_EQ(transport.sent().back().dst, ip("224.0.0.18"));
    EXPECT_EQ(transport.sent().back().ttl, 255);
    EXPECT_EQ(last_priority(), 100);
    EXPECT_TRUE(cap.contains("VI_1: BACKUP -> MASTER"));
}

TEST_F(VrrpSubsystemTest, HigherPriorityAdvertTakesOver) {
    apply(conf(" priority 100\n" + std::string(kVip)));
    loop.advance(seconds(4));
    ASSERT_EQ(state(), State::Master);
    inject(ipv4(advert(200), "192.0.2.2"));
    EXPECT_EQ(state(), State::Backup);
    EXPECT_FALSE(addrs.has("eth0", ip("192.0.2.100")));
    EXPECT_EQ(vrrp->instance("VI_1")->master_address(), ip("192.0.2.2"));
}

// Issue 16: what the log and the dump say must be what happened. A peer
// that keeps sending lower-priority adverts is preempted, not "silent"; the
// VIP lines name the addresses; a MASTER's dump names itself as the master,
// not the peer it beat.
TEST_F(VrrpSubsystemTest, LogAndDumpSayWhatHappened) {
    apply(conf(" priority 150\n" + std::string(kVip)));
    for (int k = 0; k < 3; ++k) {
        loop.advance(milliseconds(k == 0 ? 500 : 1000));
        inject(ipv4(advert(100), "192.0.2.2"));
    }
    loop.advance(seconds(1));
    ASSERT_EQ(state(), State::Master);
    EXPECT_TRUE(cap.contains("VI_1: BACKUP -> MASTER (preempting 192.0.2.2: its adverts have priority 100, ours 150)"));
    EXPECT_FALSE(cap.contains("silent for"));
    EXPECT_TRUE(cap.contains("VI_1: added 1 VIP(s): 192.0.2.100/24 on eth0"));
    std::ostringstream os;
    vrrp->dump_state(os);
    EXPECT_NE(os.str().find(", master this node,"), std::string::npos) << os.str();
    EXPECT_EQ(os.str().find("master 192.0.2.2"), std::string::npos) << os.str();
    const auto& t = vrrp->instance("VI_1")->last_transition();
    ASSERT_TRUE(t);
    EXPECT_EQ(t->from, State::Backup);
    EXPECT_EQ(t->to, State::Master);
    EXPECT_EQ(t->reason, "preempting 192.0.2.2: its adverts have priority 100, ours 150");
    config::StopOptions opts;
    vrrp->stop(opts);
    EXPECT_TRUE(cap.contains("VI_1: removed 1 VIP(s): 192.0.2.100/24 on eth0"));
}

// The peer that stops sending is silent, and the line says so.
TEST_F(VrrpSubsystemTest, SilentPeerIsCalledSilent) {
    apply(conf(" priority 100\n" + std::string(kVip)));
    loop.advance(milliseconds(500));
    inject(ipv4(advert(150), "192.0.2.2"));
    loop.advance(seconds(4));
    ASSERT_EQ(state(), State::Master);
    EXPECT_TRUE(cap.contains("VI_1: BACKUP -> MASTER (peer 192.0.2.2 silent for 3.61s)"));
}

TEST_F(VrrpSubsystemTest, DropsAreCountedByReasonAndDumped) {
    apply(conf(" priority 100\n" + std::string(kVip)));
    inject({1, 2, 3});                                   // not even an IP header
    inject(ipv4(advert(200, 99), "192.0.2.2"));          // another virtual router
    inject(ipv4(advert(200), "192.0.2.2", "224.0.0.18", 64));  // TTL must be 255
    const auto* ch = vrrp->channel_drops("eth0", net::Family::V4);
    ASSERT_TRUE(ch);
    EXPECT_EQ(ch->total(), 2u);
    EXPECT_EQ((*ch)[DropReason::NotOurVrid], 1u);
    EXPECT_EQ((*vrrp->instance_drops("VI_1"))[DropReason::BadTtl], 1u);
    std::ostringstream os;
    vrrp->dump_state(os);
    EXPECT_NE(os.str().find("bad_ttl=1"), std::string::npos) << os.str();
    EXPECT_NE(os.str().find("not_our_vrid=1"), std::string::npos) << os.str();
    EXPECT_NE(os.str().find("# VRRP instance VI_1: BACKUP"), std::string::npos) << os.str();
}

// global_defs vrrp_startup_delay: at start the instances wait that long (no
// election, no advert) before they start; a reload does not delay again, and
// a stop during the delay keeps them stopped.
TEST_F(VrrpSubsystemTest, StartupDelayHoldsInstancesAtStartOnly) {
    const std::string delayed = "global_defs {\n vrrp_startup_delay 5\n}\n";
    apply(delayed + conf(" priority 100\n" + std::string(kVip)));
    EXPECT_EQ(state(), State::Initialize);
    EXPECT_TRUE(cap.contains("VRRP: vrrp_startup_delay: instances start in 5.00s"));
    loop.advance(milliseconds(4990));
    EXPECT_EQ(state(), State::Initialize);
    EXPECT_TRUE(transport.sent().empty());
    loop.advance(milliseconds(10));
    EXPECT_EQ(state(), State::Backup);
    EXPECT_TRUE(cap.contains("VRRP: vrrp_startup_delay over; starting 1 instance(s)"));
    loop.advance(seconds(4));
    EXPECT_EQ(state(), State::Master);
    apply(delayed + conf(" priority 100\n" + std::string(kVip),
                         "vrrp_instance VI_2 {\n interface eth0\n virtual_router_id 52\n priority 50\n"
                         " virtual_ipaddress {\n  192.0.2.102/24\n }\n}\n"));
    EXPECT_EQ(state("VI_2"), State::Backup);  // a reload starts new instances at once
    EXPECT_EQ(state(), State::Master);
}

TEST_F(VrrpSubsystemTest, StopDuringStartupDelayKeepsInstancesStopped) {
    apply("global_defs {\n vrrp_startup_delay 5\n}\n" + conf(" priority 100\n" + std::string(kVip)));
    vrrp->stop(config::StopOptions{});
    loop.advance(seconds(10));
    EXPECT_NE(state(), State::Backup);
    EXPECT_NE(state(), State::Master);
    EXPECT_TRUE(transport.sent().empty());
}

// global_defs log_unknown_vrids: an advert for a VRID no instance has on the
// socket is logged (aggregated like every received-packet line); without it,
// only counted.
TEST_F(VrrpSubsystemTest, LogUnknownVridsLogsAdvertsForOtherRouters) {
    apply(conf(" priority 100\n" + std::string(kVip)));
    inject(ipv4(advert(200, 99), "192.0.2.2"));
    EXPECT_FALSE(cap.contains("unknown VRID"));
    apply("global_defs {\n log_unknown_vrids\n}\n" + conf(" priority 100\n" + std::string(kVip)));
    inject(ipv4(advert(200, 99), "192.0.2.2"));
    EXPECT_TRUE(cap.contains("VRRP: eth0: advert for unknown VRID 99 from 192.0.2.2; ignored"));
    inject(ipv4(advert(200, 51), "192.0.2.2"));
    EXPECT_EQ((*vrrp->channel_drops("eth0", net::Family::V4))[DropReason::NotOurVrid], 2u);
}

// Issue 11 item 7: a flood of dropped packets writes one line per socket or
// instance and reason in a window, then a count; lower-priority adverts
// flooding a master write one line too and send one answer per interval.
TEST_F(VrrpSubsystemTest, FloodedDropsAndLowerAdvertsWriteBoundedLogs) {
    apply(conf(" priority 100\n" + std::string(kVip)));
    loop.advance(seconds(4));
    ASSERT_EQ(state(), State::Master);
    cap.clear();
    const size_t sent_before = transport.sent().size();
    for (int i = 0; i < 2000; ++i) {  // 2000 pps for 1 s
        inject(ipv4(advert(200), "192.0.2.2", "224.0.0.18", 64));  // bad_ttl
        inject({1, 2, 3});                                          // too short
        inject(ipv4(advert(50), "192.0.2.2"));                       // lower priority
        loop.advance(std::chrono::microseconds(500));
    }
    EXPECT_EQ((*vrrp->instance_drops("VI_1"))[DropReason::BadTtl], 2000u);
    size_t dropped = 0, lower = 0;
    for (const auto& l : cap.lines()) {
        dropped += l.text.find("dropped") != std::string::npos;
        lower += l.text.find("lower priority") != std::string::npos;
    }
    EXPECT_EQ(dropped, 2u);  // bad_ttl on VI_1, too_short on eth0
    EXPECT_EQ(lower, 1u);
    // One answer in this 1 s interval, plus at most one advert of Adver_Timer.
    EXPECT_LE(transport.sent().size() - sent_before, 2u);
    EXPECT_EQ(vrrp->instance("VI_1")->stats().lower_prio_received, 2000u);
    loop.advance(seconds(10));
    EXPECT_TRUE(cap.contains("VI_1: dropped advert from 192.0.2.2: bad_ttl (repeated 1999 times in the last 10.00s)"));
}

TEST_F(VrrpSubsystemTest, StopSendsPriorityZeroAndReleasesVips) {
    apply(conf(" priority 100\n" + std::string(kVip)));
    loop.advance(seconds(4));
    config::StopOptions opts;
    vrrp->stop(opts);
    EXPECT_EQ(state(), State::Stopped);
    EXPECT_EQ(last_priority(), 0);
    EXPECT_FALSE(addrs.has("eth0", ip("192.0.2.100")));
}

TEST_F(VrrpSubsystemTest, StopWithDontReleaseKeepsVipsAndSendsNothing) {
    apply(conf(" priority 100\n" + std::string(kVip)));
    loop.advance(seconds(4));
    const size_t sent = transport.sent().size();
    config::StopOptions opts;
    opts.keep_addresses = true;
    vrrp->stop(opts);
    EXPECT_EQ(transport.sent().size(), sent);
    EXPECT_TRUE(addrs.has("eth0", ip("192.0.2.100")));
}

TEST_F(VrrpSubsystemTest, ReloadKeepsStateAndAppliesDifferences) {
    apply(conf(" priority 100\n" + std::string(kVip)));
    loop.advance(seconds(4));
    ASSERT_EQ(state(), State::Master);
    Instance* before = vrrp->instance("VI_1");
    const auto transitions = before->stats().transitions;
    apply(conf(" priority 150\n virtual_ipaddress {\n  192.0.2.101/24\n }\n",
               "vrrp_instance VI_2 {\n interface eth0\n virtual_router_id 52\n priority 50\n"
               " virtual_ipaddress {\n  192.0.2.102/24\n }\n}\n"));
    EXPECT_EQ(vrrp->instance("VI_1"), before);
    EXPECT_EQ(state(), State::Master);
    EXPECT_EQ(before->stats().transitions, transitions);
    EXPECT_EQ(before->effective_priority(), 150);
    EXPECT_FALSE(addrs.has("eth0", ip("192.0.2.100")));
    EXPECT_TRUE(addrs.has("eth0", ip("192.0.2.101")));
    ASSERT_TRUE(vrrp->instance("VI_2"));
    EXPECT_EQ(state("VI_2"), State::Backup);
    // VI_1 removed: it stops (priority 0), VI_2 stays.
    apply("global_defs {\n vrrp_version 3\n}\nvrrp_instance VI_2 {\n interface eth0\n virtual_router_id 52\n"
          " priority 50\n virtual_ipaddress {\n  192.0.2.102/24\n }\n}\n");
    EXPECT_EQ(vrrp->instance("VI_1"), nullptr);
    EXPECT_EQ(last_priority(), 0);
    EXPECT_FALSE(addrs.has("eth0", ip("192.0.2.101")));
    EXPECT_EQ(vrrp->instance_count(), 1u);
}

TEST_F(VrrpSubsystemTest, StaleVipRemovedAtStart) {
    net::AddressSpec s;
    s.address = *net::Prefix::parse("192.0.2.100/24");
    ASSERT_TRUE(addrs.add_address("eth0", s));
    apply(conf(" priority 100\n" + std::string(kVip)));
    EXPECT_FALSE(addrs.has("eth0", ip("192.0.2.100")));
    EXPECT_TRUE(cap.contains("removing stale VIP 192.0.2.100/24"));
}

TEST_F(VrrpSubsystemTest, EventsArePublished) {
    std::vector<std::string> seen;
    auto sub = vrrp->subscribe([&](Instance& i, const InstanceEvent& e) {
        if (e.kind == InstanceEvent::Kind::StateChange) seen.push_back(i.name() + " " + to_string(e.to));
    });
    apply(conf(" priority 100\n" + std::string(kVip)));
    loop.advance(seconds(4));
    EXPECT_EQ(seen, (std::vector<std::string>{"VI_1 BACKUP", "VI_1 MASTER"}));
}

TEST_F(VrrpSubsystemTest, UnicastSendsToEachPeerWithoutJoining) {
    apply(conf(" priority 100\n unicast_src_ip 192.0.2.1\n unicast_ttl 10\n unicast_peer {\n  192.0.2.2\n  192.0.2.3\n }\n" +
               std::string(kVip)));
    EXPECT_TRUE(transport.groups("eth0", net::Family::V4).empty());
    loop.advance(seconds(4));
    ASSERT_EQ(state(), State::Master);
    ASSERT_GE(transport.sent().size(), 2u);
    const auto& s = transport.sent();
    EXPECT_EQ(s[s.size() - 2].dst, ip("192.0.2.2"));
    EXPECT_EQ(s.back().dst, ip("192.0.2.3"));
    EXPECT_EQ(s.back().ttl, 10);
}

TEST_F(VrrpSubsystemTest, Ipv6UsesLinkLocalSourceAndSendsNa) {
    net::AddressSpec ll;
    ll.address = *net::Prefix::parse("fe80::1/64");
    ll.scope = 253;
    ASSERT_TRUE(addrs.add_address("eth0", ll));
    apply("vrrp_instance VI_6 {\n interface eth0\n virtual_router_id 61\n priority 100\n advert_int 1\n"
          " virtual_ipaddress {\n  2001:db8::100/64\n }\n}\n");
    EXPECT_EQ(transport.groups("eth0", net::Family::V6).count(ip("ff02::12")), 1u);
    loop.advance(seconds(4));
    ASSERT_EQ(state("VI_6"), State::Master);
    EXPECT_EQ(transport.sent().back().src, ip("fe80::1"));
    EXPECT_EQ(transport.sent().back().dst, ip("ff02::12"));
    EXPECT_TRUE(addrs.has("eth0", ip("2001:db8::100")));
    EXPECT_EQ(std::count(announcer.journal().begin(), announcer.journal().end(), "na 2001:db8::100 eth0"), 5);
}

TEST_F(VrrpSubsystemTest, MissingInterfaceIsAFault) {
    apply("vrrp_instance VI_1 {\n interface eth7\n virtual_router_id 51\n priority 100\n" + std::string(kVip) + "}\n");
    EXPECT_EQ(state(), State::Fault);
    EXPECT_TRUE(cap.contains("interface eth7"));
}

// ip link del eth0; ip link add eth0 ...: the socket bound to the old index
// closes (FAULT), one bound to the new index opens, the advert source is
// learnt again from the new link and the election runs as before.
TEST_F(VrrpSubsystemTest, InterfaceDeletedAndCreatedAgainIsFollowed) {
    monitor.set("eth0", true);
    vrrp = std::make_unique<VrrpSubsystem>(loop, addrs, routes, announcer, transport, &monitor);
    apply(conf(" priority 100\n" + std::string(kVip)));
    loop.advance(seconds(4));
    ASSERT_EQ(state(), State::Master);
    const int old_index = transport.ifindex("eth0", net::Family::V4);
    ASSERT_NE(old_index, 0);

    addrs.remove_link("eth0");
    monitor.remove("eth0");
    EXPECT_EQ(state(), State::Fault);
    EXPECT_FALSE(transport.is_open("eth0", net::Family::V4));
    EXPECT_TRUE(cap.contains("socket closed"));

    addrs.add_link("eth0", net::Prefix::parse("192.0.2.9/24"));
    monitor.set("eth0", false);  // created down: nothing opens yet
    EXPECT_EQ(state(), State::Fault);
    EXPECT_FALSE(transport.is_open("eth0", net::Family::V4));
    monitor.set("eth0", true);
    ASSERT_TRUE(transport.is_open("eth0", net::Family::V4));
    EXPECT_NE(transport.ifindex("eth0", net::Family::V4), old_index);
    EXPECT_EQ(transport.groups("eth0", net::Family::V4).count(ip("224.0.0.18")), 1u);
    EXPECT_EQ(state(), State::Backup);
    loop.advance(seconds(4));
    ASSERT_EQ(state(), State::Master);
    EXPECT_EQ(transport.sent().back().src, ip("192.0.2.9"));
    EXPECT_TRUE(addrs.has("eth0", ip("192.0.2.100")));
    inject(ipv4(advert(200), "192.0.2.2"));  // the new socket receives
    EXPECT_EQ(state(), State::Backup);
}

// Deleted and created again between two reads of the link events: the
// index changed, so the socket is replaced even though the name is up.
TEST_F(VrrpSubsystemTest, InterfaceReplacedUnderTheSameNameReopensTheSocket) {
    monitor.set("eth0", true);
    vrrp = std::make_unique<VrrpSubsystem>(loop, addrs, routes, announcer, transport, &monitor);
    apply(conf(" priority 100\n" + std::string(kVip)));
    const int old_index = transport.ifindex("eth0", net::Family::V4);
    addrs.remove_link("eth0");
    addrs.add_link("eth0", net::Prefix::parse("192.0.2.1/24"));
    monitor.set("eth0", true);
    EXPECT_NE(transport.ifindex("eth0", net::Family::V4), old_index);
    EXPECT_NE(transport.ifindex("eth0", net::Family::V4), 0);
    EXPECT_EQ(state(), State::Backup);
    std::ostringstream os;
    vrrp->dump_state(os);
    EXPECT_NE(os.str().find("open (index " + std::to_string(transport.ifindex("eth0", net::Family::V4)) + ")"),
              std::string::npos) << os.str();
}

const char* kRoutes =
    " virtual_routes {\n  198.51.100.0/24 via 192.0.2.254 dev eth0 table 100\n  blackhole 203.0.113.0/24\n }\n"
    " virtual_rules {\n  from 192.0.2.100 table 100 priority 1000\n }\n";
const char* kRoute1 = "198.51.100.0/24 via 192.0.2.254 dev eth0 table 100";
const char* kRoute2 = "blackhole 203.0.113.0/24";
const char* kRule = "pref 1000 from 192.0.2.100/32 lookup 100";
const char* kStatic =
    "static_ipaddress {\n 192.0.2.50/32 dev eth0\n}\n"
    "static_routes {\n 203.0.113.64/26 via 192.0.2.254 dev eth0 table 102\n}\n"
    "static_rules {\n to 203.0.113.64/26 table 102 priority 900\n}\n";

TEST_F(VrrpSubsystemTest, VirtualRoutesAndRulesFollowMastership) {
    apply(conf(" priority 100\n" + std::string(kVip) + kRoutes));
    EXPECT_TRUE(routes.routes().empty());
    EXPECT_TRUE(routes.rules().empty());
    loop.advance(seconds(4));
    ASSERT_EQ(state(), State::Master);
    EXPECT_TRUE(routes.has_route(kRoute1));
    EXPECT_TRUE(routes.has_route(kRoute2));
    EXPECT_TRUE(routes.has_rule(kRule));
    EXPECT_TRUE(cap.contains(std::string("VI_1: added route ") + kRoute1 + " (MASTER)"));
    EXPECT_TRUE(vrrp->io("VI_1")->routes().installed());
    // A higher priority master: the routes and rules leave with the VIPs.
    inject(ipv4(advert(200), "192.0.2.2"));
    ASSERT_EQ(state(), State::Backup);
    EXPECT_TRUE(routes.routes().empty());
    EXPECT_TRUE(routes.rules().empty());
    EXPECT_TRUE(cap.contains(std::string("VI_1: removed rule ") + kRule + " (leaving MASTER)"));
    // Rules go first, then routes (the reverse of adding).
    const auto& j = routes.journal();
    ASSERT_GE(j.size(), 6u);
    EXPECT_EQ(j[j.size() - 3], std::string("remove rule ") + kRule);
}

TEST_F(VrrpSubsystemTest, StopRemovesVirtualRoutesUnlessDontRelease) {
    apply(conf(" priority 100\n" + std::string(kVip) + kRoutes));
    loop.advance(seconds(4));
    ASSERT_TRUE(routes.has_route(kRoute1));
    vrrp->stop(config::StopOptions{});
    EXPECT_TRUE(routes.routes().empty());
    EXPECT_TRUE(routes.rules().empty());
}

TEST_F(VrrpSubsystemTest, StopWithDontReleaseKeepsVirtualRoutes) {
    apply(conf(" priority 100\n" + std::string(kVip) + kRoutes));
    loop.advance(seconds(4));
    config::StopOptions opts;
    opts.keep_addresses = true;
    vrrp->stop(opts);
    EXPECT_TRUE(routes.has_route(kRoute1));
    EXPECT_TRUE(routes.has_rule(kRule));
}

TEST_F(VrrpSubsystemTest, ReloadChangesOnlyTheDifferentRoute) {
    apply(conf(" priority 100\n" + std::string(kVip) + kRoutes));
    loop.advance(seconds(4));
    ASSERT_EQ(state(), State::Master);
    routes.journal().clear();
    std::string changed = kRoutes;
    changed.replace(changed.find("192.0.2.254"), 11, "192.0.2.253");
    apply(conf(" priority 100\n" + std::string(kVip) + changed));
    const std::vector<std::string> want = {
        std::string("remove route ") + kRoute1,
        "add route 198.51.100.0/24 via 192.0.2.253 dev eth0 table 100"};
    EXPECT_EQ(routes.journal(), want);
    EXPECT_TRUE(routes.has_route(kRoute2));
    EXPECT_TRUE(routes.has_rule(kRule));
    // A Backup's routes change in the model only.
    inject(ipv4(advert(200), "192.0.2.2"));
    ASSERT_EQ(state(), State::Backup);
    routes.journal().clear();
    apply(conf(" priority 100\n" + std::string(kVip) + kRoutes));
    EXPECT_TRUE(routes.journal().empty());
}

TEST_F(VrrpSubsystemTest, StaleVirtualRoutesRemovedAtStart) {
    apply(conf(" priority 100\n" + std::string(kVip) + kRoutes));
    loop.advance(seconds(4));
    ASSERT_TRUE(routes.has_route(kRoute1));
    // As if halbd had been killed: a new subsystem finds them in the kernel.
    vrrp.reset();
    models.clear();
    vrrp = std::make_unique<VrrpSubsystem>(loop, addrs, routes, announcer, transport);
    apply(conf(" priority 100\n" + std::string(kVip) + kRoutes));
    EXPECT_EQ(state(), State::Backup);
    EXPECT_TRUE(routes.routes().empty());
    EXPECT_TRUE(routes.rules().empty());
    EXPECT_TRUE(cap.contains("VI_1: removing any of its 2 route(s) and 1 rule(s) a previous run left"));
}

TEST_F(VrrpSubsystemTest, RouteErrorsAreCountedAndLogged) {
    apply(conf(" priority 100\n" + std::string(kVip) + kRoutes));
    routes.fail_next(EINVAL);
    loop.advance(seconds(4));
    ASSERT_EQ(state(), State::Master);
    EXPECT_EQ(vrrp->io("VI_1")->stats().route_errors, 1u);
    EXPECT_FALSE(routes.has_route(kRoute1));
    EXPECT_TRUE(routes.has_route(kRoute2));
    EXPECT_TRUE(cap.contains(std::string("VI_1: add route ") + kRoute1 + ": Invalid argument"));
    std::ostringstream os;
    vrrp->dump_state(os);
    EXPECT_NE(os.str().find("route/rule errors 1"), std::string::npos) << os.str();
}

TEST_F(VrrpSubsystemTest, StaticEntriesStayWhateverTheStateAndGoOnStop) {
    apply(conf(" priority 100\n" + std::string(kVip), kStatic));
    ASSERT_EQ(state(), State::Backup);
    EXPECT_TRUE(addrs.has("eth0", ip("192.0.2.50")));
    EXPECT_TRUE(routes.has_route("203.0.113.64/26 via 192.0.2.254 dev eth0 table 102"));
    EXPECT_TRUE(routes.has_rule("pref 900 from all to 203.0.113.64/26 lookup 102"));
    EXPECT_TRUE(cap.contains("static: added route 203.0.113.64/26 via 192.0.2.254 dev eth0 table 102 (start)"));
    loop.advance(seconds(4));
    inject(ipv4(advert(200), "192.0.2.2"));
    ASSERT_EQ(state(), State::Backup);
    EXPECT_TRUE(addrs.has("eth0", ip("192.0.2.50")));
    EXPECT_EQ(routes.routes().size(), 1u);
    EXPECT_EQ(routes.rules().size(), 1u);
    // keepalived 2.2.7 clears static entries on every stop, -V or not.
    config::StopOptions opts;
    opts.keep_addresses = true;
    vrrp->stop(opts);
    EXPECT_FALSE(addrs.has("eth0", ip("192.0.2.50")));
    EXPECT_TRUE(routes.routes().empty());
    EXPECT_TRUE(routes.rules().empty());
}

TEST_F(VrrpSubsystemTest, StaticReloadAppliesOnlyTheDifference) {
    apply(conf(" priority 100\n" + std::string(kVip), kStatic));
    routes.journal().clear();
    addrs.journal().clear();
    std::string changed = kStatic;
    changed.replace(changed.find("via 192.0.2.254"), 15, "via 192.0.2.252");
    changed.replace(changed.find("192.0.2.50/32"), 13, "192.0.2.51/32");
    apply(conf(" priority 100\n" + std::string(kVip), changed));
    const std::vector<std::string> want_routes = {"remove route 203.0.113.64/26 via 192.0.2.254 dev eth0 table 102",
                                                  "add route 203.0.113.64/26 via 192.0.2.252 dev eth0 table 102"};
    EXPECT_EQ(routes.journal(), want_routes);
    const std::vector<std::string> want_addrs = {"remove 192.0.2.50/32 eth0", "add 192.0.2.51/32 eth0"};
    EXPECT_EQ(addrs.journal(), want_addrs);
    EXPECT_TRUE(routes.has_rule("pref 900 from all to 203.0.113.64/26 lookup 102"));
}

TEST(VrrpNetObjects, RouteAndRuleLinesBecomeKernelSpecs) {
    auto m = forward::test_util::load(
        "static_routes {\n"
        " 198.51.100.0/24 table 7 nexthop via 192.0.2.1 dev eth0 weight 1 nexthop via 192.0.2.2 dev eth0 weight 3"
        " rtt 10 rttvar 20 mtu lock 1400 features ecn\n"
        " unreachable 2001:db8:5::/48 metric 5 protocol bird pref high\n"
        "}\n"
        "static_rules {\n"
        " not from 192.0.2.0/24 fwmark 7/0xff priority 10 uidrange 1000-1999 sport 80 dport 1000-2000 ipproto tcp"
        " table 9\n"
        " inet6 to 2001:db8::/32 priority 11 suppress_prefixlength 0 goto 20\n"
        "}\n");
    ASSERT_TRUE(m);
    const auto r = route_spec(m->vrrp.static_routes[0]);
    EXPECT_EQ(r.type, 1);
    EXPECT_EQ(r.table, 7u);
    EXPECT_EQ(r.protocol, net::kProtoKeepalived);
    ASSERT_EQ(r.nexthops.size(), 2u);
    EXPECT_EQ(r.nexthops[1].weight, 3);
    EXPECT_EQ(r.nexthops[1].via, ip("192.0.2.2"));
    const std::vector<net::RouteMetricSpec> metrics = {{4, 80, false}, {5, 80, false}, {2, 1400, true}, {12, 1, false}};
    EXPECT_EQ(r.metrics, metrics);  // RTAX_RTT in 1/8 ms, RTAX_RTTVAR in 1/4 ms, RTAX_FEATURES ECN
    const auto u = route_spec(m->vrrp.static_routes[1]);
    EXPECT_EQ(u.type, 7);  // RTN_UNREACHABLE
    EXPECT_EQ(u.metric, 5u);
    EXPECT_EQ(u.protocol, 12);
    EXPECT_EQ(u.pref, 1);
    EXPECT_EQ(net::describe(u), "unreachable 2001:db8:5::/48 metric 5");
    const auto a = rule_spec(m->vrrp.static_rules[0]);
    EXPECT_TRUE(a.invert);
    EXPECT_EQ(a.action, 1);  // FR_ACT_TO_TBL
    EXPECT_EQ(a.table, 9u);
    EXPECT_EQ(a.uidrange, (std::pair<uint32_t, uint32_t>{1000, 1999}));
    EXPECT_EQ(a.sport, (net::PortRange{80, 80}));
    EXPECT_EQ(a.dport, (net::PortRange{1000, 2000}));
    EXPECT_EQ(a.ip_proto, 6);
    EXPECT_EQ(net::describe(a),
              "pref 10 not from 192.0.2.0/24 fwmark 7/255 uidrange 1000-1999 ipproto 6 sport 80 dport 1000-2000 lookup 9");
    const auto b = rule_spec(m->vrrp.static_rules[1]);
    EXPECT_EQ(b.family, net::Family::V6);
    EXPECT_EQ(b.action, 2);  // FR_ACT_GOTO
    EXPECT_EQ(b.goto_target, 20u);
    EXPECT_EQ(b.suppress_prefixlength, 0u);
}

}  // namespace
}  // namespace halbd::vrrp
