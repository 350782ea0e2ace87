// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/accept_rules.cc: see accept_rules.hh. The layout follows what
// keepalived 2.2.7 installs (read with `nft list ruleset`): chains at
// `priority <nftables_priority>` with policy accept; IPv4 drops daddr/saddr
// in @vips; IPv6 first accepts neighbour solicitations and advertisements
// (RFC 5798 §6.4.3: the Master must still answer ND for the VIPs), sends
// fe80::/10 to the link-local chains, then drops @vips.
#include "vrrp/accept_rules.hh"

#include <map>
#include <tuple>

#include "core/log.hh"

namespace halbd::vrrp {

namespace {

const char* family_word(net::Family f) { return f == net::Family::V4 ? "ip" : "ip6"; }

std::string counter(const AcceptTableSettings& s) { return s.counters ? "counter " : ""; }

std::string element_lines(const char* verb, const AcceptTableSettings& s, const DropSet& addrs) {
    // set id ("ip keepalived vips") -> elements, in a stable order
    std::map<std::string, std::string> sets;
    for (const auto& a : addrs) {
        const net::Family f = a.address.family();
        std::string id = table_id(s, f) + (a.link_local() ? " vips_link_local" : " vips");
        std::string e = a.link_local() ? a.address.to_string() + " . \"" + a.dev + "\"" : a.address.to_string();
        std::string& list = sets[id];
        list += list.empty() ? e : ", " + e;
    }
    std::string out;
    for (const auto& [id, list] : sets) out += log::concat(verb, " element ", id, " { ", list, " }\n");
    return out;
}

}  // namespace

std::string table_id(const AcceptTableSettings& s, net::Family f) {
    if (s.iptables) return f == net::Family::V4 ? "ipset " + s.set4 : "ipsets " + s.set6 + " " + s.set_if6;
    return log::concat(family_word(f), ' ', s.table);
}

std::string table_text(const AcceptTableSettings& s, net::Family f) {
    if (!s.iptables) return "nftables table " + table_id(s, f);
    return log::concat(table_id(s, f), " (", f == net::Family::V4 ? "iptables " : "ip6tables ", s.in_chain,
                       s.out_chain.empty() ? "" : ", ", s.out_chain, ")");
}

std::string create_table(const AcceptTableSettings& s, net::Family f, const DropSet& addrs) {
    if (s.iptables) return iptables_create(s, f, addrs);
    const std::string t = table_id(s, f);
    auto base = [&](const char* name, const char* hook) {
        return log::concat("add chain ", t, ' ', name, " { type filter hook ", hook, " priority ", s.priority,
                           "; policy accept; }\n");
    };
    const std::string c = counter(s);
    std::string out = log::concat("add table ", t, "\ndelete table ", t, "\nadd table ", t, '\n');
    if (f == net::Family::V4) {
        out += log::concat("add set ", t, " vips { type ipv4_addr; }\n");
        out += base("in", "input") + base("out", "output");
        out += log::concat("add rule ", t, " in ip daddr @vips ", c, "drop\n");
        out += log::concat("add rule ", t, " out ip saddr @vips ", c, "drop\n");
    } else {
        out += log::concat("add set ", t, " vips { type ipv6_addr; }\n");
        out += log::concat("add set ", t,
                           " neighbor-discovery { type icmpv6_type; flags constant; "
                           "elements = { nd-neighbor-solicit, nd-neighbor-advert }; }\n");
        out += log::concat("add set ", t, " vips_link_local { type ipv6_addr . ",
                           s.ifname_sets ? "ifname" : "iface_index", "; }\n");
        out += base("in", "input") + base("out", "output");
        out += log::concat("add chain ", t, " in_link_local\nadd chain ", t, " out_link_local\n");
        for (const auto& [chain, dir, iface] : {std::tuple{"in", "daddr", "iif"}, std::tuple{"out", "saddr", "oif"}}) {
            out += log::concat("add rule ", t, ' ', chain, " icmpv6 type @neighbor-discovery ", c, "accept\n");
            out += log::concat("add rule ", t, ' ', chain, " ip6 ", dir, " fe80::/10 goto ", chain, "_link_local\n");
            out += log::concat("add rule ", t, ' ', chain, " ip6 ", dir, " @vips ", c, "drop\n");
            out += log::concat("add rule ", t, ' ', chain, "_link_local ip6 ", dir, " . ", iface,
                               s.ifname_sets ? "name" : "", " @vips_link_local ", c, "drop\n");
        }
    }
    DropSet mine;
    for (const auto& a : addrs)
        if (a.address.family() == f) mine.insert(a);
    return out + add_elements(s, mine);
}

std::string delete_table(const AcceptTableSettings& s, net::Family f) {
    if (s.iptables) return iptables_delete(s, f);
    const std::string t = table_id(s, f);
    return log::concat("add table ", t, "\ndelete table ", t, '\n');
}

std::string add_elements(const AcceptTableSettings& s, const DropSet& addrs) {
    return s.iptables ? iptables_elements("add", s, addrs) : element_lines("add", s, addrs);
}

std::string delete_elements(const AcceptTableSettings& s, const DropSet& addrs) {
    return s.iptables ? iptables_elements("del", s, addrs) : element_lines("delete", s, addrs);
}

}  // namespace halbd::vrrp
