// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/iptables_rules.cc: no_accept's vrrp_iptables mode (accept_rules.hh),
// net::Iptables lines laid out as keepalived 2.2.7 does (vrrp_iptables.c,
// vrrp_ipset.c): set NAME hash:ip (IPv4), NAME6 hash:ip and NAME_if6
// hash:net,iface (IPv6 link-local, with the interface); rules appended to
// the configured chains: IPv4 `-m set --match-set NAME dst -j DROP` (output:
// src); IPv6 first accepts neighbour solicitations/advertisements to the set
// (RFC 5798 §6.4.3), then drops, for the if6 set and the plain one.
// `-w 5`: wait at most 5 s for the xtables lock (the loop waits for it).
#include <vector>

#include "core/log.hh"
#include "vrrp/accept_rules.hh"

namespace halbd::vrrp {

namespace {

// The rule specs (after -A/-D CHAIN) of one chain of a family.
std::vector<std::string> rules(const AcceptTableSettings& s, net::Family f, bool in) {
    if (f == net::Family::V4) return {log::concat("-m set --match-set ", s.set4, in ? " dst" : " src", " -j DROP")};
    std::vector<std::string> out;
    // if6: address,interface = dst,src (in: the incoming interface) / src,dst.
    for (const auto& [set, dims] : {std::pair{s.set_if6, in ? "dst,src" : "src,dst"}, std::pair{s.set6, in ? "dst" : "src"}}) {
        for (const char* nd : {"neighbour-solicitation", "neighbour-advertisement"})
            out.push_back(log::concat("-p ipv6-icmp --icmpv6-type ", nd, " -m set --match-set ", set, ' ', dims,
                                      " -j ACCEPT"));
        out.push_back(log::concat("-m set --match-set ", set, ' ', dims, " -j DROP"));
    }
    return out;
}

// `prefix` "-" for lines that may fail; op "-A" or "-D".
std::string rule_lines(const AcceptTableSettings& s, net::Family f, const char* prefix, const char* op) {
    const char* prog = f == net::Family::V4 ? "iptables" : "ip6tables";
    std::string out;
    for (const auto& [chain, in] : {std::pair{s.in_chain, true}, std::pair{s.out_chain, false}}) {
        if (chain.empty()) continue;
        for (const auto& r : rules(s, f, in)) out += log::concat(prefix, prog, " -w 5 ", op, ' ', chain, ' ', r, '\n');
    }
    return out;
}

std::vector<std::pair<std::string, const char*>> sets(const AcceptTableSettings& s, net::Family f) {
    if (f == net::Family::V4) return {{s.set4, "hash:ip family inet"}};
    return {{s.set6, "hash:ip family inet6"}, {s.set_if6, "hash:net,iface family inet6"}};
}

}  // namespace

std::string iptables_create(const AcceptTableSettings& s, net::Family f, const DropSet& addrs) {
    // What an earlier run left is removed first, so that rules are not doubled.
    std::string out = rule_lines(s, f, "-", "-D");
    for (const auto& [name, type] : sets(s, f))
        out += log::concat("ipset create ", name, ' ', type, " -exist\nipset flush ", name, '\n');
    out += rule_lines(s, f, "", "-A");
    DropSet mine;
    for (const auto& a : addrs)
        if (a.address.family() == f) mine.insert(a);
    return out + iptables_elements("add", s, mine);
}

std::string iptables_delete(const AcceptTableSettings& s, net::Family f) {
    std::string out = rule_lines(s, f, "-", "-D");
    for (const auto& [name, type] : sets(s, f)) out += log::concat("-ipset destroy ", name, '\n');
    return out;
}

std::string iptables_elements(const char* verb, const AcceptTableSettings& s, const DropSet& addrs) {
    std::string out;
    for (const auto& a : addrs) {
        if (a.address.is_v4()) out += log::concat("ipset ", verb, ' ', s.set4, ' ', a.address.to_string(), " -exist\n");
        else if (a.link_local())
            out += log::concat("ipset ", verb, ' ', s.set_if6, ' ', a.address.to_string(), ',', a.dev, " -exist\n");
        else out += log::concat("ipset ", verb, ' ', s.set6, ' ', a.address.to_string(), " -exist\n");
    }
    return out;
}

}  // namespace halbd::vrrp
