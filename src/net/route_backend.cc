// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// net/route_backend.cc: see route_backend.hh (the text forms of a route and a rule).
#include "net/route_backend.hh"

namespace halbd::net {

namespace {

const char* route_type_name(uint8_t t) {
    switch (t) {
        case 1: return "";
        case 2: return "local ";
        case 3: return "broadcast ";
        case 4: return "anycast ";
        case 5: return "multicast ";
        case 6: return "blackhole ";
        case 7: return "unreachable ";
        case 8: return "prohibit ";
        case 9: return "throw ";
        default: return "type? ";
    }
}

std::string table_text(uint32_t t) { return t == kTableMain ? std::string() : " table " + std::to_string(t); }

std::string nexthop_text(const std::optional<IpAddress>& via, const std::string& dev, bool onlink) {
    std::string s;
    if (via) s += " via " + via->to_string();
    if (!dev.empty()) s += " dev " + dev;
    if (onlink) s += " onlink";
    return s;
}

std::string range_text(const PortRange& r) {
    return r.start == r.end ? std::to_string(r.start) : std::to_string(r.start) + "-" + std::to_string(r.end);
}

}  // namespace

std::string describe(const RouteSpec& r) {
    std::string s = route_type_name(r.type) + r.to.to_string();
    if (r.from) s += " from " + r.from->to_string();
    s += nexthop_text(r.via, r.dev, r.onlink);
    for (const auto& n : r.nexthops)
        s += " nexthop" + nexthop_text(n.via, n.dev, n.onlink) + " weight " + std::to_string(n.weight);
    if (r.src) s += " src " + r.src->to_string();
    s += table_text(r.table);
    if (!r.vrf.empty()) s += " vrf " + r.vrf;
    if (r.metric) s += " metric " + std::to_string(*r.metric);
    if (r.tos) s += " tos " + std::to_string(r.tos);
    return s;
}

std::string describe(const RuleSpec& r) {
    std::string s = r.family == Family::V6 ? "inet6 " : "";
    if (r.preference) s += "pref " + std::to_string(*r.preference) + " ";
    if (r.invert) s += "not ";
    s += "from " + (r.from ? r.from->to_string() : std::string("all"));
    if (r.to) s += " to " + r.to->to_string();
    if (r.fwmark) s += " fwmark " + std::to_string(*r.fwmark) + (r.fwmask ? "/" + std::to_string(*r.fwmask) : "");
    if (!r.iif.empty()) s += " iif " + r.iif;
    if (!r.oif.empty()) s += " oif " + r.oif;
    if (r.uidrange) s += " uidrange " + std::to_string(r.uidrange->first) + "-" + std::to_string(r.uidrange->second);
    if (r.ip_proto) s += " ipproto " + std::to_string(*r.ip_proto);
    if (r.sport) s += " sport " + range_text(*r.sport);
    if (r.dport) s += " dport " + range_text(*r.dport);
    if (r.l3mdev) s += " l3mdev";
    switch (r.action) {
        case 1:
            if (r.table) s += " lookup " + std::to_string(*r.table);
            break;
        case 2: s += " goto " + std::to_string(r.goto_target.value_or(0)); break;
        case 3: s += " nop"; break;
        case 6: s += " blackhole"; break;
        case 7: s += " unreachable"; break;
        case 8: s += " prohibit"; break;
        default: s += " action " + std::to_string(r.action); break;
    }
    if (r.suppress_prefixlength) s += " suppress_prefixlength " + std::to_string(*r.suppress_prefixlength);
    if (r.suppress_ifgroup) s += " suppress_ifgroup " + std::to_string(*r.suppress_ifgroup);
    return s;
}

}  // namespace halbd::net
