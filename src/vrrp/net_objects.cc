// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/net_objects.cc: see net_objects.hh. The configuration model keeps
// iproute2's units and names; the kernel's numbers (RTN_*, RTAX_*, FR_ACT_*)
// and units (rtt in 1/8 ms, rttvar in 1/4 ms, as iproute2 sends them) are
// chosen here.
#include "vrrp/net_objects.hh"

#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>

#include <algorithm>

#include "core/log.hh"

namespace halbd::vrrp {

namespace {

uint8_t rtn_type(config::RouteType t) {
    using T = config::RouteType;
    switch (t) {
        case T::Unicast: return RTN_UNICAST;
        case T::Blackhole: return RTN_BLACKHOLE;
        case T::Unreachable: return RTN_UNREACHABLE;
        case T::Prohibit: return RTN_PROHIBIT;
        case T::Throw: return RTN_THROW;
        case T::Local: return RTN_LOCAL;
        case T::Broadcast: return RTN_BROADCAST;
        case T::Anycast: return RTN_ANYCAST;
        case T::Multicast: return RTN_MULTICAST;
    }
    return RTN_UNICAST;
}

net::RouteMetricSpec rtax(const config::RouteMetric& m) {
    using K = config::RouteMetricKind;
    net::RouteMetricSpec s{0, m.value, m.lock};
    switch (m.kind) {
        case K::Mtu: s.rtax = RTAX_MTU; break;
        case K::Hoplimit: s.rtax = RTAX_HOPLIMIT; break;
        case K::Advmss: s.rtax = RTAX_ADVMSS; break;
        case K::Rtt: s.rtax = RTAX_RTT, s.value = m.value * 8; break;
        case K::Rttvar: s.rtax = RTAX_RTTVAR, s.value = m.value * 4; break;
        case K::Reordering: s.rtax = RTAX_REORDERING; break;
        case K::Window: s.rtax = RTAX_WINDOW; break;
        case K::Cwnd: s.rtax = RTAX_CWND; break;
        case K::Ssthresh: s.rtax = RTAX_SSTHRESH; break;
        case K::RtoMin: s.rtax = RTAX_RTO_MIN; break;
        case K::Initcwnd: s.rtax = RTAX_INITCWND; break;
        case K::Initrwnd: s.rtax = RTAX_INITRWND; break;
        case K::Quickack: s.rtax = RTAX_QUICKACK; break;
        case K::FastopenNoCookie: s.rtax = RTAX_FASTOPEN_NO_COOKIE; break;
    }
    return s;
}

uint8_t fr_action(config::RuleAction a) {
    using A = config::RuleAction;
    switch (a) {
        case A::Table: return FR_ACT_TO_TBL;
        case A::Goto: return FR_ACT_GOTO;
        case A::Nop: return FR_ACT_NOP;
        case A::Blackhole: return FR_ACT_BLACKHOLE;
        case A::Unreachable: return FR_ACT_UNREACHABLE;
        case A::Prohibit: return FR_ACT_PROHIBIT;
    }
    return FR_ACT_TO_TBL;
}

template <class T>
bool contains(const std::vector<T>& v, const T& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

// The elements of a that b lacks.
template <class T>
std::vector<T> minus(const std::vector<T>& a, const std::vector<T>& b) {
    std::vector<T> out;
    for (const auto& x : a)
        if (!contains(b, x)) out.push_back(x);
    return out;
}

std::string describe(const AddressItem& a) { return a.spec.address.to_string() + " dev " + a.dev; }

}  // namespace

net::RouteSpec route_spec(const config::RouteLine& line) {
    net::RouteSpec r;
    r.type = rtn_type(line.type);
    r.to = line.to;
    r.from = line.from;
    r.src = line.src;
    r.via = line.via;
    r.dev = line.dev;
    r.onlink = line.onlink;
    r.realms = line.realms;
    for (const auto& n : line.nexthops)
        r.nexthops.push_back(net::NexthopSpec{n.via, n.dev, n.weight.value_or(1), n.onlink, n.realms});
    r.table = line.table.value_or(net::kTableMain);
    r.metric = line.metric;
    r.protocol = line.protocol.value_or(net::kProtoKeepalived);
    r.scope = line.scope;
    r.tos = line.tos.value_or(0);
    for (const auto& m : line.metrics) r.metrics.push_back(rtax(m));
    if (line.features_ecn) r.metrics.push_back(net::RouteMetricSpec{RTAX_FEATURES, RTAX_FEATURE_ECN, false});
    r.pref = line.pref;
    r.ttl_propagate = line.ttl_propagate;
    r.expires = line.expires;
    r.vrf = line.vrf;
    r.append = line.append;
    return r;
}

net::RuleSpec rule_spec(const config::RuleLine& line) {
    net::RuleSpec r;
    r.family = line.family;
    r.from = line.from;
    r.to = line.to;
    r.invert = line.invert;
    r.preference = line.preference;
    r.action = fr_action(line.action);
    r.table = line.table;
    r.goto_target = line.goto_target;
    r.fwmark = line.fwmark;
    r.fwmask = line.fwmask;
    r.realms = line.realms;
    r.iif = line.iif;
    r.oif = line.oif;
    r.tos = line.tos.value_or(0);
    r.suppress_prefixlength = line.suppress_prefixlength;
    r.suppress_ifgroup = line.suppress_ifgroup;
    if (line.uidrange_start) r.uidrange = {*line.uidrange_start, line.uidrange_end.value_or(*line.uidrange_start)};
    r.l3mdev = line.l3mdev;
    r.protocol = line.protocol.value_or(net::kProtoKeepalived);
    r.ip_proto = line.ip_proto;
    if (line.sport_start) r.sport = net::PortRange{*line.sport_start, line.sport_end.value_or(*line.sport_start)};
    if (line.dport_start) r.dport = net::PortRange{*line.dport_start, line.dport_end.value_or(*line.dport_start)};
    return r;
}

// The route adapter's errors name the route or rule; the address adapter's
// do not always (a missing interface), so the address is named here.
void NetProgrammer::done(const core::Status& st, bool add, const std::string& what, std::string_view why) {
    if (st) {
        if (!quiet_) log::info(owner_, ": ", add ? "added " : "removed ", what, " (", why, ")");
        return;
    }
    ++errors_;
    if (what.starts_with("address "))
        log::error(owner_, ": cannot ", add ? "add " : "remove ", what, ": ", st.error().message);
    else
        log::error(owner_, ": ", st.error().message);
}

void NetProgrammer::add(const NetObjects& o, std::string_view why) {
    for (const auto& a : o.addresses) done(addresses_.add_address(a.dev, a.spec), true, "address " + describe(a), why);
    for (const auto& r : o.routes) done(routes_.add_route(r), true, "route " + net::describe(r), why);
    for (const auto& r : o.rules) done(routes_.add_rule(r), true, "rule " + net::describe(r), why);
}

void NetProgrammer::remove(const NetObjects& o, std::string_view why, bool quiet) {
    quiet_ = quiet;
    for (const auto& r : o.rules) done(routes_.remove_rule(r), false, "rule " + net::describe(r), why);
    for (const auto& r : o.routes) done(routes_.remove_route(r), false, "route " + net::describe(r), why);
    for (const auto& a : o.addresses)
        done(addresses_.remove_address(a.dev, a.spec), false, "address " + describe(a), why);
    quiet_ = false;
}

void NetProgrammer::change(const NetObjects& from, const NetObjects& to, std::string_view why) {
    remove(NetObjects{minus(from.addresses, to.addresses), minus(from.routes, to.routes), minus(from.rules, to.rules)},
           why);
    add(NetObjects{minus(to.addresses, from.addresses), minus(to.routes, from.routes), minus(to.rules, from.rules)},
        why);
}

}  // namespace halbd::vrrp
