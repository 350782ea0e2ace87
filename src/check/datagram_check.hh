// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/datagram_check.hh: DatagramChecker, the base of the request/reply
// kinds over one datagram (UDP_CHECK, DNS_CHECK, PING_CHECK): it owns the
// attempt's socket (a SocketIo), sends the kind's request, reads every
// datagram through the kind's validation hook and ends the attempt through
// AttemptChecker::finish() on a verdict, an error or connect_timeout.
#pragma once

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "check/attempt.hh"
#include "check/socket_io.hh"
#include "check/tcp_check.hh"

namespace halbd::check {

class DatagramChecker : public AttemptChecker {
public:
    const TcpTarget& target() const { return target_; }

protected:
    DatagramChecker(core::EventLoop& loop, TcpTarget target);
    ~DatagramChecker() override = default;

    // The request of this attempt, or why there is none (asked before the
    // socket is opened).
    virtual std::variant<std::vector<uint8_t>, CheckResult> request() = 0;
    // The attempt's socket, ready to send to the target (default: a UDP
    // socket connect()ed to target:port, from probe_socket.hh).
    virtual std::variant<core::UniqueFd, CheckResult> open_socket();
    // What a received datagram means: the attempt's outcome, or nullopt
    // when it is not the reply (then it is ignored and reading goes on).
    virtual std::optional<CheckResult> on_datagram(const uint8_t* data, size_t len) = 0;
    // The outcome when connect_timeout passes with no verdict (default: a
    // Timeout failure, "no reply within 3s").
    virtual CheckResult on_silence() const;
    // A send()/recv() error as a typed result (default: udp_failure()).
    virtual CheckResult io_failure(int e) const;

private:
    std::optional<CheckResult> begin() final;
    void on_deadline() final { finish(on_silence()); }
    void release_io() final { io_.close(); }
    void on_readable();

    TcpTarget target_;
    SocketIo io_;
};

// A recv()/send() error of a connected UDP socket as a typed result:
// ECONNREFUSED is an ICMP port unreachable.
CheckResult udp_failure(int e);

}  // namespace halbd::check
