// check/udp_check.hh: UDP_CHECK, keepalived's check_udp.c: send `payload`
// (random bytes when none) on a connected UDP socket; an ICMP error (port
// unreachable -> refused) fails it; with require_reply a reply must come
// within connect_timeout, of min..max_reply_length bytes and matching the
// require_reply pattern; without, silence until connect_timeout is success.
// Built by make_checker(); owns the socket of the attempt in flight.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "check/attempt.hh"
#include "check/tcp_check.hh"
#include "config/model_check.hh"
#include "core/fd.hh"

namespace halbd::check {

class UdpChecker final : public AttemptChecker {
public:
    UdpChecker(core::EventLoop& loop, TcpTarget target, config::UdpCheck params);
    ~UdpChecker() override { release_io(); }

    std::string describe() const override { return "UDP_CHECK to " + endpoint_text(target_.address, target_.port); }

    // Why a reply fails the check ("reply of 3 bytes, expected 4..255"), or
    // nullopt when it passes (keepalived check_udp_reply(): the pattern is
    // compared over min(reply, pattern) bytes; 'x' nibbles match anything).
    static std::optional<std::string> reply_problem(const config::UdpCheck& p, const uint8_t* data, size_t len);

private:
    std::optional<CheckResult> begin() override;
    void on_deadline() override;
    void release_io() override {
        watch_.reset();
        sock_.reset();
    }
    void on_readable();

    TcpTarget target_;
    config::UdpCheck params_;
    core::UniqueFd sock_;
    core::FdWatchPtr watch_;
};

// A recv()/send() error of a connected UDP socket as a typed result:
// ECONNREFUSED is an ICMP port unreachable.
CheckResult udp_failure(int e);

}  // namespace halbd::check
