// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// cluster/ruleset.cc: see ruleset.hh. Each check here was proven on the
// kernel (tests/netns/active-active.sh): without `meta pkttype set host` no
// TCP connection to the VIP completes, served locally or forwarded (DNAT);
// without the bucket drop both nodes answer the SYNs of the same clients
// and many of those connections are reset.
#include "cluster/ruleset.hh"

#include <cstdio>

#include "net/address_backend.hh"

namespace halbd::cluster {

namespace {

std::string hex(uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", v);
    return buf;
}

}  // namespace

std::string set_name(size_t i) { return "owned_" + std::to_string(i); }

std::string tables_batch(const std::vector<config::ActiveActive>& blocks) {
    const std::string ip = std::string("ip ") + kTable, arp = std::string("arp ") + kTable;
    std::string out = "add table " + ip + "\ndelete table " + ip + "\nadd table " + ip + "\n";
    out += "add table " + arp + "\ndelete table " + arp + "\nadd table " + arp + "\n";
    // Priority -300 (raw): before conntrack, so a foreign bucket's packets
    // leave no conntrack entry behind.
    out += "add chain " + ip + " prerouting { type filter hook prerouting priority -300; policy accept; }\n";
    out += "add chain " + arp + " output { type filter hook output priority 0; policy accept; }\n";
    for (size_t i = 0; i < blocks.size(); ++i) {
        const config::ActiveActive& c = blocks[i];
        if (!c.vip) continue;
        const std::string vip = c.vip->address.to_string();
        const std::string match = "iifname \"" + c.interface + "\" ip daddr " + vip;
        // typeof meta length: any 32-bit integer key matches jhash's output;
        // nft 1.0.6 crashes listing a set declared `typeof jhash ...`.
        out += "add set " + ip + " " + set_name(i) + " { typeof meta length; }\n";
        out += "add rule " + ip + " prerouting " + match + " jhash ip saddr mod " + std::to_string(c.buckets) +
               " seed " + hex(c.hash_seed.value_or(0)) + " != @" + set_name(i) + " counter drop\n";
        out += "add rule " + ip + " prerouting " + match + " meta pkttype multicast meta pkttype set host\n";
        out += "add rule " + arp + " output arp saddr ip " + vip + " arp saddr ether set " +
               net::to_string(config::cluster_mac(c.vip->address)) + "\n";
    }
    return out;
}

std::string delete_batch() {
    std::string out;
    for (const char* f : {"ip ", "arp "})
        out += std::string("add table ") + f + kTable + "\ndelete table " + f + kTable + "\n";
    return out;
}

std::string owned_batch(size_t i, const std::vector<uint32_t>& buckets) {
    const std::string set = std::string("ip ") + kTable + " " + set_name(i);
    std::string out = "flush set " + set + "\n";
    if (buckets.empty()) return out;
    std::string list;
    for (uint32_t b : buckets) list += (list.empty() ? "" : ", ") + std::to_string(b);
    return out + "add element " + set + " { " + list + " }\n";
}

}  // namespace halbd::cluster
