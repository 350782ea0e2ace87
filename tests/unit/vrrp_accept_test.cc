// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/vrrp_accept_test.cc: no_accept mode. The nft commands of
// vrrp/accept_rules, and AcceptFilter over a real VrrpSubsystem (fakes for
// the kernel, FakeNftables for nftables, SimLoop): which addresses are in the
// drop sets in which state, with accept / no_accept / vrrp_strict / address
// owner, the nftables* keywords, reloads, stop, and a refused transaction.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "core/log.hh"
#include "forward_test_util.hh"
#include "support/fake_net.hh"
#include "support/fake_nftables.hh"
#include "support/fake_transport.hh"
#include "support/sim_loop.hh"
#include "vrrp/accept_filter.hh"
#include "vrrp/subsystem.hh"

namespace halbd::vrrp {
namespace {

using forward::test_util::load;
using std::chrono::seconds;
using Set = std::set<std::string>;

std::string instance(const std::string& name, int vrid, const std::string& body,
                     const std::string& vips = "  192.0.2.100/24\n") {
    return "vrrp_instance " + name + " {\n interface eth0\n virtual_router_id " + std::to_string(vrid) +
           "\n advert_int 1\n" + body + " virtual_ipaddress {\n" + vips + " }\n}\n";
}

std::string conf(const std::string& global, const std::string& instances) {
    return "global_defs {\n vrrp_version 3\n vrrp_garp_master_delay 0\n" + global + "}\n" + instances;
}

// Records the vrrp_iptables batches (what SystemIptables would run).
struct RecordingIptables : net::Iptables {
    std::vector<std::string> batches;
    core::Status run(std::string_view batch) override {
        batches.emplace_back(batch);
        return core::Ok{};
    }
    std::string all() const {
        std::string out;
        for (const auto& b : batches) out += b;
        return out;
    }
};

struct AcceptFilterTest : ::testing::Test {
    core::SimLoop loop;
    net::FakeAddressBackend addrs;
    net::FakeRouteBackend routes;
    net::FakeAnnouncer announcer;
    FakeTransport transport;
    net::FakeNftables nft;
    RecordingIptables ipt;
    log::ScopedCapture cap{log::Level::debug};
    std::unique_ptr<VrrpSubsystem> vrrp;
    std::unique_ptr<AcceptFilter> filter;
    std::vector<std::shared_ptr<const config::Model>> models;

    AcceptFilterTest() {
        addrs.add_link("eth0", net::Prefix::parse("192.0.2.1/24"));
        vrrp = std::make_unique<VrrpSubsystem>(loop, addrs, routes, announcer, transport);
        filter = std::make_unique<AcceptFilter>(loop, vrrp->state_events(), nft, &ipt);
    }
    // As the Daemon does: the filter first, then VRRP.
    void apply(const std::string& text) {
        auto m = load(text);
        ASSERT_TRUE(m);
        const config::Model* prev = models.empty() ? nullptr : models.back().get();
        models.push_back(m);
        filter->apply(prev, *m);
        vrrp->apply(prev, *m);
    }
    void stop() {  // reverse order
        config::StopOptions opts;
        vrrp->stop(opts);
        filter->stop(opts);
    }
    State state(const char* name = "VI_1") { return vrrp->instance(name)->state(); }
    Set vips(const std::string& table = "ip keepalived") { return nft.elements(table, "vips"); }
};

TEST(AcceptRules, Ipv4TableAsKeepalivedInstallsIt) {
    AcceptTableSettings s;
    const std::string b = create_table(s, net::Family::V4, {{*net::IpAddress::parse("192.0.2.100"), "eth0"}});
    EXPECT_EQ(b,
              "add table ip keepalived\n"
              "delete table ip keepalived\n"
              "add table ip keepalived\n"
              "add set ip keepalived vips { type ipv4_addr; }\n"
              "add chain ip keepalived in { type filter hook input priority -1; policy accept; }\n"
              "add chain ip keepalived out { type filter hook output priority -1; policy accept; }\n"
              "add rule ip keepalived in ip daddr @vips drop\n"
              "add rule ip keepalived out ip saddr @vips drop\n"
              "add element ip keepalived vips { 192.0.2.100 }\n");
    EXPECT_EQ(delete_table(s, net::Family::V6), "add table ip6 keepalived\ndelete table ip6 keepalived\n");
}

TEST(AcceptRules, Ipv6LinkLocalByInterfaceIndexOrName) {
    AcceptTableSettings s;
    s.counters = true;
    const DropSet addrs{{*net::IpAddress::parse("fe80::100"), "eth1"}, {*net::IpAddress::parse("2001:db8::1"), "eth1"},
                        {*net::IpAddress::parse("192.0.2.1"), "eth1"}};
    const std::string b = create_table(s, net::Family::V6, addrs);
    EXPECT_NE(b.find("add set ip6 keepalived vips_link_local { type ipv6_addr . iface_index; }"), std::string::npos)
        << b;
    EXPECT_NE(b.find("add rule ip6 keepalived in icmpv6 type @neighbor-discovery counter accept"), std::string::npos);
    EXPECT_NE(b.find("add rule ip6 keepalived in ip6 daddr fe80::/10 goto in_link_local"), std::string::npos);
    EXPECT_NE(b.find("add rule ip6 keepalived in_link_local ip6 daddr . iif @vips_link_local counter drop"),
              std::string::npos) << b;
    EXPECT_NE(b.find("add rule ip6 keepalived out_link_local ip6 saddr . oif @vips_link_local counter drop"),
              std::string::npos);
    EXPECT_NE(b.find("add element ip6 keepalived vips { 2001:db8::1 }"), std::string::npos);
    EXPECT_NE(b.find("add element ip6 keepalived vips_link_local { fe80::100 . \"eth1\" }"), std::string::npos);
    EXPECT_EQ(b.find("192.0.2.1"), std::string::npos);  // not this family's
    s.ifname_sets = true;
    const std::string n = create_table(s, net::Family::V6, addrs);
    EXPECT_NE(n.find("vips_link_local { type ipv6_addr . ifname; }"), std::string::npos);
    EXPECT_NE(n.find("ip6 daddr . iifname @vips_link_local"), std::string::npos);
}

// vrrp_iptables: keepalived 2.2.7's sets and rules (vrrp_iptables.c).
TEST(AcceptRules, IptablesModeAsKeepalived) {
    AcceptTableSettings s;
    s.iptables = true;
    s.in_chain = "INPUT";
    s.out_chain = "OUTPUT";
    const std::string b = create_table(s, net::Family::V4, {{*net::IpAddress::parse("192.0.2.100"), "eth0"}});
    EXPECT_EQ(b,
              "-iptables -w 5 -D INPUT -m set --match-set keepalived dst -j DROP\n"
              "-iptables -w 5 -D OUTPUT -m set --match-set keepalived src -j DROP\n"
              "ipset create keepalived hash:ip family inet -exist\n"
              "ipset flush keepalived\n"
              "iptables -w 5 -A INPUT -m set --match-set keepalived dst -j DROP\n"
              "iptables -w 5 -A OUTPUT -m set --match-set keepalived src -j DROP\n"
              "ipset add keepalived 192.0.2.100 -exist\n");
    s.out_chain.clear();  // vrrp_iptables IN_CHAIN: no output rules
    s.set6 = "ka6";
    s.set_if6 = "ka_if6";
    const std::string v6 = create_table(s, net::Family::V6, {{*net::IpAddress::parse("fe80::1"), "eth1"}});
    EXPECT_NE(v6.find("ipset create ka_if6 hash:net,iface family inet6 -exist\n"), std::string::npos) << v6;
    EXPECT_NE(v6.find("ip6tables -w 5 -A INPUT -p ipv6-icmp --icmpv6-type neighbour-solicitation -m set --match-set "
                      "ka_if6 dst,src -j ACCEPT\n"),
              std::string::npos) << v6;
    EXPECT_NE(v6.find("ip6tables -w 5 -A INPUT -m set --match-set ka6 dst -j DROP\n"), std::string::npos);
    EXPECT_EQ(v6.find("OUTPUT"), std::string::npos);
    EXPECT_NE(v6.find("ipset add ka_if6 fe80::1,eth1 -exist\n"), std::string::npos);
    EXPECT_EQ(delete_elements(s, {{*net::IpAddress::parse("2001:db8::1"), "eth1"}}), "ipset del ka6 2001:db8::1 -exist\n");
    EXPECT_EQ(delete_table(s, net::Family::V4),
              "-iptables -w 5 -D INPUT -m set --match-set keepalived dst -j DROP\n-ipset destroy keepalived\n");
}

// The same states as with nftables, through the ipsets; no nftables table.
TEST_F(AcceptFilterTest, VrrpIptablesFillsKeepalivedsIpsets) {
    apply(conf(" vrrp_strict\n vrrp_iptables\n vrrp_ipsets halbd_t\n", instance("VI_1", 51, " priority 100\n")));
    EXPECT_EQ(nft.table_count(), 0u);
    ASSERT_EQ(ipt.batches.size(), 1u);
    EXPECT_NE(ipt.batches[0].find("ipset create halbd_t hash:ip family inet -exist\n"), std::string::npos);
    EXPECT_TRUE(cap.contains("VRRP no_accept: created ipset halbd_t (iptables INPUT, OUTPUT) (start)"));
    loop.advance(seconds(4));
    ASSERT_EQ(state(), State::Master);
    ASSERT_EQ(ipt.batches.size(), 2u);
    EXPECT_EQ(ipt.batches[1], "ipset add halbd_t 192.0.2.100 -exist\n");
    ASSERT_TRUE(vrrp->instance("VI_1")->force_backup("test"));
    EXPECT_EQ(ipt.batches.back(), "ipset del halbd_t 192.0.2.100 -exist\n");
    stop();
    EXPECT_NE(ipt.batches.back().find("-ipset destroy halbd_t\n"), std::string::npos);
    EXPECT_TRUE(cap.contains("VRRP no_accept: deleted ipset halbd_t (iptables INPUT, OUTPUT)"));
}

TEST_F(AcceptFilterTest, StrictMasterDropsItsVipsAndEvipsBackupDoesNot) {
    const char* evip = " virtual_ipaddress_excluded {\n  192.0.2.105/24\n }\n";
    apply(conf(" vrrp_strict\n", instance("VI_1", 51, " priority 100\n" + std::string(evip))));
    // The table exists from the start, empty while BACKUP.
    ASSERT_TRUE(nft.has_table("ip keepalived"));
    EXPECT_FALSE(nft.has_table("ip6 keepalived"));
    EXPECT_EQ(state(), State::Backup);
    EXPECT_TRUE(vips().empty());
    EXPECT_EQ(nft.chain("ip keepalived", "in"), "{ type filter hook input priority -1; policy accept; }");
    EXPECT_EQ(nft.rules("ip keepalived", "in"), std::vector<std::string>{"ip daddr @vips drop"});
    EXPECT_EQ(nft.rules("ip keepalived", "out"), std::vector<std::string>{"ip saddr @vips drop"});
    EXPECT_TRUE(
        cap.contains("VRRP no_accept: created nftables table ip keepalived (input/output priority -1) (start)"));

    loop.advance(seconds(4));
    ASSERT_EQ(state(), State::Master);
    EXPECT_EQ(vips(), (Set{"192.0.2.100", "192.0.2.105"}));
    EXPECT_TRUE(cap.contains("dropping packets to and from 192.0.2.100, 192.0.2.105 (VI_1 BACKUP -> MASTER)"));

    ASSERT_TRUE(vrrp->instance("VI_1")->force_backup("test"));
    EXPECT_TRUE(vips().empty());
    EXPECT_TRUE(
        cap.contains("no longer dropping packets to and from 192.0.2.100, 192.0.2.105 (VI_1 MASTER -> BACKUP)"));
    EXPECT_EQ(filter->stats().errors, 0u);
}

TEST_F(AcceptFilterTest, AcceptModeAndAddressOwnerInstallNothing) {
    apply(conf(" vrrp_strict\n", instance("VI_1", 51, " priority 100\n accept\n") +
                                     instance("VI_O", 52, " state MASTER\n priority 255\n",
                                              "  192.0.2.106/24\n")));
    loop.advance(seconds(4));
    ASSERT_EQ(state(), State::Master);
    ASSERT_EQ(state("VI_O"), State::Master);
    EXPECT_EQ(nft.table_count(), 0u);
    EXPECT_TRUE(nft.journal().empty());
}

TEST_F(AcceptFilterTest, NoAcceptWithoutStrictAndTheNftablesKeywords) {
    apply(conf(" nftables halb\n nftables_priority 5\n nftables_counters\n",
               instance("VI_1", 51, " priority 100\n no_accept\n") +
                   instance("VI_2", 52, " priority 100\n", "  192.0.2.102/24\n")));
    loop.advance(seconds(4));
    ASSERT_EQ(state("VI_2"), State::Master);
    EXPECT_FALSE(nft.has_table("ip keepalived"));
    EXPECT_EQ(vips("ip halb"), Set{"192.0.2.100"});  // VI_2 accepts
    EXPECT_EQ(nft.chain("ip halb", "out"), "{ type filter hook output priority 5; policy accept; }");
    EXPECT_EQ(nft.rules("ip halb", "in"), std::vector<std::string>{"ip daddr @vips counter drop"});
}

TEST_F(AcceptFilterTest, Ipv6VipsAndLinkLocalVips) {
    net::AddressSpec ll;
    ll.address = *net::Prefix::parse("fe80::1/64");
    ll.scope = 253;
    ASSERT_TRUE(addrs.add_address("eth0", ll));
    apply(conf(" vrrp_strict\n", instance("VI_6", 61, " priority 100\n", "  2001:db8::100/64\n  fe80::100/64\n")));
    EXPECT_TRUE(nft.has_table("ip6 keepalived"));
    EXPECT_FALSE(nft.has_table("ip keepalived"));
    loop.advance(seconds(4));
    ASSERT_EQ(state("VI_6"), State::Master);
    EXPECT_EQ(vips("ip6 keepalived"), Set{"2001:db8::100"});
    EXPECT_EQ(nft.elements("ip6 keepalived", "vips_link_local"), Set{"fe80::100 . \"eth0\""});
    EXPECT_EQ(nft.elements("ip6 keepalived", "neighbor-discovery"), Set{});  // constant, in the set's definition
    EXPECT_EQ(nft.rules("ip6 keepalived", "in").front(), "icmpv6 type @neighbor-discovery accept");
}

TEST_F(AcceptFilterTest, ReloadFollowsTheModel) {
    const std::string vi = " priority 100\n";
    apply(conf("", instance("VI_1", 51, vi)));
    loop.advance(seconds(4));
    ASSERT_EQ(state(), State::Master);
    EXPECT_EQ(nft.table_count(), 0u);
    // accept -> no_accept while MASTER: dropped at once, no state change.
    apply(conf("", instance("VI_1", 51, vi + " no_accept\n")));
    EXPECT_EQ(state(), State::Master);
    EXPECT_EQ(vips(), Set{"192.0.2.100"});
    EXPECT_TRUE(cap.contains("dropping packets to and from 192.0.2.100 (reload)"));
    // Another VIP: only the difference is sent.
    apply(conf("", instance("VI_1", 51, vi + " no_accept\n", "  192.0.2.100/24\n  192.0.2.101/24\n")));
    EXPECT_EQ(vips(), (Set{"192.0.2.100", "192.0.2.101"}));
    EXPECT_EQ(nft.journal().back(), "add element ip keepalived vips { 192.0.2.101 }\n");
    // Renamed table: the old one goes, the new one comes with the elements.
    apply(conf(" nftables other\n", instance("VI_1", 51, vi + " no_accept\n")));
    EXPECT_FALSE(nft.has_table("ip keepalived"));
    EXPECT_EQ(vips("ip other"), Set{"192.0.2.100"});
    // Back to accept: the table is deleted.
    apply(conf(" nftables other\n", instance("VI_1", 51, vi)));
    EXPECT_EQ(nft.table_count(), 0u);
    EXPECT_TRUE(cap.contains("no longer dropping packets to and from 192.0.2.100 (reload)"));
}

TEST_F(AcceptFilterTest, StopDeletesTheTablesAfterTheInstancesStopped) {
    apply(conf(" vrrp_strict\n", instance("VI_1", 51, " priority 100\n")));
    loop.advance(seconds(4));
    ASSERT_EQ(vips(), Set{"192.0.2.100"});
    stop();
    EXPECT_EQ(state(), State::Stopped);
    EXPECT_EQ(nft.table_count(), 0u);
    EXPECT_TRUE(cap.contains("VRRP no_accept: deleted nftables table ip keepalived"));
    EXPECT_TRUE(filter->installed().empty());
}

TEST_F(AcceptFilterTest, RefusedTransactionIsRetriedByRebuilding) {
    apply(conf(" vrrp_strict\n", instance("VI_1", 51, " priority 100\n")));
    nft.fail_next("Could not process rule: Operation not permitted");
    loop.advance(seconds(4));
    ASSERT_EQ(state(), State::Master);
    EXPECT_TRUE(vips().empty());
    EXPECT_EQ(filter->stats().errors, 1u);
    EXPECT_TRUE(cap.contains("nftables refused the update (VI_1 BACKUP -> MASTER): nftables: Could not process rule"));
    std::ostringstream os;
    filter->dump_state(os);
    EXPECT_NE(os.str().find("retrying after"), std::string::npos) << os.str();
    // Still refused a second later: counted, but no second error line.
    nft.fail_next("Could not process rule: Operation not permitted");
    loop.advance(AcceptFilter::kRetry);
    EXPECT_EQ(filter->stats().errors, 2u);
    EXPECT_EQ(std::count_if(cap.lines().begin(), cap.lines().end(),
                            [](const auto& l) { return l.level == log::Level::error; }),
              1);
    loop.advance(AcceptFilter::kRetry);
    EXPECT_EQ(vips(), Set{"192.0.2.100"});
    EXPECT_TRUE(cap.contains("nftables took the update after 2 refusal(s)"));
    EXPECT_NE(nft.journal().back().find("delete table ip keepalived"), std::string::npos);  // rebuilt whole
    os.str("");
    filter->dump_state(os);
    EXPECT_NE(os.str().find("# VRRP no_accept: nftables tables ip keepalived, dropping 1 address(es) 192.0.2.100"),
              std::string::npos)
        << os.str();
}

TEST(AcceptConfig, TableNameMustBeAnNftIdentifierAndIpsetNamesAsKeepalived) {
    config::LoadOptions o;
    o.allow_include = false;
    auto bad = config::load_text("t.conf", "global_defs {\n nftables 9x\n}\n", o);
    EXPECT_FALSE(bad.model);
    auto good = config::load_text("t.conf", "global_defs {\n nftables halb_1.x-y\n}\n", o);
    ASSERT_TRUE(good.model);
    EXPECT_EQ(*good.model->global.nftables, "halb_1.x-y");
    // vrrp_iptables alone: INPUT/OUTPUT, keepalived's default set names, no warning.
    auto ipt = config::load_text("t.conf", "global_defs {\n vrrp_iptables\n}\n", o);
    ASSERT_TRUE(ipt.model);
    EXPECT_TRUE(ipt.messages().empty());
    EXPECT_EQ(ipt.model->global.vrrp_iptables->out_chain, "OUTPUT");
    EXPECT_EQ(ipt.model->global.vrrp_ipsets.address_iface6, "keepalived_if6");
    // Names left out are derived as keepalived's vrrp_ipsets_handler does.
    auto named = config::load_text("t.conf", "global_defs {\n vrrp_iptables IN\n vrrp_ipsets lb lb6\n}\n", o);
    ASSERT_TRUE(named.model);
    EXPECT_EQ(named.model->global.vrrp_iptables->out_chain, "");
    EXPECT_EQ(named.model->global.vrrp_ipsets.address6, "lb6");
    EXPECT_EQ(named.model->global.vrrp_ipsets.address_iface6, "lb_if6");
    auto one = config::load_text("t.conf", "global_defs {\n vrrp_ipsets x\n}\n", o);
    ASSERT_TRUE(one.model);
    EXPECT_EQ(one.model->global.vrrp_ipsets.address6, "x6");
    EXPECT_EQ(one.model->global.vrrp_ipsets.address_iface6, "x_if6");
}

}  // namespace
}  // namespace halbd::vrrp
