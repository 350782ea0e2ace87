// tests/unit/vrrp_subsystem_test.cc: VrrpSubsystem and InstanceIo over the
// fakes (FakeTransport, FakeAddressBackend, FakeAnnouncer) on a SimLoop:
// start, election, VIPs and GARP/NA, dispatch and drop counting, stop with
// and without -V, reloads that keep state, stale VIPs, unicast and IPv6.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include <sstream>

#include "core/log.hh"
#include "core/sim_loop.hh"
#include "forward_test_util.hh"
#include "net/fake_net.hh"
#include "vrrp/fake_transport.hh"
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
        vrrp = std::make_unique<VrrpSubsystem>(loop, addrs, announcer, transport);
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

TEST_F(VrrpSubsystemTest, StopSendsPriorityZeroAndReleasesVips) {
    apply(conf(" priority 100\n" + std::string(kVip)));
    loop.advance(seconds(4));
    Options opts;
    vrrp->stop(opts);
    EXPECT_EQ(state(), State::Stopped);
    EXPECT_EQ(last_priority(), 0);
    EXPECT_FALSE(addrs.has("eth0", ip("192.0.2.100")));
}

TEST_F(VrrpSubsystemTest, StopWithDontReleaseKeepsVipsAndSendsNothing) {
    apply(conf(" priority 100\n" + std::string(kVip)));
    loop.advance(seconds(4));
    const size_t sent = transport.sent().size();
    Options opts;
    opts.dont_release_vrrp = true;
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

}  // namespace
}  // namespace halbd::vrrp
