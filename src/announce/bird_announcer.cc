// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// announce/bird_announcer.cc: see bird_announcer.hh.
#include "announce/bird_announcer.hh"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

#include "core/log.hh"

namespace halbd::announce {

namespace {

core::UniqueFd open_socket(const std::string& path, bool nonblocking, std::string& why) {
    sockaddr_un sa{};
    if (path.size() >= sizeof sa.sun_path) {
        why = "socket path too long";
        return {};
    }
    core::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0), 0));
    if (!fd) {
        why = std::strerror(errno);
        return {};
    }
    sa.sun_family = AF_UNIX;
    std::memcpy(sa.sun_path, path.data(), path.size());
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0 && errno != EINPROGRESS &&
        errno != EAGAIN) {
        why = std::strerror(errno);
        return {};
    }
    return fd;
}

std::string command(const std::string& protocol, bool enable) {
    return (enable ? "enable " : "disable ") + protocol + "\n";
}

}  // namespace

BirdAnnouncer::BirdAnnouncer(core::EventLoop& loop, std::string socket_path, Duration retry)
    : loop_(loop), path_(std::move(socket_path)), retry_(retry), retry_timer_(loop.create_timer([this] { connect(); })) {
    status_.daemon = "BIRD";
    status_.endpoint = path_;
    status_.last_error = "not connected yet";
}

BirdAnnouncer::~BirdAnnouncer() { watch_.reset(); }

void BirdAnnouncer::want(const std::map<std::string, bool>& enabled) {
    for (auto it = status_.protocols.begin(); it != status_.protocols.end();) {
        if (!enabled.count(it->first)) {
            forget_[it->first] = false;
            it->second.wanted = false;
        }
        ++it;
    }
    for (const auto& [name, on] : enabled) {
        forget_.erase(name);
        ProtocolStatus& p = status_.protocols[name];
        p.refused.clear();  // each decision tries a refused command again
        p.wanted = on;
    }
    if (state_ == State::Idle && !retry_timer_->armed()) connect();
    pump();
}

void BirdAnnouncer::connect() {
    std::string why;
    fd_ = open_socket(path_, true, why);
    if (!fd_) {
        lost("cannot connect to " + path_ + ": " + why);
        return;
    }
    state_ = State::Connecting;
    reader_ = BirdReplyReader();
    watch_ = loop_.watch_fd(fd_.get(), core::fd_events::readable | core::fd_events::writable,
                            [this](uint32_t ev) { on_io(ev); });
    if (!watch_) lost("cannot watch the control socket");
}

void BirdAnnouncer::lost(const std::string& why) {
    watch_.reset();
    fd_.reset();
    // One line per change of cause (or lost connection), not one per retry.
    if (status_.connected || status_.last_error != why) log::error("BIRD: ", why, "; retrying every ", log::secs(retry_));
    ++status_.failures;
    status_.connected = false;
    status_.last_error = why;
    state_ = State::Idle;
    in_flight_.reset();
    // BIRD may come back restarted, with the protocols as bird.conf says.
    for (auto& [name, p] : status_.protocols) {
        p.enabled.reset();
        p.refused.clear();
    }
    retry_timer_->arm(retry_);
}

void BirdAnnouncer::on_io(uint32_t events) {
    if (state_ == State::Connecting) {
        int err = 0;
        socklen_t len = sizeof err;
        if (::getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
            lost("cannot connect to " + path_ + ": " + std::strerror(err ? err : errno));
            return;
        }
        state_ = State::Greeting;
        watch_->set_events(core::fd_events::readable);
    }
    if (events & (core::fd_events::readable | core::fd_events::hangup | core::fd_events::error)) {
        char buf[4096];
        const ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
            lost(n == 0 ? "BIRD closed the control connection" : std::string("read: ") + std::strerror(errno));
            return;
        }
        if (n > 0) reader_.feed(std::string_view(buf, static_cast<size_t>(n)));
        if (reader_.broken()) {
            lost("unexpected reply: " + reader_.why_broken());
            return;
        }
        while (auto r = reader_.next()) {
            on_reply(*r);
            if (state_ == State::Idle) return;  // lost while handling
        }
    }
}

void BirdAnnouncer::on_reply(const BirdReply& r) {
    if (state_ == State::Greeting) {
        if (r.final_code() != 1) {
            lost("unexpected greeting: " + r.summary());
            return;
        }
        state_ = State::Ready;
        status_.connected = true;
        status_.last_error.clear();
        ++status_.connects;
        log::notice("BIRD: connected to ", path_, " (", r.summary(), ")");
        pump();
        return;
    }
    if (!in_flight_) {
        lost("a reply to no command: " + r.summary());
        return;
    }
    const InFlight f = *in_flight_;
    in_flight_.reset();
    ++status_.commands;
    auto it = status_.protocols.find(f.protocol);
    if (r.failed()) {
        ++status_.refusals;
        log::error("BIRD: ", f.enable ? "enable " : "disable ", f.protocol, " refused: ", r.summary());
        if (it != status_.protocols.end()) it->second.refused = r.summary();
    } else if (it != status_.protocols.end()) {
        it->second.refused.clear();
        if (it->second.enabled != f.enable)
            log::info("BIRD: ", f.protocol, " ", f.enable ? "enabled" : "disabled", " (", r.summary(), ")");
        it->second.enabled = f.enable;
        if (forget_.count(f.protocol) && !f.enable) {
            forget_.erase(f.protocol);
            status_.protocols.erase(it);
        }
    }
    pump();
}

void BirdAnnouncer::pump() {
    if (state_ != State::Ready || in_flight_) return;
    for (auto& [name, p] : status_.protocols) {
        if (p.enabled == p.wanted || !p.refused.empty()) continue;
        const std::string cmd = command(name, p.wanted);
        if (::send(fd_.get(), cmd.data(), cmd.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(cmd.size())) {
            lost(std::string("write: ") + std::strerror(errno));
            return;
        }
        in_flight_ = InFlight{name, p.wanted};
        return;
    }
}

void BirdAnnouncer::withdraw_now(Duration bound) {
    // A connection of its own, so nothing half-sent on the loop's is in the way.
    watch_.reset();
    fd_.reset();
    retry_timer_->cancel();
    state_ = State::Idle;
    in_flight_.reset();
    bool any = false;
    for (auto& [name, p] : status_.protocols) {
        p.wanted = false;
        any = true;
    }
    if (!any) return;
    const MonoTime deadline = MonoTime(std::chrono::steady_clock::now().time_since_epoch()) + bound;
    auto wait = [&](short what) {
        const auto left = deadline - MonoTime(std::chrono::steady_clock::now().time_since_epoch());
        const int ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(left).count());
        if (ms <= 0) return false;
        pollfd p{fd_.get(), what, 0};
        return ::poll(&p, 1, ms) == 1;
    };
    std::string why;
    fd_ = open_socket(path_, true, why);
    BirdReplyReader reader;
    auto read_reply = [&]() -> std::optional<BirdReply> {
        while (true) {
            if (auto r = reader.next()) return r;
            if (reader.broken() || !wait(POLLIN)) return std::nullopt;
            char buf[4096];
            const ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
            if (n <= 0) return std::nullopt;
            reader.feed(std::string_view(buf, static_cast<size_t>(n)));
        }
    };
    if (fd_ && wait(POLLOUT) && read_reply()) {
        for (auto& [name, p] : status_.protocols) {
            const std::string cmd = command(name, false);
            if (::send(fd_.get(), cmd.data(), cmd.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(cmd.size())) break;
            auto r = read_reply();
            if (!r) break;
            if (r->failed()) {
                log::error("BIRD: disable ", name, " refused: ", r->summary());
                continue;
            }
            p.enabled = false;
            log::info("BIRD: ", name, " disabled (stopping)");
        }
    }
    for (const auto& [name, p] : status_.protocols)
        if (p.enabled != false)
            log::error("BIRD: ", name, " may still be enabled: ",
                       fd_ ? "no answer within " + log::secs(bound) : "cannot connect to " + path_ + ": " + why);
    fd_.reset();
    status_.connected = false;
}

}  // namespace halbd::announce
