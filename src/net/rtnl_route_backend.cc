// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// net/rtnl_route_backend.cc: see rtnl_route_backend.hh. Each request is one
// synchronous netlink round trip. libnl-route builds the message; the few
// attributes it has no setter for (RTA_PREF, RTA_EXPIRES, FRA_UID_RANGE,
// FRA_SUPPRESS_*, the rule's invert flag) are added to that message before it
// is sent. Routes are prepended (NLM_F_CREATE, as keepalived does) unless
// `append`; rules are added with NLM_F_EXCL so that adding one twice is
// refused by the kernel instead of duplicated.
#include "net/rtnl_route_backend.hh"

#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/route/link/vrf.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>
#include <netlink/route/rule.h>

#include <algorithm>

#include "net/rtnl_util.hh"

namespace halbd::net {

namespace {

using rtnl::nl_error;
using rtnl::to_nl;

struct RouteDeleter {
    void operator()(rtnl_route* r) const { rtnl_route_put(r); }
};
struct RuleDeleter {
    void operator()(rtnl_rule* r) const { rtnl_rule_put(r); }
};
struct MsgDeleter {
    void operator()(nl_msg* m) const { nlmsg_free(m); }
};
using RoutePtr = std::unique_ptr<rtnl_route, RouteDeleter>;
using RulePtr = std::unique_ptr<rtnl_rule, RuleDeleter>;
using MsgPtr = std::unique_ptr<nl_msg, MsgDeleter>;

core::Result<uint32_t> vrf_table(nl_sock* sock, const std::string& vrf) {
    auto l = rtnl::get_link(sock, vrf);
    if (!l) return l.error();
    uint32_t id = 0;
    if (rtnl_link_vrf_get_tableid(l->get(), &id) < 0) return core::Error{EINVAL, "vrf " + vrf + ": not a VRF device"};
    return id;
}

// One path of a route; the route owns it once added.
core::Status add_path(nl_sock* sock, rtnl_route* rt, const NexthopSpec& n, bool multipath) {
    int idx = 0;
    if (!n.dev.empty()) {
        auto i = rtnl::ifindex(sock, n.dev);
        if (!i) return i.error();
        idx = *i;
    }
    rtnl_nexthop* nh = rtnl_route_nh_alloc();
    if (!nh) return core::Error{ENOMEM, "out of memory"};
    if (n.via) {
        auto gw = to_nl(*n.via);
        rtnl_route_nh_set_gateway(nh, gw.get());
    }
    if (idx) rtnl_route_nh_set_ifindex(nh, idx);
    if (n.onlink) rtnl_route_nh_set_flags(nh, RTNH_F_ONLINK);
    if (n.realms) rtnl_route_nh_set_realms(nh, *n.realms);
    if (multipath) rtnl_route_nh_set_weight(nh, static_cast<uint8_t>(n.weight - 1));  // rtnh_hops
    rtnl_route_add_nexthop(rt, nh);
    return core::Ok{};
}

// ip route's default scope (libnl's guess makes a blackhole route link scope).
uint8_t default_scope(const RouteSpec& r) {
    switch (r.type) {
        case RTN_LOCAL: return RT_SCOPE_HOST;
        case RTN_BROADCAST:
        case RTN_MULTICAST:
        case RTN_ANYCAST: return RT_SCOPE_LINK;
        case RTN_UNICAST: {
            const bool gateway = r.via || std::any_of(r.nexthops.begin(), r.nexthops.end(),
                                                      [](const NexthopSpec& n) { return n.via.has_value(); });
            return gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
        }
        default: return RT_SCOPE_UNIVERSE;
    }
}

core::Result<RoutePtr> build_route(nl_sock* sock, const RouteSpec& r) {
    RoutePtr rt(rtnl_route_alloc());
    if (!rt) return core::Error{ENOMEM, "out of memory"};
    rtnl_route_set_family(rt.get(), static_cast<uint8_t>(rtnl::af(r.family())));
    rtnl_route_set_type(rt.get(), r.type);
    auto dst = to_nl(r.to);
    rtnl_route_set_dst(rt.get(), dst.get());
    if (r.from) {
        auto a = to_nl(*r.from);
        rtnl_route_set_src(rt.get(), a.get());
    }
    if (r.src) {
        auto a = to_nl(*r.src);
        rtnl_route_set_pref_src(rt.get(), a.get());
    }
    uint32_t table = r.table;
    if (!r.vrf.empty()) {
        auto t = vrf_table(sock, r.vrf);
        if (!t) return t.error();
        table = *t;
    }
    rtnl_route_set_table(rt.get(), table);
    if (r.metric) rtnl_route_set_priority(rt.get(), *r.metric);
    rtnl_route_set_protocol(rt.get(), r.protocol);
    rtnl_route_set_scope(rt.get(), r.scope.value_or(default_scope(r)));
    rtnl_route_set_tos(rt.get(), r.tos);
    uint32_t locked = 0;
    for (const auto& m : r.metrics) {
        if (rtnl_route_set_metric(rt.get(), m.rtax, m.value) < 0)
            return core::Error{EINVAL, "metric " + std::to_string(m.rtax) + " is not known to libnl"};
        if (m.lock) locked |= 1u << m.rtax;
    }
    if (locked) rtnl_route_set_metric(rt.get(), RTAX_LOCK, locked);
    if (r.ttl_propagate) rtnl_route_set_ttl_propagate(rt.get(), *r.ttl_propagate);
    if (r.via || !r.dev.empty() || r.onlink || r.realms)
        if (auto st = add_path(sock, rt.get(), NexthopSpec{r.via, r.dev, 1, r.onlink, r.realms}, false); !st)
            return st.error();
    for (const auto& n : r.nexthops)
        if (auto st = add_path(sock, rt.get(), n, true); !st) return st.error();
    return rt;
}

core::Result<RulePtr> build_rule(const RuleSpec& r) {
    RulePtr ru(rtnl_rule_alloc());
    if (!ru) return core::Error{ENOMEM, "out of memory"};
    rtnl_rule_set_family(ru.get(), rtnl::af(r.family));
    if (r.from) {
        auto a = to_nl(*r.from);
        rtnl_rule_set_src(ru.get(), a.get());
    }
    if (r.to) {
        auto a = to_nl(*r.to);
        rtnl_rule_set_dst(ru.get(), a.get());
    }
    if (r.preference) rtnl_rule_set_prio(ru.get(), *r.preference);
    rtnl_rule_set_action(ru.get(), r.action);
    if (r.table) rtnl_rule_set_table(ru.get(), *r.table);
    if (r.goto_target) rtnl_rule_set_goto(ru.get(), *r.goto_target);
    if (r.fwmark) rtnl_rule_set_mark(ru.get(), *r.fwmark);
    if (r.fwmask) rtnl_rule_set_mask(ru.get(), *r.fwmask);
    if (r.realms) rtnl_rule_set_realms(ru.get(), *r.realms);
    if (!r.iif.empty()) rtnl_rule_set_iif(ru.get(), r.iif.c_str());
    if (!r.oif.empty()) rtnl_rule_set_oif(ru.get(), r.oif.c_str());
    if (r.tos) rtnl_rule_set_dsfield(ru.get(), r.tos);
    if (r.l3mdev) rtnl_rule_set_l3mdev(ru.get(), 1);
    rtnl_rule_set_protocol(ru.get(), r.protocol);
    if (r.ip_proto) rtnl_rule_set_ipproto(ru.get(), *r.ip_proto);
    if (r.sport) rtnl_rule_set_sport_range(ru.get(), r.sport->start, r.sport->end);
    if (r.dport) rtnl_rule_set_dport_range(ru.get(), r.dport->start, r.dport->end);
    return ru;
}

// Sends a built request and reads the kernel's answer; "already there" on an
// add and "not there" on a remove are success.
core::Status send(nl_sock* sock, MsgPtr msg, bool add, const std::string& what) {
    int e = nl_send_sync(sock, msg.release());
    if (add && e == -NLE_EXIST) return core::Ok{};
    if (!add && (e == -NLE_OBJ_NOTFOUND || e == -NLE_NOADDR)) return core::Ok{};
    if (e < 0) return nl_error(what, e);
    return core::Ok{};
}

}  // namespace

core::Result<std::unique_ptr<RtnlRouteBackend>> RtnlRouteBackend::open() {
    auto sock = rtnl::open_route_socket();
    if (!sock) return sock.error();
    return std::unique_ptr<RtnlRouteBackend>(new RtnlRouteBackend(std::move(sock.value())));
}

RtnlRouteBackend::~RtnlRouteBackend() = default;

core::Status RtnlRouteBackend::route(const RouteSpec& r, bool add) {
    const std::string what = std::string(add ? "add" : "remove") + " route " + describe(r);
    auto rt = build_route(sock_.get(), r);
    // A route through an interface that is gone went with it.
    if (!rt && !add && rt.error().code == ENODEV) return core::Ok{};
    if (!rt) return core::Error{rt.error().code, what + ": " + rt.error().message};
    nl_msg* raw = nullptr;
    int e = add ? rtnl_route_build_add_request(rt->get(), NLM_F_CREATE | (r.append ? NLM_F_APPEND : 0), &raw)
                : rtnl_route_build_del_request(rt->get(), 0, &raw);
    if (e < 0) return nl_error(what, e);
    MsgPtr msg(raw);
    if (r.pref && nla_put_u8(raw, RTA_PREF, *r.pref) < 0) return nl_error(what, -NLE_MSGSIZE);
    if (add && r.expires && nla_put_u32(raw, RTA_EXPIRES, *r.expires) < 0) return nl_error(what, -NLE_MSGSIZE);
    return send(sock_.get(), std::move(msg), add, what);
}

core::Status RtnlRouteBackend::rule(const RuleSpec& r, bool add) {
    const std::string what = std::string(add ? "add" : "remove") + " rule " + describe(r);
    auto ru = build_rule(r);
    if (!ru) return core::Error{ru.error().code, what + ": " + ru.error().message};
    nl_msg* raw = nullptr;
    int e = add ? rtnl_rule_build_add_request(ru->get(), NLM_F_EXCL, &raw)
                : rtnl_rule_build_delete_request(ru->get(), 0, &raw);
    if (e < 0) return nl_error(what, e);
    MsgPtr msg(raw);
    if (r.invert) static_cast<fib_rule_hdr*>(nlmsg_data(nlmsg_hdr(raw)))->flags |= FIB_RULE_INVERT;
    bool ok = true;
    if (r.suppress_prefixlength) ok = ok && nla_put_u32(raw, FRA_SUPPRESS_PREFIXLEN, *r.suppress_prefixlength) >= 0;
    if (r.suppress_ifgroup) ok = ok && nla_put_u32(raw, FRA_SUPPRESS_IFGROUP, *r.suppress_ifgroup) >= 0;
    if (r.uidrange) {
        fib_rule_uid_range u{r.uidrange->first, r.uidrange->second};
        ok = ok && nla_put(raw, FRA_UID_RANGE, sizeof u, &u) >= 0;
    }
    if (!ok) return nl_error(what, -NLE_MSGSIZE);
    return send(sock_.get(), std::move(msg), add, what);
}

core::Status RtnlRouteBackend::add_route(const RouteSpec& r) { return route(r, true); }
core::Status RtnlRouteBackend::remove_route(const RouteSpec& r) { return route(r, false); }
core::Status RtnlRouteBackend::add_rule(const RuleSpec& r) { return rule(r, true); }
core::Status RtnlRouteBackend::remove_rule(const RuleSpec& r) { return rule(r, false); }

}  // namespace halbd::net
