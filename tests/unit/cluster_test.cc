// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/cluster_test.cc: active_active (seed 004). The block's keywords,
// errors at the offending token and the dump round trip (config/
// section_cluster.cc); the nft commands (cluster/ruleset); and
// ClusterSubsystem over FakeNftables and a StateHub: the owned set follows
// the instances' MASTER state, a reload without change touches nothing,
// stop removes the tables, the VIP and the MAC join.
#include <gtest/gtest.h>

#include "cluster/buckets.hh"
#include "cluster/ruleset.hh"
#include "cluster/subsystem.hh"
#include "config_test_util.hh"
#include "core/log.hh"
#include "support/fake_net.hh"
#include "support/fake_nftables.hh"
#include "support/sim_loop.hh"
#include "vrrp/state_hub.hh"

namespace halbd::cluster {
namespace {

using config::test_util::LoadedConfig;
using config::test_util::options;
using Set = std::set<std::string>;

const char* kVrrp = R"(
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 1
    priority 250
}
vrrp_instance VI_2 {
    interface eth0
    virtual_router_id 2
    priority 150
}
)";

LoadedConfig load(const std::string& block) { return LoadedConfig(std::string(kVrrp) + block, options({"eth0"})); }

const char* kBlock = "active_active WEB {\n interface eth0\n vip 198.51.100.10\n buckets 8\n"
                     " owner VI_1 0-3\n owner VI_2 4 5-7\n}\n";

TEST(ActiveActiveConfig, KeywordsFillTheModelAndTheSeedIsDerived) {
    LoadedConfig c = load(kBlock);
    ASSERT_TRUE(c.r.model) << c.all();
    ASSERT_EQ(c.r.model->active_active.size(), 1u);
    const config::ActiveActive& a = c.r.model->active_active[0];
    EXPECT_EQ(a.name, "WEB");
    EXPECT_EQ(a.interface, "eth0");
    EXPECT_EQ(a.vip->to_string(), "198.51.100.10/32");
    EXPECT_EQ(a.buckets, 8u);
    ASSERT_EQ(a.owners.size(), 2u);
    EXPECT_EQ(a.owners[1].buckets, (std::vector<uint32_t>{4, 5, 6, 7}));
    ASSERT_TRUE(a.hash_seed);
    EXPECT_EQ(*a.hash_seed, config::derived_seed("WEB", *a.vip));
    EXPECT_EQ(net::to_string(config::cluster_mac(a.vip->address)), "01:00:5e:33:64:0a");
}

TEST(ActiveActiveConfig, DumpLoadsAgainToTheSameDump) {
    LoadedConfig c = load(kBlock);
    ASSERT_TRUE(c.r.model) << c.all();
    const std::string d = config::test_util::dump_text(*c.r.model);
    EXPECT_NE(d.find("active_active WEB {"), std::string::npos) << d;
    EXPECT_NE(d.find("owner VI_2 4-7"), std::string::npos) << d;
    EXPECT_NE(d.find("hash_seed " + std::to_string(*c.r.model->active_active[0].hash_seed)), std::string::npos);
    LoadedConfig again(d, options({"eth0"}));
    ASSERT_TRUE(again.r.model) << again.all();
    EXPECT_EQ(config::test_util::dump_text(*again.r.model), d);
}

TEST(ActiveActiveConfig, RefusesWhatCannotWorkAtTheToken) {
    struct Case {
        std::string block, error;
    };
    const Case cases[] = {
        {"active_active A {\n interface eth0\n vip 198.51.100.10\n buckets 4\n owner VI_1 0-2\n}\n",
         "t.conf:12:1: error: active_active 'A': bucket 3 has no instance"},
        {"active_active A {\n interface eth0\n vip 198.51.100.10\n buckets 4\n owner VI_1 0-2\n owner VI_2 2-3\n}\n",
         "t.conf:17:8: error: active_active 'A': bucket 2 is already owned by instance 'VI_1'"},
        {"active_active A {\n interface eth0\n vip 198.51.100.10\n buckets 4\n owner VI_1 0-1\n owner VI_9 2-3\n}\n",
         "t.conf:17:8: error: active_active 'A': no vrrp_instance 'VI_9'"},
        {"active_active A {\n interface eth0\n vip 198.51.100.10\n buckets 4\n owner VI_1 0-4\n}\n",
         "bucket 4 is out of range (buckets 4: 0-3)"},
        {"active_active A {\n interface eth0\n vip 2001:db8::1\n owner VI_1 0-15\n}\n",
         "t.conf:14:6: error: 'vip' needs a unicast IPv4 address"},
        {"active_active A {\n interface eth0\n vip 198.51.100.10\n owner VI_1 3-1\n}\n",
         "t.conf:15:13: error: bad bucket '3-1'"},
        {"active_active A {\n interface eth0\n owner VI_1 0-15\n}\n", "needs 'vip ADDRESS'"},
        {"active_active A {\n vip 198.51.100.10\n owner VI_1 0-15\n}\n", "needs 'interface NAME'"},
        {"active_active A {\n interface eth0\n vip 198.51.100.10\n}\n", "needs 'owner INSTANCE BUCKETS...'"},
        {"active_active A {\n interface eth0\n vip 198.51.100.10\n buckets 1\n owner VI_1 0\n}\n",
         "t.conf:15:10: error:"},
        {"active_active A {\n interface eth0\n vip 198.51.100.10\n buckets 4\n owner VI_1 0-1\n owner VI_1 2-3\n}\n",
         "t.conf:17:8: error: owner 'VI_1' is already given at line 16"},
        {std::string(kBlock) + kBlock, "active_active 'WEB' is already defined"},
    };
    for (const Case& k : cases) {
        LoadedConfig c = load(k.block);
        EXPECT_FALSE(c.r.model) << k.block;
        EXPECT_TRUE(c.has(k.error)) << k.block << "\n--\n" << c.all();
    }
}

TEST(ActiveActiveConfig, TheVipMustNotBeAnInstanceAddress) {
    LoadedConfig c(std::string("vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 1\n"
                               " virtual_ipaddress {\n  198.51.100.10/24\n }\n}\n") +
                       "active_active A {\n interface eth0\n vip 198.51.100.10\n buckets 2\n owner VI_1 0-1\n}\n",
                   options({"eth0"}));
    EXPECT_FALSE(c.r.model);
    EXPECT_TRUE(c.has("is also a virtual_ipaddress of vrrp_instance 'VI_1'")) << c.all();
}

TEST(ActiveActiveRuleset, DropsForeignBucketsBeforeConntrackAndRewritesArp) {
    LoadedConfig c = load(kBlock);
    ASSERT_TRUE(c.r.model) << c.all();
    net::FakeNftables nft;
    ASSERT_TRUE(nft.run(tables_batch(c.r.model->active_active)));
    const auto& a = c.r.model->active_active[0];
    char seed[16];
    std::snprintf(seed, sizeof seed, "0x%08x", *a.hash_seed);
    EXPECT_NE(nft.chain("ip halbd_cluster", "prerouting").find("priority -300"), std::string::npos);
    EXPECT_EQ(nft.rules("ip halbd_cluster", "prerouting"),
              (std::vector<std::string>{
                  "iifname \"eth0\" ip daddr 198.51.100.10 jhash ip saddr mod 8 seed " + std::string(seed) +
                      " != @owned_0 counter drop",
                  "iifname \"eth0\" ip daddr 198.51.100.10 meta pkttype multicast meta pkttype set host"}));
    EXPECT_EQ(nft.rules("arp halbd_cluster", "output"),
              (std::vector<std::string>{"arp saddr ip 198.51.100.10 arp saddr ether set 01:00:5e:33:64:0a"}));
    EXPECT_EQ(owned_batch(0, {1, 2}), "flush set ip halbd_cluster owned_0\nadd element ip halbd_cluster owned_0 { 1, 2 }\n");
    EXPECT_EQ(owned_batch(0, {}), "flush set ip halbd_cluster owned_0\n");
    ASSERT_TRUE(nft.run(delete_batch()));
    EXPECT_EQ(nft.table_count(), 0u);
}

struct FakeMulticast final : net::LinkMulticast {
    std::vector<std::string> journal;
    core::Status join(const std::string& i, const net::MacAddress& m) override {
        journal.push_back("join " + i + " " + net::to_string(m));
        return core::Ok{};
    }
    core::Status leave(const std::string& i, const net::MacAddress& m) override {
        journal.push_back("leave " + i + " " + net::to_string(m));
        return core::Ok{};
    }
};

struct MacAnnouncer final : net::Announcer {
    std::vector<std::string> journal;
    core::Status garp(const net::LinkInfo& l, const net::IpAddress& vip) override {
        journal.push_back(vip.to_string() + " " + l.name + " " + net::to_string(l.mac));
        return core::Ok{};
    }
    core::Status unsolicited_na(const net::LinkInfo&, const net::IpAddress&) override { return core::Ok{}; }
};

struct ClusterSubsystemTest : ::testing::Test {
    core::SimLoop loop;
    vrrp::StateHub hub{loop};
    net::FakeNftables nft;
    net::FakeAddressBackend addrs;
    MacAnnouncer announcer;
    FakeMulticast multicast;
    log::ScopedCapture cap{log::Level::debug};
    ClusterSubsystem sub{hub, ClusterKernel{nft, addrs, announcer, multicast}};
    LoadedConfig conf = load(kBlock);

    ClusterSubsystemTest() { addrs.add_link("eth0", net::Prefix::parse("198.51.100.1/24")); }
    void state(const std::string& name, vrrp::State from, vrrp::State to) {
        vrrp::StateEvent e;
        e.name = name;
        e.from = from;
        e.to = to;
        hub.publish(e);
    }
    Set owned() const { return nft.elements("ip halbd_cluster", "owned_0"); }
};

TEST_F(ClusterSubsystemTest, OwnsTheBucketsOfItsMasterInstances) {
    ASSERT_TRUE(conf.r.model) << conf.all();
    sub.apply(nullptr, *conf.r.model);
    EXPECT_TRUE(owned().empty());  // nobody MASTER yet: every bucket dropped
    EXPECT_EQ(multicast.journal, (std::vector<std::string>{"join eth0 01:00:5e:33:64:0a"}));
    EXPECT_NE(std::find(addrs.journal().begin(), addrs.journal().end(), "add 198.51.100.10/32 eth0"),
              addrs.journal().end())
        << ::testing::PrintToString(addrs.journal());
    ASSERT_EQ(announcer.journal.size(), 1u);
    EXPECT_EQ(announcer.journal[0], "198.51.100.10 eth0 01:00:5e:33:64:0a");
    state("VI_1", vrrp::State::Backup, vrrp::State::Master);
    state("VI_2", vrrp::State::Initialize, vrrp::State::Backup);
    EXPECT_EQ(owned(), (Set{"0", "1", "2", "3"}));
    EXPECT_EQ(sub.owned("WEB"), (std::vector<uint32_t>{0, 1, 2, 3}));
    EXPECT_TRUE(cap.contains("active_active WEB: owns buckets 0-3 of 8 (was none; VI_1 MASTER)"));
    // The peer dies: VI_2 comes here too.
    state("VI_2", vrrp::State::Backup, vrrp::State::Master);
    EXPECT_EQ(owned().size(), 8u);
    EXPECT_EQ(announcer.journal.size(), 3u);  // start, and each gain
    // Preemption gives VI_2 back.
    state("VI_2", vrrp::State::Master, vrrp::State::Backup);
    EXPECT_EQ(owned(), (Set{"0", "1", "2", "3"}));
    EXPECT_EQ(announcer.journal.size(), 3u);
    state("VI_1", vrrp::State::Master, vrrp::State::Fault);
    EXPECT_TRUE(owned().empty());
}

TEST_F(ClusterSubsystemTest, ReloadWithoutChangeTouchesNothingAndStopCleansUp) {
    ASSERT_TRUE(conf.r.model) << conf.all();
    sub.apply(nullptr, *conf.r.model);
    state("VI_1", vrrp::State::Backup, vrrp::State::Master);
    const size_t batches = nft.journal().size();
    LoadedConfig again = load(kBlock);
    sub.apply(conf.r.model.get(), *again.r.model);
    EXPECT_EQ(nft.journal().size(), batches);
    // A changed block is rebuilt and keeps the ownership its instances give.
    LoadedConfig wider = load("active_active WEB {\n interface eth0\n vip 198.51.100.10\n buckets 4\n"
                              " owner VI_1 0-1\n owner VI_2 2-3\n}\n");
    ASSERT_TRUE(wider.r.model) << wider.all();
    sub.apply(again.r.model.get(), *wider.r.model);
    EXPECT_EQ(owned(), (Set{"0", "1"}));
    sub.stop({});
    EXPECT_EQ(nft.table_count(), 0u);
    EXPECT_EQ(multicast.journal.back(), "leave eth0 01:00:5e:33:64:0a");
    EXPECT_NE(std::find(addrs.journal().begin(), addrs.journal().end(), "remove 198.51.100.10/32 eth0"),
              addrs.journal().end())
        << ::testing::PrintToString(addrs.journal());
}

TEST_F(ClusterSubsystemTest, ARefusedTransactionIsLoggedAndNothingIsClaimed) {
    ASSERT_TRUE(conf.r.model) << conf.all();
    sub.apply(nullptr, *conf.r.model);
    nft.fail_next("Operation not permitted");
    state("VI_1", vrrp::State::Backup, vrrp::State::Master);
    EXPECT_TRUE(sub.owned("WEB").empty());
    EXPECT_TRUE(cap.contains("cannot set the owned buckets to 0-3"));
}

// The kernel's own buckets (nft `ct mark set jhash ip saddr mod 16 seed
// 0x1234` on 203.0.113.1-20, read back with conntrack -L).
TEST(ClusterBuckets, BucketOfIsTheKernelsJhash) {
    const uint32_t kernel[] = {10, 6, 4, 2, 10, 0, 2, 10, 3, 10, 0, 3, 7, 13, 8, 5, 10, 14, 5, 4};
    for (uint8_t i = 1; i <= 20; ++i)
        EXPECT_EQ(bucket_of({203, 0, 113, i}, 0x1234, 16), kernel[i - 1]) << "203.0.113." << int(i);
}

TEST(ClusterBuckets, CommitScopeTakesTheInstancesBucketsOfTheVipOnly) {
    LoadedConfig c = load(kBlock);
    ASSERT_TRUE(c.r.model) << c.all();
    const auto& blocks = c.r.model->active_active;
    const uint32_t seed = *blocks[0].hash_seed;
    const CommitScope vi1(blocks, {"VI_1"}), both(blocks, {"VI_1", "VI_2"}), none(blocks, {"VI_9"});
    const std::array<uint8_t, 4> vip{198, 51, 100, 10}, other{198, 51, 100, 11};
    int mine = 0;
    for (uint8_t i = 1; i <= 100; ++i) {
        const std::array<uint8_t, 4> client{203, 0, 113, i};
        const bool low = bucket_of(client, seed, 8) < 4;
        mine += low;
        EXPECT_EQ(vi1.commits(client, vip), low);
        EXPECT_TRUE(both.commits(client, vip));
        EXPECT_FALSE(none.commits(client, vip));
        EXPECT_TRUE(none.commits(client, other));  // not an active_active VIP: as without it
    }
    EXPECT_GT(mine, 20);
    EXPECT_LT(mine, 80);
}

}  // namespace
}  // namespace halbd::cluster
