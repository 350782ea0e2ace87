// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/section_lvs.cc: small helpers shared by the LVS section's keyword,
// validation and dump files: enum names, script and lvs_method arguments.
// The section's seams (add/validate/dump_lvs) live in keywords_lvs.cc,
// validate_lvs.cc and dump_lvs.cc.
#include "config/dump.hh"
#include "config/lvs_internal.hh"

namespace halbd::config {

const char* lvs_sched_name(LvsSched s) {
    static const char* const names[] = {"rr", "wrr", "lc",  "wlc", "lblc", "lblcr", "dh",
                                         "sh", "sed", "nq", "fo",  "ovf",  "mh",    "twos"};
    return names[static_cast<size_t>(s)];
}

const char* lvs_protocol_name(LvsProtocol p) {
    switch (p) {
        case LvsProtocol::TCP: return "TCP";
        case LvsProtocol::UDP: return "UDP";
        case LvsProtocol::SCTP: return "SCTP";
    }
    return "TCP";
}

const char* checker_kind_name(CheckerKind k) {
    static const char* const names[] = {"TCP_CHECK",  "HTTP_GET",  "SSL_GET",    "SMTP_CHECK",
                                        "DNS_CHECK",  "MISC_CHECK", "UDP_CHECK", "PING_CHECK",
                                        "FILE_CHECK", "BFD_CHECK"};
    return names[static_cast<size_t>(k)];
}

std::string lvs_method_text(const LvsMethod& m) {
    switch (m.kind) {
        case LvsMethodKind::NAT: return "NAT";
        case LvsMethodKind::DR: return "DR";
        case LvsMethodKind::TUN: break;
    }
    std::string s = "TUN type ";
    s += m.type == TunnelType::ipip ? "ipip" : m.type == TunnelType::gue ? "gue" : "gre";
    if (m.type == TunnelType::gue) s += " port " + std::to_string(m.port);
    if (m.type != TunnelType::ipip)
        s += m.csum == TunnelCsum::nocsum ? " nocsum" : m.csum == TunnelCsum::csum ? " csum" : " remcsum";
    return s;
}

namespace lvs {

std::string vs_name(const VirtualServer& vs) {
    switch (vs.kind) {
        case VsKind::Address: {
            std::string a = vs.address.is_v6() ? "[" + vs.address.to_string() + "]" : vs.address.to_string();
            return a + ":" + std::to_string(vs.port);
        }
        case VsKind::Fwmark: return "fwmark " + std::to_string(vs.fwmark);
        case VsKind::Group: return "group " + vs.group;
    }
    return {};
}

std::optional<Script> parse_script(Args& a) {
    if (!a.count(1, 3)) return std::nullopt;
    Script s;
    s.command = a.str(0);
    s.loc = a.loc(0);
    if (s.command.empty()) {
        a.error(0, "'" + a.keyword() + "' needs a command");
        return std::nullopt;
    }
    if (a.has(1)) s.user = ScriptUser{a.str(1), a.has(2) ? a.str(2) : std::string()};
    return s;
}

std::optional<LvsMethod> parse_lvs_method(Args& a) {
    if (!a.count(1, 6)) return std::nullopt;
    auto kind = a.choice(0, {"NAT", "DR", "TUN"});
    if (!kind) return std::nullopt;
    LvsMethod m;
    m.kind = *kind == "NAT" ? LvsMethodKind::NAT : *kind == "DR" ? LvsMethodKind::DR : LvsMethodKind::TUN;
    if (m.kind != LvsMethodKind::TUN) {
        if (a.size() > 1) {
            a.error(1, "tunnel options are only valid with 'TUN', got '" + a.str(1) + "'");
            return std::nullopt;
        }
        return m;
    }
    bool have_csum = false;
    for (size_t i = 1; i < a.size(); ++i) {
        const std::string& w = a.str(i);
        if (w == "type") {
            if (!a.has(i + 1)) {
                a.error(i, "'type' needs ipip|gue|gre");
                return std::nullopt;
            }
            auto t = a.choice(i + 1, {"ipip", "gue", "gre"});
            if (!t) return std::nullopt;
            m.type = *t == "ipip" ? TunnelType::ipip : *t == "gue" ? TunnelType::gue : TunnelType::gre;
            ++i;
        } else if (w == "port") {
            if (!a.has(i + 1)) {
                a.error(i, "'port' needs a port number 1-65535");
                return std::nullopt;
            }
            auto p = a.port(i + 1);
            if (!p) return std::nullopt;
            m.port = *p;
            ++i;
        } else if (w == "nocsum" || w == "csum" || w == "remcsum") {
            m.csum = w == "nocsum" ? TunnelCsum::nocsum : w == "csum" ? TunnelCsum::csum : TunnelCsum::remcsum;
            have_csum = true;
        } else {
            a.error(i, "unknown tunnel option '" + w + "'; expected type, port, nocsum, csum or remcsum");
            return std::nullopt;
        }
    }
    if ((m.type == TunnelType::gue) != (m.port != 0)) {
        a.error(m.type == TunnelType::gue ? "gue tunnels need 'port N'"
                                          : "'port' is only valid with 'type gue'");
        return std::nullopt;
    }
    if (m.type == TunnelType::ipip && have_csum && m.csum != TunnelCsum::nocsum) {
        a.error("ipip tunnels do not support a checksum option");
        return std::nullopt;
    }
    if (m.type == TunnelType::gre && m.csum == TunnelCsum::remcsum) {
        a.error("gre tunnels do not support 'remcsum'");
        return std::nullopt;
    }
    return m;
}

}  // namespace lvs
}  // namespace halbd::config
