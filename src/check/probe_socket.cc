// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/probe_socket.cc: see probe_socket.hh. Factored out of tcp_check.cc
// so that every network checker kind sets its socket up the same way.
#include "check/probe_socket.hh"

#include <netinet/icmp6.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>

namespace halbd::check {

namespace {

// Whether net.ipv4.ping_group_range admits our group (for IPv4 and IPv6).
bool ping_socket_allowed(bool v4) {
    core::UniqueFd s(::socket(v4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, v4 ? int{IPPROTO_ICMP} : int{IPPROTO_ICMPV6}));
    return s.valid();
}

}  // namespace

CheckResult setup_failure(const std::string& what, int e) {
    return CheckResult::not_attempted("not attempted: " + what + ": " + std::strerror(e));
}

CheckResult socket_failure(int e) {
    switch (e) {
        case ECONNREFUSED: return CheckResult::failure(FailReason::Refused, "refused");
        case ETIMEDOUT:
            return CheckResult::failure(FailReason::Timeout, std::string("timed out (kernel: ") + std::strerror(e) + ")");
        case EHOSTUNREACH:
        case ENETUNREACH:
        case EHOSTDOWN:
        case ENETDOWN: return CheckResult::failure(FailReason::Unreachable, std::string("failed: ") + std::strerror(e));
        default: return CheckResult::failure(FailReason::Error, std::string("failed: ") + std::strerror(e));
    }
}

std::variant<core::UniqueFd, CheckResult> open_probe_socket(const TcpTarget& t, int type, int protocol,
                                                            bool with_port) {
    const int family = t.address.is_v4() ? AF_INET : AF_INET6;
    core::UniqueFd sock(::socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol));
    if (!sock) return setup_failure("socket", errno);
    const int fd = sock.get();
    if (t.fwmark) {
        const uint32_t mark = t.fwmark;
        if (::setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark) < 0)
            return setup_failure("fwmark " + std::to_string(mark), errno);
    }
    if (!t.bind_if.empty()) {
        if (::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, t.bind_if.c_str(), static_cast<socklen_t>(t.bind_if.size())) <
            0)
            return setup_failure("bind_if " + t.bind_if, errno);
    }
    const uint16_t port = with_port ? t.bind_port : 0;
    if (t.bindto || port) {
        const net::IpAddress any = t.address.is_v4() ? net::IpAddress::v4(0) : *net::IpAddress::parse("::");
        const net::IpAddress& local = t.bindto ? *t.bindto : any;
        sockaddr_storage ss;
        const socklen_t len = net::to_sockaddr(local, port, ss);
        if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) < 0)
            return setup_failure("bind to " + endpoint_text(local, port), errno);
    }
    return sock;
}

std::variant<core::UniqueFd, CheckResult> connect_probe_socket(const TcpTarget& t, int type, bool& in_progress) {
    in_progress = false;
    auto opened = open_probe_socket(t, type, 0);
    if (auto* r = std::get_if<CheckResult>(&opened)) return std::move(*r);
    core::UniqueFd sock = std::move(std::get<core::UniqueFd>(opened));
    sockaddr_storage ss;
    const socklen_t len = net::to_sockaddr(t.address, t.port, ss);
    if (::connect(sock.get(), reinterpret_cast<sockaddr*>(&ss), len) < 0) {
        if (errno != EINPROGRESS) return socket_failure(errno);
        in_progress = true;
    }
    return sock;
}

CheckResult connect_outcome(int fd) {
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
    return err == 0 ? CheckResult::success() : socket_failure(err);
}

std::variant<core::UniqueFd, CheckResult> open_ping_socket(const TcpTarget& t, PingSocket& kind) {
    const bool v4 = t.address.is_v4();
    const int proto = v4 ? int{IPPROTO_ICMP} : int{IPPROTO_ICMPV6};
    if (kind == PingSocket::Auto) kind = ping_socket_allowed(v4) ? PingSocket::Datagram : PingSocket::Raw;
    auto opened = open_probe_socket(t, kind == PingSocket::Raw ? SOCK_RAW : SOCK_DGRAM, proto, false);
    if (std::holds_alternative<CheckResult>(opened)) return opened;
    const int fd = std::get<core::UniqueFd>(opened).get();
    if (!v4 && kind == PingSocket::Raw) {
        icmp6_filter filter;
        ICMP6_FILTER_SETBLOCKALL(&filter);
        ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
        ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &filter);
        (void)::setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter);
    }
    const int on = 1;
    // ICMP errors about our request (host unreachable...) come back as recv() errors.
    if (v4) (void)::setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof on);
    else (void)::setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof on);
    sockaddr_storage ss;
    const socklen_t len = net::to_sockaddr(t.address, 0, ss);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) < 0) return socket_failure(errno);
    return opened;
}

std::variant<core::UniqueFd, CheckResult> setup_failure_counts(std::variant<core::UniqueFd, CheckResult> opened) {
    if (auto* r = std::get_if<CheckResult>(&opened)) r->verdict = true;
    return opened;
}

}  // namespace halbd::check
