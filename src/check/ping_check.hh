// check/ping_check.hh: PING_CHECK (ICMP_CHECK is its deprecated name, mapped
// by the config layer): one ICMP/ICMPv6 echo request per attempt, up when the
// matching echo reply (same id and sequence, from the target) arrives within
// connect_timeout. Uses an unprivileged ping socket (SOCK_DGRAM, allowed by
// net.ipv4.ping_group_range) when it can, else a raw socket (CAP_NET_RAW).
// Built by make_checker(); owns the socket of the attempt in flight.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "check/attempt.hh"
#include "check/tcp_check.hh"
#include "core/fd.hh"

namespace halbd::check {

enum class PingSocket : uint8_t { Auto, Datagram, Raw };

class PingChecker final : public AttemptChecker {
public:
    PingChecker(core::EventLoop& loop, TcpTarget target, PingSocket mode = PingSocket::Auto);
    ~PingChecker() override { release_io(); }

    std::string describe() const override { return "PING_CHECK to " + target_.address.to_string(); }
    // The kind of socket the last attempt used (Auto before the first).
    PingSocket socket_kind() const { return used_; }

private:
    std::optional<CheckResult> begin() override;
    void on_deadline() override;
    void release_io() override {
        watch_.reset();
        sock_.reset();
    }
    void on_readable();
    // True when buf is the echo reply of the attempt in flight.
    bool is_our_reply(const uint8_t* buf, size_t len) const;

    TcpTarget target_;
    PingSocket mode_;
    PingSocket used_ = PingSocket::Auto;
    uint16_t id_;           // raw sockets; ping sockets get theirs from the kernel
    uint16_t seq_ = 0;
    core::UniqueFd sock_;
    core::FdWatchPtr watch_;
};

// RFC 1071 Internet checksum (for ICMPv4 over raw sockets).
uint16_t inet_checksum(const uint8_t* data, size_t len);

}  // namespace halbd::check
