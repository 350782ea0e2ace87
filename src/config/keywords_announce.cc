// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/keywords_announce.cc: the top-level `route_announce { }` block
// (issue 17): keywords, cross-checks against the virtual servers and the
// normalised dump. Registered through sections.cc; fills RouteAnnounce
// (model_announce.hh), which the announce subsystem reads.
#include <algorithm>

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

const KeywordTable<RouteAnnounce>& announce_table() {
    static const KeywordTable<RouteAnnounce> t("route_announce", {
        {"bird_socket", [](RouteAnnounce& r, Args& a) {
             if (!a.count(1)) return;
             if (a.str(0).empty() || a.str(0)[0] != '/') {
                 a.error(0, "'bird_socket' needs an absolute path (BIRD's control socket), got " + quote(a.str(0)));
                 return;
             }
             r.bird_socket = a.str(0);
         }},
        {"announce", [](RouteAnnounce& r, Args& a) {
             if (!a.count(2, 64)) return;
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
    for (const AnnounceRoute& route : r.routes) {
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
    out.line("bird_socket", Dumper::quoted(r.bird_socket));
    for (const AnnounceRoute& route : r.routes) {
        std::string names;
        for (const std::string& p : route.protocols) names += (names.empty() ? "" : " ") + p;
        out.line("announce", route.address, names);
    }
    out.close();
}

}  // namespace halbd::config
