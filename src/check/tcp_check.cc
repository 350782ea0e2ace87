// check/tcp_check.cc: TCP_CHECK (see tcp_check.hh). keepalived's check_tcp.c
// does the same observable thing: connect, and on success close at once
// (a FIN, no data). Every outcome leaves through finish(). The socket setup
// is probe_socket.cc's, shared with the other network kinds.
#include "check/tcp_check.hh"

#include "check/probe_socket.hh"

#include <sys/socket.h>

#include <cerrno>

namespace halbd::check {

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
    : loop_(loop), target_(std::move(target)), timer_(loop_.create_bulk_timer([this] { on_timeout(); })) {}

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

std::optional<CheckResult> TcpChecker::open_and_connect() {
    bool in_progress = false;
    auto opened = connect_probe_socket(target_, SOCK_STREAM, in_progress);
    if (auto* r = std::get_if<CheckResult>(&opened)) return std::move(*r);
    sock_ = std::move(std::get<core::UniqueFd>(opened));
    if (!in_progress) return CheckResult::success();
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
