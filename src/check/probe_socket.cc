// check/probe_socket.cc: see probe_socket.hh. Factored out of tcp_check.cc
// so that every network checker kind sets its socket up the same way.
#include "check/probe_socket.hh"

#include <netinet/in.h>

#include <cerrno>
#include <cstring>

namespace halbd::check {

CheckResult setup_failure(const std::string& what, int e) {
    return CheckResult::failure(FailReason::LocalSetup, "not attempted: " + what + ": " + std::strerror(e));
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

}  // namespace halbd::check
