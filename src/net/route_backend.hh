// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// net/route_backend.hh: RouteBackend, the kernel's routes and policy rules as
// VRRP needs them (DESIGN principle 7): add and remove one route, add and
// remove one rule, as `ip route add` / `ip rule add` take them. The real
// implementation is RtnlRouteBackend (libnl-route-3), the fake is
// FakeRouteBackend; callers are vrrp/net_objects (virtual_routes/rules of an
// instance, static_routes/rules of the daemon).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hh"
#include "net/address.hh"

namespace halbd::net {

// Values are the kernel's (linux/rtnetlink.h, linux/fib_rules.h).
inline constexpr uint32_t kTableMain = 254;       // RT_TABLE_MAIN
inline constexpr uint8_t kProtoKeepalived = 18;   // RTPROT_KEEPALIVED, as keepalived marks its routes and rules

struct NexthopSpec {
    std::optional<IpAddress> via;
    std::string dev;
    uint16_t weight = 1;                 // 1-256 (ip route's weight, not rtnh_hops)
    bool onlink = false;
    std::optional<uint32_t> realms;      // (from << 16) | to
    friend bool operator==(const NexthopSpec&, const NexthopSpec&) = default;
};

struct RouteMetricSpec {
    int rtax = 0;                        // RTAX_*
    uint32_t value = 0;                  // as the kernel takes it (rtt in 1/8 ms, rttvar in 1/4 ms)
    bool lock = false;
    friend bool operator==(const RouteMetricSpec&, const RouteMetricSpec&) = default;
};

// One route to program. A single path is `via`/`dev`/`onlink`/`realms`;
// multipath is `nexthops` (then via and dev are unset).
struct RouteSpec {
    uint8_t type = 1;                    // RTN_UNICAST, RTN_BLACKHOLE, ...
    Prefix to;
    std::optional<Prefix> from;          // RTA_SRC (IPv6 source-specific routing)
    std::optional<IpAddress> src;        // RTA_PREFSRC
    std::optional<IpAddress> via;
    std::string dev;
    bool onlink = false;
    std::optional<uint32_t> realms;
    std::vector<NexthopSpec> nexthops;
    uint32_t table = kTableMain;
    std::optional<uint32_t> metric;      // RTA_PRIORITY
    uint8_t protocol = kProtoKeepalived;
    std::optional<uint8_t> scope;        // unset: guessed as ip route does
    uint8_t tos = 0;
    std::vector<RouteMetricSpec> metrics;
    std::optional<uint8_t> pref;         // RTA_PREF (IPv6 router preference)
    std::optional<bool> ttl_propagate;
    std::optional<uint32_t> expires;     // seconds, IPv6
    std::string vrf;                     // the table is the VRF device's
    bool append = false;                 // NLM_F_APPEND instead of prepending
    Family family() const { return to.address.family(); }
    friend bool operator==(const RouteSpec&, const RouteSpec&) = default;
};

struct PortRange {
    uint16_t start = 0, end = 0;
    friend bool operator==(const PortRange&, const PortRange&) = default;
};

// One policy rule to program.
struct RuleSpec {
    Family family = Family::V4;
    std::optional<Prefix> from, to;
    bool invert = false;                 // FIB_RULE_INVERT (`not`)
    std::optional<uint32_t> preference;
    uint8_t action = 1;                  // FR_ACT_TO_TBL, FR_ACT_GOTO, FR_ACT_NOP, FR_ACT_BLACKHOLE, ...
    std::optional<uint32_t> table;
    std::optional<uint32_t> goto_target;
    std::optional<uint32_t> fwmark, fwmask;
    std::optional<uint32_t> realms;
    std::string iif, oif;
    uint8_t tos = 0;
    std::optional<uint32_t> suppress_prefixlength, suppress_ifgroup;
    std::optional<std::pair<uint32_t, uint32_t>> uidrange;
    bool l3mdev = false;
    uint8_t protocol = kProtoKeepalived;
    std::optional<uint8_t> ip_proto;
    std::optional<PortRange> sport, dport;
    friend bool operator==(const RuleSpec&, const RuleSpec&) = default;
};

class RouteBackend {
public:
    virtual ~RouteBackend() = default;
    // Adding what the kernel already has and removing what it does not have
    // both succeed: callers reconcile, they do not count.
    virtual core::Status add_route(const RouteSpec& r) = 0;
    virtual core::Status remove_route(const RouteSpec& r) = 0;
    virtual core::Status add_rule(const RuleSpec& r) = 0;
    virtual core::Status remove_rule(const RuleSpec& r) = 0;
};

// `ip route` / `ip rule` style text, for logs and errors.
std::string describe(const RouteSpec& r);
std::string describe(const RuleSpec& r);

}  // namespace halbd::net
