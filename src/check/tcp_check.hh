// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/tcp_check.hh: TCP_CHECK, keepalived's plain connect-then-close probe.
// One non-blocking connect per attempt, watched for writability on the loop,
// bounded by connect_timeout. Built by make_checker(); an AttemptChecker
// (attempt.hh: completion, deadline, finish()) whose socket and watch are a
// SocketIo (RAII: destroying the checker cancels the attempt).
#pragma once

#include <optional>
#include <string>

#include "check/attempt.hh"
#include "check/checker.hh"
#include "check/socket_io.hh"
#include "config/model_check.hh"
#include "core/event_loop.hh"
#include "net/address.hh"

namespace halbd::check {

// Where and how to connect: the checker's effective connection options.
struct TcpTarget {
    net::IpAddress address;  // connect_ip (default: the real server's address)
    uint16_t port = 0;       // connect_port (default: the real server's port)
    std::optional<net::IpAddress> bindto;
    uint16_t bind_port = 0;  // 0 = any
    std::string bind_if;     // SO_BINDTODEVICE, empty = none
    uint32_t fwmark = 0;     // SO_MARK, 0 = none
    Duration connect_timeout = std::chrono::seconds(5);

    // From a validated checker (validate_lvs() has resolved connect_ip,
    // connect_port and connect_timeout).
    static TcpTarget from_config(const config::Checker& c);
};

// "10.0.0.2:80", "[2001:db8::2]:80".
std::string endpoint_text(const net::IpAddress& a, uint16_t port);

class TcpChecker final : public AttemptChecker {
public:
    TcpChecker(core::EventLoop& loop, TcpTarget target);

    std::string describe() const override;

    const TcpTarget& target() const { return target_; }

private:
    // Opens, sets up and connects the socket; a result when the attempt
    // already ended (immediate success or error), nullopt when in progress.
    std::optional<CheckResult> begin() override;
    void on_deadline() override;
    void release_io() override { io_.close(); }  // keepalived's connect + close

    TcpTarget target_;
    SocketIo io_;
};

}  // namespace halbd::check
