// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/ping_check.hh: PING_CHECK (ICMP_CHECK is its deprecated name, mapped
// by the config layer): one ICMP/ICMPv6 echo request per attempt, up when the
// matching echo reply (same id and sequence, from the target) arrives within
// connect_timeout. Uses an unprivileged ping socket (SOCK_DGRAM, allowed by
// net.ipv4.ping_group_range) when it can, else a raw socket (CAP_NET_RAW),
// both opened by probe_socket.hh. Built by make_checker(); a DatagramChecker
// (datagram_check.hh: socket, send, receive loop, completion) that adds the
// echo request and the matching of its reply.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "check/datagram_check.hh"
#include "check/probe_socket.hh"

namespace halbd::check {

class PingChecker final : public DatagramChecker {
public:
    PingChecker(core::EventLoop& loop, TcpTarget target, PingSocket mode = PingSocket::Auto);

    std::string describe() const override { return "PING_CHECK to " + target().address.to_string(); }
    // The kind of socket the last attempt used (Auto before the first).
    PingSocket socket_kind() const { return used_; }

private:
    std::variant<std::vector<uint8_t>, CheckResult> request() override;
    std::variant<core::UniqueFd, CheckResult> open_socket() override;
    std::optional<CheckResult> on_datagram(const uint8_t* data, size_t len) override;
    CheckResult io_failure(int e) const override;
    // True when buf is the echo reply of the attempt in flight.
    bool is_our_reply(const uint8_t* buf, size_t len) const;

    PingSocket mode_;
    PingSocket used_ = PingSocket::Auto;
    uint16_t id_;           // raw sockets; ping sockets get theirs from the kernel
    uint16_t seq_ = 0;
};

// RFC 1071 Internet checksum (for ICMPv4 over raw sockets).
uint16_t inet_checksum(const uint8_t* data, size_t len);

}  // namespace halbd::check
