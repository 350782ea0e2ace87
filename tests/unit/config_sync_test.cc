// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// Unit tests of the conntrack_sync block (config/keywords_sync.cc,
// validate_sync.cc, dump_sync.cc): keywords, defaults, errors at the
// offending token, the trusted-link warning and the `halbd -d` round trip.
#include <tuple>

#include <gtest/gtest.h>

#include "config_test_util.hh"

namespace halbd::config {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using namespace test_util;

const char* kVrrp = R"(
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority 100
    virtual_ipaddress { 192.0.2.100/24 }
}
vrrp_sync_group LB {
    group { VI_1 }
}
)";

LoadedConfig load(const std::string& block) { return LoadedConfig(std::string(kVrrp) + block, options({"eth0", "eth2"})); }

TEST(ConntrackSyncConfigTest, AbsentWithoutTheBlock) {
    LoadedConfig c(kVrrp, options({"eth0"}));
    ASSERT_TRUE(c.r.model) << c.all();
    EXPECT_FALSE(c.r.model->conntrack_sync);
    EXPECT_FALSE(c.has("conntrack_sync"));
}

TEST(ConntrackSyncConfigTest, DefaultsAreConntrackdsAndAWarningWithoutKey) {
    LoadedConfig c = load("conntrack_sync {\n interface eth2\n sync_group LB\n}\n");
    ASSERT_TRUE(c.r.model) << c.all();
    const ConntrackSync& s = *c.r.model->conntrack_sync;
    EXPECT_EQ(s.interface, "eth2");
    EXPECT_TRUE(s.peers.empty());
    EXPECT_EQ(s.mcast_group.to_string(), "225.0.0.50");
    EXPECT_EQ(s.port, 3780);
    EXPECT_EQ(s.sync_group, "LB");
    EXPECT_EQ(s.commit_budget, seconds(2));
    EXPECT_EQ(s.bulk_timeout, seconds(30));
    EXPECT_TRUE(c.has("t.conf:11:1: warning: conntrack_sync has no auth_key_file")) << c.all();
    EXPECT_TRUE(c.has("must be trusted"));
}

TEST(ConntrackSyncConfigTest, EveryKeywordFillsTheModel) {
    LoadedConfig c = load(R"(conntrack_sync {
    interface eth2
    peer 192.0.2.2
    peer 192.0.2.3
    mcast_group 225.0.0.51
    port 3781
    source_ip 192.0.2.1
    instance VI_1
    auth_key_file /etc/halbd/sync.key
    commit_budget 0.5
    bulk_timeout 10
    filter {
        address ignore 198.51.100.0/24 2001:db8::1
        port accept 80 443
        protocol accept TCP UDP 132
        zone ignore 7
        mark accept 0x10/0xf0 3
    }
}
)");
    ASSERT_TRUE(c.r.model) << c.all();
    const ConntrackSync& s = *c.r.model->conntrack_sync;
    ASSERT_EQ(s.peers.size(), 2u);
    EXPECT_EQ(s.peers[1].to_string(), "192.0.2.3");
    EXPECT_EQ(s.mcast_group.to_string(), "225.0.0.51");
    EXPECT_EQ(s.port, 3781);
    EXPECT_EQ(s.source_ip->to_string(), "192.0.2.1");
    EXPECT_EQ(s.instances, (std::vector<std::string>{"VI_1"}));
    EXPECT_EQ(s.auth_key_file, "/etc/halbd/sync.key");
    EXPECT_EQ(s.commit_budget, milliseconds(500));
    EXPECT_EQ(s.bulk_timeout, seconds(10));
    ASSERT_EQ(s.filters.size(), 5u);
    EXPECT_FALSE(s.filters[0].accept);
    EXPECT_EQ(s.filters[0].prefixes.size(), 2u);
    EXPECT_EQ(s.filters[1].values, (std::vector<uint32_t>{80, 443}));
    EXPECT_EQ(s.filters[2].values, (std::vector<uint32_t>{6, 17, 132}));
    EXPECT_EQ(s.filters[3].values, (std::vector<uint32_t>{7}));
    EXPECT_EQ(s.filters[4].marks[0], (std::pair<uint32_t, uint32_t>{0x10, 0xf0}));
    EXPECT_EQ(s.filters[4].marks[1], (std::pair<uint32_t, uint32_t>{3, 0xffffffff}));
    EXPECT_FALSE(c.has("must be trusted"));
    // The member of a group: following the group is suggested.
    EXPECT_TRUE(c.has("is in vrrp_sync_group 'LB'")) << c.all();

    // The dump loads again to the same dump.
    const std::string d = dump_text(*c.r.model);
    EXPECT_NE(d.find("conntrack_sync {"), std::string::npos) << d;
    EXPECT_NE(d.find("mark accept 0x10/0xf0 0x3/0xffffffff"), std::string::npos) << d;
    LoadedConfig again(d, options({"eth0", "eth2"}));
    ASSERT_TRUE(again.r.model) << again.all() << d;
    EXPECT_EQ(dump_text(*again.r.model), d);
}

TEST(ConntrackSyncConfigTest, ErrorsAtTheOffendingToken) {
    struct Case {
        const char* block;
        const char* message;
    } cases[] = {
        {"conntrack_sync {\n sync_group LB\n}\n", "t.conf:11:1: error: conntrack_sync needs 'interface NAME'"},
        {"conntrack_sync {\n interface eth2\n}\n", "t.conf:11:1: error: conntrack_sync needs 'sync_group NAME' or"},
        {"conntrack_sync {\n interface eth2\n sync_group NOPE\n}\n", "t.conf:13:13: error: conntrack_sync: no vrrp_sync_group 'NOPE'"},
        {"conntrack_sync {\n interface eth2\n instance VI_9\n}\n", "t.conf:13:11: error: conntrack_sync: no vrrp_instance 'VI_9'"},
        {"conntrack_sync {\n interface eth2\n instance VI_1\n sync_group LB\n}\n", "t.conf:14:2: error: conntrack_sync follows one"},
        {"conntrack_sync {\n interface eth2\n instance VI_1 VI_1\n}\n", "t.conf:13:16: error: instance 'VI_1' is listed twice"},
        {"conntrack_sync {\n interface eth2\n instance VI_1\n instance VI_2\n}\n", "t.conf:14:2: error: conntrack_sync follows one"},
        {"conntrack_sync {\n interface eth2\n instance VI_1 VI_8\n}\n", "t.conf:13:16: error: conntrack_sync: no vrrp_instance 'VI_8'"},
        {"conntrack_sync {\n interface eth2\n sync_group LB\n peer 224.0.0.1\n}\n", "t.conf:14:7: error: 'peer' needs a unicast address"},
        {"conntrack_sync {\n interface eth2\n sync_group LB\n mcast_group 192.0.2.1\n}\n", "t.conf:14:14: error: 'mcast_group' needs a multicast"},
        {"conntrack_sync {\n interface eth2\n sync_group LB\n port 0\n}\n", "t.conf:14:7: error:"},
        {"conntrack_sync {\n interface eth2\n sync_group LB\n peer 192.0.2.2\n peer 2001:db8::2\n}\n", "different address families"},
        {"conntrack_sync {\n interface eth2\n sync_group LB\n peer 192.0.2.2\n source_ip 2001:db8::1\n}\n", "is not of the peers'"},
        {"conntrack_sync {\n interface eth2\n sync_group LB\n commit_budget 0\n}\n", "t.conf:14:16: error:"},
        {"conntrack_sync {\n interface eth2\n sync_group LB\n filter {\n protocol accept FOO\n }\n}\n", "t.conf:15:18: error: unknown protocol 'FOO'"},
        {"conntrack_sync {\n interface eth2\n sync_group LB\n filter {\n mark accept 0xzz\n }\n}\n", "t.conf:15:14: error: bad mark"},
        {"conntrack_sync {\n interface eth2\n sync_group LB\n filter {\n port maybe 80\n }\n}\n", "t.conf:15:7: error:"},
        {"conntrack_sync {\n interface eth2\n sync_group LB\n filter {\n port accept 80\n port ignore 81\n }\n}\n", "t.conf:16:2: error: filter 'port' is already given at line 15"},
        {"conntrack_sync {\n interface eth2\n sync_group LB\n}\nconntrack_sync {\n interface eth2\n sync_group LB\n}\n", "t.conf:15:1: error: only one 'conntrack_sync' block"},
        {"conntrack_sync {\n interface eth2\n sync_group LB\n bogus 1\n}\n", "t.conf:14:2: error: unknown keyword 'bogus'"},
        {"conntrack_sync {\n interface eth2\n sync_group LB\n commit_mode sometimes\n}\n", "t.conf:14:14: error: 'commit_mode' is 'on_master' or 'always', got 'sometimes'"},
    };
    for (const Case& k : cases) {
        LoadedConfig c = load(k.block);
        EXPECT_FALSE(c.r.model) << k.block;
        EXPECT_TRUE(c.has(k.message)) << k.block << "\n--- got:\n" << c.all();
    }
}

// conntrackd's ExpectationSync on|off and its helper list.
TEST(ConntrackSyncConfigTest, ExpectationSync) {
    const std::string head = "conntrack_sync {\n interface eth2\n sync_group LB\n";
    LoadedConfig off = load(head + "}\n");
    ASSERT_TRUE(off.r.model) << off.all();
    EXPECT_FALSE(off.r.model->conntrack_sync->expectation_sync);
    for (const auto& [line, on, helpers] : std::vector<std::tuple<std::string, bool, std::vector<std::string>>>{
             {"expectation_sync on", true, {}},
             {"expectation_sync off", false, {}},
             {"expectation_sync ftp sip", true, {"ftp", "sip"}}}) {
        LoadedConfig c = load(head + " " + line + "\n}\n");
        ASSERT_TRUE(c.r.model) << c.all();
        EXPECT_EQ(c.r.model->conntrack_sync->expectation_sync, on) << line;
        EXPECT_EQ(c.r.model->conntrack_sync->expectation_helpers, helpers) << line;
        const std::string d = dump_text(*c.r.model);
        EXPECT_NE(d.find(line + "\n"), std::string::npos) << d;
        LoadedConfig again(d, options({"eth0", "eth2"}));
        ASSERT_TRUE(again.r.model) << again.all() << d;
        EXPECT_EQ(dump_text(*again.r.model), d);
    }
    LoadedConfig bad = load(head + " expectation_sync ftp on\n}\n");
    EXPECT_FALSE(bad.r.model);
    EXPECT_TRUE(bad.has("t.conf:14:23: error: 'expectation_sync' takes on, off or helper names")) << bad.all();
    LoadedConfig none = load(head + " expectation_sync\n}\n");
    EXPECT_FALSE(none.r.model) << none.all();
}

TEST(ConntrackSyncConfigTest, MissingInterfaceIsAWarning) {
    LoadedConfig c(std::string(kVrrp) + "conntrack_sync {\n interface eth9\n sync_group LB\n}\n", options({"eth0"}));
    ASSERT_TRUE(c.r.model) << c.all();
    EXPECT_TRUE(c.has("t.conf:12:12: warning: conntrack_sync interface 'eth9' does not exist (yet)")) << c.all();
}

// Active-active: one instance per bucket set, both followed.
TEST(ConntrackSyncConfigTest, SeveralInstancesForActiveActive) {
    const std::string vrrp = "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 1\n priority 200\n}\n"
                             "vrrp_instance VI_2 {\n interface eth0\n virtual_router_id 2\n priority 100\n}\n"
                             "vrrp_instance VI_3 {\n interface eth0\n virtual_router_id 3\n priority 100\n}\n"
                             "active_active WEB {\n interface eth0\n vip 192.0.2.100\n buckets 16\n"
                             " owner VI_1 0-7\n owner VI_2 8-15\n}\n";
    const std::string sync = "conntrack_sync {\n interface eth2\n peer 192.0.2.2\n auth_key_file /k\n instance ";
    LoadedConfig c(vrrp + sync + "VI_1 VI_2\n}\n", options({"eth0", "eth2"}));
    ASSERT_TRUE(c.r.model) << c.all();
    EXPECT_EQ(c.r.model->conntrack_sync->instances, (std::vector<std::string>{"VI_1", "VI_2"}));
    const std::string d = dump_text(*c.r.model);
    EXPECT_NE(d.find("instance VI_1 VI_2\n"), std::string::npos) << d;
    LoadedConfig again(d, options({"eth0", "eth2"}));
    ASSERT_TRUE(again.r.model) << again.all() << d;
    EXPECT_EQ(dump_text(*again.r.model), d);
    // An instance that owns no bucket would commit every connection of the peer.
    LoadedConfig bad(vrrp + sync + "VI_1 VI_3\n}\n", options({"eth0", "eth2"}));
    EXPECT_FALSE(bad.r.model);
    EXPECT_TRUE(bad.has("t.conf:27:16: error: conntrack_sync: instance 'VI_3' owns no bucket")) << bad.all();
    // commit_mode always (several active nodes behind ECMP): the instances
    // commit nothing on their MASTER entry, so they need no buckets.
    LoadedConfig ecmp(vrrp + sync + "VI_1 VI_3\n commit_mode always\n}\n", options({"eth0", "eth2"}));
    ASSERT_TRUE(ecmp.r.model) << ecmp.all();
    EXPECT_EQ(ecmp.r.model->conntrack_sync->commit_mode, ConntrackSync::CommitMode::Always);
    const std::string e = dump_text(*ecmp.r.model);
    EXPECT_NE(e.find("commit_mode always\n"), std::string::npos) << e;
    LoadedConfig ecmp_again(e, options({"eth0", "eth2"}));
    ASSERT_TRUE(ecmp_again.r.model) << ecmp_again.all() << e;
    EXPECT_EQ(dump_text(*ecmp_again.r.model), e);
}

// Several active NAT nodes behind ECMP: on_master is warned about.
TEST(ConntrackSyncConfigTest, RouteAnnounceWithNatWantsCommitModeAlways) {
    const std::string vs = "virtual_server 192.0.2.10 80 {\n protocol TCP\n lb_kind NAT\n"
                           " real_server 198.51.100.1 80 { }\n}\n"
                           "route_announce {\n announce 192.0.2.10 vip\n}\n";
    const std::string sync = "conntrack_sync {\n interface eth2\n sync_group LB\n auth_key_file /k\n";
    LoadedConfig warned(std::string(kVrrp) + vs + sync + "}\n", options({"eth0", "eth2"}));
    ASSERT_TRUE(warned.r.model) << warned.all();
    EXPECT_TRUE(warned.has("t.conf:19:1: warning: conntrack_sync with route_announce and NAT virtual servers")) << warned.all();
    LoadedConfig always(std::string(kVrrp) + vs + sync + " commit_mode always\n}\n", options({"eth0", "eth2"}));
    ASSERT_TRUE(always.r.model) << always.all();
    EXPECT_FALSE(always.has("route_announce and NAT")) << always.all();
}

}  // namespace
}  // namespace halbd::config
