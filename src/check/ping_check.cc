// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/ping_check.cc: PING_CHECK (see ping_check.hh), as keepalived's
// check_ping.c: one echo request, success on its reply, failure on an ICMP
// error or at connect_timeout. The socket (probe_socket.cc) is connect()ed
// to the target so the kernel delivers only its packets; the reply is still
// matched on type, id (raw sockets: ping sockets match it in the kernel) and
// sequence.
#include "check/ping_check.hh"

#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>

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

}  // namespace

uint16_t inet_checksum(const uint8_t* data, size_t len) {
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < len; i += 2) sum += static_cast<uint32_t>(data[i] << 8 | data[i + 1]);
    if (len & 1) sum += static_cast<uint32_t>(data[len - 1] << 8);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(~sum);
}

PingChecker::PingChecker(core::EventLoop& loop, TcpTarget target, PingSocket mode)
    : DatagramChecker(loop, std::move(target)), mode_(mode), id_(random_id()) {}

std::variant<core::UniqueFd, CheckResult> PingChecker::open_socket() {
    used_ = mode_;  // Auto: resolved by open_ping_socket()
    return setup_failure_counts(open_ping_socket(target(), used_));
}

std::variant<std::vector<uint8_t>, CheckResult> PingChecker::request() {
    const bool v4 = target().address.is_v4();
    ++seq_;
    std::vector<uint8_t> pkt(kHeader + sizeof kPayload - 1, 0);
    pkt[0] = v4 ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
    pkt[4] = static_cast<uint8_t>(id_ >> 8);
    pkt[5] = static_cast<uint8_t>(id_);
    pkt[6] = static_cast<uint8_t>(seq_ >> 8);
    pkt[7] = static_cast<uint8_t>(seq_);
    std::memcpy(pkt.data() + kHeader, kPayload, sizeof kPayload - 1);
    if (v4) {  // ICMPv6 checksums (and ping sockets') are the kernel's
        const uint16_t sum = inet_checksum(pkt.data(), pkt.size());
        pkt[2] = static_cast<uint8_t>(sum >> 8);
        pkt[3] = static_cast<uint8_t>(sum);
    }
    return pkt;
}

bool PingChecker::is_our_reply(const uint8_t* buf, size_t len) const {
    const bool v4 = target().address.is_v4();
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

std::optional<CheckResult> PingChecker::on_datagram(const uint8_t* data, size_t len) {
    if (is_our_reply(data, len)) return CheckResult::success();
    return std::nullopt;
}

CheckResult PingChecker::io_failure(int e) const {
    if (e == ECONNREFUSED) return CheckResult::failure(FailReason::Unreachable, "failed: ICMP unreachable");
    return socket_failure(e);
}

}  // namespace halbd::check
