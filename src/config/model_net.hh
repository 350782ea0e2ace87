// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/model_net.hh: typed address, route and rule lines, shared by the
// virtual_* blocks of a vrrp_instance and the static_* top-level blocks (one
// grammar each, parsed by config/keywords_{address,route,rule}.cc). Read by
// the net/ reconciler; every value is what is to be programmed, names already
// resolved to numbers (tables, protocols, scopes, realms).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/diagnostics.hh"
#include "net/address.hh"

namespace halbd::config {

inline constexpr uint32_t kLifetimeForever = 0xFFFFFFFFu;

// `ADDR[/len] [brd X] [dev IF] [scope S] [label L] [peer X[/len]] [home] [-nodad]
//  [mngtmpaddr] [noprefixroute] [autojoin] [no_track] [use_vmac]
//  [preferred_lft N|forever] [track_group G]`
struct IpAddressLine {
    Location loc;
    net::Prefix address;                  // full-length prefix when no /len given
    std::optional<net::IpAddress> brd;    // '-' and '+' already resolved (IPv4 only)
    std::string dev;                      // empty: the instance's interface (or default)
    uint8_t scope = 0;                    // RT_SCOPE_*: 0 global, 200 site, 253 link, 254 host, 255 nowhere
    std::string label;                    // IPv4 only
    std::optional<net::IpAddress> peer;   // point-to-point peer; address.length is then the peer's
    bool home = false;
    bool nodad = false;                   // written `-nodad`
    bool mngtmpaddr = false;
    bool noprefixroute = false;
    bool autojoin = false;
    bool no_track = false;                // virtual_* only
    bool use_vmac = false;                // virtual_* only
    // IPv6: resolved (0 for a /128 unless given, else forever); IPv4: only when given.
    std::optional<uint32_t> preferred_lft;
    std::string track_group;              // static_* only
};

enum class RouteType : uint8_t {
    Unicast, Blackhole, Unreachable, Prohibit, Throw, Local, Broadcast, Anycast, Multicast
};

// RTAX_* metrics a route may carry; see kMetricNames in keywords_route.cc.
enum class RouteMetricKind : uint8_t {
    Mtu, Hoplimit, Advmss, Rtt, Rttvar, Reordering, Window, Cwnd, Ssthresh, RtoMin,
    Initcwnd, Initrwnd, Quickack, FastopenNoCookie,
};

struct RouteMetric {
    RouteMetricKind kind;
    uint32_t value = 0;   // rtt/rttvar/rto_min: milliseconds
    bool lock = false;
};

struct Nexthop {
    std::optional<net::IpAddress> via;
    std::string dev;
    std::optional<uint16_t> weight;   // 1-256
    bool onlink = false;
    std::optional<uint32_t> realms;   // (from << 16) | to
};

// ip-route(8) grammar as keepalived accepts it (no abbreviations).
struct RouteLine {
    Location loc;
    RouteType type = RouteType::Unicast;
    net::Prefix to;                              // `default` => 0.0.0.0/0 or ::/0
    std::optional<net::IpAddress> src;
    std::optional<net::Prefix> from;             // IPv6 source-specific routing
    std::optional<net::IpAddress> via;           // `via` / `gw`
    std::string dev;                             // `dev` / `oif`
    std::optional<uint32_t> table;
    std::optional<uint32_t> metric;              // `metric` / `priority` / `preference`
    std::optional<uint8_t> protocol;
    std::optional<uint8_t> scope;
    std::optional<uint8_t> tos;                  // `tos` / `dsfield`
    std::optional<uint32_t> realms;
    std::vector<RouteMetric> metrics;            // in configuration order
    bool features_ecn = false;
    std::string congctl;
    bool congctl_lock = false;
    std::optional<uint8_t> pref;                 // IPv6 router preference: 0 medium, 1 high, 3 low
    std::optional<bool> ttl_propagate;
    std::optional<uint32_t> expires;             // seconds, IPv6 only
    bool onlink = false;
    std::string vrf;
    std::vector<Nexthop> nexthops;               // multipath (also built from `via A or B`)
    bool append = false;
    bool no_track = false;                       // virtual_routes only
    std::string track_group;                     // static_routes only
    net::Family family() const { return to.address.family(); }
};

enum class RuleAction : uint8_t { Table, Goto, Nop, Blackhole, Unreachable, Prohibit };

// ip-rule(8) grammar as keepalived accepts it.
struct RuleLine {
    Location loc;
    net::Family family = net::Family::V4;        // from the addresses, or `inet6`
    std::optional<net::Prefix> from;             // `from all` => not set
    std::optional<net::Prefix> to;
    bool invert = false;                         // `not`
    std::optional<uint32_t> preference;          // `preference` / `priority` / `order`
    RuleAction action = RuleAction::Table;
    std::optional<uint32_t> table;               // `table` / `lookup`
    std::optional<uint32_t> goto_target;         // `goto`
    std::optional<uint32_t> fwmark;
    std::optional<uint32_t> fwmask;
    std::optional<uint32_t> realms;
    std::string iif;                             // `iif` / `dev`
    std::string oif;
    std::optional<uint8_t> tos;                  // `tos` / `dsfield`
    std::optional<uint32_t> suppress_prefixlength;
    std::optional<uint32_t> suppress_ifgroup;
    std::optional<uint32_t> uidrange_start, uidrange_end;
    bool l3mdev = false;
    std::optional<uint8_t> protocol;
    std::optional<uint8_t> ip_proto;
    std::optional<uint16_t> sport_start, sport_end;
    std::optional<uint16_t> dport_start, dport_end;
    bool no_track = false;                       // virtual_rules only
    std::string track_group;                     // static_rules only
};

}  // namespace halbd::config
