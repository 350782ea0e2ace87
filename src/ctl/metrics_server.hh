// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// ctl/metrics_server.hh: MetricsServer, the optional Prometheus listener
// (`metrics_listen ADDR:PORT` in global_defs; none by default). A TCP socket
// on the event loop: accepts without blocking (a bounded batch per wakeup),
// reads one HTTP request head of at most kMaxHead bytes, answers GET/HEAD
// /metrics with the text ctl/metrics.cc builds and closes. Every client has
// one deadline (accept to last byte) and there are at most max_connections,
// so a slow or hostile scraper holds a few hundred bytes and one timer, never
// the loop. A ConfigSubscriber so that a reload moves or closes the listener;
// created by src/wiring.cc, owns its sockets.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "config/subscriber.hh"
#include "core/event_loop.hh"
#include "core/fd.hh"
#include "core/result.hh"

namespace halbd::ctl {

struct MetricsServerStats {
    uint64_t accepted = 0, served = 0, not_found = 0, bad_request = 0, too_long = 0, timed_out = 0, busy = 0,
             io_errors = 0;
};

class MetricsServer final : public config::ConfigSubscriber {
public:
    static constexpr size_t kMaxHead = 4096;
    struct Options {
        Duration timeout = std::chrono::seconds(5);  // accept to last byte written
        size_t max_connections = 64;                 // more get 503 and are closed at once
    };
    // body: the /metrics text, built when a request asks for it.
    MetricsServer(core::EventLoop& loop, std::function<std::string()> body, Options o);
    MetricsServer(core::EventLoop& loop, std::function<std::string()> body)
        : MetricsServer(loop, std::move(body), Options{}) {}
    ~MetricsServer() override;

    void apply(const config::Model* previous, const config::Model& current) override;
    void stop(const config::StopOptions& opts) override;

    // Opens the listener on addr (closing any other). Error: socket/bind/listen.
    core::Status listen(const config::MetricsListen& addr);
    void close_listener();
    bool listening() const { return fd_.get() >= 0; }
    uint16_t port() const { return port_; }  // the bound port (useful with port 0 in tests)
    size_t connections() const { return conns_.size(); }
    const MetricsServerStats& stats() const { return stats_; }

private:
    class Connection;
    void on_accept();
    void close(uint64_t id);  // destroys the connection: return right after calling it

    core::EventLoop& loop_;
    std::function<std::string()> body_;
    Options opts_;
    std::optional<config::MetricsListen> where_;
    core::UniqueFd fd_;
    uint16_t port_ = 0;
    core::FdWatchPtr watch_;
    std::map<uint64_t, std::unique_ptr<Connection>> conns_;
    uint64_t next_id_ = 1;
    MetricsServerStats stats_;
};

// The HTTP answer to one request head (pure): status line, headers and, for
// GET, the body built by body(). Only GET and HEAD of /metrics (any query)
// are served; the rest is 404 or 405 or 400.
std::string metrics_http_response(std::string_view head, const std::function<std::string()>& body,
                                  MetricsServerStats& stats);

}  // namespace halbd::ctl
