// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/checker_factory.cc: see checker_factory.hh. The one switch over
// checker kinds; each kind lives in its own file.
#include "check/checker_factory.hh"

#include <variant>

#include "check/dns_check.hh"
#include "check/file_check.hh"
#include "check/http_check.hh"
#include "check/http_response.hh"
#include "check/misc_check.hh"
#include "check/ping_check.hh"
#include "check/smtp_check.hh"
#include "check/tcp_check.hh"
#include "check/udp_check.hh"

namespace halbd::check {

namespace {

void add(std::string& k, const char* name, Duration d) {
    k += ' ';
    k += name;
    k += '=';
    k += std::to_string(d.count());
}

void add_hex(std::string& k, const char* name, const std::vector<uint8_t>& bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    k += ' ';
    k += name;
    k += '=';
    for (uint8_t b : bytes) {
        k += digits[b >> 4];
        k += digits[b & 15];
    }
}

// Quoted with its length so that no parameter text can imitate another key.
void add_text(std::string& k, const char* name, const std::string& text) {
    k += ' ';
    k += name;
    k += '=' + std::to_string(text.size()) + ':' + text;
}

template <class P>
void add_params(std::string&, const P&) {}

void add_params(std::string& k, const config::MiscCheck& m) {
    add_text(k, "misc_path", m.misc_path);
    add(k, "misc_timeout", m.misc_timeout);
    k += m.misc_dynamic ? " dynamic" : "";
    if (m.user) add_text(k, "user", m.user->user + ':' + m.user->group);
}

void add_params(std::string& k, const config::UdpCheck& u) {
    add_hex(k, "payload", u.payload);
    if (u.require_reply) add_text(k, "require_reply", u.reply_pattern);
    k += " reply_len=" + std::to_string(u.min_reply_length) + '-' + std::to_string(u.max_reply_length);
}

void add_params(std::string& k, const config::DnsCheck& d) {
    k += " type=" + std::to_string(static_cast<int>(d.type));
    add_text(k, "name", d.name);
}

// The effective weight and the file are keyed by probe_key() (they come
// from the track_file block when the FILE_CHECK does not set them).
void add_params(std::string& k, const config::FileCheck& f) {
    add_text(k, "track_file", f.track_file);
    k += " weight=" + std::to_string(f.weight) + (f.reverse ? " reverse" : "");
}

void add_params(std::string& k, const config::SmtpCheck& s) { add_text(k, "helo", s.helo_name); }

// virtualhost, digest and status codes are the effective ones (resolved by
// validate_lvs()).
void add_params(std::string& k, const config::HttpGetCheck& h) {
    k += " http=";
    k += h.http_protocol == config::HttpProtocol::V1_1    ? "1.1"
         : h.http_protocol == config::HttpProtocol::V1_0C ? "1.0C"
                                                          : "1.0";
    for (const auto& u : h.url) {
        add_text(k, "url", u.path);
        add_text(k, "vhost", u.virtualhost ? *u.virtualhost : h.virtualhost ? *h.virtualhost : std::string());
        add_text(k, "digest", u.digest);
        k += " status=" + http::status_ranges_text(u.status_code);
        if (u.regex.empty()) continue;
        add_text(k, u.regex_no_match ? "regex!" : "regex", u.regex);
        for (const auto& o : u.regex_options) add_text(k, "opt", o);
        k += " window=" + std::to_string(u.regex_min_offset.value_or(0)) + '-' +
             (u.regex_max_offset ? std::to_string(*u.regex_max_offset) : std::string());
        if (u.regex_stack_max)
            k += " stack=" + std::to_string(u.regex_stack_start) + '/' + std::to_string(u.regex_stack_max);
    }
}

void add_params(std::string& k, const config::SslGetCheck& s) {
    add_params(k, static_cast<const config::HttpGetCheck&>(s));
    k += s.enable_sni ? " sni" : "";
}

}  // namespace

bool implemented(config::CheckerKind kind) {
    using K = config::CheckerKind;
    switch (kind) {
        case K::TCP_CHECK:
        case K::HTTP_GET:
        case K::SSL_GET:
        case K::MISC_CHECK:
        case K::PING_CHECK:
        case K::UDP_CHECK:
        case K::DNS_CHECK:
        case K::SMTP_CHECK:
        case K::FILE_CHECK: return true;
        default: return false;
    }
}

core::Result<std::unique_ptr<Checker>> make_checker(core::EventLoop& loop, const config::Checker& c,
                                                    const CheckContext& ctx) {
    switch (c.kind()) {
        case config::CheckerKind::TCP_CHECK:
            return std::unique_ptr<Checker>(std::make_unique<TcpChecker>(loop, TcpTarget::from_config(c)));
        case config::CheckerKind::HTTP_GET:
        case config::CheckerKind::SSL_GET: return make_http_checker(loop, c, ctx.tls);
        case config::CheckerKind::MISC_CHECK: {
            MiscTarget t = MiscTarget::from_config(c, ctx.global);
            if (!t.disabled.empty()) return core::Error{ENOENT, kCheckerDisabled + t.disabled};
            return std::unique_ptr<Checker>(std::make_unique<MiscChecker>(loop, std::move(t)));
        }
        case config::CheckerKind::PING_CHECK:
            return std::unique_ptr<Checker>(std::make_unique<PingChecker>(loop, TcpTarget::from_config(c)));
        case config::CheckerKind::UDP_CHECK:
            return std::unique_ptr<Checker>(
                std::make_unique<UdpChecker>(loop, TcpTarget::from_config(c), std::get<config::UdpCheck>(c.params)));
        case config::CheckerKind::DNS_CHECK:
            return std::unique_ptr<Checker>(
                std::make_unique<DnsChecker>(loop, TcpTarget::from_config(c), std::get<config::DnsCheck>(c.params)));
        case config::CheckerKind::SMTP_CHECK:
            return std::unique_ptr<Checker>(std::make_unique<SmtpChecker>(
                loop, TcpTarget::from_config(c), std::get<config::SmtpCheck>(c.params).helo_name));
        case config::CheckerKind::FILE_CHECK:
            return std::unique_ptr<Checker>(std::make_unique<FileChecker>(loop, FileTarget::from_config(c, ctx.model)));
        default:
            return core::Error{0, std::string(config::checker_kind_name(c.kind())) + " is not implemented yet"};
    }
}

std::string probe_key(const config::Checker& c, const config::Model* model) {
    std::string k = config::checker_kind_name(c.kind());
    k += ' ';
    if (c.connect_ip) k += endpoint_text(*c.connect_ip, c.connect_port.value_or(0));
    else k += ':' + std::to_string(c.connect_port.value_or(0));
    k += " from=";
    if (c.bindto) k += c.bindto->to_string();
    k += ':' + std::to_string(c.bind_port.value_or(0));
    if (c.bind_if) k += '%' + *c.bind_if;
    k += " mark=" + std::to_string(c.fwmark);
    if (c.connect_timeout) add(k, "timeout", *c.connect_timeout);
    if (c.delay_loop) add(k, "loop", *c.delay_loop);
    if (c.delay_before_retry) add(k, "dbr", *c.delay_before_retry);
    if (c.warmup) add(k, "warmup", *c.warmup);
    k += " retry=" + std::to_string(c.retry.value_or(0));
    k += c.alpha.value_or(false) ? " alpha" : "";
    k += c.log_all_failures.value_or(false) ? " log_all" : "";
    // Kind-specific parameters (TCP_CHECK and PING_CHECK have none).
    std::visit([&k](const auto& p) { add_params(k, p); }, c.params);
    if (c.kind() == config::CheckerKind::FILE_CHECK) {
        const FileTarget t = FileTarget::from_config(c, model);
        add_text(k, "file", t.path);
        k += " effective=" + std::to_string(t.weight) + (t.reverse ? " reverse" : "");
    }
    return k;
}

}  // namespace halbd::check
