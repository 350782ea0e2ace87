// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/udp_check.cc: UDP_CHECK (see udp_check.hh). A connected UDP socket
// gets the ICMP errors about its datagrams as recv() errors (ECONNREFUSED
// for port unreachable, EHOSTUNREACH...; udp_failure() in datagram_check.cc),
// so no raw socket is needed.
#include "check/udp_check.hh"

#include <random>

#include "check/probe_socket.hh"
#include "core/random.hh"

namespace halbd::check {

namespace {

int nibble(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;  // 'x': any
}

}  // namespace

UdpChecker::UdpChecker(core::EventLoop& loop, TcpTarget target, config::UdpCheck params)
    : DatagramChecker(loop, std::move(target)), params_(std::move(params)) {}

std::optional<std::string> UdpChecker::reply_problem(const config::UdpCheck& p, const uint8_t* data, size_t len) {
    if (len < p.min_reply_length || len > p.max_reply_length)
        return "reply of " + std::to_string(len) + " bytes, expected " + std::to_string(p.min_reply_length) + ".." +
               std::to_string(p.max_reply_length);
    const size_t pattern_bytes = p.reply_pattern.size() / 2;
    const size_t n = std::min(len, pattern_bytes);
    for (size_t i = 0; i < n; ++i) {
        const int hi = nibble(p.reply_pattern[2 * i]), lo = nibble(p.reply_pattern[2 * i + 1]);
        if ((hi >= 0 && (data[i] >> 4) != hi) || (lo >= 0 && (data[i] & 15) != lo))
            return "reply does not match require_reply at byte " + std::to_string(i);
    }
    return std::nullopt;
}

std::variant<std::vector<uint8_t>, CheckResult> UdpChecker::request() {
    std::vector<uint8_t> payload = params_.payload;
    if (payload.empty()) {  // keepalived sends random data when no payload is configured
        static std::mt19937 gen{static_cast<std::mt19937::result_type>(core::random_seed())};
        payload.resize(16);
        for (auto& b : payload) b = static_cast<uint8_t>(gen());
    }
    return payload;
}

std::variant<core::UniqueFd, CheckResult> UdpChecker::open_socket() {
    return setup_failure_counts(DatagramChecker::open_socket());
}

std::optional<CheckResult> UdpChecker::on_datagram(const uint8_t* data, size_t len) {
    if (!params_.require_reply) return CheckResult::success();
    if (auto why = reply_problem(params_, data, len)) return CheckResult::failure(FailReason::Error, *why);
    return CheckResult::success();
}

CheckResult UdpChecker::on_silence() const {
    // No ICMP error within connect_timeout: up, unless a reply is required.
    if (!params_.require_reply) return CheckResult::success();
    return DatagramChecker::on_silence();
}

}  // namespace halbd::check
