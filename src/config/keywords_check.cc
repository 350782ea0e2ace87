// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/keywords_check.cc: one keyword table per checker kind (TCP_CHECK,
// HTTP_GET, SSL_GET, SMTP_CHECK, DNS_CHECK, MISC_CHECK, UDP_CHECK, PING_CHECK,
// FILE_CHECK, BFD_CHECK), sharing the common connection and timing keywords.
// keywords_lvs.cc adds the blocks to the real_server table via add_checker_blocks().
#include <algorithm>

#include "config/lvs_internal.hh"
#include "config/regex.hh"

namespace halbd::config::lvs {

namespace {

// What a checker block is parsed into: the checker, plus the extra checkers
// produced by deprecated SMTP_CHECK `host` blocks.
struct CheckerParse {
    Checker c;
    std::vector<Checker> hosts;
};

Checker& ck(CheckerParse& p) { return p.c; }
Checker& ck(Checker& c) { return c; }

template <class T>
void h_connect_ip(T& t, Args& a) {
    if (a.count(1)) if (auto v = a.ip(0)) ck(t).connect_ip = *v;
}
template <class T>
void h_connect_port(T& t, Args& a) {
    if (a.count(1)) if (auto v = a.port(0)) ck(t).connect_port = *v;
}
template <class T>
void h_bindto(T& t, Args& a) {
    if (a.count(1)) if (auto v = a.ip(0)) ck(t).bindto = *v;
}
template <class T>
void h_bind_port(T& t, Args& a) {
    if (a.count(1)) if (auto v = a.port(0)) ck(t).bind_port = *v;
}
template <class T>
void h_bind_if(T& t, Args& a) {
    if (!a.count(1)) return;
    if (a.str(0).empty() || a.str(0).size() > 15)
        return a.error(0, "interface name '" + a.str(0) + "' must be 1 to 15 characters");
    ck(t).bind_if = a.str(0);
}
template <class T>
void h_connect_timeout(T& t, Args& a) {
    if (a.count(1)) if (auto v = a.timer(0, kMicro, kMaxConnectTimeout)) ck(t).connect_timeout = *v;
}
template <class T>
void h_fwmark(T& t, Args& a) {
    if (a.count(1)) if (auto v = a.uint(0, 0, UINT32_MAX)) ck(t).fwmark = static_cast<uint32_t>(*v);
}

void h_retry(CheckerParse& p, Args& a) {
    if (a.count(1)) if (auto v = a.uint(0, 0, UINT32_MAX)) p.c.retry = static_cast<uint32_t>(*v);
}
void h_timer(std::optional<Duration>& f, Args& a, Duration min) {
    if (a.count(1)) if (auto v = a.timer(0, min, kMaxTimer)) f = *v;
}

#define CONNECTION_KEYWORDS(T)                                                        \
    {"connect_ip", h_connect_ip<T>}, {"connect_port", h_connect_port<T>},           \
        {"bindto", h_bindto<T>}, {"bind_port", h_bind_port<T>},                     \
        {"bind_if", h_bind_if<T>}, {"connect_timeout", h_connect_timeout<T>},       \
        {"fwmark", h_fwmark<T>}

void add_timing(KeywordTable<CheckerParse>& t) {
    t.add({
        {"retry", h_retry},
        {"nb_get_retry", h_retry, kDeprecated, "retry"},
        {"nb_sock_retry", h_retry, kDeprecated, "retry"},
        {"delay_before_retry", [](CheckerParse& p, Args& a) { h_timer(p.c.delay_before_retry, a, Duration{}); }},
        {"warmup", [](CheckerParse& p, Args& a) { h_timer(p.c.warmup, a, Duration{}); }},
        {"delay_loop", [](CheckerParse& p, Args& a) { h_timer(p.c.delay_loop, a, kMicro); }},
        {"alpha", [](CheckerParse& p, Args& a) {
             if (a.at_most(1)) if (auto v = a.boolean(0)) p.c.alpha = *v;
         }},
        {"log_all_failures", [](CheckerParse& p, Args& a) {
             if (a.at_most(1)) if (auto v = a.boolean(0)) p.c.log_all_failures = *v;
         }},
    });
}

KeywordTable<CheckerParse> connection_table(std::string_view name) {
    KeywordTable<CheckerParse> t(name, {CONNECTION_KEYWORDS(CheckerParse)});
    add_timing(t);
    return t;
}

// ---- HTTP_GET / SSL_GET -----------------------------------------------------

HttpGetCheck& http(CheckerParse& p) {
    if (auto* h = std::get_if<HttpGetCheck>(&p.c.params)) return *h;
    return std::get<SslGetCheck>(p.c.params);
}

bool is_hex(const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

const KeywordTable<HttpUrl>& url_table() {
    static const KeywordTable<HttpUrl> t("url", {
        {"path", [](HttpUrl& u, Args& a) { if (a.count(1)) u.path = a.str(0); }},
        {"digest", [](HttpUrl& u, Args& a) {
             if (!a.count(1)) return;
             std::string d = a.str(0);
             if (d.size() != 32 || !is_hex(d))
                 return a.error(0, "'digest' expects 32 hexadecimal digits (an MD5 sum), got '" + d + "'");
             for (auto& c : d) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
             u.digest = d;
         }},
        {"status_code", [](HttpUrl& u, Args& a) {
             if (!a.count(1, SIZE_MAX)) return;
             for (size_t i = 0; i < a.size(); ++i) {
                 const std::string& s = a.str(i);
                 StatusRange r;
                 auto dash = s.find('-');
                 auto num = [&](std::string_view v) -> int {
                     if (v.empty() || v.size() > 3 || !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; }))
                         return -1;
                     int n = std::stoi(std::string(v));
                     return n >= 100 && n <= 599 ? n : -1;
                 };
                 int lo = num(std::string_view(s).substr(0, dash));
                 int hi = dash == std::string::npos ? lo : num(std::string_view(s).substr(dash + 1));
                 if (lo < 0 || hi < 0 || hi < lo)
                     return a.error(i, "'status_code' expects HTTP codes 100-599 or ranges such as 200-299, got '" + s + "'");
                 r.first = static_cast<uint16_t>(lo);
                 r.last = static_cast<uint16_t>(hi);
                 u.status_code.push_back(r);
             }
         }},
        {"virtualhost", [](HttpUrl& u, Args& a) { if (a.count(1)) u.virtualhost = a.str(0); }},
        {"regex", [](HttpUrl& u, Args& a) {
             if (!a.count(1)) return;
             if (a.str(0).empty()) return a.error(0, "'regex' needs a pattern");
             u.regex = a.str(0);
             u.regex_loc = a.loc(0);
         }},
        {"regex_no_match", [](HttpUrl& u, Args& a) {
             if (a.at_most(1)) if (auto v = a.boolean(0)) u.regex_no_match = *v;
         }, kFlag},
        {"regex_options", [](HttpUrl& u, Args& a) {
             if (!a.count(1, SIZE_MAX)) return;
             for (size_t i = 0; i < a.size(); ++i) {
                 if (!regex_option_known(a.str(i)))
                     return a.error(i, "unknown regex option '" + a.str(i) + "' (see pcre2api: caseless, multiline, dotall, ...)");
                 u.regex_options.push_back(a.str(i));
             }
         }},
        {"regex_stack", [](HttpUrl& u, Args& a) {
             if (!a.exactly(2)) return;  // keepalived refuses other counts too
             auto s = a.uint(0, 1, UINT32_MAX), m = a.uint(1, 1, UINT32_MAX);
             if (!s || !m) return;
             if (*s > *m) return a.error(0, "'regex_stack' start " + a.str(0) + " exceeds its maximum " + a.str(1));
             u.regex_stack_start = static_cast<uint32_t>(*s);
             u.regex_stack_max = static_cast<uint32_t>(*m);
         }},
        {"regex_min_offset", [](HttpUrl& u, Args& a) {
             if (a.exactly(1)) if (auto v = a.uint(0, 0, UINT32_MAX)) u.regex_min_offset = static_cast<uint32_t>(*v);
         }},
        {"regex_max_offset", [](HttpUrl& u, Args& a) {
             if (a.exactly(1)) if (auto v = a.uint(0, 0, UINT32_MAX)) u.regex_max_offset = static_cast<uint32_t>(*v);
         }},
    });
    return t;
}

KeywordTable<CheckerParse> make_http_table(std::string_view name) {
    auto t = connection_table(name);
    t.add({
        {"virtualhost", [](CheckerParse& p, Args& a) { if (a.count(1)) http(p).virtualhost = a.str(0); }},
        {"http_protocol", [](CheckerParse& p, Args& a) {
             if (!a.count(1)) return;
             const std::string& v = a.str(0);
             if (v == "1.0") http(p).http_protocol = HttpProtocol::V1_0;
             else if (v == "1.0C" || v == "1.0c") http(p).http_protocol = HttpProtocol::V1_0C;
             else if (v == "1.1") http(p).http_protocol = HttpProtocol::V1_1;
             else a.error(0, "'http_protocol' expects 1.0|1.0C|1.1, got '" + v + "'");
         }},
        {"enable_sni", [](CheckerParse& p, Args& a) {
             if (a.at_most(1)) if (auto v = a.boolean(0)) http(p).enable_sni = *v;
         }},
        {"fast_recovery", [](CheckerParse& p, Args& a) {
             if (a.at_most(1)) if (auto v = a.boolean(0)) http(p).fast_recovery = *v;
         }},
        {"url", [](CheckerParse& p, Args& a) {
             if (!a.at_most(0)) return;
             HttpUrl u;
             u.loc = a.loc();
             a.parser().block(a, url_table(), u);
             if (u.path.empty()) return a.error("'url' block needs a 'path'");
             http(p).url.push_back(std::move(u));
         }},
    });
    return t;
}

// ---- the other kinds ----------------------------------------------------------

const KeywordTable<Checker>& smtp_host_table() {
    static const KeywordTable<Checker> t("host", {CONNECTION_KEYWORDS(Checker)});
    return t;
}

// Hex string: free format, whitespace ignored, an odd digit at the end of a word
// is a low nibble ("Ab12f 3" = AB 12 0F 03). With `allow_x`, x/X = any nibble.
std::optional<std::string> hex_words(Args& a, size_t from, bool allow_x) {
    std::string out;
    for (size_t i = from; i < a.size(); ++i) {
        std::string w;
        for (char c : a.str(i)) {
            char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (std::isxdigit(static_cast<unsigned char>(l)) || (allow_x && l == 'x'))
                w += l;
            else if (c != ' ' && c != '\t') {
                a.error(i, "'" + a.keyword() + "' expects hexadecimal digits" +
                               (allow_x ? std::string(" or x") : std::string()) + ", got '" + a.str(i) + "'");
                return std::nullopt;
            }
        }
        if (w.size() % 2) w.insert(w.size() - 1, 1, '0');
        out += w;
    }
    return out;
}

KeywordTable<CheckerParse> make_smtp_table() {
    auto t = connection_table("SMTP_CHECK");
    t.add({
        {"helo_name", [](CheckerParse& p, Args& a) {
             if (a.count(1)) std::get<SmtpCheck>(p.c.params).helo_name = a.str(0);
         }},
        {"host", [](CheckerParse& p, Args& a) {
             a.warning("the SMTP_CHECK 'host' block is deprecated; define one SMTP_CHECK per address "
                       "instead (halbd does this for you)");
             Checker h;
             h.loc = a.loc();
             a.parser().block(a, smtp_host_table(), h);
             p.hosts.push_back(std::move(h));
         }},
    });
    return t;
}

KeywordTable<CheckerParse> make_dns_table() {
    auto t = connection_table("DNS_CHECK");
    t.add({
        {"type", [](CheckerParse& p, Args& a) {
             if (!a.count(1)) return;
             static constexpr std::string_view names[] = {"A", "NS", "CNAME", "SOA", "MX", "TXT", "AAAA"};
             std::string v = a.str(0);
             for (auto& c : v) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
             for (size_t i = 0; i < std::size(names); ++i)
                 if (v == names[i]) {
                     std::get<DnsCheck>(p.c.params).type = static_cast<DnsType>(i);
                     return;
                 }
             a.error(0, "'type' expects A|NS|CNAME|SOA|MX|TXT|AAAA, got '" + a.str(0) + "'");
         }},
        {"name", [](CheckerParse& p, Args& a) {
             if (!a.count(1)) return;
             const std::string& n = a.str(0);
             if (n.empty() || n.size() > 253 || n.find("..") != std::string::npos || (n[0] == '.' && n.size() > 1))
                 return a.error(0, "'name' expects a domain name such as example.com or '.', got '" + n + "'");
             std::get<DnsCheck>(p.c.params).name = n;
         }},
    });
    return t;
}

KeywordTable<CheckerParse> make_misc_table() {
    KeywordTable<CheckerParse> t("MISC_CHECK", {
        {"misc_path", [](CheckerParse& p, Args& a) {
             if (!a.count(1)) return;
             if (a.str(0).empty()) return a.error(0, "'misc_path' needs a command");
             std::get<MiscCheck>(p.c.params).misc_path = a.str(0);
         }},
        {"misc_timeout", [](CheckerParse& p, Args& a) {
             if (a.count(1)) if (auto v = a.timer(0, kMicro, kMaxTimer)) std::get<MiscCheck>(p.c.params).misc_timeout = *v;
         }},
        {"misc_dynamic", [](CheckerParse& p, Args& a) {
             if (a.at_most(1)) if (auto v = a.boolean(0)) std::get<MiscCheck>(p.c.params).misc_dynamic = *v;
         }, kFlag},
        {"user", [](CheckerParse& p, Args& a) {
             if (a.count(1, 2)) std::get<MiscCheck>(p.c.params).user = ScriptUser{a.str(0), a.has(1) ? a.str(1) : ""};
         }},
    });
    add_timing(t);
    return t;
}

KeywordTable<CheckerParse> make_udp_table() {
    auto t = connection_table("UDP_CHECK");
    t.add({
        {"payload", [](CheckerParse& p, Args& a) {
             if (!a.count(1, SIZE_MAX)) return;
             auto hex = hex_words(a, 0, false);
             if (!hex) return;
             if (hex->empty()) return a.error("'payload' needs hexadecimal data");
             auto& pl = std::get<UdpCheck>(p.c.params).payload;
             pl.clear();
             for (size_t i = 0; i + 1 < hex->size(); i += 2)
                 pl.push_back(static_cast<uint8_t>(std::stoi(hex->substr(i, 2), nullptr, 16)));
         }},
        {"require_reply", [](CheckerParse& p, Args& a) {
             auto hex = hex_words(a, 0, true);
             if (!hex) return;
             auto& u = std::get<UdpCheck>(p.c.params);
             u.require_reply = true;
             u.reply_pattern = *hex;
         }},
        {"min_reply_length", [](CheckerParse& p, Args& a) {
             if (a.count(1)) if (auto v = a.uint(0, 0, 65535)) std::get<UdpCheck>(p.c.params).min_reply_length = static_cast<uint16_t>(*v);
         }},
        {"max_reply_length", [](CheckerParse& p, Args& a) {
             if (a.count(1)) if (auto v = a.uint(0, 0, 65535)) std::get<UdpCheck>(p.c.params).max_reply_length = static_cast<uint16_t>(*v);
         }},
    });
    return t;
}

const KeywordTable<CheckerParse>& table(CheckerKind k) {
    static const KeywordTable<CheckerParse> tcp = connection_table("TCP_CHECK");
    static const KeywordTable<CheckerParse> ping = connection_table("PING_CHECK");
    static const KeywordTable<CheckerParse> httpt = make_http_table("HTTP_GET");
    static const KeywordTable<CheckerParse> sslt = make_http_table("SSL_GET");
    static const KeywordTable<CheckerParse> smtp = make_smtp_table();
    static const KeywordTable<CheckerParse> dns = make_dns_table();
    static const KeywordTable<CheckerParse> misc = make_misc_table();
    static const KeywordTable<CheckerParse> udp = make_udp_table();
    static const KeywordTable<CheckerParse> file("FILE_CHECK", {
        {"track_file", [](CheckerParse& p, Args& a) {
             if (a.count(1)) std::get<FileCheck>(p.c.params).track_file = a.str(0);
         }},
        {"weight", [](CheckerParse& p, Args& a) {
             if (!a.count(1, 2)) return;
             auto v = a.integer(0, -2147483647, 2147483647);
             if (!v) return;
             auto& f = std::get<FileCheck>(p.c.params);
             f.weight = static_cast<int32_t>(*v);
             if (a.has(1)) {
                 if (a.str(1) != "reverse") return a.error(1, "'weight' expects 'reverse' after the number, got '" + a.str(1) + "'");
                 f.reverse = true;
             }
         }},
        {"dynamic", [](CheckerParse& p, Args& a) {
             if (a.at_most(1)) if (auto v = a.boolean(0)) std::get<FileCheck>(p.c.params).dynamic = *v;
         }},
    });
    static const KeywordTable<CheckerParse> bfd("BFD_CHECK", {
        {"name", [](CheckerParse& p, Args& a) {
             if (a.count(1)) std::get<BfdCheck>(p.c.params).name = a.str(0);
         }},
        {"weight", [](CheckerParse& p, Args& a) {
             if (a.count(1)) if (auto v = a.integer(0, -253, 253)) std::get<BfdCheck>(p.c.params).weight = static_cast<int32_t>(*v);
         }},
    });
    switch (k) {
        case CheckerKind::TCP_CHECK: return tcp;
        case CheckerKind::HTTP_GET: return httpt;
        case CheckerKind::SSL_GET: return sslt;
        case CheckerKind::SMTP_CHECK: return smtp;
        case CheckerKind::DNS_CHECK: return dns;
        case CheckerKind::MISC_CHECK: return misc;
        case CheckerKind::UDP_CHECK: return udp;
        case CheckerKind::PING_CHECK: return ping;
        case CheckerKind::FILE_CHECK: return file;
        case CheckerKind::BFD_CHECK: return bfd;
    }
    return tcp;
}

template <CheckerKind K>
void checker_block(RealServer& rs, Args& a) {
    if (!a.at_most(0)) return;
    CheckerParse p;
    p.c.loc = a.loc();
    p.c.params.emplace<static_cast<size_t>(K)>();
    // keepalived 0.x wrote a bare `ICMP_CHECK` / `TCP_CHECK` line (the seed
    // articles do): no block means a checker with every default.
    if (a.has_block()) {
        a.parser().block(a, table(K), p);
        if (!a.block_consumed) return;
    }
    if (p.hosts.empty()) {
        rs.checkers.push_back(std::move(p.c));
        return;
    }
    // Deprecated SMTP hosts: one checker per host, each with the block's other settings.
    for (auto& h : p.hosts) {
        Checker c = p.c;
        c.loc = h.loc;
        if (h.connect_ip) c.connect_ip = h.connect_ip;
        if (h.connect_port) c.connect_port = h.connect_port;
        if (h.bindto) c.bindto = h.bindto;
        if (h.bind_port) c.bind_port = h.bind_port;
        if (h.bind_if) c.bind_if = h.bind_if;
        if (h.connect_timeout) c.connect_timeout = h.connect_timeout;
        if (h.fwmark) c.fwmark = h.fwmark;
        rs.checkers.push_back(std::move(c));
    }
}

}  // namespace

void add_checker_blocks(KeywordTable<RealServer>& rs) {
    rs.add({
        {"TCP_CHECK", checker_block<CheckerKind::TCP_CHECK>},
        {"HTTP_GET", checker_block<CheckerKind::HTTP_GET>},
        {"SSL_GET", checker_block<CheckerKind::SSL_GET>},
        {"SMTP_CHECK", checker_block<CheckerKind::SMTP_CHECK>},
        {"DNS_CHECK", checker_block<CheckerKind::DNS_CHECK>},
        {"MISC_CHECK", checker_block<CheckerKind::MISC_CHECK>},
        {"UDP_CHECK", checker_block<CheckerKind::UDP_CHECK>},
        {"PING_CHECK", checker_block<CheckerKind::PING_CHECK>},
        {"ICMP_CHECK", checker_block<CheckerKind::PING_CHECK>, kDeprecated, "PING_CHECK"},
        {"FILE_CHECK", checker_block<CheckerKind::FILE_CHECK>},
        {"BFD_CHECK", checker_block<CheckerKind::BFD_CHECK>},
        {"CI-LINUX", nullptr, kObsolete, "keepalived 1.0's Cluster Infrastructure checker is gone; the real server stays unchecked"},
    });
}

}  // namespace halbd::config::lvs
