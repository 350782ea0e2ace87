// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/http_check.cc: HTTP_GET/SSL_GET (see http_check.hh). Per url: connect
// (probe_socket.hh, shared with the other network kinds), TLS handshake for
// SSL_GET, send keepalived's request, read the response through
// http::ResponseParser, compare. Each step is driven by the socket's
// readiness on the loop; every outcome leaves through finish().
//
// Deliberate deviations from keepalived's check_http.c, said out loud:
//  - keepalived checks one url per delay_loop and re-arms connect_timeout at
//    each step (connect, write, every read); here one attempt checks every
//    url back to back (as keepalived with fast_recovery) and connect_timeout
//    bounds each url's whole exchange, so a server trickling its answer
//    cannot hold a probe open for longer than connect_timeout;
//  - the response is complete once Content-Length bytes are in (keepalived
//    waits for the close), and the regex sees the body up to there;
//  - the regex gets a last complete (not partial) match at the end of the
//    body, so `</html>\s*$` matches there (keepalived's partial-only search
//    leaves a match that needs the end of the body unmatched).
#include "check/http_check.hh"

#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <variant>

#include "check/probe_socket.hh"

namespace halbd::check {

namespace {

// One read buffer for every probe: the loop is single-threaded and a read
// is consumed (parsed and hashed) before the next one.
constexpr size_t kReadChunk = 16 * 1024;
thread_local std::array<char, kReadChunk> g_read_buffer;
// Reads per readiness callback, so a fast large body cannot hog the loop
// (the watch is level-triggered: the rest comes with the next callback).
constexpr int kReadsPerCallback = 16;

const config::HttpGetCheck* http_params(const config::Checker& c) {
    if (const auto* h = std::get_if<config::HttpGetCheck>(&c.params)) return h;
    return std::get_if<config::SslGetCheck>(&c.params);
}

}  // namespace

HttpSpec HttpSpec::from_config(const config::Checker& c) {
    HttpSpec s;
    const config::HttpGetCheck* h = http_params(c);
    if (!h) return s;
    s.tls = c.kind() == config::CheckerKind::SSL_GET;
    s.sni = s.tls && h->enable_sni;
    s.protocol = h->http_protocol;
    s.urls.reserve(h->url.size());
    for (const auto& u : h->url) {
        HttpUrlSpec us;
        us.path = u.path;
        if (u.virtualhost) us.virtualhost = *u.virtualhost;
        else if (h->virtualhost) us.virtualhost = *h->virtualhost;
        us.digest = u.digest;
        for (char& ch : us.digest)
            if (ch >= 'A' && ch <= 'F') ch = static_cast<char>(ch - 'A' + 'a');
        us.status = u.status_code;
        us.regex = u.compiled_regex;
        us.regex_no_match = u.regex_no_match;
        us.regex_min_offset = u.regex_min_offset.value_or(0);
        if (u.regex_max_offset) us.regex_max_offset = *u.regex_max_offset;
        s.urls.push_back(std::move(us));
    }
    return s;
}

HttpChecker::HttpChecker(core::EventLoop& loop, TcpTarget target, HttpSpec spec,
                         std::shared_ptr<const tls::ClientContext> tls)
    : AttemptChecker(loop), target_(std::move(target)), spec_(std::move(spec)), tls_(std::move(tls)) {}

std::string HttpChecker::describe() const {
    std::string s = spec_.tls ? "SSL GET https://" : "HTTP GET http://";
    s += endpoint_text(target_.address, target_.port);
    if (!spec_.urls.empty()) s += spec_.urls.front().path;
    if (spec_.urls.size() > 1) s += " (+" + std::to_string(spec_.urls.size() - 1) + " url" + (spec_.urls.size() > 2 ? "s)" : ")");
    return s;
}

std::optional<CheckResult> HttpChecker::begin() {
    url_ = 0;
    if (spec_.urls.empty()) return CheckResult::success();  // keepalived: no url, nothing to fail
    return begin_url();
}

CheckResult HttpChecker::failed(FailReason r, const std::string& what) const {
    if (spec_.urls.size() > 1) return CheckResult::failure(r, "failed on " + spec_.urls[url_].path + ": " + what);
    return CheckResult::failure(r, "failed: " + what);
}

const char* HttpChecker::step_text() const {
    switch (step_) {
        case Step::Connecting: return "connecting";
        case Step::Handshake: return "TLS handshake";
        case Step::Sending: return "sending the request";
        case Step::Receiving: return "reading the response";
        case Step::Idle: break;
    }
    return "idle";
}

std::optional<CheckResult> HttpChecker::begin_url() {
    const HttpUrlSpec& u = spec_.urls[url_];
    if (u.regex) regex_.reset(*u.regex, u.regex_min_offset, u.regex_max_offset);
    parser_.reset(spec_.always_digest || !u.digest.empty(), u.regex ? &regex_ : nullptr);
    session_.reset();
    io_.close();
    step_ = Step::Connecting;
    arm_deadline(target_.connect_timeout);
    bool in_progress = false;
    if (auto failed = io_.take(connect_probe_socket(target_, SOCK_STREAM, in_progress))) return failed;
    // Writable once connected (at once if connect() already succeeded).
    return io_.watch(loop(), core::fd_events::writable, [this](uint32_t ev) { on_ready(ev); });
}

void HttpChecker::on_ready(uint32_t) {
    std::optional<CheckResult> ended;
    switch (step_) {
        case Step::Connecting: {
            CheckResult r = connect_outcome(io_.fd());
            ended = r.ok ? on_connected() : std::optional<CheckResult>(std::move(r));
            break;
        }
        case Step::Handshake: ended = handshake(); break;
        case Step::Sending: ended = send(); break;
        case Step::Receiving: ended = receive(); break;
        case Step::Idle: break;
    }
    if (ended) finish(std::move(*ended));  // may destroy this
}

std::optional<CheckResult> HttpChecker::on_connected() {
    const HttpUrlSpec& u = spec_.urls[url_];
    http::build_request(request_, u.path, spec_.protocol, http::host_header(u.virtualhost, target_.address, target_.port));
    sent_ = 0;
    if (!spec_.tls) {
        step_ = Step::Sending;
        return send();
    }
    if (!tls_) tls_ = tls::ClientContext::load(config::SslConfig{});
    if (!tls_->ok()) return CheckResult::failure(FailReason::LocalSetup, "not attempted: " + tls_->error());
    const std::string& sni = !spec_.sni_name.empty() ? spec_.sni_name : spec_.sni ? u.virtualhost : spec_.sni_name;
    session_ = std::make_unique<tls::Session>(*tls_, io_.fd(), sni);
    if (!session_->ok()) return CheckResult::failure(FailReason::LocalSetup, "not attempted: TLS: " + session_->error());
    step_ = Step::Handshake;
    return handshake();
}

std::optional<CheckResult> HttpChecker::handshake() {
    switch (session_->handshake()) {
        case tls::Session::Io::Done: step_ = Step::Sending; return send();
        case tls::Session::Io::WantRead: io_.want(core::fd_events::readable); return std::nullopt;
        case tls::Session::Io::WantWrite: io_.want(core::fd_events::writable); return std::nullopt;
        case tls::Session::Io::Closed: return failed(FailReason::Error, "TLS handshake: connection closed by the peer");
        case tls::Session::Io::Error: break;
    }
    return failed(FailReason::Error, "TLS handshake: " + session_->error());
}

std::optional<CheckResult> HttpChecker::send() {
    if (session_) {
        switch (session_->write(request_.data(), request_.size())) {
            case tls::Session::Io::Done: break;
            case tls::Session::Io::WantRead: io_.want(core::fd_events::readable); return std::nullopt;
            case tls::Session::Io::WantWrite: io_.want(core::fd_events::writable); return std::nullopt;
            case tls::Session::Io::Closed: return failed(FailReason::Error, "sending the request: connection closed");
            case tls::Session::Io::Error: return failed(FailReason::Error, "sending the request: " + session_->error());
        }
    } else {
        while (sent_ < request_.size()) {
            const ssize_t n = ::send(io_.fd(), request_.data() + sent_, request_.size() - sent_, MSG_NOSIGNAL);
            if (n > 0) {
                sent_ += static_cast<size_t>(n);
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                io_.want(core::fd_events::writable);
                return std::nullopt;
            }
            return failed(FailReason::Error, std::string("sending the request: ") + std::strerror(errno));
        }
    }
    step_ = Step::Receiving;
    io_.want(core::fd_events::readable);
    return std::nullopt;
}

std::optional<CheckResult> HttpChecker::receive() {
    using State = http::ResponseParser::State;
    char* buf = g_read_buffer.data();
    for (int i = 0;; ++i) {
        // The budget ends a callback, except while TLS holds decrypted bytes
        // that no readiness event would announce.
        if (i >= kReadsPerCallback && !(session_ && session_->pending())) return std::nullopt;
        State st;
        if (session_) {
            size_t got = 0;
            switch (session_->read(buf, kReadChunk, got)) {
                case tls::Session::Io::Done: st = parser_.feed(buf, got); break;
                case tls::Session::Io::WantRead: io_.want(core::fd_events::readable); return std::nullopt;
                case tls::Session::Io::WantWrite: io_.want(core::fd_events::writable); return std::nullopt;
                case tls::Session::Io::Closed: st = parser_.eof(); break;
                case tls::Session::Io::Error:
                default: return failed(FailReason::Error, "reading the response: " + session_->error());
            }
        } else {
            const ssize_t n = ::recv(io_.fd(), buf, kReadChunk, 0);
            if (n > 0) st = parser_.feed(buf, static_cast<size_t>(n));
            else if (n == 0) st = parser_.eof();
            else if (errno == EINTR) continue;
            else if (errno == EAGAIN || errno == EWOULDBLOCK) return std::nullopt;
            else return failed(FailReason::Error, std::string("reading the response: ") + std::strerror(errno));
        }
        if (st == State::Complete) return evaluate();
        if (st == State::Failed) return failed(FailReason::Error, http::parse_error_text(parser_.error()));
    }
}

std::optional<CheckResult> HttpChecker::evaluate() {
    const HttpUrlSpec& u = spec_.urls[url_];
    const int code = parser_.status();
    if (!http::status_accepted(u.status, code))
        return failed(FailReason::Error, "status " + std::to_string(code) + " (expected " +
                                             http::status_ranges_text(u.status) + ")");
    if (!u.digest.empty() && parser_.digest() != u.digest) {
        std::string what = "digest " + parser_.digest() + " does not match " + u.digest;
        if (auto len = parser_.content_length(); len && parser_.body_bytes() < *len)
            what += " (body cut short: " + std::to_string(parser_.body_bytes()) + " of " + std::to_string(*len) + " bytes)";
        return failed(FailReason::Error, what);
    }
    if (auto what = regex_failure(u)) return failed(FailReason::Error, *what);
    if (++url_ < spec_.urls.size()) return begin_url();
    --url_;  // stays on the last url, for response()
    return CheckResult::success();
}

std::optional<std::string> HttpChecker::regex_failure(const HttpUrlSpec& u) const {
    if (!u.regex || regex_.matched() != u.regex_no_match) return std::nullopt;
    std::string what = "regex '" + u.regex->pattern() + "'";
    if (regex_.matched()) return what + " matches the body at offset " + std::to_string(regex_.match_offset()) + " (regex_no_match)";
    what += " does not match the body";
    if (u.regex_min_offset || u.regex_max_offset)
        what += " at offsets " + std::to_string(u.regex_min_offset) + "-" +
                (u.regex_max_offset ? std::to_string(*u.regex_max_offset) : std::string("end"));
    if (!regex_.error().empty()) what += " (" + regex_.error() + ")";
    return what;
}

void HttpChecker::on_deadline() {
    std::string what = "timed out after " + human_duration(target_.connect_timeout);
    if (spec_.urls.size() > 1) what += " on " + spec_.urls[url_].path;
    what += std::string(" (") + step_text() + ")";
    finish(CheckResult::failure(FailReason::Timeout, what));
}

void HttpChecker::release_io() {
    session_.reset();  // before the fd closes
    io_.close();
    step_ = Step::Idle;
}

core::Result<std::unique_ptr<Checker>> make_http_checker(core::EventLoop& loop, const config::Checker& c,
                                                         std::shared_ptr<const tls::ClientContext> tls) {
    const config::HttpGetCheck* h = http_params(c);
    if (!h) return core::Error{0, "not an HTTP_GET/SSL_GET checker"};
    return std::unique_ptr<Checker>(
        std::make_unique<HttpChecker>(loop, TcpTarget::from_config(c), HttpSpec::from_config(c), std::move(tls)));
}

}  // namespace halbd::check
