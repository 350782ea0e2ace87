// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/dump_lvs.cc: the LVS section of `halbd -d`: virtual_server_group,
// virtual_server, real_server and checker blocks with every effective value
// spelled out in modern keywords; loading the output gives the same dump.
#include "config/dump.hh"
#include "config/lvs_internal.hh"
#include "config/sections.hh"

namespace halbd::config {

namespace lvs {

void dump_script(Dumper& d, std::string_view keyword, const Script& s) {
    if (s.user)
        if (s.user->group.empty()) d.line(keyword, Dumper::quoted(s.command), Dumper::quoted(s.user->user));
        else d.line(keyword, Dumper::quoted(s.command), Dumper::quoted(s.user->user), Dumper::quoted(s.user->group));
    else
        d.line(keyword, Dumper::quoted(s.command));
}

namespace {

const char* onoff(bool b) { return b ? "on" : "off"; }

void dump_url(Dumper& d, const HttpUrl& u) {
    d.open("url");
    d.line("path", Dumper::quoted(u.path));
    if (!u.digest.empty()) d.line("digest", u.digest);
    if (!u.status_code.empty()) {
        std::string codes;
        for (auto& r : u.status_code) {
            if (!codes.empty()) codes += ' ';
            codes += std::to_string(r.first);
            if (r.last != r.first) codes += "-" + std::to_string(r.last);
        }
        d.line("status_code", codes);
    }
    if (u.virtualhost) d.line("virtualhost", Dumper::quoted(*u.virtualhost));
    if (!u.regex.empty()) {
        d.line("regex", Dumper::quoted(u.regex));
        if (u.regex_no_match) d.line("regex_no_match");
        if (!u.regex_options.empty()) {
            std::string o;
            for (auto& x : u.regex_options) o += (o.empty() ? "" : " ") + x;
            d.line("regex_options", o);
        }
        if (u.regex_stack_max) d.line("regex_stack", u.regex_stack_start, u.regex_stack_max);
        if (u.regex_min_offset) d.line("regex_min_offset", *u.regex_min_offset);
        if (u.regex_max_offset) d.line("regex_max_offset", *u.regex_max_offset);
    }
    d.close();
}

std::string hex(const std::vector<uint8_t>& v) {
    static const char digits[] = "0123456789abcdef";
    std::string s;
    for (auto b : v) {
        s += digits[b >> 4];
        s += digits[b & 15];
    }
    return s;
}

}  // namespace

void dump_checker(Dumper& d, const Checker& c) {
    d.open(checker_kind_name(c.kind()));
    if (c.connect_ip) d.line("connect_ip", *c.connect_ip);
    if (c.connect_port) d.line("connect_port", *c.connect_port);
    if (c.bindto) d.line("bindto", *c.bindto);
    if (c.bind_port) d.line("bind_port", *c.bind_port);
    if (c.bind_if) d.line("bind_if", Dumper::quoted(*c.bind_if));
    if (c.connect_timeout) d.line("connect_timeout", *c.connect_timeout);
    if (c.fwmark) d.line("fwmark", c.fwmark);
    if (c.retry) d.line("retry", *c.retry);
    if (c.delay_before_retry) d.line("delay_before_retry", *c.delay_before_retry);
    if (c.warmup) d.line("warmup", *c.warmup);
    if (c.delay_loop) d.line("delay_loop", *c.delay_loop);
    const bool std_opts = c.kind() != CheckerKind::FILE_CHECK && c.kind() != CheckerKind::BFD_CHECK;
    if (std_opts && c.alpha) d.line("alpha", onoff(*c.alpha));
    if (std_opts && c.log_all_failures) d.line("log_all_failures", onoff(*c.log_all_failures));
    std::visit([&](const auto& p) {
        using P = std::decay_t<decltype(p)>;
        if constexpr (std::is_base_of_v<HttpGetCheck, P>) {
            static const char* const protos[] = {"1.0", "1.0C", "1.1"};
            d.line("http_protocol", protos[static_cast<size_t>(p.http_protocol)]);
            if (p.virtualhost) d.line("virtualhost", Dumper::quoted(*p.virtualhost));
            if constexpr (std::is_same_v<P, SslGetCheck>) d.line("enable_sni", onoff(p.enable_sni));
            d.line("fast_recovery", onoff(p.fast_recovery));
            for (auto& u : p.url) dump_url(d, u);
        } else if constexpr (std::is_same_v<P, SmtpCheck>) {
            d.line("helo_name", Dumper::quoted(p.helo_name));
        } else if constexpr (std::is_same_v<P, DnsCheck>) {
            static const char* const types[] = {"A", "NS", "CNAME", "SOA", "MX", "TXT", "AAAA"};
            d.line("type", types[static_cast<size_t>(p.type)]);
            d.line("name", Dumper::quoted(p.name));
        } else if constexpr (std::is_same_v<P, MiscCheck>) {
            d.line("misc_path", Dumper::quoted(p.misc_path));
            d.line("misc_timeout", p.misc_timeout);
            if (p.misc_dynamic) d.line("misc_dynamic");
            if (p.user) {
                if (p.user->group.empty()) d.line("user", Dumper::quoted(p.user->user));
                else d.line("user", Dumper::quoted(p.user->user), Dumper::quoted(p.user->group));
            }
        } else if constexpr (std::is_same_v<P, UdpCheck>) {
            if (!p.payload.empty()) d.line("payload", hex(p.payload));
            if (p.require_reply) {
                if (p.reply_pattern.empty()) d.line("require_reply");
                else d.line("require_reply", p.reply_pattern);
            }
            d.line("min_reply_length", p.min_reply_length);
            d.line("max_reply_length", p.max_reply_length);
        } else if constexpr (std::is_same_v<P, FileCheck>) {
            d.line("track_file", Dumper::quoted(p.track_file));
            if (p.reverse) d.line("weight", p.weight, "reverse");
            else if (p.weight) d.line("weight", p.weight);
            if (p.dynamic) d.line("dynamic");
        } else if constexpr (std::is_same_v<P, BfdCheck>) {
            d.line("name", Dumper::quoted(p.name));
            if (p.weight) d.line("weight", p.weight);
        }
    }, c.params);
    d.close();
}

}  // namespace lvs

namespace {

using namespace lvs;

const char* onoff(bool b) { return b ? "on" : "off"; }

void dump_group(Dumper& d, const VirtualServerGroup& g) {
    d.open("virtual_server_group", Dumper::quoted(g.name));
    for (auto& e : g.entries) {
        if (e.is_fwmark) {
            if (e.family) d.line("fwmark", e.fwmark, *e.family == net::Family::V4 ? "inet" : "inet6");
            else d.line("fwmark", e.fwmark);
            continue;
        }
        std::string a = e.first.to_string();
        if (e.last != e.first) a += "-" + e.last.to_string();
        if (e.port) d.line(a, e.port);
        else d.line(a);
    }
    d.close();
}

void dump_rs(Dumper& d, const RealServer& rs) {
    if (rs.port) d.open("real_server", rs.address, rs.port);
    else d.open("real_server", rs.address);
    if (rs.weight) d.line("weight", *rs.weight);
    if (rs.lvs_method) d.line("lvs_method", lvs_method_text(*rs.lvs_method));
    if (rs.uthreshold) d.line("uthreshold", rs.uthreshold);
    if (rs.lthreshold) d.line("lthreshold", rs.lthreshold);
    if (rs.inhibit_on_failure) d.line("inhibit_on_failure", onoff(*rs.inhibit_on_failure));
    if (rs.alpha) d.line("alpha", onoff(*rs.alpha));
    if (rs.notify_up) dump_script(d, "notify_up", *rs.notify_up);
    if (rs.notify_down) dump_script(d, "notify_down", *rs.notify_down);
    if (rs.virtualhost) d.line("virtualhost", Dumper::quoted(*rs.virtualhost));
    if (rs.connect_timeout) d.line("connect_timeout", *rs.connect_timeout);
    if (rs.delay_loop) d.line("delay_loop", *rs.delay_loop);
    if (rs.delay_before_retry) d.line("delay_before_retry", *rs.delay_before_retry);
    if (rs.warmup) d.line("warmup", *rs.warmup);
    if (rs.retry) d.line("retry", *rs.retry);
    for (auto& c : rs.checkers) dump_checker(d, c);
    d.close();
}

void dump_vs(Dumper& d, const VirtualServer& vs) {
    switch (vs.kind) {
        case VsKind::Address:
            if (vs.port) d.open("virtual_server", vs.address, vs.port);
            else d.open("virtual_server", vs.address);
            break;
        case VsKind::Fwmark: d.open("virtual_server", "fwmark", vs.fwmark); break;
        case VsKind::Group: d.open("virtual_server", "group", Dumper::quoted(vs.group)); break;
    }
    if (vs.ip_family) d.line("ip_family", *vs.ip_family == net::Family::V4 ? "inet" : "inet6");
    if (vs.protocol) d.line("protocol", lvs_protocol_name(*vs.protocol));
    if (vs.lvs_sched) d.line("lvs_sched", lvs_sched_name(*vs.lvs_sched));
    if (vs.flag_1) d.line("flag-1");
    if (vs.flag_2) d.line("flag-2");
    if (vs.flag_3) d.line("flag-3");
    if (vs.sh_port) d.line("sh-port");
    if (vs.sh_fallback) d.line("sh-fallback");
    if (vs.mh_port) d.line("mh-port");
    if (vs.mh_fallback) d.line("mh-fallback");
    if (vs.ops) d.line("ops");
    if (vs.lvs_method) d.line("lvs_method", lvs_method_text(*vs.lvs_method));
    if (!vs.persistence_engine.empty()) d.line("persistence_engine", Dumper::quoted(vs.persistence_engine));
    if (vs.persistence_timeout) d.line("persistence_timeout", vs.persistence_timeout);
    if (auto& g = vs.persistence_granularity) {
        if (g->family == net::Family::V4) d.line("persistence_granularity", g->mask);
        else d.line("persistence_granularity", g->prefix);
    }
    if (vs.ha_suspend) d.line("ha_suspend");
    if (vs.virtualhost) d.line("virtualhost", Dumper::quoted(*vs.virtualhost));
    d.line("alpha", onoff(vs.alpha));
    if (vs.omega) d.line("omega");
    d.line("quorum", vs.quorum);
    d.line("hysteresis", vs.hysteresis);
    d.line("weight", vs.weight);
    if (vs.quorum_up) dump_script(d, "quorum_up", *vs.quorum_up);
    if (vs.quorum_down) dump_script(d, "quorum_down", *vs.quorum_down);
    d.line("inhibit_on_failure", onoff(vs.inhibit_on_failure));
    d.line("delay_loop", vs.delay_loop);
    d.line("connect_timeout", vs.connect_timeout);
    if (vs.delay_before_retry) d.line("delay_before_retry", *vs.delay_before_retry);
    if (vs.warmup) d.line("warmup", *vs.warmup);
    if (vs.retry) d.line("retry", *vs.retry);
    if (auto& s = vs.sorry_server) {
        if (s->port) d.line("sorry_server", s->address, s->port);
        else d.line("sorry_server", s->address);
        if (s->lvs_method) d.line("sorry_server_lvs_method", lvs_method_text(*s->lvs_method));
        if (s->inhibit) d.line("sorry_server_inhibit");
    }
    for (auto& rs : vs.real_servers) dump_rs(d, rs);
    d.close();
}

}  // namespace

void dump_lvs(const Model& m, Dumper& d) {
    const auto& lvs = m.lvs;
    if (lvs.ssl.loc.file) {
        d.open("SSL");
        if (!lvs.ssl.password.empty()) d.line("password", Dumper::quoted(lvs.ssl.password));
        if (!lvs.ssl.ca.empty()) d.line("ca", Dumper::quoted(lvs.ssl.ca));
        if (!lvs.ssl.certificate.empty()) d.line("certificate", Dumper::quoted(lvs.ssl.certificate));
        if (!lvs.ssl.key.empty()) d.line("key", Dumper::quoted(lvs.ssl.key));
        d.close();
    }
    for (auto& g : lvs.virtual_server_groups) dump_group(d, g);
    for (auto& vs : lvs.virtual_servers) dump_vs(d, vs);
}

}  // namespace halbd::config
