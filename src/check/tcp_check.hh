// check/tcp_check.hh: TCP_CHECK, keepalived's plain connect-then-close probe.
// One non-blocking connect per attempt, watched for writability on the loop,
// bounded by connect_timeout. Built by make_checker(); owns the socket, its
// watch and the timeout timer of the attempt in flight (RAII: destroying
// the checker cancels the attempt).
#pragma once

#include <optional>
#include <string>

#include "check/checker.hh"
#include "config/model_check.hh"
#include "core/event_loop.hh"
#include "core/fd.hh"
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

class TcpChecker final : public Checker {
public:
    TcpChecker(core::EventLoop& loop, TcpTarget target);
    ~TcpChecker() override;
    TcpChecker(const TcpChecker&) = delete;
    TcpChecker& operator=(const TcpChecker&) = delete;

    void start(Completion done) override;
    void cancel() override;
    bool running() const override { return static_cast<bool>(done_); }
    std::string describe() const override;

    const TcpTarget& target() const { return target_; }

private:
    // Opens, sets up and connects the socket; a result when the attempt
    // already ended (immediate success or error), nullopt when in progress.
    std::optional<CheckResult> open_and_connect();
    void on_ready(uint32_t events);
    void on_timeout();
    // The one completion path: releases the attempt, then reports.
    void finish(CheckResult result);
    void release();

    core::EventLoop& loop_;
    TcpTarget target_;
    Completion done_;
    core::UniqueFd sock_;
    core::FdWatchPtr watch_;
    core::TimerPtr timer_;       // connect_timeout, or 0 to report an immediate outcome
    std::optional<CheckResult> pending_;  // immediate outcome waiting for the loop
};

}  // namespace halbd::check
