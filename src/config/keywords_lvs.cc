// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/keywords_lvs.cc: the keyword tables of the LVS section: the top-level
// `virtual_server_group`, `virtual_server` and `SSL` blocks and the
// virtual_server and real_server tables (checker blocks come from
// keywords_check.cc). Called by config::load() through add_lvs_keywords().
#include <cstring>

#include "config/lvs_internal.hh"
#include "config/sections.hh"

namespace halbd::config {

namespace {

using namespace lvs;

// ---- virtual_server_group ---------------------------------------------------

// "a.b.c.d", "a.b.c.d-N", "a.b.c.d-e.f.g.h", "a.b.c.d/len" (and IPv6 forms, the
// short range end being the last hextet in hex).
bool parse_vsg_range(Args& item, VsgEntry& e) {
    const std::string& w = item.keyword();
    auto bad = [&](const std::string& why) {
        item.error("invalid virtual_server_group entry '" + w + "': " + why);
        return false;
    };
    if (auto slash = w.find('/'); slash != std::string::npos) {
        auto p = net::Prefix::parse(w);
        if (!p) return bad("expected ADDRESS/PREFIXLEN");
        uint8_t lo[16], hi[16];
        const size_t n = p->address.size();
        for (size_t i = 0; i < n; ++i) {
            int bits = static_cast<int>(p->length) - static_cast<int>(i * 8);
            uint8_t mask = bits >= 8 ? 0xff : bits <= 0 ? 0 : static_cast<uint8_t>(0xff << (8 - bits));
            lo[i] = p->address.bytes()[i] & mask;
            hi[i] = static_cast<uint8_t>(lo[i] | static_cast<uint8_t>(~mask));
        }
        e.first = net::IpAddress::from_bytes(p->address.family(), lo);
        e.last = net::IpAddress::from_bytes(p->address.family(), hi);
        return true;
    }
    auto dash = w.find('-');
    auto first = net::IpAddress::parse(std::string_view(w).substr(0, dash));
    if (!first) return bad("not a valid IPv4 or IPv6 address");
    e.first = e.last = *first;
    if (dash == std::string::npos) return true;
    std::string_view end = std::string_view(w).substr(dash + 1);
    if (end.find_first_of(".:") != std::string_view::npos) {
        auto last = net::IpAddress::parse(end);
        if (!last || last->family() != first->family())
            return bad("the range end must be an address of the same family");
        e.last = *last;
    } else {
        const bool v4 = first->is_v4();
        unsigned long v = 0;
        size_t digits = 0;
        for (char c : end) {
            int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                    : (!v4 && std::isxdigit(static_cast<unsigned char>(c)))
                        ? std::tolower(static_cast<unsigned char>(c)) - 'a' + 10
                        : -1;
            if (d < 0 || ++digits > 5) return bad(v4 ? "range end must be 0-255" : "range end must be 0-ffff");
            v = v * (v4 ? 10 : 16) + static_cast<unsigned>(d);
        }
        if (digits == 0 || v > (v4 ? 255u : 0xffffu))
            return bad(v4 ? "range end must be 0-255" : "range end must be 0-ffff");
        uint8_t b[16];
        std::memcpy(b, first->bytes(), first->size());
        if (v4) {
            b[3] = static_cast<uint8_t>(v);
        } else {
            b[14] = static_cast<uint8_t>(v >> 8);
            b[15] = static_cast<uint8_t>(v);
        }
        e.last = net::IpAddress::from_bytes(first->family(), b);
    }
    if (e.last < e.first) return bad("the range end is below its start");
    return true;
}

void vsg_item(VirtualServerGroup& g, Args& item) {
    VsgEntry e;
    e.loc = item.loc();
    if (item.keyword() == "fwmark") {
        if (!item.count(1, 2)) return;
        auto v = item.uint(0, 0, UINT32_MAX);
        if (!v) return;
        e.is_fwmark = true;
        e.fwmark = static_cast<uint32_t>(*v);
        if (item.has(1)) {
            auto f = item.choice(1, {"inet", "inet6"});
            if (!f) return;
            e.family = *f == "inet" ? net::Family::V4 : net::Family::V6;
        }
    } else {
        if (!item.at_most(1)) return;
        if (!parse_vsg_range(item, e)) return;
        if (item.has(0)) {
            auto p = item.port(0, true);
            if (!p) return;
            e.port = *p;
        }
    }
    g.entries.push_back(std::move(e));
}

// ---- real_server ------------------------------------------------------------

template <class T, class F>
void set_opt(std::optional<T>& field, F&& v) {
    if (v) field = *v;
}

void rs_timer(std::optional<Duration>& f, Args& a, Duration min, Duration max) {
    if (a.count(1)) set_opt(f, a.timer(0, min, max));
}

void rs_bool(std::optional<bool>& f, Args& a) {
    if (a.at_most(1)) set_opt(f, a.boolean(0));
}

const KeywordTable<RealServer>& real_server_table() {
    static const KeywordTable<RealServer> t = [] {
        KeywordTable<RealServer> t("real_server", {
            {"weight", [](RealServer& rs, Args& a) {
                 if (a.count(1)) if (auto v = a.uint(0, 0, kMaxWeight)) rs.weight = static_cast<uint32_t>(*v);
             }},
            {"lvs_method", [](RealServer& rs, Args& a) { set_opt(rs.lvs_method, parse_lvs_method(a)); }},
            {"uthreshold", [](RealServer& rs, Args& a) {
                 if (a.count(1)) if (auto v = a.uint(0, 0, UINT32_MAX)) rs.uthreshold = static_cast<uint32_t>(*v);
             }},
            {"lthreshold", [](RealServer& rs, Args& a) {
                 if (a.count(1)) if (auto v = a.uint(0, 0, UINT32_MAX)) rs.lthreshold = static_cast<uint32_t>(*v);
             }},
            {"inhibit_on_failure", [](RealServer& rs, Args& a) { rs_bool(rs.inhibit_on_failure, a); }},
            {"alpha", [](RealServer& rs, Args& a) { rs_bool(rs.alpha, a); }},
            {"notify_up", [](RealServer& rs, Args& a) {
                 if (rs.notify_up) return a.error("'notify_up' is already set for this real server");
                 if (auto s = parse_script(a)) rs.notify_up = std::move(*s);
             }},
            {"notify_down", [](RealServer& rs, Args& a) {
                 if (rs.notify_down) return a.error("'notify_down' is already set for this real server");
                 if (auto s = parse_script(a)) rs.notify_down = std::move(*s);
             }},
            {"retry", [](RealServer& rs, Args& a) {
                 if (a.count(1)) if (auto v = a.uint(0, 1, UINT32_MAX)) rs.retry = static_cast<uint32_t>(*v);
             }},
            {"delay_before_retry", [](RealServer& rs, Args& a) { rs_timer(rs.delay_before_retry, a, Duration{}, kMaxTimer); }},
            {"warmup", [](RealServer& rs, Args& a) { rs_timer(rs.warmup, a, Duration{}, kMaxTimer); }},
            {"connect_timeout", [](RealServer& rs, Args& a) { rs_timer(rs.connect_timeout, a, kMicro, kMaxConnectTimeout); }},
            {"delay_loop", [](RealServer& rs, Args& a) { rs_timer(rs.delay_loop, a, kMicro, kMaxTimer); }},
            {"virtualhost", [](RealServer& rs, Args& a) {
                 if (a.count(1)) rs.virtualhost = a.str(0);
             }},
            {"smtp_alert", nullptr, kUnimplemented, "halbd does not send email alerts"},
            {"snmp_name", nullptr, kUnimplemented, "halbd has no SNMP agent"},
        });
        add_checker_blocks(t);
        return t;
    }();
    return t;
}

std::optional<std::pair<net::IpAddress, uint16_t>> server_address(Args& a) {
    if (!a.count(1, 2)) return std::nullopt;
    auto ip = a.ip(0);
    if (!ip) return std::nullopt;
    uint16_t port = 0;
    if (a.has(1)) {
        auto p = a.port(1, true);
        if (!p) return std::nullopt;
        port = *p;
    }
    return std::make_pair(*ip, port);
}

// ---- virtual_server ---------------------------------------------------------

void vs_flag(bool VirtualServer::*field, VirtualServer& vs, Args& a) {
    if (a.at_most(0)) vs.*field = true;
}

void vs_timer(std::optional<Duration>& f, Args& a) {
    if (a.count(1)) set_opt(f, a.timer(0, Duration{}, kMaxTimer));
}

void vs_sched(VirtualServer& vs, Args& a) {
    if (!a.count(1)) return;
    auto s = a.choice(0, {"rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo",
                          "ovf", "mh", "twos"});
    if (!s) return;
    for (int i = 0; i <= static_cast<int>(LvsSched::twos); ++i)
        if (*s == lvs_sched_name(static_cast<LvsSched>(i))) vs.lvs_sched = static_cast<LvsSched>(i);
}

const KeywordTable<VirtualServer>& virtual_server_table() {
    static const KeywordTable<VirtualServer> t("virtual_server", {
        {"ip_family", [](VirtualServer& vs, Args& a) {
             if (!a.count(1)) return;
             if (auto f = a.choice(0, {"inet", "inet6"}))
                 vs.ip_family = *f == "inet" ? net::Family::V4 : net::Family::V6;
         }},
        {"retry", [](VirtualServer& vs, Args& a) {
             if (a.count(1)) if (auto v = a.uint(0, 1, UINT32_MAX)) vs.retry = static_cast<uint32_t>(*v);
         }},
        {"delay_before_retry", [](VirtualServer& vs, Args& a) { vs_timer(vs.delay_before_retry, a); }},
        {"warmup", [](VirtualServer& vs, Args& a) { vs_timer(vs.warmup, a); }},
        {"connect_timeout", [](VirtualServer& vs, Args& a) {
             if (a.count(1)) if (auto v = a.timer(0, kMicro, kMaxConnectTimeout)) vs.connect_timeout = *v;
         }},
        {"delay_loop", [](VirtualServer& vs, Args& a) {
             if (a.count(1)) if (auto v = a.timer(0, kMicro, kMaxTimer)) vs.delay_loop = *v;
         }},
        {"inhibit_on_failure", [](VirtualServer& vs, Args& a) {
             if (a.at_most(1)) if (auto v = a.boolean(0)) vs.inhibit_on_failure = *v;
         }},
        {"lvs_sched", vs_sched},
        {"lb_algo", vs_sched, kDeprecated | kQuiet, "lvs_sched"},
        {"hashed", nullptr, kObsolete, "IPVS has no such scheduler flag any more"},
        {"ops", [](VirtualServer& vs, Args& a) { vs_flag(&VirtualServer::ops, vs, a); }, kFlag},
        {"flag-1", [](VirtualServer& vs, Args& a) { vs_flag(&VirtualServer::flag_1, vs, a); }, kFlag},
        {"flag-2", [](VirtualServer& vs, Args& a) { vs_flag(&VirtualServer::flag_2, vs, a); }, kFlag},
        {"flag-3", [](VirtualServer& vs, Args& a) { vs_flag(&VirtualServer::flag_3, vs, a); }, kFlag},
        {"sh-port", [](VirtualServer& vs, Args& a) { vs_flag(&VirtualServer::sh_port, vs, a); }, kFlag},
        {"sh-fallback", [](VirtualServer& vs, Args& a) { vs_flag(&VirtualServer::sh_fallback, vs, a); }, kFlag},
        {"mh-port", [](VirtualServer& vs, Args& a) { vs_flag(&VirtualServer::mh_port, vs, a); }, kFlag},
        {"mh-fallback", [](VirtualServer& vs, Args& a) { vs_flag(&VirtualServer::mh_fallback, vs, a); }, kFlag},
        {"lvs_method", [](VirtualServer& vs, Args& a) { set_opt(vs.lvs_method, parse_lvs_method(a)); }},
        {"lb_kind", [](VirtualServer& vs, Args& a) { set_opt(vs.lvs_method, parse_lvs_method(a)); },
         kDeprecated | kQuiet, "lvs_method"},
        {"nat_mask", nullptr, kObsolete, "IPVS takes no netmask; it is ignored"},
        {"real_group", nullptr, kObsolete, "keepalived 1.0's real server groups never worked; list real_server blocks"},
        {"persistence_engine", [](VirtualServer& vs, Args& a) {
             if (!a.count(1)) return;
             if (a.str(0).empty() || a.str(0).size() > 15)
                 return a.error(0, "'persistence_engine' expects a name of 1 to 15 characters (e.g. sip)");
             vs.persistence_engine = a.str(0);
         }},
        {"persistence_timeout", [](VirtualServer& vs, Args& a) {
             if (!a.at_most(1)) return;
             if (!a.has(0)) {
                 vs.persistence_timeout = kDefaultPersistenceTimeout;
                 return;
             }
             if (a.str(0) == "0") {
                 // Old configurations (the LVS-DR seed article) say 0 for "not
                 // persistent"; keepalived 2.x rejects it and carries on without.
                 a.warning(0, "'persistence_timeout 0' means no persistence; remove the line");
                 vs.persistence_timeout = 0;
                 return;
             }
             if (auto v = a.uint(0, 1, kMaxPersistenceTimeout)) vs.persistence_timeout = static_cast<uint32_t>(*v);
         }},
        {"persistence_granularity", [](VirtualServer& vs, Args& a) {
             if (!a.count(1)) return;
             const std::string& s = a.str(0);
             PersistenceGranularity g;
             if (s.find('.') != std::string::npos) {
                 auto ip = net::IpAddress::parse(s);
                 if (!ip || !ip->is_v4())
                     return a.error(0, "'persistence_granularity' expects an IPv4 netmask or an IPv6 prefix length 1-128, got '" + s + "'");
                 g.mask = *ip;
             } else {
                 auto v = a.uint(0, 1, 128);
                 if (!v) return;
                 g.family = net::Family::V6;
                 g.prefix = static_cast<uint8_t>(*v);
             }
             vs.persistence_granularity = g;
         }},
        {"protocol", [](VirtualServer& vs, Args& a) {
             if (!a.count(1)) return;
             std::string p = a.str(0);
             for (auto& c : p) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
             if (p == "TCP") vs.protocol = LvsProtocol::TCP;
             else if (p == "UDP") vs.protocol = LvsProtocol::UDP;
             else if (p == "SCTP") vs.protocol = LvsProtocol::SCTP;
             else a.error(0, "'protocol' expects TCP|UDP|SCTP, got '" + a.str(0) + "'");
         }},
        {"ha_suspend", [](VirtualServer& vs, Args& a) { vs_flag(&VirtualServer::ha_suspend, vs, a); }, kFlag},
        {"smtp_alert", nullptr, kUnimplemented, "halbd does not send email alerts"},
        {"snmp_name", nullptr, kUnimplemented, "halbd has no SNMP agent"},
        {"virtualhost", [](VirtualServer& vs, Args& a) {
             if (a.count(1)) vs.virtualhost = a.str(0);
         }},
        {"alpha", [](VirtualServer& vs, Args& a) {
             if (a.at_most(1)) if (auto v = a.boolean(0)) vs.alpha = *v;
         }},
        {"omega", [](VirtualServer& vs, Args& a) {
             if (a.at_most(1)) if (auto v = a.boolean(0)) vs.omega = *v;
         }, kFlag},
        {"quorum_up", [](VirtualServer& vs, Args& a) {
             if (vs.quorum_up) return a.error("'quorum_up' is already set for this virtual server");
             if (auto s = parse_script(a)) vs.quorum_up = std::move(*s);
         }},
        {"quorum_down", [](VirtualServer& vs, Args& a) {
             if (vs.quorum_down) return a.error("'quorum_down' is already set for this virtual server");
             if (auto s = parse_script(a)) vs.quorum_down = std::move(*s);
         }},
        {"quorum", [](VirtualServer& vs, Args& a) {
             if (a.count(1)) if (auto v = a.uint_or(0, 1, UINT32_MAX, 1)) vs.quorum = static_cast<uint32_t>(*v);
         }},
        {"hysteresis", [](VirtualServer& vs, Args& a) {
             if (a.count(1)) if (auto v = a.uint(0, 0, UINT32_MAX)) vs.hysteresis = static_cast<uint32_t>(*v);
         }},
        {"weight", [](VirtualServer& vs, Args& a) {
             if (a.count(1)) if (auto v = a.uint(0, 1, kMaxWeight)) vs.weight = static_cast<uint32_t>(*v);
         }},
        {"sorry_server", [](VirtualServer& vs, Args& a) {
             auto addr = server_address(a);
             if (!addr) return;
             if (vs.sorry_server) a.warning("'sorry_server' given twice; the last one is used");
             SorryServer s;
             s.loc = a.loc();
             s.address = addr->first;
             s.port = addr->second;
             if (vs.sorry_server) {
                 s.lvs_method = vs.sorry_server->lvs_method;
                 s.inhibit = vs.sorry_server->inhibit;
             }
             vs.sorry_server = s;
         }},
        {"sorry_server_inhibit", [](VirtualServer& vs, Args& a) {
             if (!a.at_most(1)) return;
             if (!vs.sorry_server) return a.error("'sorry_server_inhibit' must follow 'sorry_server'");
             if (auto v = a.boolean(0)) vs.sorry_server->inhibit = *v;
         }},
        {"sorry_server_lvs_method", [](VirtualServer& vs, Args& a) {
             if (!vs.sorry_server) return a.error("'sorry_server_lvs_method' must follow 'sorry_server'");
             set_opt(vs.sorry_server->lvs_method, parse_lvs_method(a));
         }},
        {"real_server", [](VirtualServer& vs, Args& a) {
             auto addr = server_address(a);
             RealServer rs;
             rs.loc = a.loc();
             if (addr) {
                 rs.address = addr->first;
                 rs.port = addr->second;
             }
             if (vs.real_servers.size() == vs.real_servers.capacity() && vs.real_servers.size() < 8)
                 vs.real_servers.reserve(8);
             vs.real_servers.push_back(std::move(rs));
             a.parser().block(a, real_server_table(), vs.real_servers.back());
             if (!addr) vs.real_servers.pop_back();
         }},
    });
    return t;
}

void virtual_server(Model& m, Args& a) {
    VirtualServer vs;
    vs.loc = a.loc();
    bool ok = false;
    if (a.has(0) && (a.str(0) == "fwmark" || a.str(0) == "group")) {
        if (a.count(2)) {
            if (a.str(0) == "fwmark") {
                if (auto v = a.uint(1, 1, UINT32_MAX)) {
                    vs.kind = VsKind::Fwmark;
                    vs.fwmark = static_cast<uint32_t>(*v);
                    ok = true;
                }
            } else {
                vs.kind = VsKind::Group;
                vs.group = a.str(1);
                ok = true;
            }
        }
    } else if (auto addr = server_address(a)) {
        vs.address = addr->first;
        vs.port = addr->second;
        ok = true;
    }
    auto& list = m.lvs.virtual_servers;
    list.push_back(std::move(vs));
    a.parser().block(a, virtual_server_table(), list.back());
    if (!ok) list.pop_back();
}

const KeywordTable<SslConfig>& ssl_table() {
    static const KeywordTable<SslConfig> t("SSL", {
        {"password", [](SslConfig& s, Args& a) { if (a.count(1)) s.password = a.str(0); }},
        {"ca", [](SslConfig& s, Args& a) { if (a.count(1)) s.ca = a.str(0); }},
        {"certificate", [](SslConfig& s, Args& a) { if (a.count(1)) s.certificate = a.str(0); }},
        {"key", [](SslConfig& s, Args& a) { if (a.count(1)) s.key = a.str(0); }},
    });
    return t;
}

}  // namespace

void add_lvs_keywords(KeywordTable<Model>& top) {
    top.add({
        {"virtual_server_group", [](Model& m, Args& a) {
             VirtualServerGroup g;
             g.loc = a.loc();
             bool ok = a.count(1);
             if (ok) g.name = a.str(0);
             a.parser().list(a, [&](Args& item) { vsg_item(g, item); });
             if (ok) m.lvs.virtual_server_groups.push_back(std::move(g));
         }},
        {"virtual_server", virtual_server},
        {"real_server_group", nullptr, kObsolete, "keepalived 1.0's real server groups never worked; list real_server blocks"},
        {"SSL", [](Model& m, Args& a) {
             if (!a.at_most(0)) return;
             if (m.lvs.ssl.loc.file != 0) a.warning("'SSL' given twice; the last one is used");
             m.lvs.ssl = SslConfig{};
             m.lvs.ssl.loc = a.loc();
             a.parser().block(a, ssl_table(), m.lvs.ssl);
         }},
    });
}

}  // namespace halbd::config
