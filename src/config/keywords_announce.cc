// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/keywords_announce.cc: the top-level `route_announce { }` block
// (issue 17): keywords, cross-checks against the virtual servers and the
// normalised dump. Registered through sections.cc; fills RouteAnnounce
// (model_announce.hh), which the announce subsystem reads.
#include <algorithm>
#include <optional>

#include "config/dump.hh"
#include "config/model.hh"
#include "config/sections.hh"

namespace halbd::config {

namespace {

std::string quote(std::string_view s) { return "'" + std::string(s) + "'"; }

// A BIRD symbol: what `enable NAME` accepts unquoted. Anything else could
// not name a protocol of bird.conf and must never reach the control socket.
bool bird_symbol(std::string_view s) {
    if (s.empty() || s.size() > 64) return false;
    auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
    if (!alpha(s[0])) return false;
    return std::all_of(s.begin(), s.end(), [&](char c) { return alpha(c) || (c >= '0' && c <= '9'); });
}

// An FRR route-map name as it reaches vtysh's command line: one word, so
// it can never add words or commands (vtysh splits -c at newlines).
bool frr_word(std::string_view s) {
    if (s.empty() || s.size() > 63) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
               c == '.';
    });
}

// An absolute path for `keyword`, or an error at it.
std::optional<std::string> absolute_path(Args& a, std::string_view what) {
    if (!a.count(1)) return std::nullopt;
    if (a.str(0).empty() || a.str(0)[0] != '/' || a.str(0).find('\n') != std::string::npos) {
        a.error(0, quote(a.keyword()) + " needs an absolute path (" + std::string(what) + "), got " + quote(a.str(0)));
        return std::nullopt;
    }
    return a.str(0);
}

void frr_keyword(RouteAnnounce& r, Args& a) {
    if (!r.frr_loc) r.frr_loc = a.loc();
}

const KeywordTable<RouteAnnounce>& announce_table() {
    static const KeywordTable<RouteAnnounce> t("route_announce", {
        {"daemon", [](RouteAnnounce& r, Args& a) {
             if (!a.count(1)) return;
             auto d = a.choice(0, {"bird", "frr"});
             if (d) r.daemon = *d == "frr" ? AnnounceDaemon::Frr : AnnounceDaemon::Bird;
         }},
        {"bird_socket", [](RouteAnnounce& r, Args& a) {
             auto p = absolute_path(a, "BIRD's control socket");
             if (!p) return;
             r.bird_socket = *p;
             r.bird_socket_loc = a.loc();
         }},
        {"vtysh", [](RouteAnnounce& r, Args& a) {
             frr_keyword(r, a);
             if (auto p = absolute_path(a, "FRR's vtysh program")) r.vtysh = *p;
         }},
        {"frr_vty_socket", [](RouteAnnounce& r, Args& a) {
             frr_keyword(r, a);
             if (auto p = absolute_path(a, "the directory of FRR's vty sockets")) r.frr_vty_socket = *p;
         }},
        {"withdraw_grace", [](RouteAnnounce& r, Args& a) {
             if (!a.count(1)) return;
             if (auto v = a.timer(0, Duration{}, std::chrono::seconds(60))) r.withdraw_grace = *v;
         }},
        {"frr_asn", [](RouteAnnounce& r, Args& a) {
             frr_keyword(r, a);
             if (!a.count(1)) return;
             if (auto n = a.uint(0, 1, 4294967295u)) r.frr_asn = static_cast<uint32_t>(*n);
         }},
        {"frr_route_map", [](RouteAnnounce& r, Args& a) {
             frr_keyword(r, a);
             if (!a.count(1)) return;
             if (!frr_word(a.str(0))) {
                 a.error(0, "bad route-map name " + quote(a.str(0)) + "; expected letters, digits, '_', '-', '.'");
                 return;
             }
             r.frr_route_map = a.str(0);
         }},
        {"announce", [](RouteAnnounce& r, Args& a) {
             if (!a.count(1, 64)) return;
             auto ip = a.ip(0);
             if (!ip) return;
             AnnounceRoute route;
             route.address = *ip;
             route.loc = a.loc(0);
             for (size_t i = 1; i < a.size(); ++i) {
                 if (!bird_symbol(a.str(i))) {
                     a.error(i, "bad protocol name " + quote(a.str(i)) +
                                    "; expected a BIRD symbol (a letter or '_', then letters, digits, '_')");
                     return;
                 }
                 for (const AnnounceRoute& old : r.routes)
                     for (const std::string& p : old.protocols)
                         if (p == a.str(i)) {
                             a.error(i, "protocol " + quote(p) + " is already announced for " +
                                            old.address.to_string() + " at line " + std::to_string(old.loc.line));
                             return;
                         }
                 if (std::find(route.protocols.begin(), route.protocols.end(), a.str(i)) != route.protocols.end()) {
                    a.error(i, "protocol " + quote(a.str(i)) + " is already announced on this line");
                    return;
                }
                route.protocols.push_back(a.str(i));
             }
             for (const AnnounceRoute& old : r.routes)
                 if (old.address == route.address) {
                     a.error(0, "address " + route.address.to_string() + " is already announced at line " +
                                    std::to_string(old.loc.line) + "; list every protocol on one line");
                     return;
                 }
             r.routes.push_back(std::move(route));
         }},
    });
    return t;
}

}  // namespace

void add_announce_keywords(KeywordTable<Model>& top) {
    top.add({
        {"route_announce",
         [](Model& m, Args& a) {
             a.at_most(0);
             if (m.route_announce) {
                 a.error("only one 'route_announce' block is allowed (the first is at line " +
                         std::to_string(m.route_announce->loc.line) + ")");
                 RouteAnnounce scratch;
                 a.parser().block(a, announce_table(), scratch);
                 return;
             }
             RouteAnnounce& r = m.route_announce.emplace();
             r.loc = a.loc();
             a.parser().block(a, announce_table(), r);
         }},
    });
}

// Runs after the LVS section: each announced address is a virtual server's.
void validate_announce(Model& m, ValidateContext& ctx) {
    if (!m.route_announce) return;
    const RouteAnnounce& r = *m.route_announce;
    if (r.routes.empty())
        ctx.diags.warning(r.loc, "route_announce has no 'announce' line: nothing is announced");
    const bool frr = r.daemon == AnnounceDaemon::Frr;
    if (frr && r.bird_socket_loc)
        ctx.diags.warning(*r.bird_socket_loc, "'bird_socket' is ignored with 'daemon frr'");
    if (!frr && r.frr_loc)
        ctx.diags.warning(*r.frr_loc, "FRR keywords (vtysh, frr_*) are ignored without 'daemon frr'");
    for (const AnnounceRoute& route : r.routes) {
        if (frr && !route.protocols.empty())
            ctx.diags.error(route.loc, "with 'daemon frr' an announce line names no protocol: halbd adds and "
                                       "removes bgpd's 'network " + route.address.to_string() + "/" +
                                           (route.address.is_v4() ? "32" : "128") + "'");
        if (!frr && route.protocols.empty())
            ctx.diags.error(route.loc, "announce " + route.address.to_string() +
                                           " needs at least one BIRD protocol (or 'daemon frr')");
        const auto& vss = m.lvs.virtual_servers;
        const bool served = std::any_of(vss.begin(), vss.end(), [&](const VirtualServer& vs) {
            return vs.kind == VsKind::Address && vs.address == route.address;
        });
        if (!served)
            ctx.diags.error(route.loc, "route_announce: no virtual_server on " + route.address.to_string() +
                                           "; an address is announced while its virtual servers have quorum");
    }
}

void dump_announce(const Model& m, Dumper& out) {
    if (!m.route_announce) return;
    const RouteAnnounce& r = *m.route_announce;
    out.open("route_announce");
    if (r.daemon == AnnounceDaemon::Frr) {
        out.line("daemon", "frr");
        out.line("vtysh", Dumper::quoted(r.vtysh));
        if (!r.frr_vty_socket.empty()) out.line("frr_vty_socket", Dumper::quoted(r.frr_vty_socket));
        if (r.frr_asn) out.line("frr_asn", *r.frr_asn);
        if (!r.frr_route_map.empty()) out.line("frr_route_map", r.frr_route_map);
    } else {
        out.line("bird_socket", Dumper::quoted(r.bird_socket));
    }
    out.line("withdraw_grace", r.withdraw_grace);
    for (const AnnounceRoute& route : r.routes) {
        std::string names;
        for (const std::string& p : route.protocols) names += (names.empty() ? "" : " ") + p;
        if (names.empty()) out.line("announce", route.address);
        else out.line("announce", route.address, names);
    }
    out.close();
}

}  // namespace halbd::config
