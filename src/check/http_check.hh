// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/http_check.hh: HTTP_GET and SSL_GET, keepalived's web checks. One
// attempt fetches every url in turn (one connection each) and passes when
// each answers with an expected status and, if given, the expected digest
// and a body that matches its regex (or does not, with regex_no_match).
// Built by make_checker() (and by `halbctl genhash`); an AttemptChecker
// (attempt.hh: completion, deadline, finish()) whose connections are set up
// by probe_socket.hh and held in a SocketIo as every network kind's. Owns the
// socket, its watch and the TLS session of the attempt in flight (RAII: destroying the checker
// cancels the attempt), and one ResponseParser and BodyRegex reused by
// every attempt.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "check/attempt.hh"
#include "check/checker.hh"
#include "check/http_regex.hh"
#include "check/http_response.hh"
#include "check/socket_io.hh"
#include "check/tcp_check.hh"
#include "check/tls_client.hh"
#include "config/model_check.hh"
#include "core/event_loop.hh"
#include "core/result.hh"

namespace halbd::check {

struct HttpUrlSpec {
    std::string path;
    std::string virtualhost;  // Host header and SNI; empty = the connect address
    std::string digest;       // expected MD5, lowercase hex; empty = not checked
    std::vector<config::StatusRange> status;  // empty = any status
    // `regex` (compiled when the configuration loaded); null = none.
    std::shared_ptr<const config::Regex> regex;
    bool regex_no_match = false;      // the url fails when the body matches
    uint64_t regex_min_offset = 0;    // where in the body a match may start
    std::optional<uint64_t> regex_max_offset;
};

// What an HTTP_GET/SSL_GET checker fetches and expects.
struct HttpSpec {
    bool tls = false;                 // SSL_GET
    bool sni = false;                 // enable_sni: send the url's virtualhost as SNI
    std::string sni_name;             // an explicit SNI instead (genhash --sni); empty = none
    config::HttpProtocol protocol = config::HttpProtocol::V1_0;
    bool always_digest = false;       // compute the digest even without an expected one (genhash)
    std::vector<HttpUrlSpec> urls;    // at least one

    // From a validated HTTP_GET/SSL_GET checker (virtualhost and status
    // codes already resolved by validate_lvs()).
    static HttpSpec from_config(const config::Checker& c);
};

class HttpChecker;

// The checker of an HTTP_GET/SSL_GET config checker (make_checker()'s case).
core::Result<std::unique_ptr<Checker>> make_http_checker(core::EventLoop& loop, const config::Checker& c,
                                                         std::shared_ptr<const tls::ClientContext> tls);

class HttpChecker final : public AttemptChecker {
public:
    // tls: the context of SSL_GET connections (ignored for HTTP_GET; null =
    // a default context, as keepalived builds when there is no SSL block).
    HttpChecker(core::EventLoop& loop, TcpTarget target, HttpSpec spec,
                std::shared_ptr<const tls::ClientContext> tls = nullptr);

    // "HTTP GET http://10.0.0.2:80/health", "SSL GET https://[2001:db8::2]:443/",
    // "HTTP GET http://10.0.0.2:80/a (+2 urls)".
    std::string describe() const override;

    const TcpTarget& target() const { return target_; }
    const HttpSpec& spec() const { return spec_; }
    // The last response read (status, digest): for genhash and tests.
    const http::ResponseParser& response() const { return parser_; }

private:
    enum class Step : uint8_t { Idle, Connecting, Handshake, Sending, Receiving };

    // Each returns the attempt's outcome when it ended, nullopt while it runs.
    std::optional<CheckResult> begin() override;
    std::optional<CheckResult> begin_url();
    std::optional<CheckResult> on_connected();
    std::optional<CheckResult> handshake();
    std::optional<CheckResult> send();
    std::optional<CheckResult> receive();
    std::optional<CheckResult> evaluate();
    // The url's regex verdict: nullopt when it passes.
    std::optional<std::string> regex_failure(const HttpUrlSpec& u) const;
    void on_ready(uint32_t events);
    void on_deadline() override;
    void release_io() override;
    const char* step_text() const;
    // Failure detail for the current url: "failed: ..." named by url when
    // the checker has several.
    CheckResult failed(FailReason r, const std::string& what) const;

    TcpTarget target_;
    HttpSpec spec_;
    std::shared_ptr<const tls::ClientContext> tls_;
    SocketIo io_;
    std::unique_ptr<tls::Session> session_;  // over io_'s socket: declared after it, destroyed before
    Step step_ = Step::Idle;
    size_t url_ = 0;
    size_t sent_ = 0;
    std::string request_;                  // reused
    http::ResponseParser parser_;
    http::BodyRegex regex_;
};

}  // namespace halbd::check
