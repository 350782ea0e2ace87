// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// Unit tests of the global section (config/section_global.cc,
// validate_global.cc, dump_global.cc): global_defs keywords, defaults and
// their resolution, errors at the offending token, unimplemented and
// deprecated keywords, bfd_instance, and the `halbd -d` round trip.
#include <gtest/gtest.h>

#include "config_test_util.hh"

namespace halbd::config {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

using namespace test_util;

LoadResult load(const std::string& text) {
    return load_text("t.conf", text, options({"eth0", "lo"}, "test"));
}

// Loads text that must be valid and returns its model.
std::shared_ptr<const Model> ok(const std::string& text) { return expect_model(load(text)); }

// ---- GlobalDefs ---------------------------------------------------------------

TEST(GlobalDefsTest, DefaultsAreKeepalivedsAndResolved) {
    auto m = ok("");
    ASSERT_TRUE(m);
    const auto& g = m->global;
    EXPECT_FALSE(g.router_id.empty());  // the host name
    EXPECT_EQ(g.vrrp_mcast_group4.to_string(), "224.0.0.18");
    EXPECT_EQ(g.vrrp_mcast_group6.to_string(), "ff02::12");
    EXPECT_EQ(g.default_interface, "eth0");
    EXPECT_EQ(g.vrrp_garp_master_delay, seconds(5));
    EXPECT_EQ(g.vrrp_garp_master_repeat, 5u);
    EXPECT_FALSE(g.vrrp_garp_lower_prio_delay);   // follows each instance's garp_master_delay
    EXPECT_FALSE(g.vrrp_garp_lower_prio_repeat);
    EXPECT_EQ(g.vrrp_garp_master_refresh, Duration{});
    EXPECT_EQ(g.vrrp_garp_master_refresh_repeat, 1u);
    EXPECT_EQ(g.vrrp_down_timer_adverts, 3u);
    EXPECT_FALSE(g.vrrp_lower_prio_no_advert);     // follows each instance's strict mode
    EXPECT_EQ(g.vrrp_version, 2);
    EXPECT_FALSE(g.vrrp_strict);
    EXPECT_EQ(g.vmac_prefix, "vrrp");
    ASSERT_TRUE(g.vmac_addr_prefix);
    EXPECT_EQ(*g.vmac_addr_prefix, "vrrp");
    EXPECT_EQ(g.startup_script_timeout, seconds(10));
    EXPECT_EQ(g.umask, 022u);
    EXPECT_FALSE(g.lvs_sync_daemon);
    EXPECT_FALSE(g.script_user);
    EXPECT_FALSE(g.enable_script_security);
    EXPECT_EQ(g.nftables_priority, -1);
    EXPECT_EQ(g.nftables_ipvs_start_fwmark, 1000u);
    EXPECT_EQ(g.vrrp_rx_bufs_multiplier, 3u);
}

TEST(GlobalDefsTest, TypedKeywordsFillTheModel) {
    auto m = ok(R"(
global_defs {
    router_id LB_1
    script_user nobody nogroup
    enable_script_security
    startup_script "/usr/local/bin/fw up" root
    startup_script_timeout 20
    shutdown_script /usr/local/bin/down
    notify_fifo /run/halbd.fifo
    notify_fifo_script /usr/bin/reader nobody
    vrrp_notify_fifo /run/vrrp.fifo root wheel
    lvs_notify_fifo /run/lvs.fifo
    fifo_write_vrrp_states_on_reload
    vrrp_notify_priority_changes true
    vrrp_mcast_group4 224.0.0.19
    vrrp_mcast_group6 ff02::13
    default_interface lo
    vrrp_garp_master_delay 10
    vrrp_garp_master_repeat 2
    vrrp_garp_lower_prio_delay 7
    vrrp_garp_lower_prio_repeat 0
    vrrp_garp_master_refresh 60
    vrrp_garp_master_refresh_repeat 3
    vrrp_garp_interval 0.001
    vrrp_gna_interval 0.000001
    vrrp_garp_extra_if all 100
    vrrp_down_timer_adverts 5
    vrrp_lower_prio_no_advert false
    vrrp_higher_prio_send_advert
    vrrp_version 3
    vrrp_check_unicast_src
    vrrp_skip_check_adv_addr
    vrrp_startup_delay 5.5
    log_unknown_vrids
    vmac_prefix vm
    dynamic_interfaces allow_if_changes
    disable_local_igmp
    vrrp_rx_bufs_policy advert
    vrrp_rx_bufs_multiplier 4
    nftables
    nftables_priority -5
    nftables_counters
    nftables_ifindex
    nftables_ipvs ipvs_tab
    nftables_ipvs_start_fwmark 5000
    vrrp_netlink_cmd_rcv_bufs 1048576
    vrrp_netlink_cmd_rcv_bufs_force
    lvs_netlink_monitor_rcv_bufs 2000000
    process_monitor_rcv_bufs 500000
    lvs_sync_daemon eth0 inst VI_1 id 7 maxlen 1400 port 8849 ttl 2 group 239.1.1.1
    lvs_timeouts tcp 7200 tcpfin 120 udp 300
    lvs_flush
    lvs_flush_on_stop VS
    checker_log_all_failures on
    rs_init_notifies
    umask IWGRP|IWOTH|IXOTH
}
linkbeat_use_polling
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        192.0.2.10
    }
}
)");
    ASSERT_TRUE(m);
    const auto& g = m->global;
    EXPECT_EQ(g.router_id, "LB_1");
    ASSERT_TRUE(g.script_user);
    EXPECT_EQ(g.script_user->user, "nobody");
    EXPECT_EQ(g.script_user->group, "nogroup");
    EXPECT_TRUE(g.enable_script_security);
    ASSERT_TRUE(g.startup_script);
    EXPECT_EQ(g.startup_script->command, "/usr/local/bin/fw up");
    ASSERT_TRUE(g.startup_script->user);
    EXPECT_EQ(g.startup_script->user->user, "root");
    EXPECT_EQ(g.startup_script_timeout, seconds(20));
    ASSERT_TRUE(g.shutdown_script);
    EXPECT_FALSE(g.shutdown_script->user);
    ASSERT_TRUE(g.notify_fifo);
    EXPECT_EQ(g.notify_fifo->name, "/run/halbd.fifo");
    ASSERT_TRUE(g.notify_fifo_script);
    ASSERT_TRUE(g.vrrp_notify_fifo);
    EXPECT_EQ(g.vrrp_notify_fifo->user, (ScriptUser{"root", "wheel"}));
    ASSERT_TRUE(g.lvs_notify_fifo);
    EXPECT_TRUE(g.fifo_write_vrrp_states_on_reload);
    EXPECT_TRUE(g.vrrp_notify_priority_changes);
    EXPECT_EQ(g.vrrp_mcast_group4.to_string(), "224.0.0.19");
    EXPECT_EQ(g.vrrp_mcast_group6.to_string(), "ff02::13");
    EXPECT_EQ(g.default_interface, "lo");
    EXPECT_EQ(g.vrrp_garp_master_delay, seconds(10));
    EXPECT_EQ(g.vrrp_garp_master_repeat, 2u);
    EXPECT_EQ(*g.vrrp_garp_lower_prio_delay, seconds(7));
    EXPECT_EQ(*g.vrrp_garp_lower_prio_repeat, 0u);
    EXPECT_EQ(g.vrrp_garp_master_refresh, seconds(60));
    EXPECT_EQ(g.vrrp_garp_master_refresh_repeat, 3u);
    EXPECT_EQ(g.vrrp_garp_interval, milliseconds(1));
    EXPECT_EQ(g.vrrp_gna_interval, microseconds(1));
    EXPECT_EQ(g.vrrp_garp_extra_if.interval, seconds(100));
    EXPECT_TRUE(g.vrrp_garp_extra_if.all);
    EXPECT_EQ(g.vrrp_down_timer_adverts, 5u);
    EXPECT_FALSE(*g.vrrp_lower_prio_no_advert);
    EXPECT_EQ(g.vrrp_higher_prio_send_advert, true);
    EXPECT_EQ(g.vrrp_version, 3);
    EXPECT_TRUE(g.vrrp_check_unicast_src);
    EXPECT_TRUE(g.vrrp_skip_check_adv_addr);
    EXPECT_EQ(g.vrrp_startup_delay, milliseconds(5500));
    EXPECT_TRUE(g.log_unknown_vrids);
    EXPECT_EQ(g.vmac_prefix, "vm");
    EXPECT_EQ(*g.vmac_addr_prefix, "vm");  // inherits vmac_prefix
    EXPECT_EQ(g.dynamic_interfaces, DynamicInterfaces::AllowIfChanges);
    EXPECT_TRUE(g.disable_local_igmp);
    EXPECT_EQ(g.vrrp_rx_bufs_policy, VrrpRxBufsPolicy::Advert);
    EXPECT_EQ(g.vrrp_rx_bufs_multiplier, 4u);
    EXPECT_EQ(g.nftables, "keepalived");
    EXPECT_EQ(g.nftables_priority, -5);
    EXPECT_TRUE(g.nftables_counters);
    EXPECT_TRUE(g.nftables_ifindex);
    EXPECT_EQ(g.nftables_ipvs, "ipvs_tab");
    EXPECT_EQ(g.nftables_ipvs_start_fwmark, 5000u);
    EXPECT_EQ(g.vrrp_netlink_cmd_rcv_bufs, 1048576u);
    EXPECT_TRUE(g.vrrp_netlink_cmd_rcv_bufs_force);
    EXPECT_EQ(g.lvs_netlink_monitor_rcv_bufs, 2000000u);
    EXPECT_EQ(g.process_monitor_rcv_bufs, 500000u);
    ASSERT_TRUE(g.lvs_sync_daemon);
    const auto& d = *g.lvs_sync_daemon;
    EXPECT_EQ(d.interface, "eth0");
    EXPECT_EQ(d.inst, "VI_1");
    EXPECT_EQ(d.id, 7);
    EXPECT_EQ(d.maxlen, 1400);
    EXPECT_EQ(d.port, 8849);
    EXPECT_EQ(d.ttl, 2);
    EXPECT_EQ(d.group.to_string(), "239.1.1.1");
    EXPECT_EQ(g.lvs_timeouts.tcp, seconds(7200));
    EXPECT_EQ(g.lvs_timeouts.tcpfin, seconds(120));
    EXPECT_EQ(g.lvs_timeouts.udp, seconds(300));
    EXPECT_TRUE(g.lvs_flush);
    EXPECT_EQ(g.lvs_flush_on_stop, LvsFlushOnStop::VirtualServers);
    EXPECT_TRUE(g.checker_log_all_failures);
    EXPECT_TRUE(g.rs_init_notifies);
    EXPECT_EQ(g.umask, 023u);
    EXPECT_TRUE(g.linkbeat_use_polling);
}

TEST(GlobalDefsTest, SyncDaemonDefaultsAndOldForm) {
    auto m = ok("global_defs {\n lvs_sync_daemon eth0\n}\n");
    ASSERT_TRUE(m);
    const auto& d = *m->global.lvs_sync_daemon;
    EXPECT_EQ(d.inst, "");
    EXPECT_EQ(d.id, 0);  // no instance: syncid 0
    EXPECT_EQ(d.port, 8848);
    EXPECT_EQ(d.ttl, 1);
    EXPECT_EQ(d.group.to_string(), "224.0.0.81");
    EXPECT_FALSE(d.maxlen);

    const std::string vi2 =
        "vrrp_instance VI_2 {\n interface eth0\n virtual_router_id 42\n priority 100\n"
        " virtual_ipaddress {\n  192.0.2.1\n }\n}\n";
    auto r = load("global_defs {\n lvs_sync_daemon eth0 VI_2 9\n}\n" + vi2);
    ASSERT_TRUE(r.model) << all_messages(r);
    EXPECT_EQ(r.model->global.lvs_sync_daemon->inst, "VI_2");
    EXPECT_EQ(r.model->global.lvs_sync_daemon->id, 9);
    EXPECT_TRUE(has_message(r, "t.conf:2:28: warning: a bare sync id"));

    // The sync id defaults to the instance's VRID.
    r = load("global_defs {\n lvs_sync_daemon eth0 inst VI_2\n}\n" + vi2);
    ASSERT_TRUE(r.model) << all_messages(r);
    EXPECT_EQ(r.model->global.lvs_sync_daemon->id, 42);
}

TEST(GlobalDefsTest, SyncDaemonErrorsPointAtTheToken) {
    auto r = load("global_defs {\n lvs_sync_daemon eth0 port 0 group 10.0.0.1 bogus 1\n}\n");
    EXPECT_FALSE(r.model);
    EXPECT_TRUE(has_message(r, "t.conf:2:28: error: 'lvs_sync_daemon' value 0 is out of range"))
        << all_messages(r);
    EXPECT_TRUE(has_message(r, "t.conf:2:36: error: 'lvs_sync_daemon' group '10.0.0.1' is not a multicast"))
        << all_messages(r);
    EXPECT_TRUE(has_message(r, "t.conf:2:45: error: unknown 'lvs_sync_daemon' option 'bogus'"))
        << all_messages(r);

    r = load("global_defs {\n lvs_sync_daemon eth0 id\n}\n");
    EXPECT_TRUE(has_message(r, "'lvs_sync_daemon' option 'id' needs a value")) << all_messages(r);

    r = load("global_defs {\n lvs_sync_daemon missing0\n lvs_sync_daemon eth0\n}\n");
    ASSERT_TRUE(r.model) << all_messages(r);
    EXPECT_EQ(r.model->global.lvs_sync_daemon->interface, "missing0");
    EXPECT_TRUE(has_message(r, "t.conf:2:2: warning: lvs_sync_daemon interface 'missing0' does not exist"));
    EXPECT_TRUE(has_message(r, "t.conf:3:2: warning: 'lvs_sync_daemon' already specified"));
}

TEST(GlobalDefsTest, BadValuesAreErrorsAtTheToken) {
    auto r = load(R"(global_defs {
    vrrp_version 4
    vrrp_mcast_group4 ff02::1
    vrrp_mcast_group6 224.0.0.1
    vrrp_garp_master_delay soon
    umask 0999
    lvs_timeouts tcp 10 ucp 5
    vrrp_down_timer_adverts 0
    dynamic_interfaces always
    vrrp_rx_bufs_policy huge
    lvs_flush_on_stop RS
    startup_script_timeout 1001
    vrrp_garp_extra_if all
    umask IWGRP|
})");
    EXPECT_FALSE(r.model);
    const std::string all = all_messages(r);
    EXPECT_TRUE(has_message(r, "t.conf:2:18: error: 'vrrp_version' value 4 is out of range 2-3")) << all;
    EXPECT_TRUE(has_message(r, "t.conf:3:23: error: 'vrrp_mcast_group4' needs an IPv4 multicast")) << all;
    EXPECT_TRUE(has_message(r, "t.conf:4:23: error: 'vrrp_mcast_group6' needs an IPv6 multicast")) << all;
    EXPECT_TRUE(has_message(r, "t.conf:5:28: error: 'vrrp_garp_master_delay' expects a number")) << all;
    EXPECT_TRUE(has_message(r, "t.conf:6:11: error: 'umask' expects a mode")) << all;
    EXPECT_TRUE(has_message(r, "t.conf:7:25: error: unknown 'lvs_timeouts' option 'ucp'")) << all;
    EXPECT_TRUE(has_message(r, "t.conf:8:29: error: 'vrrp_down_timer_adverts' value 0 is out of range 1-100")) << all;
    EXPECT_TRUE(has_message(r, "t.conf:9:24: error: 'dynamic_interfaces' expects allow_if_changes")) << all;
    EXPECT_TRUE(has_message(r, "t.conf:10:25: error: 'vrrp_rx_bufs_policy' expects MTU|ADVERT")) << all;
    EXPECT_TRUE(has_message(r, "t.conf:11:23: error: 'lvs_flush_on_stop' expects VS")) << all;
    EXPECT_TRUE(has_message(r, "t.conf:12:28: error: 'startup_script_timeout' value 1001 is out of range 1-1000")) << all;
    EXPECT_TRUE(has_message(r, "t.conf:13:5: error: 'vrrp_garp_extra_if' needs an interval")) << all;
    EXPECT_TRUE(has_message(r, "t.conf:14:5: error: 'umask' ends with '|'")) << all;
    EXPECT_EQ(r.diags.error_count(), 13u) << all;
}

TEST(GlobalDefsTest, UnknownKeywordSuggestsTheNearestOne) {
    auto r = load("global_defs {\n    vrrp_garp_master_dealy 3\n}\n");
    EXPECT_FALSE(r.model);
    EXPECT_TRUE(has_message(r, "t.conf:2:5: error: unknown keyword 'vrrp_garp_master_dealy' in "
                               "'global_defs'; did you mean 'vrrp_garp_master_delay'?"))
        << all_messages(r);
}

TEST(GlobalDefsTest, UnimplementedKeywordsWarnAndAreSkipped) {
    auto r = load(R"(net_namespace blue
instance one
global_defs {
    notification_email {
        admin@example.com
        ops@example.com
    }
    notification_email_from lb@example.com
    smtp_server 127.0.0.1 25
    smtp_connect_timeout 30
    bfd_priority -10
    bfd_rt_priority 50
    enable_snmp_vrrp
    enable_dbus
    process_names
    bfd_cpu_affinity 1 2
    reload_check_config /tmp/log
    router_id after_skips
}
)");
    ASSERT_TRUE(r.model) << all_messages(r);
    EXPECT_EQ(r.model->global.router_id, "after_skips");
    EXPECT_EQ(r.diags.warning_count(), 12u) << all_messages(r);
    EXPECT_TRUE(has_message(r, "t.conf:4:5: warning: 'notification_email' is recognised but not "
                               "implemented by halbd; ignored (halbd does not send email alerts"))
        << all_messages(r);
    // net_namespace is implemented now (issue 12): joined by halbd.cc.
    EXPECT_EQ(r.model->global.net_namespace, "blue");
}

TEST(GlobalDefsTest, DeprecatedSpellingsWarnAndWork) {
    auto r = load(R"(global_defs {
    lvs_flush_onstop
    vrrp_vmac_garp_intvl 30
    smtp_connection_timeout 10
})");
    ASSERT_TRUE(r.model) << all_messages(r);
    EXPECT_EQ(r.model->global.lvs_flush_on_stop, LvsFlushOnStop::Full);
    EXPECT_EQ(r.model->global.vrrp_garp_extra_if.interval, seconds(30));
    EXPECT_FALSE(r.model->global.vrrp_garp_extra_if.all);
    // keepalived takes lvs_flush_onstop silently: a note, not a warning.
    EXPECT_TRUE(has_message(r.messages(true), "t.conf:2:5: note: 'lvs_flush_onstop' is an old spelling of "
                                              "'lvs_flush_on_stop'"));
    EXPECT_TRUE(has_message(r, "t.conf:3:5: warning: 'vrrp_vmac_garp_intvl' is deprecated; use 'vrrp_garp_extra_if'"));
    EXPECT_TRUE(has_message(r, "t.conf:4:5: warning: 'smtp_connection_timeout' is deprecated; use 'smtp_connect_timeout'"));
    EXPECT_TRUE(has_message(r, "t.conf:4:5: warning: 'smtp_connect_timeout' is recognised but not implemented by halbd; ignored"));
}

TEST(GlobalDefsTest, MinGarpChangesOnlyDefaults) {
    auto m = ok("global_defs {\n vrrp_min_garp\n}\n");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->global.vrrp_garp_master_repeat, 1u);
    EXPECT_EQ(m->global.vrrp_garp_master_delay, Duration{});

    m = ok("global_defs {\n vrrp_garp_master_repeat 3\n vrrp_min_garp\n}\n");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->global.vrrp_garp_master_repeat, 3u);
    EXPECT_EQ(m->global.vrrp_garp_master_delay, Duration{});

    m = ok("global_defs {\n vrrp_min_garp false\n}\n");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->global.vrrp_garp_master_repeat, 5u);
}

TEST(GlobalDefsTest, StrictModeForcesAdvertRules) {
    auto m = ok("global_defs {\n vrrp_strict\n}\n");
    ASSERT_TRUE(m);
    EXPECT_TRUE(*m->global.vrrp_lower_prio_no_advert);

    auto r = load("global_defs {\n vrrp_strict\n vrrp_lower_prio_no_advert off\n"
                  " vrrp_higher_prio_send_advert\n}\n");
    ASSERT_TRUE(r.model) << all_messages(r);
    EXPECT_TRUE(*r.model->global.vrrp_lower_prio_no_advert);
    EXPECT_EQ(r.model->global.vrrp_higher_prio_send_advert, false);
    EXPECT_EQ(r.diags.warning_count(), 2u) << all_messages(r);
}

TEST(GlobalDefsTest, FifosMustDiffer) {
    auto r = load("global_defs {\n notify_fifo /run/f\n vrrp_notify_fifo /run/f\n}\n");
    EXPECT_FALSE(r.model);
    EXPECT_TRUE(has_message(r, "t.conf:3:2: error: notify FIFO '/run/f' is already used"))
        << all_messages(r);

    r = load("global_defs {\n lvs_notify_fifo_script /bin/true\n}\n");
    ASSERT_TRUE(r.model);
    EXPECT_TRUE(has_message(r, "lvs_notify_fifo_script has no effect without lvs_notify_fifo"));
}

TEST(GlobalDefsTest, MissingDefaultInterfaceIsAWarning) {
    auto r = load("global_defs {\n default_interface eth9\n}\n");
    ASSERT_TRUE(r.model);
    EXPECT_TRUE(has_message(r, "t.conf:2:20: warning: default_interface 'eth9' does not exist"))
        << all_messages(r);
}

TEST(GlobalDefsTest, UmaskForms) {
    EXPECT_EQ(ok("global_defs {\n umask 0x12\n}\n")->global.umask, 022u);
    EXPECT_EQ(ok("global_defs {\n umask 18\n}\n")->global.umask, 022u);
    EXPECT_EQ(ok("global_defs {\n umask 0077\n}\n")->global.umask, 077u);
    EXPECT_FALSE(load("global_defs {\n umask IRWXU\n}\n").model);
    EXPECT_EQ(ok("global_defs {\n umask IWGRP | IWOTH\n}\n")->global.umask, 022u);
}

TEST(GlobalDefsTest, NftablesWinsOverIptables) {
    auto m = ok("global_defs {\n vrrp_iptables IN OUT\n nftables mytab\n}\n");
    ASSERT_TRUE(m);
    EXPECT_FALSE(m->global.vrrp_iptables);
    EXPECT_EQ(m->global.nftables, "mytab");
    m = ok("global_defs {\n vrrp_iptables\n}\n");
    ASSERT_TRUE(m && m->global.vrrp_iptables);
    EXPECT_EQ(m->global.vrrp_iptables->in_chain, "INPUT");
    EXPECT_EQ(m->global.vrrp_iptables->out_chain, "OUTPUT");
}

TEST(GlobalDefsTest, DumpRoundTrips) {
    const char* text = R"(
linkbeat_use_polling
global_defs {
    router_id "lb one"
    script_user nobody
    enable_script_security
    startup_script "/bin/echo 'a b'" root wheel
    notify_fifo /run/n.fifo nobody
    vrrp_notify_fifo_script /bin/cat
    vrrp_notify_fifo /run/v.fifo
    vrrp_min_garp
    vrrp_garp_master_refresh 30
    vrrp_garp_interval 0.25
    vrrp_garp_extra_if 60
    vrrp_strict
    vrrp_startup_delay 1.5
    vmac_addr_prefix va
    dynamic_interfaces
    vrrp_rx_bufs_policy 65536
    vrrp_iptables chain_in
    nftables_ipvs
    nftables_ipvs_priority 3
    lvs_sync_daemon eth0 VI_1 maxlen 1000 group ff02::81
    lvs_timeouts udp 30
    lvs_flush_on_stop
    umask 0
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        192.0.2.10
    }
}
bfd_instance peer1 {
    neighbour_ip 192.0.2.1
    source_ip 192.0.2.2
    min_rx 3.312
    idle_tx 2000
    passive
    weight -20 reverse
    vrrp
}
)";
    auto m1 = ok(text);
    ASSERT_TRUE(m1);
    const std::string d1 = dump_text(*m1);
    auto m2 = ok(d1);
    ASSERT_TRUE(m2) << d1;
    const std::string d2 = dump_text(*m2);
    EXPECT_EQ(d1, d2);
    EXPECT_NE(d1.find("router_id \"lb one\"\n"), std::string::npos) << d1;
    EXPECT_NE(d1.find("startup_script \"/bin/echo 'a b'\" root wheel\n"), std::string::npos) << d1;
    EXPECT_NE(d1.find("lvs_sync_daemon eth0 inst VI_1 id 51 maxlen 1000 port 8848 ttl 1 group ff02::81\n"),
              std::string::npos) << d1;
    EXPECT_EQ(d1.find("vrrp_garp_lower_prio_delay"), std::string::npos) << d1;
    EXPECT_NE(d1.find("min_rx 3.312\n"), std::string::npos) << d1;
    EXPECT_NE(d1.find("weight -20 reverse\n"), std::string::npos) << d1;
    EXPECT_NE(d1.find("umask 0000\n"), std::string::npos) << d1;
    EXPECT_EQ(d1.find("neighbour_ip"), std::string::npos) << d1;
    EXPECT_EQ(m2->global.vrrp_garp_interval, milliseconds(250));
    EXPECT_EQ(m2->global.lvs_sync_daemon->group.to_string(), "ff02::81");
}

TEST(GlobalDefsTest, DefaultDumpRoundTrips) {
    auto m1 = ok("");
    ASSERT_TRUE(m1);
    const std::string d1 = dump_text(*m1);
    auto m2 = ok(d1);
    ASSERT_TRUE(m2) << d1;
    EXPECT_EQ(d1, dump_text(*m2));
}

// ---- bfd_instance ---------------------------------------------------------------

TEST(BfdInstanceTest, DefaultsAndValues) {
    auto m = ok(R"(
bfd_instance a {
    neighbor_ip 10.0.0.1
}
bfd_instance b {
    neighbor_ip 2001:db8::1
    source_ip 2001:db8::2
    min_rx 1.5
    min_tx 20
    idle_tx 1500.25
    multiplier 3
    ttl 64
    hoplimit 1
    max_hops 255
    weight 30
    checker
}
)");
    ASSERT_TRUE(m);
    ASSERT_EQ(m->global.bfd_instances.size(), 2u);
    const auto& a = m->global.bfd_instances[0];
    EXPECT_EQ(a.name, "a");
    EXPECT_EQ(a.loc.line, 2u);
    EXPECT_EQ(a.neighbor_ip->to_string(), "10.0.0.1");
    EXPECT_FALSE(a.source_ip);
    EXPECT_EQ(a.min_rx, milliseconds(10));
    EXPECT_EQ(a.min_tx, milliseconds(10));
    EXPECT_EQ(a.idle_tx, milliseconds(1000));
    EXPECT_EQ(a.multiplier, 5);
    EXPECT_EQ(a.ttl, 255);
    EXPECT_EQ(a.hoplimit, 64);
    EXPECT_EQ(a.max_hops, 0);
    EXPECT_EQ(a.weight, 0);
    EXPECT_TRUE(a.vrrp);
    EXPECT_TRUE(a.checker);
    const auto& b = m->global.bfd_instances[1];
    EXPECT_EQ(b.min_rx, microseconds(1500));
    EXPECT_EQ(b.min_tx, milliseconds(20));
    EXPECT_EQ(b.idle_tx, microseconds(1500250));
    EXPECT_EQ(b.multiplier, 3);
    EXPECT_EQ(b.ttl, 64);
    EXPECT_EQ(b.hoplimit, 1);
    EXPECT_EQ(b.max_hops, 255);
    EXPECT_EQ(b.weight, 30);
    EXPECT_FALSE(b.vrrp);
    EXPECT_TRUE(b.checker);
    EXPECT_EQ(m->global.find_bfd_instance("b"), &b);
    EXPECT_EQ(m->global.find_bfd_instance("c"), nullptr);
}

TEST(BfdInstanceTest, Errors) {
    auto r = load(R"(bfd_instance x {
    source_ip 10.0.0.2
}
bfd_instance x {
    neighbor_ip 10.0.0.1
    source_ip 2001:db8::1
    min_rx 0.5
    idle_tx 999
    multiplier 0
    weight 254
    neighbor_ip 224.0.0.1
}
bfd_instance y {
    neighbor_ip 10.0.0.1
    source_ip 2001:db8::1
}
bfd_instance this_name_is_far_too_long_for_bfd {
    neighbor_ip 10.0.0.9
}
bfd_instance {
    neighbor_ip 10.0.0.8
}
)");
    EXPECT_FALSE(r.model);
    const std::string all = all_messages(r);
    EXPECT_TRUE(has_message(r, "t.conf:1:14: error: bfd_instance 'x' needs a neighbor_ip")) << all;
    EXPECT_TRUE(has_message(r, "t.conf:4:14: error: duplicate bfd_instance 'x'")) << all;
    EXPECT_TRUE(has_message(r, "t.conf:4:14: error: bfd_instance 'x': source_ip 2001:db8::1 and "
                               "neighbor_ip 10.0.0.1 are not the same family")) << all;
    EXPECT_TRUE(has_message(r, "t.conf:7:12: error: 'min_rx' value 0.5 is out of range 1-4294967 milliseconds")) << all;
    EXPECT_TRUE(has_message(r, "t.conf:8:13: error: 'idle_tx' value 999 is out of range 1000-4294967 milliseconds")) << all;
    EXPECT_TRUE(has_message(r, "t.conf:9:16: error: 'multiplier' value 0 is out of range 1-255")) << all;
    EXPECT_TRUE(has_message(r, "t.conf:10:12: error: 'weight' value 254 is out of range -253-253")) << all;
    EXPECT_TRUE(has_message(r, "t.conf:11:17: error: 'neighbor_ip' needs a unicast address")) << all;
    EXPECT_TRUE(has_message(r, "t.conf:13:14: error: bfd_instance 'y': another bfd_instance already "
                               "has neighbor_ip 10.0.0.1 and source_ip 2001:db8::1")) << all;
    EXPECT_TRUE(has_message(r, "t.conf:17:14: error: bfd_instance name must be 1-31 characters")) << all;
    EXPECT_TRUE(has_message(r, "t.conf:20:1: error: 'bfd_instance' takes 1 argument, got 0")) << all;
}

}  // namespace
}  // namespace halbd::config
