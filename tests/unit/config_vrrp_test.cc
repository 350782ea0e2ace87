// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// Unit tests of the vrrp section (config/section_vrrp.cc, keywords_vrrp*.cc,
// validate_vrrp.cc, dump_vrrp.cc): instance keywords and keepalived's
// defaults, global_defs inheritance, references, VRID conflicts, the shared
// address/route/rule line grammars, and the `halbd -d` round trip.
#include <gtest/gtest.h>

#include "config_test_util.hh"

namespace halbd::config {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

using namespace test_util;

LoadResult load(const std::string& text) {
    return load_text("t.conf", text, options({"eth0", "eth1", "lo"}, "test"));
}

std::shared_ptr<const Model> ok(const std::string& text) { return expect_model(load(text)); }

std::string instance(const std::string& body, const std::string& name = "VI_1") {
    return "vrrp_instance " + name + " {\n" + body + "\n}\n";
}

const char* kBasic = "interface eth0\nvirtual_router_id 51\nvirtual_ipaddress {\n 192.0.2.1/24\n}\n";

TEST(VrrpInstanceTest, KeepalivedDefaults) {
    auto m = ok(instance(kBasic));
    ASSERT_TRUE(m);
    const auto& v = m->vrrp.vrrp_instance.at(0);
    EXPECT_EQ(v.name, "VI_1");
    EXPECT_EQ(*v.priority, 100);
    EXPECT_EQ(*v.state, VrrpState::Backup);
    EXPECT_EQ(*v.version, 2);
    EXPECT_EQ(*v.advert_int, seconds(1));
    EXPECT_EQ(*v.garp_master_delay, seconds(5));
    EXPECT_EQ(*v.garp_master_repeat, 5u);
    EXPECT_EQ(*v.garp_lower_prio_delay, seconds(5));
    EXPECT_EQ(*v.down_timer_adverts, 3);
    EXPECT_TRUE(*v.accept);
    EXPECT_FALSE(*v.strict_mode);
    EXPECT_EQ(v.family, net::Family::V4);
    ASSERT_EQ(v.virtual_ipaddress.size(), 1u);
    EXPECT_EQ(v.virtual_ipaddress[0].address.to_string(), "192.0.2.1/24");
}

TEST(VrrpInstanceTest, StateAndPriorityDeriveEachOther) {
    auto m = ok(instance(std::string(kBasic) + "state MASTER\n") +
                instance("interface eth0\nvirtual_router_id 52\npriority 255\nvirtual_ipaddress {\n 192.0.2.2\n}\n", "VI_2"));
    ASSERT_TRUE(m);
    EXPECT_EQ(*m->vrrp.vrrp_instance[0].priority, 255);
    EXPECT_EQ(*m->vrrp.vrrp_instance[1].state, VrrpState::Master);
}

TEST(VrrpInstanceTest, GlobalDefaultsInherited) {
    auto m = ok("global_defs {\n vrrp_garp_master_delay 7\n vrrp_version 3\n vrrp_strict\n}\n" +
                instance(std::string(kBasic) + "priority 100\n"));
    ASSERT_TRUE(m);
    const auto& v = m->vrrp.vrrp_instance[0];
    EXPECT_EQ(*v.garp_master_delay, seconds(7));
    EXPECT_EQ(*v.version, 3);
    EXPECT_TRUE(*v.strict_mode);
    EXPECT_FALSE(*v.accept);
    EXPECT_TRUE(*v.lower_prio_no_advert);
}

TEST(VrrpInstanceTest, RangesReportedAtToken) {
    auto r = load(instance("interface eth0\nvirtual_router_id 256\npriority 0\n"));
    EXPECT_FALSE(r.model);
    EXPECT_TRUE(has_message(r, "t.conf:3:19: error")) << all_messages(r);
    // keepalived: "Priority not valid! must be between 1 & 255. Using default 100".
    EXPECT_TRUE(has_message(r, "t.conf:4:10: warning: 'priority' value 0 is out of range 1-255; using 100"))
        << all_messages(r);
}

TEST(VrrpInstanceTest, AdvertIntRounding) {
    auto r = load(instance(std::string(kBasic) + "advert_int 1.4\n"));
    ASSERT_TRUE(r.model) << all_messages(r);
    EXPECT_EQ(*r.model->vrrp.vrrp_instance[0].advert_int, seconds(1));
    EXPECT_TRUE(has_message(r, "whole seconds"));
    auto r3 = load(instance(std::string(kBasic) + "version 3\nadvert_int 0.125\n"));
    ASSERT_TRUE(r3.model) << all_messages(r3);
    EXPECT_EQ(*r3.model->vrrp.vrrp_instance[0].advert_int, milliseconds(130));
    auto big = load(instance(std::string(kBasic) + "version 3\nadvert_int 50\n"));
    ASSERT_TRUE(big.model);
    EXPECT_EQ(*big.model->vrrp.vrrp_instance[0].advert_int, milliseconds(40950));
}

TEST(VrrpInstanceTest, AuthPassTruncatedWithWarning) {
    auto r = load(instance(std::string(kBasic) + "authentication {\n auth_type PASS\n auth_pass 123456789\n}\n"));
    ASSERT_TRUE(r.model) << all_messages(r);
    EXPECT_EQ(r.model->vrrp.vrrp_instance[0].auth_pass, "12345678");
    EXPECT_TRUE(has_message(r, "warning: auth_pass is longer than 8"));
}

TEST(VrrpInstanceTest, MixedFamilyVipsAreAnError) {
    auto r = load(instance("interface eth0\nvirtual_router_id 1\nvirtual_ipaddress {\n 192.0.2.1\n 2001:db8::1\n}\n"));
    EXPECT_FALSE(r.model);
    EXPECT_TRUE(has_message(r, "t.conf:6:2: error")) << all_messages(r);
}

TEST(VrrpInstanceTest, Ipv6UsesVersion3) {
    auto m = ok(instance("interface eth0\nvirtual_router_id 1\nvirtual_ipaddress {\n fe80::1\n 2001:db8::1/64\n}\n"));
    ASSERT_TRUE(m);
    const auto& v = m->vrrp.vrrp_instance[0];
    EXPECT_EQ(v.family, net::Family::V6);
    EXPECT_EQ(*v.version, 3);
    EXPECT_EQ(*v.virtual_ipaddress[0].preferred_lft, 0u);
    EXPECT_EQ(*v.virtual_ipaddress[1].preferred_lft, kLifetimeForever);
}

TEST(VrrpInstanceTest, UnicastPeerFamilyMustMatch) {
    auto r = load(instance(std::string(kBasic) + "unicast_peer {\n 192.0.2.9 min_ttl 2\n 2001:db8::2\n}\n"));
    EXPECT_FALSE(r.model);
    EXPECT_TRUE(has_message(r, "unicast_peer 2001:db8::2")) << all_messages(r);
}

TEST(VrrpInstanceTest, MissingInterfaceIsAWarning) {
    auto r = load(instance("interface eth9\nvirtual_router_id 1\nvirtual_ipaddress {\n 192.0.2.1\n}\n"));
    EXPECT_TRUE(r.model) << all_messages(r);
    EXPECT_TRUE(has_message(r, "warning: interface 'eth9'"));
}

TEST(VrrpInstanceTest, DuplicateVridOnInterfaceNamesBoth) {
    auto r = load(instance(kBasic) + instance(kBasic, "VI_2"));
    EXPECT_FALSE(r.model);
    EXPECT_TRUE(has_message(r, "'VI_2' and vrrp_instance 'VI_1' (line 1)")) << all_messages(r);
    // Different interfaces or families are fine.
    ok(instance(kBasic) + instance("interface eth1\nvirtual_router_id 51\nvirtual_ipaddress {\n 192.0.2.7\n}\n", "VI_2"));
}

TEST(VrrpInstanceTest, DeprecatedKeywordsWarnAndMove) {
    auto r = load(instance(std::string(kBasic) + "lvs_sync_daemon_interface eth0\nlinkbeat_use_polling\n"));
    ASSERT_TRUE(r.model) << all_messages(r);
    EXPECT_TRUE(has_message(r, "'lvs_sync_daemon_interface' is deprecated"));
    ASSERT_TRUE(r.model->global.lvs_sync_daemon);
    EXPECT_EQ(r.model->global.lvs_sync_daemon->inst, "VI_1");
    // keepalived starts the sync daemon of this form with syncid 0, not the
    // VRID: a mixed halbd/keepalived pair must agree (issue 12).
    EXPECT_EQ(*r.model->global.lvs_sync_daemon->id, 0);
    ASSERT_EQ(r.model->vrrp.linkbeat_interfaces.size(), 1u);
    EXPECT_EQ(r.model->vrrp.linkbeat_interfaces[0].name, "eth0");
}

TEST(VrrpTrackTest, ReferencesResolvedAndWeightsInherited) {
    auto m = ok("vrrp_script chk {\n script \"/bin/true\"\n weight -20 reverse\n}\n"
                "track_file f1 {\n file /tmp/f\n}\n"
                "vrrp_track_process p1 {\n process haproxy\n}\n" +
                instance(std::string(kBasic) + "track_script {\n chk\n}\ntrack_file {\n f1 weight 3\n}\n"
                                               "track_process {\n p1\n}\n"));
    ASSERT_TRUE(m);
    const auto& v = m->vrrp.vrrp_instance[0];
    EXPECT_EQ(*v.track_script[0].weight, -20);
    EXPECT_TRUE(*v.track_script[0].reverse);
    EXPECT_EQ(v.track_script[0].index, 0u);
    EXPECT_EQ(*v.track_file[0].weight, 3);
    EXPECT_EQ(*v.track_process[0].weight, 1);
    EXPECT_EQ(*m->vrrp.vrrp_script[0].timeout, seconds(1));
}

TEST(VrrpTrackTest, UnknownReferencesAreErrors) {
    auto r = load(instance(std::string(kBasic) + "track_script {\n nope\n}\ntrack_bfd {\n b1\n}\n"));
    EXPECT_FALSE(r.model);
    EXPECT_TRUE(has_message(r, "track_script 'nope'"));
    EXPECT_TRUE(has_message(r, "track_bfd 'b1'"));
}

TEST(VrrpSyncGroupTest, MembersExistAndOnlyOneGroup) {
    auto r = load(instance(kBasic) + "vrrp_sync_group G1 {\n group {\n VI_1\n VI_X\n }\n}\n"
                                     "vrrp_sync_group G2 {\n group {\n VI_1\n }\n}\n");
    EXPECT_FALSE(r.model);
    EXPECT_TRUE(has_message(r, "no vrrp_instance 'VI_X'")) << all_messages(r);
    EXPECT_TRUE(has_message(r, "already in vrrp_sync_group 'G1'")) << all_messages(r);
}

// keepalived's own sample keepalived.conf.vrrp.lvs_syncd lists members as bare
// lines; 2.2.7 accepts that, so halbd does too (with a warning), while a line
// that looks like a misspelt keyword stays an error.
TEST(VrrpSyncGroupTest, OldStyleBareMembers) {
    auto r = load("vrrp_sync_group VG1 {\n  VI_1\n  VI_2\n  notify_mastr /bin/true\n}\n" +
                  instance(kBasic) + instance("interface eth1\nvirtual_router_id 52\n"
                                              "virtual_ipaddress {\n 192.0.2.2/24\n}\n", "VI_2"));
    EXPECT_TRUE(has_message(r, "t.conf:2:3: warning: vrrp_sync_group members listed without 'group { }' "
                               "is deprecated; write 'group { VI_1 }'")) << all_messages(r);
    EXPECT_TRUE(has_message(r, "t.conf:4:3: error: unknown keyword 'notify_mastr' in 'vrrp_sync_group'; "
                               "did you mean 'notify_master'?")) << all_messages(r);
    auto m = ok("vrrp_sync_group VG1 {\n  VI_1\n  VI_2\n}\n" + instance(kBasic) +
                instance("interface eth1\nvirtual_router_id 52\nvirtual_ipaddress {\n 192.0.2.2/24\n}\n", "VI_2"));
    ASSERT_TRUE(m);
    ASSERT_EQ(m->vrrp.vrrp_sync_group.at(0).group.size(), 2u);
    EXPECT_EQ(m->vrrp.vrrp_sync_group[0].group[1].name, "VI_2");
}

TEST(VrrpSyncGroupTest, MemberWeightsDropped) {
    auto r = load("vrrp_script chk {\n script /bin/true\n weight 10\n}\n" +
                  instance(std::string(kBasic) + "track_script {\n chk\n}\n") +
                  instance("interface eth0\nvirtual_router_id 52\nvirtual_ipaddress {\n 192.0.2.2\n}\n", "VI_2") +
                  "vrrp_sync_group G {\n group {\n VI_1 VI_2\n }\n}\n");
    ASSERT_TRUE(r.model) << all_messages(r);
    EXPECT_TRUE(r.model->vrrp.vrrp_instance[0].track_script.empty());
    EXPECT_EQ(r.model->vrrp.vrrp_instance[1].sync_group, 0u);
    EXPECT_TRUE(has_message(r, "sync group"));
}

TEST(StaticNetTest, AddressLineOptions) {
    auto m = ok("static_ipaddress {\n 192.0.2.5/24 brd + dev eth0 scope link label eth0:1 noprefixroute\n"
                " 10.0.0.1 peer 10.0.0.2/30 dev eth1\n}\n");
    ASSERT_TRUE(m);
    const auto& a = m->vrrp.static_ipaddress;
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a[0].brd->to_string(), "192.0.2.255");
    EXPECT_EQ(a[0].scope, 253);
    EXPECT_EQ(a[0].label, "eth0:1");
    EXPECT_TRUE(a[0].noprefixroute);
    EXPECT_EQ(a[1].address.length, 30);
    EXPECT_EQ(a[1].peer->to_string(), "10.0.0.2");
}

TEST(StaticNetTest, UnknownOptionAtToken) {
    auto r = load("static_ipaddress {\n 192.0.2.5/24 dev eth0 bogus\n}\n");
    EXPECT_FALSE(r.model);
    EXPECT_TRUE(has_message(r, "t.conf:2:24: error: unknown address option 'bogus'")) << all_messages(r);
}

TEST(StaticNetTest, RouteLines) {
    auto m = ok("static_routes {\n 192.168.2.0/24 via 192.168.1.100 dev eth0\n"
                " 192.168.100.0/24 table 6909 nexthop via 192.168.101.1 dev eth1 onlink weight 1 nexthop via 192.168.101.2 dev eth1 weight 2\n"
                " blackhole 192.168.114.0/24\n"
                " 2001:db8::/64 dev eth0 protocol bird mtu lock 1000 rtt 102 features ecn\n"
                " default via 192.168.0.1 table main\n}\n");
    ASSERT_TRUE(m);
    const auto& r = m->vrrp.static_routes;
    ASSERT_EQ(r.size(), 5u);
    EXPECT_EQ(r[0].via->to_string(), "192.168.1.100");
    ASSERT_EQ(r[1].nexthops.size(), 2u);
    EXPECT_EQ(*r[1].nexthops[1].weight, 2);
    EXPECT_TRUE(r[1].nexthops[0].onlink);
    EXPECT_EQ(r[2].type, RouteType::Blackhole);
    EXPECT_EQ(*r[3].protocol, 12);
    EXPECT_TRUE(r[3].metrics[0].lock);
    EXPECT_EQ(r[4].to.to_string(), "0.0.0.0/0");
    EXPECT_EQ(*r[4].table, 254u);
}

TEST(StaticNetTest, RuleLines) {
    auto m = ok("static_rules {\n from 192.168.28.0/24 to 192.168.29.0/26 table 100 iif eth0 fwmark 24/12 preference 39\n"
                " to 1:2:3:4:5:6:7:0/112 from 7:6:5:4:3:2::/96 table 6908 uidrange 10000-19999\n"
                " from all ip_proto UDP sport 10-20 dport 20-30 preference 5 goto 40\n}\n");
    ASSERT_TRUE(m);
    const auto& r = m->vrrp.static_rules;
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(*r[0].fwmask, 12u);
    EXPECT_EQ(r[1].family, net::Family::V6);
    EXPECT_EQ(*r[1].uidrange_end, 19999u);
    EXPECT_EQ(r[2].action, RuleAction::Goto);
    EXPECT_EQ(*r[2].ip_proto, 17);
}

TEST(StaticNetTest, TrackGroupMustExist) {
    auto r = load("static_ipaddress {\n 192.0.2.5/24 dev eth0 track_group TG\n}\n");
    EXPECT_FALSE(r.model);
    EXPECT_TRUE(has_message(r, "track_group 'TG' is not defined"));
}

// What halbd parses but does not program is said at load time, never ignored silently.
TEST(StaticNetTest, UnprogrammedOptionsWarn) {
    auto r = load("track_group TG {\n group {\n VI_1\n }\n}\n"
                  "static_routes {\n 10.1.0.0/16 via 192.0.2.254 dev eth0 congctl lock cubic\n}\n"
                  "static_rules {\n from 10.1.0.0/16 table 100 track_group TG\n}\n" +
                  instance("interface eth0\nvirtual_router_id 51\nvirtual_ipaddress {\n 192.0.2.1/24\n}\n"
                           "virtual_routes {\n 10.9.0.0/16 via 192.0.2.254 congctl reno\n}\n"));
    ASSERT_TRUE(r.model) << all_messages(r);
    EXPECT_TRUE(has_message(r, "t.conf:7:2: warning: route 10.1.0.0/16: congctl 'cubic' is recognised but not implemented by halbd; ignored"))
        << all_messages(r);
    EXPECT_TRUE(has_message(r, "t.conf:10:2: warning: static rule: track_group 'TG' is recognised but not implemented by halbd; ignored")) << all_messages(r);
    EXPECT_TRUE(has_message(r, "warning: route 10.9.0.0/16: congctl 'reno' is recognised but not implemented by halbd; ignored"))
        << all_messages(r);
}

TEST(VrrpDumpTest, RoundTrip) {
    const std::string text =
        "vrrp_script chk {\n script \"/usr/bin/check arg\"\n interval 2\n weight 5\n user nobody\n}\n"
        "track_file f1 {\n file /tmp/f\n weight 0\n init_file 3 overwrite\n}\n"
        "vrrp_track_process p1 {\n process haproxy -f x\n quorum 2\n delay 0.5\n}\n"
        "vrrp_track_process p2 {\n process nginx\n param_match\n}\n"
        "track_group TG {\n group {\n VI_1\n }\n}\n"
        "static_ipaddress {\n 192.0.2.5/24 dev eth0 track_group TG\n}\n"
        "static_routes {\n 10.1.0.0/16 via 192.0.2.254 dev eth0 metric 5\n}\n"
        "static_rules {\n from 10.1.0.0/16 table 100\n}\n"
        "garp_group {\n garp_interval 0.01\n interface eth0\n}\n"
        "interface_up_down_delays {\n eth0 1 2\n}\n" +
        instance("state BACKUP\ninterface eth0\nuse_vmac vrrp.51 02:00:00:00:00\nvirtual_router_id 51\n"
                 "priority 150\nadvert_int 2\nnopreempt\n"
                 "authentication {\n auth_type PASS\n auth_pass secret\n}\n"
                 "track_interface {\n eth1 weight 10\n}\n"
                 "track_script {\n chk\n}\n"
                 "virtual_ipaddress {\n 192.0.2.1/24 dev eth0 label eth0:vip\n}\n"
                 "virtual_ipaddress_excluded {\n 2001:db8::5/64\n}\n"
                 "virtual_routes {\n src 192.0.2.1 to 10.9.0.0/16 via 192.0.2.254 or 192.0.2.253\n}\n"
                 "virtual_rules {\n to 10.9.0.0/16 table 7 no_track\n}\n"
                 "notify_master \"/bin/echo master\" root\n");
    auto m = ok(text);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->vrrp.vrrp_track_process[1].param_match, ParamMatch::Exact);  // bare: no parameters allowed
    std::string d1 = dump_text(*m);
    auto r2 = load(d1);
    ASSERT_TRUE(r2.model) << all_messages(r2) << d1;
    // Only the two keywords halbd parses but does not act on (issue 11 item 10).
    EXPECT_EQ(r2.diags.warning_count(), 2u) << all_messages(r2);
    EXPECT_TRUE(has_message(r2, "track_group 'TG' is recognised but not implemented")) << all_messages(r2);
    EXPECT_TRUE(has_message(r2, "'garp_group' is recognised but not implemented")) << all_messages(r2);
    EXPECT_EQ(dump_text(*r2.model), d1);
    EXPECT_NE(d1.find("garp_master_delay 5"), std::string::npos) << d1;
    EXPECT_NE(d1.find("nexthop via 192.0.2.254 nexthop via 192.0.2.253"), std::string::npos) << d1;
}

TEST(VrrpParseTest, UnimplementedAndDeprecatedWarn) {
    auto r = load("vrrp_track_file f {\n file /x\n}\n" + instance(std::string(kBasic) + "smtp_alert\n"));
    ASSERT_TRUE(r.model) << all_messages(r);
    EXPECT_TRUE(has_message(r.messages(true), "'vrrp_track_file' is an old spelling of 'track_file'"));
    EXPECT_TRUE(has_message(r, "'smtp_alert' is recognised but not implemented"));
}

TEST(VrrpParseTest, GarbageNeverCrashes) {
    const char* bad[] = {"vrrp_instance {\n}\n", "vrrp_instance A B {\n}\n",
                         "vrrp_instance A {\n virtual_ipaddress {\n brd dev\n 1.2.3.4 dev\n 1.2.3.4/33\n }\n}\n",
                         "static_routes {\n via\n to\n 1.2.3.0/24 nexthop\n default or 1.2.3.4\n}\n",
                         "static_rules {\n fwmark /\n uidrange 5-1\n sport x\n from\n}\n",
                         "vrrp_instance A {\n use_vmac ::::: zz:zz\n unicast_peer {\n x\n 1.1.1.1 min_ttl\n }\n}\n"};
    for (const char* t : bad) {
        auto r = load(t);
        EXPECT_FALSE(r.model) << t;
    }
}

}  // namespace
}  // namespace halbd::config
