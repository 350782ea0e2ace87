// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/keywords_route.cc: the one parser (and printer) of a route line, the
// ip-route(8) grammar as keepalived accepts it, used by virtual_routes and
// static_routes. Option words dispatch through two tables (the route's and,
// after `nexthop`, the nexthop's); whole-line checks run once it is read.
#include "config/net_line.hh"

namespace halbd::config::vrrp_detail {

namespace {

constexpr std::string_view kRouteTypes[] = {"unicast", "blackhole", "unreachable", "prohibit", "throw",
                                            "local", "broadcast", "anycast", "multicast"};
constexpr std::string_view kMetricNames[] = {
    "mtu", "hoplimit", "advmss", "rtt", "rttvar", "reordering", "window", "cwnd", "ssthresh",
    "rto_min", "initcwnd", "initrwnd", "quickack", "fastopen_no_cookie"};

std::optional<size_t> index_of(std::string_view word, const std::string_view* names, size_t n) {
    for (size_t i = 0; i < n; ++i)
        if (names[i] == word) return i;
    return std::nullopt;
}

// rtt, rttvar and rto_min take a time: bare milliseconds, or with "ms"/"s".
std::optional<uint32_t> time_ms(std::string_view s) {
    uint64_t mult = 1;
    if (s.size() > 2 && s.substr(s.size() - 2) == "ms") s.remove_suffix(2);
    else if (s.size() > 1 && s.back() == 's') s.remove_suffix(1), mult = 1000;
    auto v = number(s, 0xFFFFFFFFu / 1000);
    if (!v) return std::nullopt;
    return static_cast<uint32_t>(*v * mult);
}

// What the options of one route line have read so far.
struct RouteParse {
    RouteLine out;
    FamilyCheck fam;
    bool have_to = false;
    bool to_default = false;
    bool in_nexthop = false;  // after `nexthop`: its sub-options fill out.nexthops.back()
};
using R = RouteParse;
using T = LineOptions<R>;

// `via|gw [inet|inet6] ADDR`: the gateway, its family checked against the line.
std::optional<net::IpAddress> gateway(R& s, Words& w, size_t& j) {
    if (j + 1 < w.size() && (w.at(j + 1) == "inet" || w.at(j + 1) == "inet6")) ++j;
    auto a = ip_value(w, j);
    if (!a || !s.fam.check(w, j + 1, a->family())) return std::nullopt;
    return a;
}

// ---- nexthop sub-options ---------------------------------------------------

bool nh_via(R& s, Words& w, size_t& j) {
    auto a = gateway(s, w, j);
    if (!a) return false;
    s.out.nexthops.back().via = *a;
    ++j;
    return true;
}

bool nh_dev(R& s, Words& w, size_t& j) { return string_value(w, j, s.out.nexthops.back().dev); }

bool nh_weight(R& s, Words& w, size_t& j) {
    auto n = uint_value(w, j, 256);
    if (!n) return false;
    if (*n == 0) {
        w.error(j + 1, "nexthop weight must be 1-256");
        return false;
    }
    s.out.nexthops.back().weight = static_cast<uint16_t>(*n);
    ++j;
    return true;
}

bool nh_onlink(R& s, Words&, size_t&) {
    s.out.nexthops.back().onlink = true;
    return true;
}

bool nh_realms(R& s, Words& w, size_t& j) {
    auto r = realms_value(w, j);
    if (!r) return false;
    s.out.nexthops.back().realms = *r;
    ++j;
    return true;
}

const T& nexthop_options() {
    static const T t({
        {"via", nh_via},
        {"gw", nh_via},
        {"dev", nh_dev},
        {"weight", nh_weight},
        {"onlink", nh_onlink},
        {"realms", nh_realms},
    });
    return t;
}

// ---- route options ---------------------------------------------------------

bool family(R& s, Words& w, size_t& j) {
    return s.fam.check(w, j, w.at(j) == "inet6" ? net::Family::V6 : net::Family::V4);
}

// `to PREFIX`, `default`, `to default` or a bare PREFIX: the destination.
bool destination(R& s, Words& w, size_t& j) {
    if (s.have_to) {
        w.error(j, "route destination given twice");
        return false;
    }
    if (w.at(j) == "to") {
        if (!w.value(j)) return false;
        ++j;
    }
    s.have_to = true;
    if (w.at(j) == "default") {
        s.to_default = true;
        return true;
    }
    auto p = prefix_word(w, j);
    if (!p || !s.fam.check(w, j, p->address.family())) return false;
    s.out.to = *p;
    return true;
}

bool src(R& s, Words& w, size_t& j) {
    auto a = ip_value(w, j);
    if (!a || !s.fam.check(w, j + 1, a->family())) return false;
    s.out.src = *a;
    ++j;
    return true;
}

bool from(R& s, Words& w, size_t& j) {
    if (!w.value(j)) return false;
    auto p = prefix_word(w, j + 1);
    if (!p || !s.fam.check(w, j + 1, p->address.family())) return false;
    if (!p->address.is_v6()) {
        w.error(j, "'from' (source-specific routing) is only valid for IPv6 routes");
        return false;
    }
    s.out.from = *p;
    ++j;
    return true;
}

bool via(R& s, Words& w, size_t& j) {
    auto a = gateway(s, w, j);
    if (!a) return false;
    if (s.out.via || !s.out.nexthops.empty()) {
        w.error(j, "gateway given twice (use nexthop for multipath)");
        return false;
    }
    s.out.via = *a;
    ++j;
    return true;
}

// `via A or B`: keepalived's shorthand for a multipath route.
bool or_gateway(R& s, Words& w, size_t& j) {
    auto a = ip_value(w, j);
    if (!a || !s.fam.check(w, j + 1, a->family())) return false;
    if (!s.out.via && s.out.nexthops.empty()) {
        w.error(j, "'or' needs a preceding 'via'");
        return false;
    }
    if (s.out.via) {
        s.out.nexthops.push_back(Nexthop{s.out.via, {}, {}, false, {}});
        s.out.via.reset();
    }
    s.out.nexthops.push_back(Nexthop{*a, {}, {}, false, {}});
    ++j;
    return true;
}

bool nexthop(R& s, Words& w, size_t& j) {
    if (s.out.via) {
        w.error(j, "'nexthop' cannot be combined with 'via'");
        return false;
    }
    s.out.nexthops.emplace_back();
    s.in_nexthop = true;
    return true;
}

bool table(R& s, Words& w, size_t& j) {
    auto t = rt_value(w, j, RtFile::Tables, 0xFFFFFFFFu, "routing table");
    if (!t) return false;
    s.out.table = *t;
    ++j;
    return true;
}

// `mtu [lock] N` and the other RTAX_* metrics named in kMetricNames.
bool route_metric(R& s, Words& w, size_t& j) {
    const std::string& k = w.at(j);
    RouteMetric rm{static_cast<RouteMetricKind>(*index_of(k, kMetricNames, std::size(kMetricNames))), 0,
                   false};
    if (j + 1 < w.size() && w.at(j + 1) == "lock") rm.lock = true, ++j;
    const std::string* v = w.value(j);
    if (!v) return false;
    std::optional<uint32_t> n;
    if (rm.kind == RouteMetricKind::Rtt || rm.kind == RouteMetricKind::Rttvar ||
        rm.kind == RouteMetricKind::RtoMin)
        n = time_ms(*v);
    else if (auto x = number(*v, rm.kind == RouteMetricKind::Hoplimit ? 255
                                 : (rm.kind == RouteMetricKind::Quickack ||
                                    rm.kind == RouteMetricKind::FastopenNoCookie) ? 1
                                                                                  : 0xFFFFFFFFu))
        n = static_cast<uint32_t>(*x);
    if (!n) {
        w.error(j + 1, "invalid " + k + " value '" + *v + "'");
        return false;
    }
    rm.value = *n;
    s.out.metrics.push_back(rm);
    ++j;
    return true;
}

bool features(R& s, Words& w, size_t& j) {
    const std::string* v = w.value(j);
    if (!v) return false;
    if (*v != "ecn") {
        w.error(j + 1, "'features' expects 'ecn', got '" + *v + "'");
        return false;
    }
    s.out.features_ecn = true;
    ++j;
    return true;
}

bool congctl(R& s, Words& w, size_t& j) {
    if (j + 1 < w.size() && w.at(j + 1) == "lock") s.out.congctl_lock = true, ++j;
    return string_value(w, j, s.out.congctl);
}

bool pref(R& s, Words& w, size_t& j) {
    const std::string* v = w.value(j);
    if (!v) return false;
    if (*v == "low") s.out.pref = 3;
    else if (*v == "medium") s.out.pref = 0;
    else if (*v == "high") s.out.pref = 1;
    else {
        w.error(j + 1, "'pref' expects low|medium|high, got '" + *v + "'");
        return false;
    }
    ++j;
    return true;
}

bool ttl_propagate(R& s, Words& w, size_t& j) {
    const std::string* v = w.value(j);
    if (!v) return false;
    if (*v != "enabled" && *v != "disabled") {
        w.error(j + 1, "'ttl-propagate' expects enabled|disabled, got '" + *v + "'");
        return false;
    }
    s.out.ttl_propagate = *v == "enabled";
    ++j;
    return true;
}

bool encap(R&, Words& w, size_t& j) {
    w.error(j, "route encapsulation ('encap') is not supported by halbd");
    return false;
}


const T& route_options() {
    static const T t = [] {
        T o({
            {"inet", family},
            {"inet6", family},
            {"to", destination},
            {"default", destination},
            {"src", src},
            {"from", from},
            {"via", via},
            {"gw", via},
            {"or", or_gateway},
            {"nexthop", nexthop},
            {"dev", T::text<&RouteLine::dev>},
            {"oif", T::text<&RouteLine::dev>},
            {"table", table},
            {"metric", T::u32<0xFFFFFFFFu, &RouteLine::metric>},
            {"priority", T::u32<0xFFFFFFFFu, &RouteLine::metric>},
            {"preference", T::u32<0xFFFFFFFFu, &RouteLine::metric>},
            {"protocol", T::rt_byte<RtFile::Protos, &RouteLine::protocol>},
            {"proto", T::rt_byte<RtFile::Protos, &RouteLine::protocol>},
            {"scope", T::rt_byte<RtFile::Scopes, &RouteLine::scope>},
            {"tos", T::rt_byte<RtFile::Dsfield, &RouteLine::tos>},
            {"dsfield", T::rt_byte<RtFile::Dsfield, &RouteLine::tos>},
            {"realms", T::realms<&RouteLine::realms>},
            {"features", features},
            {"congctl", congctl},
            {"pref", pref},
            {"ttl-propagate", ttl_propagate},
            {"expires", T::u32<0x7FFFFFFFu, &RouteLine::expires>},
            {"onlink", T::flag<&RouteLine::onlink>},
            {"vrf", T::text<&RouteLine::vrf>},
            {"append", T::flag<&RouteLine::append>},
            {"no_track", T::flag<&RouteLine::no_track>, LineUse::VirtualOnly},
            {"track_group", T::text<&RouteLine::track_group>, LineUse::StaticOnly},
            {"encap", encap},
        });
        for (auto name : kMetricNames) o.add({name, route_metric});
        return o;
    }();
    return t;
}

// The option word j names, if any; a nexthop's sub-options first, and any
// other word ends the nexthop.
const LineOption<R>* find_option(R& s, Words& w, size_t j, bool is_static) {
    if (s.in_nexthop) {
        if (const auto* o = nexthop_options().find(w.at(j), is_static)) return o;
        s.in_nexthop = false;
    }
    return route_options().find(w.at(j), is_static);
}

// The checks that need the whole line.
bool check_route(R& s, Words& w, bool is_static) {
    RouteLine& out = s.out;
    if (!s.have_to) {
        w.error(0, "route has no destination (expected an address/prefix, 'to' or 'default')");
        return false;
    }
    if (s.to_default) out.to = net::Prefix{zero(s.fam.fam.value_or(net::Family::V4)), 0};
    else if (s.fam.fam && *s.fam.fam != out.to.address.family()) {
        w.error(0, "address family mismatch in route");
        return false;
    }
    for (const auto& n : out.nexthops)
        if (!n.via && n.dev.empty()) {
            w.error(0, "a nexthop needs 'via' or 'dev'");
            return false;
        }
    if (out.expires && !out.to.address.is_v6()) {
        w.error(0, "'expires' is only valid for IPv6 routes");
        return false;
    }
    if (is_static && !out.track_group.empty() && out.dev.empty() && out.nexthops.empty()) {
        w.error(0, "a static route with track_group needs 'dev'");
        return false;
    }
    return true;
}

}  // namespace

std::optional<RouteLine> parse_route_line(Args& line, bool is_static) {
    Words w{line};
    RouteParse s;
    s.out.loc = line.loc();
    for (size_t j = 0; j < w.size(); ++j) {
        const std::string& k = w.at(j);
        if (auto t = index_of(k, kRouteTypes, std::size(kRouteTypes)); t && j == 0) {
            s.out.type = static_cast<RouteType>(*t);
            continue;
        }
        const LineOption<R>* o = find_option(s, w, j, is_static);
        // A bare address/prefix is the destination, once.
        if (!o && k.find_first_of(".:") != std::string::npos && !s.have_to) {
            if (!destination(s, w, j)) return std::nullopt;
            continue;
        }
        if (!o) {
            w.error(j, "unknown route option '" + k + "'");
            return std::nullopt;
        }
        if (!o->parse(s, w, j)) return std::nullopt;
    }
    if (!check_route(s, w, is_static)) return std::nullopt;
    return std::move(s.out);
}

std::string format_route_line(const RouteLine& r) {
    std::string s;
    if (r.type != RouteType::Unicast) s += std::string(kRouteTypes[static_cast<size_t>(r.type)]) + " ";
    s += r.to.to_string();
    if (r.src) s += " src " + r.src->to_string();
    if (r.from) s += " from " + r.from->to_string();
    if (r.via) s += " via " + r.via->to_string();
    if (!r.dev.empty()) s += " dev " + r.dev;
    if (r.table) s += " table " + std::to_string(*r.table);
    if (r.metric) s += " metric " + std::to_string(*r.metric);
    if (r.protocol) s += " protocol " + std::to_string(*r.protocol);
    if (r.scope) s += " scope " + scope_name(*r.scope);
    if (r.tos) s += " tos " + std::to_string(*r.tos);
    if (r.realms) s += " realms " + realms_text(*r.realms);
    for (const auto& m : r.metrics) {
        s += ' ';
        s += kMetricNames[static_cast<size_t>(m.kind)];
        if (m.lock) s += " lock";
        s += ' ' + std::to_string(m.value);
    }
    if (r.features_ecn) s += " features ecn";
    if (!r.congctl.empty()) s += std::string(" congctl ") + (r.congctl_lock ? "lock " : "") + r.congctl;
    if (r.pref) s += *r.pref == 3 ? " pref low" : *r.pref == 1 ? " pref high" : " pref medium";
    if (r.ttl_propagate) s += *r.ttl_propagate ? " ttl-propagate enabled" : " ttl-propagate disabled";
    if (r.expires) s += " expires " + std::to_string(*r.expires);
    if (r.onlink) s += " onlink";
    if (!r.vrf.empty()) s += " vrf " + r.vrf;
    for (const auto& n : r.nexthops) {
        s += " nexthop";
        if (n.via) s += " via " + n.via->to_string();
        if (!n.dev.empty()) s += " dev " + n.dev;
        if (n.weight) s += " weight " + std::to_string(*n.weight);
        if (n.onlink) s += " onlink";
        if (n.realms) s += " realms " + realms_text(*n.realms);
    }
    if (r.append) s += " append";
    if (r.no_track) s += " no_track";
    if (!r.track_group.empty()) s += " track_group " + r.track_group;
    return s;
}

}  // namespace halbd::config::vrrp_detail
