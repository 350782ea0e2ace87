// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/vrrp_vmac_test.cc: use_vmac over the fakes (FakeLinkBackend
// inside FakeAddressBackend, FakeTransport, FakeLinkMonitor) on a SimLoop:
// the macvlan's name, MAC and sysctls, VIPs / GARPs / adverts on it,
// vmac_xmit_base, IPv6 link-local, reuse or replacement of a leftover link,
// rebuild after a deletion, removal on destruction and its -V exception.
#include <gtest/gtest.h>

#include <algorithm>

#include "vrrp/vmac.hh"
#include "vrrp_subsystem_fixture.hh"

namespace halbd::vrrp {
namespace {

using std::chrono::seconds;

net::IpAddress ip(const char* s) { return *net::IpAddress::parse(s); }

std::string conf(const std::string& body, const char* vip = "192.0.2.100/24") {
    return "global_defs {\n vrrp_version 3\n vrrp_garp_master_delay 0\n}\n"
           "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n advert_int 1\n priority 100\n" +
           body + " virtual_ipaddress {\n  " + vip + "\n }\n}\n";
}

net::AddressSpec spec(const char* prefix) {
    net::AddressSpec s;
    s.address = *net::Prefix::parse(prefix);
    return s;
}

bool has(const std::vector<std::string>& journal, const std::string& line) {
    return std::find(journal.begin(), journal.end(), line) != journal.end();
}

struct VmacTest : test_util::SubsystemFixture {
    VmacTest() {
        addrs.add_link("eth0", net::Prefix::parse("192.0.2.1/24"));
        monitor.set("eth0", true);
        vrrp = std::make_unique<VrrpSubsystem>(loop, addrs, routes, announcer, transport, &monitor);
        vrrp->set_link_backend(&links);
    }
    State state() { return vrrp->instance("VI_1")->state(); }
    net::MacAddress mac(const char* ifname) { return addrs.link(ifname)->mac; }
};

TEST(VmacNames, DefaultNameMacAndDevices) {
    config::VrrpInstance v;
    v.interface = "eth0";
    v.virtual_router_id = 51;
    config::GlobalDefs g;
    v.use_vmac = true;
    EXPECT_EQ(vmac_name(v, g), "vrrp.51");
    EXPECT_EQ(net::to_string(vmac_mac(v)), "00:00:5e:00:01:33");
    EXPECT_EQ(default_vip_dev(v, g, net::Family::V4), "vrrp.51");
    EXPECT_EQ(default_vip_dev(v, g, net::Family::V6), "eth0");  // eVIP of the other family
    EXPECT_EQ(advert_ifname(v, g), "vrrp.51");
    v.vmac_xmit_base = true;
    EXPECT_EQ(advert_ifname(v, g), "eth0");
    v.family = net::Family::V6;
    EXPECT_EQ(net::to_string(vmac_mac(v)), "00:00:5e:00:02:33");
    g.vmac_prefix = "vm";
    EXPECT_EQ(vmac_name(v, g), "vm.51");
    v.use_vmac_ifname = "myvmac";
    EXPECT_EQ(vmac_name(v, g), "myvmac");
    v.use_vmac_mac = std::array<uint8_t, 6>{0x02, 0x11, 0x22, 0x33, 0x44, 0};
    v.use_vmac_mac_uses_vrid = true;
    EXPECT_EQ(net::to_string(vmac_mac(v)), "02:11:22:33:44:33");
    v.use_vmac = false;
    EXPECT_EQ(default_vip_dev(v, g, net::Family::V6), "eth0");
    EXPECT_EQ(advert_ifname(v, g), "eth0");
}

TEST(VmacNames, Eui64LinkLocal) {
    EXPECT_EQ(eui64_link_local({0x56, 0xad, 0xa4, 0xf7, 0xd9, 0x74}), ip("fe80::54ad:a4ff:fef7:d974"));
}

TEST_F(VmacTest, CreatesThePrivateMacvlanWithItsSysctlsBeforeTheChannel) {
    apply(conf(" use_vmac\n"));
    EXPECT_TRUE(has(links.journal(), "create vrrp.51 on eth0 00:00:5e:00:01:33")) << ::testing::PrintToString(links.journal());
    EXPECT_TRUE(has(links.journal(), "up vrrp.51"));
    auto& s = links.sysctls();
    EXPECT_EQ(s["net/ipv4/conf/eth0/arp_ignore"], 1);
    EXPECT_EQ(s["net/ipv4/conf/eth0/arp_filter"], 1);
    EXPECT_EQ(s["net/ipv4/conf/eth0/arp_announce"], 2);
    EXPECT_EQ(s["net/ipv4/conf/vrrp.51/arp_ignore"], 1);
    EXPECT_EQ(s["net/ipv4/conf/vrrp.51/accept_local"], 1);
    EXPECT_EQ(s["net/ipv4/conf/vrrp.51/promote_secondaries"], 1);
    EXPECT_EQ(s["net/ipv6/conf/vrrp.51/disable_ipv6"], 1);
    EXPECT_EQ(s["net/ipv6/conf/vrrp.51/addr_gen_mode"], 1);
    // The sysctls and the link come before "up".
    const auto& j = links.journal();
    EXPECT_LT(std::find(j.begin(), j.end(), "sysctl net/ipv4/conf/vrrp.51/arp_ignore=1"),
              std::find(j.begin(), j.end(), "up vrrp.51"));
    EXPECT_EQ(net::to_string(mac("vrrp.51")), "00:00:5e:00:01:33");
    // Adverts go out and come in on the VMAC, as keepalived does it.
    EXPECT_TRUE(transport.is_open("vrrp.51", net::Family::V4));
    EXPECT_FALSE(transport.is_open("eth0", net::Family::V4));
    EXPECT_EQ(transport.groups("vrrp.51", net::Family::V4).count(ip("224.0.0.18")), 1u);
    EXPECT_EQ(state(), State::Backup);
}

TEST_F(VmacTest, MasterPutsVipsOnTheVmacAndAnnouncesFromIt) {
    apply(conf(" use_vmac\n"));
    loop.advance(seconds(4));
    ASSERT_EQ(state(), State::Master);
    EXPECT_TRUE(addrs.has("vrrp.51", ip("192.0.2.100")));
    EXPECT_FALSE(addrs.has("eth0", ip("192.0.2.100")));
    EXPECT_TRUE(has(announcer.journal(), "garp 192.0.2.100 vrrp.51"));
    ASSERT_FALSE(transport.sent().empty());
    EXPECT_EQ(transport.sent().back().ifname, "vrrp.51");
    EXPECT_EQ(transport.sent().back().src, ip("192.0.2.1"));  // the parent's primary address
}

TEST_F(VmacTest, XmitBaseSendsOnTheParentButVipsStayOnTheVmac) {
    apply(conf(" use_vmac\n vmac_xmit_base\n"));
    EXPECT_TRUE(transport.is_open("eth0", net::Family::V4));
    EXPECT_FALSE(transport.is_open("vrrp.51", net::Family::V4));
    loop.advance(seconds(4));
    ASSERT_EQ(state(), State::Master);
    EXPECT_EQ(transport.sent().back().ifname, "eth0");
    EXPECT_TRUE(addrs.has("vrrp.51", ip("192.0.2.100")));
    EXPECT_TRUE(has(announcer.journal(), "garp 192.0.2.100 vrrp.51"));
}

TEST_F(VmacTest, NamedVmacWithFiveOctetMac) {
    apply(conf(" use_vmac vmx 02:11:22:33:44\n"));
    EXPECT_TRUE(has(links.journal(), "create vmx on eth0 02:11:22:33:44:33"));
    EXPECT_TRUE(transport.is_open("vmx", net::Family::V4));
}

TEST_F(VmacTest, Ipv6GetsTheParentsLinkLocalAndNoGeneratedOne) {
    ASSERT_TRUE(addrs.add_address("eth0", spec("fe80::1/64")));
    apply("vrrp_instance VI_6 {\n interface eth0\n virtual_router_id 61\n use_vmac\n"
          " virtual_ipaddress {\n  2001:db8::100/64\n }\n}\n");
    EXPECT_TRUE(has(links.journal(), "create vrrp.61 on eth0 00:00:5e:00:02:3d"));
    EXPECT_EQ(links.sysctls()["net/ipv6/conf/vrrp.61/addr_gen_mode"], 1);
    EXPECT_EQ(links.sysctls().count("net/ipv4/conf/eth0/arp_ignore"), 0u);  // IPv4 only
    EXPECT_TRUE(addrs.has("vrrp.61", ip("fe80::1")));
    EXPECT_EQ(transport.groups("vrrp.61", net::Family::V6).count(ip("ff02::12")), 1u);
    loop.advance(seconds(4));
    EXPECT_TRUE(addrs.has("vrrp.61", ip("2001:db8::100")));
    EXPECT_TRUE(has(announcer.journal(), "na 2001:db8::100 vrrp.61"));
}

TEST_F(VmacTest, ReusesALeftoverVmacOfTheRightKindAndDropsItsStaleVips) {
    ASSERT_TRUE(links.create_macvlan({"vrrp.51", "eth0", {0, 0, 0x5e, 0, 1, 51}}));
    ASSERT_TRUE(links.set_up("vrrp.51"));
    ASSERT_TRUE(addrs.add_address("vrrp.51", spec("192.0.2.100/24")));
    links.journal().clear();
    apply(conf(" use_vmac\n"));
    EXPECT_FALSE(has(links.journal(), "create vrrp.51 on eth0 00:00:5e:00:01:33"));
    EXPECT_FALSE(has(links.journal(), "delete vrrp.51"));
    EXPECT_TRUE(cap.contains("reusing VMAC vrrp.51"));
    EXPECT_FALSE(addrs.has("vrrp.51", ip("192.0.2.100")));  // a backup must not hold it
}

TEST_F(VmacTest, ReplacesAMacvlanWithTheWrongMac) {
    ASSERT_TRUE(links.create_macvlan({"vrrp.51", "eth0", {0, 0, 0x5e, 0, 1, 52}}));
    links.journal().clear();
    apply(conf(" use_vmac\n"));
    ASSERT_GE(links.journal().size(), 2u);
    EXPECT_EQ(links.journal()[0], "delete vrrp.51");
    EXPECT_EQ(links.journal()[1], "create vrrp.51 on eth0 00:00:5e:00:01:33");
    EXPECT_EQ(net::to_string(mac("vrrp.51")), "00:00:5e:00:01:33");
}

TEST_F(VmacTest, LeavesAnInterfaceThatIsNotAMacvlanAndFaults) {
    addrs.add_link("vrrp.51");
    apply(conf(" use_vmac\n"));
    EXPECT_FALSE(has(links.journal(), "delete vrrp.51"));
    EXPECT_EQ(state(), State::Fault);
    vrrp.reset();
    EXPECT_FALSE(has(links.journal(), "delete vrrp.51"));
}

TEST_F(VmacTest, FailedCreationFaultsUntilALinkEventBuildsIt) {
    links.fail_next(EPERM);
    apply(conf(" use_vmac\n"));
    EXPECT_EQ(state(), State::Fault);
    EXPECT_TRUE(cap.contains("create vrrp.51"));
    monitor.set("eth0", true);  // any change on the parent: try again
    ASSERT_TRUE(addrs.link("vrrp.51"));
    EXPECT_TRUE(transport.is_open("vrrp.51", net::Family::V4));
    EXPECT_EQ(state(), State::Backup);
    loop.advance(seconds(4));
    EXPECT_EQ(state(), State::Master);
    EXPECT_TRUE(addrs.has("vrrp.51", ip("192.0.2.100")));
}

TEST_F(VmacTest, FaultsWithoutALinkBackend) {
    vrrp = std::make_unique<VrrpSubsystem>(loop, addrs, routes, announcer, transport, &monitor);
    apply(conf(" use_vmac\n"));
    EXPECT_EQ(state(), State::Fault);
}

TEST_F(VmacTest, DeletedWhileMasterIsRebuiltWithItsVips) {
    apply(conf(" use_vmac\n"));
    loop.advance(seconds(4));
    ASSERT_EQ(state(), State::Master);
    const int before = addrs.link("vrrp.51")->ifindex;
    announcer.journal().clear();
    addrs.remove_link("vrrp.51");  // `ip link del vrrp.51`
    monitor.remove("vrrp.51");
    ASSERT_TRUE(addrs.link("vrrp.51"));
    EXPECT_NE(addrs.link("vrrp.51")->ifindex, before);
    EXPECT_TRUE(addrs.has("vrrp.51", ip("192.0.2.100")));
    EXPECT_TRUE(has(announcer.journal(), "garp 192.0.2.100 vrrp.51"));
    EXPECT_TRUE(transport.is_open("vrrp.51", net::Family::V4));
    EXPECT_EQ(transport.groups("vrrp.51", net::Family::V4).count(ip("224.0.0.18")), 1u);
    const size_t sent = transport.sent().size();
    loop.advance(seconds(2));
    EXPECT_GT(transport.sent().size(), sent);
    EXPECT_EQ(state(), State::Master);
}

TEST_F(VmacTest, RemovedOnShutdownUnlessDontRelease) {
    apply(conf(" use_vmac\n"));
    loop.advance(seconds(4));
    config::StopOptions opts;
    vrrp->stop(opts);
    vrrp.reset();
    EXPECT_TRUE(has(links.journal(), "delete vrrp.51"));
    EXPECT_FALSE(addrs.link("vrrp.51"));
}

TEST_F(VmacTest, DontReleaseKeepsTheVmacAndItsVips) {
    apply(conf(" use_vmac\n"));
    loop.advance(seconds(4));
    config::StopOptions opts;
    opts.keep_addresses = true;
    vrrp->stop(opts);
    vrrp.reset();
    EXPECT_FALSE(has(links.journal(), "delete vrrp.51"));
    EXPECT_TRUE(addrs.has("vrrp.51", ip("192.0.2.100")));
}

TEST_F(VmacTest, ReloadTurningVmacOffRestartsTheInstanceOnThePlainInterface) {
    apply(conf(" use_vmac\n"));
    apply(conf(""));
    EXPECT_TRUE(has(links.journal(), "delete vrrp.51"));
    EXPECT_TRUE(transport.is_open("eth0", net::Family::V4));
    EXPECT_FALSE(transport.is_open("vrrp.51", net::Family::V4));
}

TEST_F(VmacTest, ReloadRecreatingTheInstanceReopensTheChannelOnTheNewLink) {
    apply(conf(" use_vmac\n"));
    const int before = addrs.link("vrrp.51")->ifindex;
    EXPECT_EQ(transport.ifindex("vrrp.51", net::Family::V4), before);
    apply(conf(" use_vmac\n version 2\n"));  // another identity: stop, delete, create
    ASSERT_TRUE(addrs.link("vrrp.51"));
    const int after = addrs.link("vrrp.51")->ifindex;
    EXPECT_NE(after, before);
    EXPECT_EQ(transport.ifindex("vrrp.51", net::Family::V4), after);
    EXPECT_EQ(transport.groups("vrrp.51", net::Family::V4).count(ip("224.0.0.18")), 1u);
}

TEST_F(VmacTest, DeletedWhileMasterReopensTheChannelOnTheNewLink) {
    apply(conf(" use_vmac\n"));
    addrs.remove_link("vrrp.51");
    monitor.remove("vrrp.51");
    EXPECT_EQ(transport.ifindex("vrrp.51", net::Family::V4), addrs.link("vrrp.51")->ifindex);
}

}  // namespace
}  // namespace halbd::vrrp
