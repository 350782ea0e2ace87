// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// ctl/metrics_server.cc: see metrics_server.hh. Every socket call is
// non-blocking; a connection reads its head, gets its whole reply queued at
// once and is destroyed when written, on error or at its deadline.
#include "ctl/metrics_server.hh"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "core/log.hh"
#include "ctl/accept.hh"

namespace halbd::ctl {

namespace {

std::string http(const char* status, std::string_view type, const std::string& body, bool head_only) {
    std::string r = std::string("HTTP/1.1 ") + status + "\r\nContent-Type: " + std::string(type) +
                    "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
    if (!head_only) r += body;
    return r;
}

}  // namespace

std::string metrics_http_response(std::string_view head, const std::function<std::string()>& body,
                                  MetricsServerStats& stats) {
    const auto eol = head.find_first_of("\r\n");
    const std::string_view line = head.substr(0, eol);
    const auto sp1 = line.find(' ');
    const auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || line.substr(sp2 + 1).substr(0, 5) != "HTTP/") {
        ++stats.bad_request;
        return http("400 Bad Request", "text/plain", "bad request\n", false);
    }
    const std::string_view method = line.substr(0, sp1);
    std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    target = target.substr(0, target.find('?'));
    const bool head_only = method == "HEAD";
    if (method != "GET" && !head_only) {
        ++stats.bad_request;
        return http("405 Method Not Allowed", "text/plain", "only GET and HEAD\n", false);
    }
    if (target != "/metrics") {
        ++stats.not_found;
        return http("404 Not Found", "text/plain", "halbd serves /metrics only\n", head_only);
    }
    ++stats.served;
    return http("200 OK", "text/plain; version=0.0.4; charset=utf-8", body(), head_only);
}

class MetricsServer::Connection {
public:
    Connection(MetricsServer& s, uint64_t id, core::UniqueFd fd) : s_(s), id_(id), fd_(std::move(fd)) {
        watch_ = s_.loop_.watch_fd(fd_.get(), core::fd_events::readable, [this](uint32_t ev) { on_event(ev); });
        timer_ = s_.loop_.create_timer([this] {
            ++s_.stats_.timed_out;
            s_.close(id_);
        });
        timer_->arm(s_.opts_.timeout);
    }
    ~Connection() { watch_.reset(); }  // unwatch before the fd closes
    bool watched() const { return watch_ != nullptr; }

private:
    void on_event(uint32_t ev) {
        if (out_.empty()) return read_some();
        if (ev & (core::fd_events::writable | core::fd_events::error | core::fd_events::hangup)) write_some();
    }

    void read_some() {
        char buf[1024];
        const ssize_t n = ::recv(fd_.get(), buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
        if (n <= 0) {  // EOF or error before a whole head: nobody to answer
            if (n < 0) ++s_.stats_.io_errors;
            return s_.close(id_);
        }
        in_.append(buf, static_cast<size_t>(n));
        const bool complete = in_.find("\r\n\r\n") != std::string::npos || in_.find("\n\n") != std::string::npos;
        if (!complete && in_.size() < kMaxHead) return;
        if (complete) {
            out_ = metrics_http_response(in_, s_.body_, s_.stats_);
        } else {
            ++s_.stats_.too_long;
            out_ = "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        }
        watch_->set_events(core::fd_events::writable);
        write_some();
    }

    void write_some() {
        while (written_ < out_.size()) {
            const ssize_t n =
                ::send(fd_.get(), out_.data() + written_, out_.size() - written_, MSG_DONTWAIT | MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EAGAIN || errno == EINTR) return;
                ++s_.stats_.io_errors;
                return s_.close(id_);
            }
            written_ += static_cast<size_t>(n);
        }
        ::shutdown(fd_.get(), SHUT_WR);
        return s_.close(id_);
    }

    MetricsServer& s_;
    uint64_t id_;
    core::UniqueFd fd_;
    core::FdWatchPtr watch_;
    core::TimerPtr timer_;
    std::string in_, out_;
    size_t written_ = 0;
};

MetricsServer::MetricsServer(core::EventLoop& loop, std::function<std::string()> body, Options o)
    : loop_(loop), body_(std::move(body)), opts_(o) {}

MetricsServer::~MetricsServer() { close_listener(); }

void MetricsServer::apply(const config::Model*, const config::Model& current) {
    const auto& want = current.global.metrics_listen;
    if (want == where_ && (listening() || !want)) return;
    close_listener();
    if (!want) return;
    if (auto st = listen(*want); !st)
        log::error("metrics: cannot listen on ", want->text(), ": ", st.error().message);
    else
        log::info("metrics: serving /metrics on ", want->text());
}

void MetricsServer::stop(const config::StopOptions&) { close_listener(); }

void MetricsServer::close_listener() {
    conns_.clear();
    watch_.reset();
    fd_.reset();
    where_.reset();
    port_ = 0;
}

core::Status MetricsServer::listen(const config::MetricsListen& addr) {
    close_listener();
    sockaddr_storage ss{};
    socklen_t len = 0;
    const std::string ip = addr.address.to_string();
    if (addr.address.is_v6()) {
        auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(addr.port);
        ::inet_pton(AF_INET6, ip.c_str(), &s6->sin6_addr);
        len = sizeof *s6;
    } else {
        auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
        s4->sin_family = AF_INET;
        s4->sin_port = htons(addr.port);
        ::inet_pton(AF_INET, ip.c_str(), &s4->sin_addr);
        len = sizeof *s4;
    }
    core::UniqueFd fd(::socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) return core::system_error("socket");
    const int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (addr.address.is_v6()) ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&ss), len) != 0) return core::system_error("bind");
    if (::listen(fd.get(), 256) != 0) return core::system_error("listen");
    sockaddr_storage bound{};
    socklen_t blen = sizeof bound;
    if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&bound), &blen) == 0)
        port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                                  : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    watch_ = loop_.watch_fd(fd.get(), core::fd_events::readable, [this](uint32_t) { on_accept(); });
    if (!watch_) return core::system_error("watch");
    fd_ = std::move(fd);
    where_ = addr;
    return core::Ok{};
}

void MetricsServer::close(uint64_t id) { conns_.erase(id); }

void MetricsServer::on_accept() {
    accept_batch(fd_.get(), "metrics", [this](core::UniqueFd c) {
        ++stats_.accepted;
        if (conns_.size() >= opts_.max_connections) {  // one best-effort answer, no state kept
            ++stats_.busy;
            static constexpr char kBusy[] =
                "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            [[maybe_unused]] ssize_t n = ::send(c.get(), kBusy, sizeof kBusy - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
            return;
        }
        const uint64_t id = next_id_++;
        auto conn = std::make_unique<Connection>(*this, id, std::move(c));
        if (!conn->watched()) {
            ++stats_.io_errors;
            return;
        }
        conns_.emplace(id, std::move(conn));
    });
}

}  // namespace halbd::ctl
