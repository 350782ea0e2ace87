// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/model_check.hh: typed model of the health checkers attached to a
// real_server (TCP_CHECK, HTTP_GET, SSL_GET, SMTP_CHECK, DNS_CHECK, MISC_CHECK,
// UDP_CHECK, PING_CHECK, FILE_CHECK, BFD_CHECK). Filled by keywords_check.cc,
// resolved (inheritance virtual_server -> real_server -> checker) by
// validate_lvs.cc, read by check/. Kept compact: 100,000 of them must be cheap.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "config/diagnostics.hh"
#include "config/model_global.hh"
#include "core/time.hh"
#include "net/address.hh"

namespace halbd::config {

class Regex;  // config/regex.hh

// A rarely-set value kept out of line (one pointer when absent) with value
// semantics: copying a Box copies what it holds. Null means "not set".
template <class T>
class Box {
public:
    Box() = default;
    Box(T v) : p_(std::make_unique<T>(std::move(v))) {}
    Box(const Box& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
    Box(Box&&) noexcept = default;
    Box& operator=(const Box& o) {
        if (this != &o) p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
        return *this;
    }
    Box& operator=(Box&&) noexcept = default;
    Box& operator=(T v) {
        p_ = std::make_unique<T>(std::move(v));
        return *this;
    }
    explicit operator bool() const { return p_ != nullptr; }
    const T& operator*() const { return *p_; }
    T& operator*() { return *p_; }
    const T* operator->() const { return p_.get(); }
    T* operator->() { return p_.get(); }
    const T* get() const { return p_.get(); }
    void reset() { p_.reset(); }
    friend bool operator==(const Box& a, const Box& b) {
        return a.p_ && b.p_ ? *a.p_ == *b.p_ : !a.p_ && !b.p_;
    }

private:
    std::unique_ptr<T> p_;
};

// ---- kind-specific parameters ------------------------------------------------

struct TcpCheck {};
struct PingCheck {};  // ICMP echo (ICMP_CHECK is its deprecated name)

enum class HttpProtocol : uint8_t { V1_0, V1_0C, V1_1 };  // "1.0" "1.0C" "1.1"

struct StatusRange {
    uint16_t first = 200, last = 299;
    friend bool operator==(const StatusRange&, const StatusRange&) = default;
};

// One `url { }` of HTTP_GET/SSL_GET.
struct HttpUrl {
    Location loc;
    std::string path;                     // required
    std::string digest;                   // 32 lowercase hex digits (MD5), empty = none
    std::vector<StatusRange> status_code; // effective; default 200-299
    Box<std::string> virtualhost;         // effective: url, else checker, else real/virtual server
    std::string regex;                    // empty = none
    Location regex_loc;                   // of the pattern, for errors
    std::shared_ptr<const Regex> compiled_regex;  // set by validate_lvs() when regex is (shared, immutable)
    bool regex_no_match = false;
    std::vector<std::string> regex_options;  // pcre2 option names
    uint32_t regex_stack_start = 0, regex_stack_max = 0;  // 0 = pcre2 default
    std::optional<uint32_t> regex_min_offset, regex_max_offset;  // of the match's start in the body
};

struct HttpGetCheck {
    std::vector<HttpUrl> url;       // at least one
    Box<std::string> virtualhost;   // effective: checker, else real server, else virtual server
    HttpProtocol http_protocol = HttpProtocol::V1_0;
    bool enable_sni = false;        // SSL_GET only
    bool fast_recovery = false;
};
struct SslGetCheck : HttpGetCheck {};

struct SmtpCheck {
    std::string helo_name = "smtpchecker.keepalived.org";
};

enum class DnsType : uint8_t { A, NS, CNAME, SOA, MX, TXT, AAAA };

struct DnsCheck {
    DnsType type = DnsType::SOA;
    std::string name = ".";
};

struct MiscCheck {
    std::string misc_path;          // command line, required
    Duration misc_timeout{};        // effective; unset in the config = the checker's delay_loop
    bool misc_dynamic = false;
    Box<ScriptUser> user;           // null = global script_user
};

struct UdpCheck {
    std::vector<uint8_t> payload;   // empty = random payload
    bool require_reply = false;
    // Expected reply as hex digits, 'x' = any nibble; empty = any content.
    std::string reply_pattern;
    uint16_t min_reply_length = 0;
    uint16_t max_reply_length = 255;
};

struct FileCheck {
    std::string track_file;   // name of a track_file block
    int32_t weight = 0;       // multiplier of the file's value; 0 = the track_file's weight and reverse (keepalived)
    bool reverse = false;
    bool dynamic = false;     // accepted; the value always adjusts the weight (keepalived check_file.c)
};

struct BfdCheck {
    std::string name;         // a bfd_instance
    int32_t weight = 0;
};

enum class CheckerKind : uint8_t {
    TCP_CHECK, HTTP_GET, SSL_GET, SMTP_CHECK, DNS_CHECK, MISC_CHECK, UDP_CHECK,
    PING_CHECK, FILE_CHECK, BFD_CHECK,
};

// Alternative order matches CheckerKind.
using CheckerParams = std::variant<TcpCheck, HttpGetCheck, SslGetCheck, SmtpCheck, DnsCheck,
                                   MiscCheck, UdpCheck, PingCheck, FileCheck, BfdCheck>;

// One checker block. Common parameters are optional while parsing; once
// validate_lvs() has run every optional below is set (effective values), except
// bindto/bind_port (no default) and connection fields of kinds without a
// connection (MISC_CHECK, FILE_CHECK, BFD_CHECK).
struct Checker {
    Location loc;
    std::optional<net::IpAddress> connect_ip;   // default: the real server's address
    std::optional<uint16_t> connect_port;       // default: the real server's port
    std::optional<net::IpAddress> bindto;
    std::optional<uint16_t> bind_port;
    Box<std::string> bind_if;
    uint32_t fwmark = 0;                         // SO_MARK of probe packets, 0 = none
    std::optional<uint32_t> retry;               // default real server, else per kind (1; DNS 3; MISC 0)
    std::optional<Duration> connect_timeout;     // default real server (-> virtual server, 5 s)
    std::optional<Duration> delay_loop;          // default real server (-> virtual server, 60 s)
    std::optional<Duration> delay_before_retry;  // default real server, else 1 s (HTTP 3 s, DNS delay_loop)
    std::optional<Duration> warmup;              // default real server, else delay_loop
    std::optional<bool> alpha;                   // default real server (-> virtual server)
    std::optional<bool> log_all_failures;        // default global checker_log_all_failures
    CheckerParams params;

    CheckerKind kind() const { return static_cast<CheckerKind>(params.index()); }
};

const char* checker_kind_name(CheckerKind k);

}  // namespace halbd::config
