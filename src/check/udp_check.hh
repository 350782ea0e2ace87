// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/udp_check.hh: UDP_CHECK, keepalived's check_udp.c: send `payload`
// (random bytes when none) on a connected UDP socket; an ICMP error (port
// unreachable -> refused) fails it; with require_reply a reply must come
// within connect_timeout, of min..max_reply_length bytes and matching the
// require_reply pattern; without, silence until connect_timeout is success.
// Built by make_checker(); a DatagramChecker (datagram_check.hh: socket,
// send, receive loop, completion) that adds the payload and the verdict.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "check/datagram_check.hh"
#include "config/model_check.hh"

namespace halbd::check {

class UdpChecker final : public DatagramChecker {
public:
    UdpChecker(core::EventLoop& loop, TcpTarget target, config::UdpCheck params);

    std::string describe() const override { return "UDP_CHECK to " + endpoint_text(target().address, target().port); }

    // Why a reply fails the check ("reply of 3 bytes, expected 4..255"), or
    // nullopt when it passes (keepalived check_udp_reply(): the pattern is
    // compared over min(reply, pattern) bytes; 'x' nibbles match anything).
    static std::optional<std::string> reply_problem(const config::UdpCheck& p, const uint8_t* data, size_t len);

private:
    std::variant<std::vector<uint8_t>, CheckResult> request() override;
    std::variant<core::UniqueFd, CheckResult> open_socket() override;
    std::optional<CheckResult> on_datagram(const uint8_t* data, size_t len) override;
    CheckResult on_silence() const override;

    config::UdpCheck params_;
};

}  // namespace halbd::check
