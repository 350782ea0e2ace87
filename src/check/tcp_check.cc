// check/tcp_check.cc: TCP_CHECK (see tcp_check.hh). keepalived's check_tcp.c
// does the same observable thing: connect, and on success close at once
// (a FIN, no data). Every outcome leaves through finish().
#include "check/tcp_check.hh"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace halbd::check {

namespace {

socklen_t to_sockaddr(const net::IpAddress& a, uint16_t port, sockaddr_storage& ss) {
    std::memset(&ss, 0, sizeof ss);
    if (a.is_v4()) {
        auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        std::memcpy(&sin->sin_addr, a.bytes(), 4);
        return sizeof(sockaddr_in);
    }
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    std::memcpy(&sin6->sin6_addr, a.bytes(), 16);
    return sizeof(sockaddr_in6);
}

std::string errno_text(int e) { return std::strerror(e); }

// A connect() error (immediate or from SO_ERROR) as a typed result.
CheckResult connect_failure(int e) {
    switch (e) {
        case ECONNREFUSED: return CheckResult::failure(FailReason::Refused, "refused");
        case ETIMEDOUT: return CheckResult::failure(FailReason::Timeout, "timed out (kernel: " + errno_text(e) + ")");
        case EHOSTUNREACH:
        case ENETUNREACH:
        case EHOSTDOWN:
        case ENETDOWN: return CheckResult::failure(FailReason::Unreachable, "failed: " + errno_text(e));
        default: return CheckResult::failure(FailReason::Error, "failed: " + errno_text(e));
    }
}

}  // namespace

CheckResult setup_failure(const std::string& what, int e) {
    return CheckResult::failure(FailReason::LocalSetup, "not attempted: " + what + ": " + errno_text(e));
}

std::string endpoint_text(const net::IpAddress& a, uint16_t port) {
    return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" + std::to_string(port);
}

TcpTarget TcpTarget::from_config(const config::Checker& c) {
    TcpTarget t;
    if (c.connect_ip) t.address = *c.connect_ip;
    t.port = c.connect_port.value_or(0);
    t.bindto = c.bindto;
    t.bind_port = c.bind_port.value_or(0);
    if (c.bind_if) t.bind_if = *c.bind_if;
    t.fwmark = c.fwmark;
    if (c.connect_timeout) t.connect_timeout = *c.connect_timeout;
    return t;
}

TcpChecker::TcpChecker(core::EventLoop& loop, TcpTarget target)
    : loop_(loop), target_(std::move(target)), timer_(loop_.create_timer([this] { on_timeout(); })) {}

TcpChecker::~TcpChecker() { release(); }

std::string TcpChecker::describe() const { return "TCP connect to " + endpoint_text(target_.address, target_.port); }

void TcpChecker::start(Completion done) {
    release();
    done_ = std::move(done);
    if (auto immediate = open_and_connect()) {
        // Reported from the loop, never from inside start().
        release();
        pending_ = std::move(*immediate);
        timer_->arm(Duration::zero());
        return;
    }
    timer_->arm(target_.connect_timeout);
}

void TcpChecker::cancel() {
    release();
    done_ = nullptr;
}

std::optional<CheckResult> start_connect(const TcpTarget& target, core::UniqueFd& sock) {
    const int family = target.address.is_v4() ? AF_INET : AF_INET6;
    sock.reset(::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!sock) return setup_failure("socket", errno);
    const int fd = sock.get();
    if (target.fwmark) {
        const uint32_t mark = target.fwmark;
        if (::setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark) < 0)
            return setup_failure("fwmark " + std::to_string(mark), errno);
    }
    if (!target.bind_if.empty()) {
        if (::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, target.bind_if.c_str(),
                         static_cast<socklen_t>(target.bind_if.size())) < 0)
            return setup_failure("bind_if " + target.bind_if, errno);
    }
    if (target.bindto || target.bind_port) {
        const net::IpAddress any = target.address.is_v4() ? net::IpAddress::v4(0) : *net::IpAddress::parse("::");
        const net::IpAddress& local = target.bindto ? *target.bindto : any;
        sockaddr_storage ss;
        const socklen_t len = to_sockaddr(local, target.bind_port, ss);
        if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) < 0)
            return setup_failure("bind to " + endpoint_text(local, target.bind_port), errno);
    }
    sockaddr_storage ss;
    const socklen_t len = to_sockaddr(target.address, target.port, ss);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0 || errno == EINPROGRESS) return std::nullopt;
    return connect_failure(errno);
}

CheckResult connect_outcome(int fd) {
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
    return err == 0 ? CheckResult::success() : connect_failure(err);
}

std::optional<CheckResult> TcpChecker::open_and_connect() {
    if (auto ended = start_connect(target_, sock_)) return ended;
    // Writable once connected (at once if connect() already succeeded).
    watch_ = loop_.watch_fd(sock_.get(), core::fd_events::writable, [this](uint32_t ev) { on_ready(ev); });
    if (!watch_) return setup_failure("watch socket", errno);
    return std::nullopt;
}

void TcpChecker::on_ready(uint32_t) { finish(connect_outcome(sock_.get())); }

void TcpChecker::on_timeout() {
    if (pending_) {
        CheckResult r = std::move(*pending_);
        finish(std::move(r));
        return;
    }
    finish(CheckResult::failure(FailReason::Timeout, "timed out after " + human_duration(target_.connect_timeout)));
}

void TcpChecker::finish(CheckResult result) {
    release();  // closes the socket: keepalived's connect + close
    Completion done = std::move(done_);
    done_ = nullptr;
    if (done) done(result);  // may destroy this
}

void TcpChecker::release() {
    watch_.reset();  // before the fd closes
    sock_.reset();
    timer_->cancel();
    pending_.reset();
}

}  // namespace halbd::check
