// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/accept_rules.hh: the nft commands behind no_accept mode, as pure
// functions (no I/O): the drop tables keepalived installs (one `ip` and one
// `ip6` table, base chains `in`/`out` hooked at input/output, set `vips`, and
// for IPv6 link-local VIPs a set keyed by address and interface) and the
// element changes that follow instance states. Used by vrrp/accept_filter.
#pragma once

#include <compare>
#include <cstdint>
#include <set>
#include <string>

#include "net/address.hh"

namespace halbd::vrrp {

// global_defs nftables, nftables_priority, nftables_counters, nftables_ifindex.
struct AcceptTableSettings {
    std::string table = "keepalived";
    int32_t priority = -1;
    bool counters = false;
    bool ifname_sets = false;  // link-local set keyed by interface name instead of index
    // vrrp_iptables: ipsets (these names) and iptables rules in these chains
    // (out_chain empty: none) instead of nftables tables (iptables_rules.cc).
    bool iptables = false;
    std::string in_chain, out_chain;
    std::string set4 = "keepalived", set6 = "keepalived6", set_if6 = "keepalived_if6";
    friend bool operator==(const AcceptTableSettings&, const AcceptTableSettings&) = default;
};

// An address whose packets are dropped; dev matters for an IPv6 link-local one.
struct DroppedAddress {
    net::IpAddress address;
    std::string dev;
    bool link_local() const { return address.is_v6() && address.is_link_local(); }
    std::string to_string() const { return link_local() ? address.to_string() + "%" + dev : address.to_string(); }
    friend auto operator<=>(const DroppedAddress&, const DroppedAddress&) = default;
    friend bool operator==(const DroppedAddress&, const DroppedAddress&) = default;
};
using DropSet = std::set<DroppedAddress>;

// "ip keepalived" / "ip6 keepalived" (iptables: "ipset keepalived" /
// "ipsets keepalived6 keepalived_if6").
std::string table_id(const AcceptTableSettings& s, net::Family f);
// For the log: "nftables table ip keepalived", "ipset keepalived (iptables INPUT, OUTPUT)".
std::string table_text(const AcceptTableSettings& s, net::Family f);

// With s.iptables the four below return net::Iptables lines instead of nft
// commands (the same layout as keepalived 2.2.7's vrrp_iptables.c: its
// sets, types and rules):

// Creates the family's table, replacing one left by an earlier run: in one
// transaction it is added, deleted and added again with its sets, chains and
// rules, and filled with `addrs` (only those of the family are used).
std::string create_table(const AcceptTableSettings& s, net::Family f, const DropSet& addrs);
// Deletes the family's table; "add" first, so that a table already gone is no error.
std::string delete_table(const AcceptTableSettings& s, net::Family f);
// "add element ..." / "delete element ..." lines for addrs, one per set.
std::string add_elements(const AcceptTableSettings& s, const DropSet& addrs);
std::string delete_elements(const AcceptTableSettings& s, const DropSet& addrs);

// The iptables-mode forms (iptables_rules.cc), called by the above.
std::string iptables_create(const AcceptTableSettings& s, net::Family f, const DropSet& addrs);
std::string iptables_delete(const AcceptTableSettings& s, net::Family f);
std::string iptables_elements(const char* verb, const AcceptTableSettings& s, const DropSet& addrs);

}  // namespace halbd::vrrp
