// check/ping_check.cc: PING_CHECK (see ping_check.hh), as keepalived's
// check_ping.c: one echo request, success on its reply, failure on an ICMP
// error or at connect_timeout. The socket is connect()ed to the target so
// the kernel delivers only its packets; the reply is still matched on type,
// id (raw sockets: ping sockets match it in the kernel) and sequence.
#include "check/ping_check.hh"

#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "check/probe_socket.hh"
#include "core/random.hh"

namespace halbd::check {

namespace {

constexpr size_t kHeader = 8;      // type, code, checksum, id, sequence
constexpr char kPayload[] = "halbd PING_CHECK";  // 16 bytes of data after the header

uint16_t random_id() {
    static std::mt19937 gen{static_cast<std::mt19937::result_type>(core::random_seed())};
    return static_cast<uint16_t>(gen());
}

// Whether net.ipv4.ping_group_range admits our group (for IPv4 and IPv6).
bool ping_socket_allowed(bool v4) {
    core::UniqueFd s(::socket(v4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, v4 ? int{IPPROTO_ICMP} : int{IPPROTO_ICMPV6}));
    return s.valid();
}

}  // namespace

uint16_t inet_checksum(const uint8_t* data, size_t len) {
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < len; i += 2) sum += static_cast<uint32_t>(data[i] << 8 | data[i + 1]);
    if (len & 1) sum += static_cast<uint32_t>(data[len - 1] << 8);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(~sum);
}

PingChecker::PingChecker(core::EventLoop& loop, TcpTarget target, PingSocket mode)
    : AttemptChecker(loop), target_(std::move(target)), mode_(mode), id_(random_id()) {}

std::optional<CheckResult> PingChecker::begin() {
    const bool v4 = target_.address.is_v4();
    const int proto = v4 ? int{IPPROTO_ICMP} : int{IPPROTO_ICMPV6};
    // Auto: a ping socket when ping_group_range lets us, else raw.
    used_ = mode_ != PingSocket::Auto ? mode_ : ping_socket_allowed(v4) ? PingSocket::Datagram : PingSocket::Raw;
    auto opened = open_probe_socket(target_, used_ == PingSocket::Raw ? SOCK_RAW : SOCK_DGRAM, proto, false);
    if (auto* r = std::get_if<CheckResult>(&opened)) return std::move(*r);
    sock_ = std::move(std::get<core::UniqueFd>(opened));
    const int fd = sock_.get();

    if (!v4 && used_ == PingSocket::Raw) {
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
    const socklen_t len = net::to_sockaddr(target_.address, 0, ss);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) < 0) return socket_failure(errno);

    ++seq_;
    uint8_t pkt[kHeader + sizeof kPayload - 1];
    std::memset(pkt, 0, sizeof pkt);
    pkt[0] = v4 ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
    pkt[4] = static_cast<uint8_t>(id_ >> 8);
    pkt[5] = static_cast<uint8_t>(id_);
    pkt[6] = static_cast<uint8_t>(seq_ >> 8);
    pkt[7] = static_cast<uint8_t>(seq_);
    std::memcpy(pkt + kHeader, kPayload, sizeof kPayload - 1);
    if (v4) {  // ICMPv6 checksums (and ping sockets') are the kernel's
        const uint16_t sum = inet_checksum(pkt, sizeof pkt);
        pkt[2] = static_cast<uint8_t>(sum >> 8);
        pkt[3] = static_cast<uint8_t>(sum);
    }
    if (::send(fd, pkt, sizeof pkt, 0) < 0) return socket_failure(errno);
    watch_ = loop().watch_fd(fd, core::fd_events::readable, [this](uint32_t) { on_readable(); });
    if (!watch_) return setup_failure("watch socket", errno);
    arm_deadline(target_.connect_timeout);
    return std::nullopt;
}

bool PingChecker::is_our_reply(const uint8_t* buf, size_t len) const {
    const bool v4 = target_.address.is_v4();
    if (v4 && used_ == PingSocket::Raw) {  // raw IPv4 sockets return the IP header too
        if (len < sizeof(iphdr)) return false;
        const size_t ihl = static_cast<size_t>(buf[0] & 0x0f) * 4;
        if (ihl < sizeof(iphdr) || len < ihl) return false;
        buf += ihl;
        len -= ihl;
    }
    if (len < kHeader) return false;
    if (buf[0] != (v4 ? ICMP_ECHOREPLY : ICMP6_ECHO_REPLY) || buf[1] != 0) return false;
    const uint16_t seq = static_cast<uint16_t>(buf[6] << 8 | buf[7]);
    if (seq != seq_) return false;
    if (used_ == PingSocket::Raw) {
        const uint16_t id = static_cast<uint16_t>(buf[4] << 8 | buf[5]);
        if (id != id_) return false;
    }
    return true;
}

void PingChecker::on_readable() {
    uint8_t buf[1500];
    for (;;) {
        const ssize_t n = ::recv(sock_.get(), buf, sizeof buf, 0);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            if (errno == EINTR) continue;
            const int e = errno;
            CheckResult r = socket_failure(e);
            if (e == ECONNREFUSED) r = CheckResult::failure(FailReason::Unreachable, "failed: ICMP unreachable");
            finish(std::move(r));
            return;
        }
        if (is_our_reply(buf, static_cast<size_t>(n))) {
            finish(CheckResult::success());
            return;
        }
    }
}

void PingChecker::on_deadline() {
    finish(CheckResult::failure(FailReason::Timeout, "no reply within " + human_duration(target_.connect_timeout)));
}

}  // namespace halbd::check
