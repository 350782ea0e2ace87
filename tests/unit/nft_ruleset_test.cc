// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/nft_ruleset_test.cc: the exact nft(8) text the nftables backend
// sends for each scheduler, persistence, fwmark, IPv6, removal and change
// (each text was also run through nft 1.0.6 against a 6.x kernel).
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include "forward/nft/maglev.hh"
#include "forward/nft/ruleset.hh"

using namespace halbd::forward;
using namespace halbd::forward::nft;
using halbd::net::IpAddress;

namespace {

Service svc(const char* vip, uint16_t port, Protocol p, const char* sched,
            std::vector<std::pair<const char*, int>> dests, uint16_t dport = 80) {
    Service s;
    s.key.address = *IpAddress::parse(vip);
    s.key.family = s.key.address.family();
    s.key.port = port;
    s.key.protocol = p;
    s.params.scheduler = sched;
    s.params.netmask = s.key.family == halbd::net::Family::V6 ? 128 : 0xffffffff;
    for (auto [a, w] : dests) {
        DestParams dp;
        dp.weight = w;
        s.dests[DestKey{*IpAddress::parse(a), dport}] = dp;
    }
    return s;
}

Service persistent(Service s, uint32_t timeout, uint32_t netmask) {
    s.params.flags |= svc_flags::persistent;
    s.params.timeout = timeout;
    s.params.netmask = netmask;
    return s;
}

// Lines of `text` not starting with `skip` (the long Maglev element lines).
std::string without(const std::string& text, const std::string& skip) {
    std::string out, line;
    for (char c : text) {
        line += c;
        if (c != '\n') continue;
        if (line.rfind(skip, 0) != 0) out += line;
        line.clear();
    }
    return out;
}

}  // namespace

TEST(NftRuleset, Names) {
    EXPECT_EQ(chain_name(svc("192.0.2.10", 80, Protocol::TCP, "rr", {}).key), "tcp_192_0_2_10_80");
    EXPECT_EQ(chain_name(svc("2001:db8::10", 53, Protocol::UDP, "rr", {}).key), "udp_2001_db8__10_53");
    EXPECT_EQ(chain_name(ServiceKey::fwmark_key(halbd::net::Family::V6, 7)), "fwm_7");
    EXPECT_EQ(persist_chain_name(svc("192.0.2.10", 80, Protocol::SCTP, "rr", {}).key), "persist_sctp_192_0_2_10");
    EXPECT_EQ(persist_chain_name(ServiceKey::fwmark_key(halbd::net::Family::V4, 3)), "persist_fwm_3");
}

TEST(NftRuleset, SeedDependsOnTheServiceOnly) {
    const auto a = svc("192.0.2.10", 80, Protocol::TCP, "sh", {});
    EXPECT_EQ(hash_seed(a.key), hash_seed(svc("192.0.2.10", 80, Protocol::TCP, "mh", {{"198.51.100.1", 1}}).key));
    EXPECT_NE(hash_seed(a.key), hash_seed(svc("192.0.2.10", 81, Protocol::TCP, "sh", {}).key));
}

TEST(NftRuleset, TableCreateReplacesAndDeclaresDispatch) {
    EXPECT_EQ(table_create(halbd::net::Family::V4),
              "add table ip halbd\n"
              "delete table ip halbd\n"
              "add table ip halbd\n"
              "add map ip halbd services { type inet_proto . ipv4_addr . inet_service : verdict; }\n"
              "add map ip halbd fwmarks { type mark : verdict; }\n"
              "add map ip halbd persist_vips { type inet_proto . ipv4_addr : verdict; }\n"
              "add map ip halbd persist_fwmarks { type mark : verdict; }\n"
              "add chain ip halbd prerouting { type nat hook prerouting priority dstnat; policy accept; }\n"
              "add rule ip halbd prerouting meta l4proto . ip daddr . th dport vmap @services\n"
              "add rule ip halbd prerouting meta mark vmap @fwmarks\n"
              "add chain ip halbd persist { type filter hook prerouting priority dstnat + 10; policy accept; }\n"
              "add rule ip halbd persist ct state new ct status dnat meta l4proto . ct original ip daddr vmap "
              "@persist_vips\n"
              "add rule ip halbd persist ct state new ct status dnat meta mark vmap @persist_fwmarks\n");
    EXPECT_EQ(table_delete(halbd::net::Family::V6), "add table ip6 halbd\ndelete table ip6 halbd\n");
}

TEST(NftRuleset, RoundRobin) {
    auto s = svc("192.0.2.10", 80, Protocol::TCP, "rr", {{"198.51.100.1", 1}, {"198.51.100.2", 5}, {"198.51.100.3", 0}});
    EXPECT_EQ(service_add(s).text(),
              "add chain ip halbd tcp_192_0_2_10_80 { comment \"virtual_server 192.0.2.10 80 TCP\"; }\n"
              "add rule ip halbd tcp_192_0_2_10_80 meta l4proto tcp dnat ip to ip daddr . tcp dport . numgen inc mod 2 "
              "map @tcp_slots_176\n"
              "add rule ip halbd tcp_192_0_2_10_80 drop\n"
              "add element ip halbd services { tcp . 192.0.2.10 . 80 : goto tcp_192_0_2_10_80 }\n"
              "add element ip halbd tcp_slots_176 { 192.0.2.10 . 80 . 0 : 198.51.100.1 . 80, 192.0.2.10 . 80 . 1 : "
              "198.51.100.2 . 80 }\n");
    EXPECT_EQ(slot_map(s), "tcp_slots_" + std::to_string(hash_seed(s.key) % kSlotMapBuckets));
    EXPECT_EQ(slot_map_add(s),
              "add map ip halbd tcp_slots_176 { typeof ip daddr . tcp dport . numgen inc mod 2 : ip daddr . tcp dport; "
              "}\n");
}

TEST(NftRuleset, WeightedRoundRobinInterleaves) {
    auto s = svc("192.0.2.10", 53, Protocol::UDP, "wrr", {{"198.51.100.1", 3}, {"198.51.100.2", 1}}, 5353);
    EXPECT_EQ(service_add(s).text(),
              "add chain ip halbd udp_192_0_2_10_53 { comment \"virtual_server 192.0.2.10 53 UDP\"; }\n"
              "add rule ip halbd udp_192_0_2_10_53 meta l4proto udp dnat ip to ip daddr . udp dport . numgen inc mod 4 "
              "map @udp_slots_18\n"
              "add rule ip halbd udp_192_0_2_10_53 drop\n"
              "add element ip halbd services { udp . 192.0.2.10 . 53 : goto udp_192_0_2_10_53 }\n"
              "add element ip halbd udp_slots_18 { 192.0.2.10 . 53 . 0 : 198.51.100.1 . 5353, 192.0.2.10 . 53 . 1 : "
              "198.51.100.1 . 5353, 192.0.2.10 . 53 . 2 : 198.51.100.2 . 5353, 192.0.2.10 . 53 . 3 : 198.51.100.1 . "
              "5353 }\n");
}

TEST(NftRuleset, SourceHashWithPortAndPersistence) {
    auto s = persistent(svc("192.0.2.10", 443, Protocol::TCP, "sh", {{"198.51.100.1", 1}, {"198.51.100.2", 2}}), 300,
                        htonl(0xffffff00));
    s.params.flags |= svc_flags::sched2;  // sh-port
    const std::string seed = std::to_string(hash_seed(s.key));
    const std::string text = service_add(s).text();
    EXPECT_EQ(without(text, "add element ip halbd tcp_slots_168"),
              "add chain ip halbd tcp_192_0_2_10_443 { comment \"virtual_server 192.0.2.10 443 TCP\"; }\n"
              "add map ip halbd tcp_192_0_2_10_443_sticky { typeof ip saddr : ip daddr . tcp dport; flags "
              "dynamic,timeout; timeout 300s; }\n"
              "add rule ip halbd tcp_192_0_2_10_443 meta l4proto tcp dnat ip to ip saddr & 255.255.255.0 map "
              "@tcp_192_0_2_10_443_sticky\n"
              "add rule ip halbd tcp_192_0_2_10_443 meta l4proto tcp dnat ip to ip daddr . tcp dport . jhash ip saddr "
              ". th sport mod 4093 seed " +
                  seed + " map @tcp_slots_168\n"
                         "add rule ip halbd tcp_192_0_2_10_443 drop\n"
                         "add element ip halbd services { tcp . 192.0.2.10 . 443 : goto tcp_192_0_2_10_443 }\n");
    // The slots are the Maglev table, one element per slot.
    const auto layout = slot_layout(s);
    ASSERT_EQ(layout.size(), kMaglevSize);
    EXPECT_NE(text.find("192.0.2.10 . 443 . 4092 : " + layout.back().address.to_string() + " . 80 }\n"),
              std::string::npos);
}

TEST(NftRuleset, DestinationHashAndIpv6Persistence) {
    auto d = svc("192.0.2.11", 9, Protocol::SCTP, "dh", {{"198.51.100.1", 1}});
    EXPECT_NE(service_add(d).text().find("add rule ip halbd sctp_192_0_2_11_9 meta l4proto sctp dnat ip to ip daddr . "
                                         "sctp dport . jhash ip daddr mod 4093 seed " +
                                         std::to_string(hash_seed(d.key)) + " map @" + slot_map(d) + "\n"),
              std::string::npos);
    auto s = persistent(svc("2001:db8::10", 53, Protocol::UDP, "mh", {{"2001:db8:1::1", 1}}, 53), 60, 64);
    const std::string text = service_add(s).text();
    EXPECT_NE(text.find("add map ip6 halbd udp_2001_db8__10_53_sticky { typeof ip6 saddr : ip6 daddr; flags "
                        "dynamic,timeout; timeout 60s; }\n"),
              std::string::npos);
    EXPECT_NE(text.find("add rule ip6 halbd udp_2001_db8__10_53 meta l4proto udp dnat ip6 to ip6 saddr & "
                        "ffff:ffff:ffff:ffff:: map @udp_2001_db8__10_53_sticky : 53\n"),
              std::string::npos);
    const PersistUpdate u = persist_group(s.key, false, {&s});
    EXPECT_EQ(u.before, "");
    EXPECT_EQ(u.after,
              "add chain ip6 halbd persist_udp_2001_db8__10\n"
              "add rule ip6 halbd persist_udp_2001_db8__10 meta l4proto udp ct original proto-dst 53 update "
              "@udp_2001_db8__10_53_sticky { ip6 saddr & ffff:ffff:ffff:ffff:: timeout 60s : ip6 daddr }\n"
              "add element ip6 halbd persist_vips { udp . 2001:db8::10 : goto persist_udp_2001_db8__10 }\n");
}

TEST(NftRuleset, FwmarkKeepsThePortWhenServersHaveNone) {
    Service s;
    s.key = ServiceKey::fwmark_key(halbd::net::Family::V4, 3);
    s.params.scheduler = "rr";
    s.dests[DestKey{*IpAddress::parse("198.51.100.1"), 0}] = DestParams{};
    EXPECT_EQ(service_add(s).text(),
              "add chain ip halbd fwm_3 { comment \"virtual_server fwmark 3\"; }\n"
              "add rule ip halbd fwm_3 dnat ip to meta mark . numgen inc mod 1 map @fwmark_slots_24\n"
              "add rule ip halbd fwm_3 drop\n"
              "add element ip halbd fwmarks { 3 : goto fwm_3 }\n"
              "add element ip halbd fwmark_slots_24 { 3 . 0 : 198.51.100.1 }\n");
    EXPECT_EQ(slot_map_add(s), "add map ip halbd fwmark_slots_24 { typeof meta mark . numgen inc mod 2 : ip daddr; }\n");
    s.dests.clear();
    s.dests[DestKey{*IpAddress::parse("198.51.100.1"), 8080}] = DestParams{};
    // Real servers with ports: the service's own maps, made with its rules.
    EXPECT_EQ(service_add(s).text(),
              "add chain ip halbd fwm_3 { comment \"virtual_server fwmark 3\"; }\n"
              "add map ip halbd fwm_3_slots { typeof numgen inc mod 2 : ip daddr . th dport; }\n"
              "add rule ip halbd fwm_3 meta l4proto { tcp, udp, sctp } dnat ip to numgen inc mod 1 map @fwm_3_slots\n"
              "add rule ip halbd fwm_3 drop\n"
              "add element ip halbd fwmarks { 3 : goto fwm_3 }\n"
              "add element ip halbd fwm_3_slots { 0 : 198.51.100.1 . 8080 }\n");
    EXPECT_FALSE(shares_slot_map(s));
}

TEST(NftRuleset, DeleteRemovesEverythingItAdded) {
    auto s = persistent(svc("192.0.2.10", 80, Protocol::TCP, "rr", {{"198.51.100.1", 1}}), 30, 0xffffffff);
    EXPECT_EQ(service_delete(s).text(),
              "delete element ip halbd services { tcp . 192.0.2.10 . 80 }\n"
              "flush chain ip halbd tcp_192_0_2_10_80\n"
              "delete chain ip halbd tcp_192_0_2_10_80\n"
              "delete element ip halbd tcp_slots_176 { 192.0.2.10 . 80 . 0 }\n"
              "delete map ip halbd tcp_192_0_2_10_80_sticky\n");
    const PersistUpdate gone = persist_group(s.key, true, {});
    EXPECT_EQ(gone.before,
              "flush chain ip halbd persist_tcp_192_0_2_10\n"
              "delete element ip halbd persist_vips { tcp . 192.0.2.10 }\n"
              "delete chain ip halbd persist_tcp_192_0_2_10\n");
    EXPECT_EQ(gone.after, "");
}

TEST(NftRuleset, ReplaceKeepsStickyClientsUnlessTheirServerLeft) {
    auto before = persistent(svc("192.0.2.10", 80, Protocol::TCP, "rr", {{"198.51.100.1", 1}, {"198.51.100.2", 1}}),
                             30, 0xffffffff);
    auto added = before;
    added.dests[DestKey{*IpAddress::parse("198.51.100.3"), 80}] = DestParams{};
    EXPECT_EQ(service_replace(before, added).text(),
              "flush chain ip halbd tcp_192_0_2_10_80\n"
              "add rule ip halbd tcp_192_0_2_10_80 meta l4proto tcp dnat ip to ip saddr map @tcp_192_0_2_10_80_sticky\n"
              "add rule ip halbd tcp_192_0_2_10_80 meta l4proto tcp dnat ip to ip daddr . tcp dport . numgen inc mod 3 "
              "map @tcp_slots_176\n"
              "add rule ip halbd tcp_192_0_2_10_80 drop\n"
              "add element ip halbd tcp_slots_176 { 192.0.2.10 . 80 . 2 : 198.51.100.3 . 80 }\n");
    // Only the slot whose server changed is sent; the rules stay.
    auto moved = before;
    moved.dests.erase(moved.dests.begin());
    moved.dests[DestKey{*IpAddress::parse("198.51.100.4"), 80}] = DestParams{};
    EXPECT_EQ(service_replace(before, moved).text(),
              "flush map ip halbd tcp_192_0_2_10_80_sticky\n"
              "delete element ip halbd tcp_slots_176 { 192.0.2.10 . 80 . 0, 192.0.2.10 . 80 . 1 }\n"
              "add element ip halbd tcp_slots_176 { 192.0.2.10 . 80 . 0 : 198.51.100.2 . 80, 192.0.2.10 . 80 . 1 : "
              "198.51.100.4 . 80 }\n");
    auto inhibited = before;
    inhibited.dests.begin()->second.weight = 0;  // inhibit_on_failure
    EXPECT_NE(service_replace(before, inhibited).text().find("flush map ip halbd tcp_192_0_2_10_80_sticky\n"),
              std::string::npos);
    auto longer = before;
    longer.params.timeout = 60;  // a new timeout is a new map
    const std::string t = service_replace(before, longer).text();
    EXPECT_NE(t.find("delete map ip halbd tcp_192_0_2_10_80_sticky\nadd map ip halbd tcp_192_0_2_10_80_sticky"),
              std::string::npos);
}

TEST(NftRuleset, EmptyServiceDrops) {
    auto s = svc("192.0.2.12", 80, Protocol::TCP, "mh", {{"198.51.100.1", 0}});
    EXPECT_TRUE(slot_layout(s).empty());
    EXPECT_EQ(without(service_add(s).text(), "add element"),
              "add chain ip halbd tcp_192_0_2_12_80 { comment \"virtual_server 192.0.2.12 80 TCP\"; }\n"
              "add rule ip halbd tcp_192_0_2_12_80 drop\n");
}
