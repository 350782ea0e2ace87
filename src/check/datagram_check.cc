// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/datagram_check.cc: see datagram_check.hh. One request, then every
// datagram the socket holds is read per readiness and shown to the kind
// until one is its reply; errors and the deadline leave through finish().
#include "check/datagram_check.hh"

#include <sys/socket.h>

#include <array>
#include <cerrno>

#include "check/probe_socket.hh"

namespace halbd::check {

namespace {

// One receive buffer for every datagram checker (the loop is single-threaded
// and a datagram is judged before the next read): the largest UDP payload.
thread_local std::array<uint8_t, 65536> g_datagram;

}  // namespace

CheckResult udp_failure(int e) {
    if (e == ECONNREFUSED) return CheckResult::failure(FailReason::Refused, "refused (ICMP port unreachable)");
    return socket_failure(e);
}

DatagramChecker::DatagramChecker(core::EventLoop& loop, TcpTarget target)
    : AttemptChecker(loop), target_(std::move(target)) {}

std::variant<core::UniqueFd, CheckResult> DatagramChecker::open_socket() {
    bool in_progress = false;  // a UDP connect() completes at once
    return connect_probe_socket(target_, SOCK_DGRAM, in_progress);
}

CheckResult DatagramChecker::on_silence() const {
    return CheckResult::failure(FailReason::Timeout, "no reply within " + human_duration(target_.connect_timeout));
}

CheckResult DatagramChecker::io_failure(int e) const { return udp_failure(e); }

std::optional<CheckResult> DatagramChecker::begin() {
    auto made = request();
    if (auto* failed = std::get_if<CheckResult>(&made)) return std::move(*failed);
    const std::vector<uint8_t>& out = std::get<std::vector<uint8_t>>(made);
    if (auto failed = io_.take(open_socket())) return failed;
    if (::send(io_.fd(), out.data(), out.size(), 0) < 0) return io_failure(errno);
    if (auto failed = io_.watch(loop(), core::fd_events::readable, [this](uint32_t) { on_readable(); }))
        return failed;
    arm_deadline(target_.connect_timeout);
    return std::nullopt;
}

void DatagramChecker::on_readable() {
    for (;;) {
        const ssize_t n = ::recv(io_.fd(), g_datagram.data(), g_datagram.size(), 0);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            if (errno == EINTR) continue;
            return finish(io_failure(errno));  // may destroy this
        }
        if (auto verdict = on_datagram(g_datagram.data(), static_cast<size_t>(n))) return finish(std::move(*verdict));
    }
}

}  // namespace halbd::check
