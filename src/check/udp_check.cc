// check/udp_check.cc: UDP_CHECK (see udp_check.hh). A connected UDP socket
// gets the ICMP errors about its datagrams as recv() errors (ECONNREFUSED
// for port unreachable, EHOSTUNREACH...), so no raw socket is needed.
#include "check/udp_check.hh"

#include <sys/socket.h>

#include <cerrno>
#include <random>

#include "check/probe_socket.hh"
#include "core/random.hh"

namespace halbd::check {

namespace {

int nibble(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;  // 'x': any
}

}  // namespace

CheckResult udp_failure(int e) {
    if (e == ECONNREFUSED) return CheckResult::failure(FailReason::Refused, "refused (ICMP port unreachable)");
    return socket_failure(e);
}

UdpChecker::UdpChecker(core::EventLoop& loop, TcpTarget target, config::UdpCheck params)
    : AttemptChecker(loop), target_(std::move(target)), params_(std::move(params)) {}

std::optional<std::string> UdpChecker::reply_problem(const config::UdpCheck& p, const uint8_t* data, size_t len) {
    if (len < p.min_reply_length || len > p.max_reply_length)
        return "reply of " + std::to_string(len) + " bytes, expected " + std::to_string(p.min_reply_length) + ".." +
               std::to_string(p.max_reply_length);
    const size_t pattern_bytes = p.reply_pattern.size() / 2;
    const size_t n = std::min(len, pattern_bytes);
    for (size_t i = 0; i < n; ++i) {
        const int hi = nibble(p.reply_pattern[2 * i]), lo = nibble(p.reply_pattern[2 * i + 1]);
        if ((hi >= 0 && (data[i] >> 4) != hi) || (lo >= 0 && (data[i] & 15) != lo))
            return "reply does not match require_reply at byte " + std::to_string(i);
    }
    return std::nullopt;
}

std::optional<CheckResult> UdpChecker::begin() {
    bool in_progress = false;
    auto opened = connect_probe_socket(target_, SOCK_DGRAM, in_progress);
    if (auto* r = std::get_if<CheckResult>(&opened)) return std::move(*r);
    sock_ = std::move(std::get<core::UniqueFd>(opened));
    std::vector<uint8_t> payload = params_.payload;
    if (payload.empty()) {  // keepalived sends random data when no payload is configured
        static std::mt19937 gen{static_cast<std::mt19937::result_type>(core::random_seed())};
        payload.resize(16);
        for (auto& b : payload) b = static_cast<uint8_t>(gen());
    }
    if (::send(sock_.get(), payload.data(), payload.size(), 0) < 0) return udp_failure(errno);
    watch_ = loop().watch_fd(sock_.get(), core::fd_events::readable, [this](uint32_t) { on_readable(); });
    if (!watch_) return setup_failure("watch socket", errno);
    arm_deadline(target_.connect_timeout);
    return std::nullopt;
}

void UdpChecker::on_readable() {
    std::vector<uint8_t> buf(65536);
    const ssize_t n = ::recv(sock_.get(), buf.data(), buf.size(), 0);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
        finish(udp_failure(errno));
        return;
    }
    if (!params_.require_reply) {
        finish(CheckResult::success());
        return;
    }
    if (auto why = reply_problem(params_, buf.data(), static_cast<size_t>(n))) {
        finish(CheckResult::failure(FailReason::Error, *why));
        return;
    }
    finish(CheckResult::success());
}

void UdpChecker::on_deadline() {
    // No ICMP error within connect_timeout: up, unless a reply is required.
    if (!params_.require_reply) {
        finish(CheckResult::success());
        return;
    }
    finish(CheckResult::failure(FailReason::Timeout, "no reply within " + human_duration(target_.connect_timeout)));
}

}  // namespace halbd::check
