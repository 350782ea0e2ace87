// check/http_check.hh: HTTP_GET and SSL_GET, keepalived's web checks. One
// attempt fetches every url in turn (one connection each) and passes when
// each answers with an expected status and, if given, the expected digest.
// Built by make_checker() (and by `halbctl genhash`); owns the socket, its
// watch, the TLS session and the timer of the attempt in flight (RAII:
// destroying the checker cancels the attempt), and one ResponseParser reused
// by every attempt.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "check/checker.hh"
#include "check/http_response.hh"
#include "check/tcp_check.hh"
#include "check/tls_client.hh"
#include "config/model_check.hh"
#include "core/event_loop.hh"
#include "core/fd.hh"
#include "core/result.hh"

namespace halbd::check {

struct HttpUrlSpec {
    std::string path;
    std::string virtualhost;  // Host header and SNI; empty = the connect address
    std::string digest;       // expected MD5, lowercase hex; empty = not checked
    std::vector<config::StatusRange> status;  // empty = any status
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

// Appends the HTTP_GET/SSL_GET parameters of c to its probe key (nothing for
// other kinds): see probe_key().
void append_http_probe_key(std::string& key, const config::Checker& c);

class HttpChecker;

// The checker of an HTTP_GET/SSL_GET config checker (make_checker()'s case);
// warns once that `regex` is not implemented when a url has one.
core::Result<std::unique_ptr<Checker>> make_http_checker(core::EventLoop& loop, const config::Checker& c,
                                                         std::shared_ptr<const tls::ClientContext> tls);

class HttpChecker final : public Checker {
public:
    // tls: the context of SSL_GET connections (ignored for HTTP_GET; null =
    // a default context, as keepalived builds when there is no SSL block).
    HttpChecker(core::EventLoop& loop, TcpTarget target, HttpSpec spec,
                std::shared_ptr<const tls::ClientContext> tls = nullptr);
    ~HttpChecker() override;
    HttpChecker(const HttpChecker&) = delete;
    HttpChecker& operator=(const HttpChecker&) = delete;

    void start(Completion done) override;
    void cancel() override;
    bool running() const override { return static_cast<bool>(done_); }
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
    std::optional<CheckResult> begin_url();
    std::optional<CheckResult> on_connected();
    std::optional<CheckResult> handshake();
    std::optional<CheckResult> send();
    std::optional<CheckResult> receive();
    std::optional<CheckResult> evaluate();
    void on_ready(uint32_t events);
    void on_timeout();
    void want(uint32_t events);
    const char* step_text() const;
    // Failure detail for the current url: "failed: ..." named by url when
    // the checker has several.
    CheckResult failed(FailReason r, const std::string& what) const;
    // The one completion path: releases the attempt, then reports.
    void finish(CheckResult result);
    void release();

    core::EventLoop& loop_;
    TcpTarget target_;
    HttpSpec spec_;
    std::shared_ptr<const tls::ClientContext> tls_;
    Completion done_;
    core::UniqueFd sock_;
    core::FdWatchPtr watch_;
    std::unique_ptr<tls::Session> session_;
    core::TimerPtr timer_;                 // connect_timeout of the current url, or 0 to report
    std::optional<CheckResult> pending_;   // immediate outcome waiting for the loop
    Step step_ = Step::Idle;
    size_t url_ = 0;
    size_t sent_ = 0;
    std::string request_;                  // reused
    http::ResponseParser parser_;
};

}  // namespace halbd::check
