// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// bench/sync_bench.cc: the two instruments of bench/sync-bench.sh (see
// bench/README.md for the method): an inserter that creates connections in
// the kernel's conntrack table through ctnetlink in batches (halbd's own
// NfctBackend commit, so it is as fast as the commit it measures), and a
// sniffer on the backup's end of the sync link that timestamps the first
// FT-FW state message of each connection (the wire is the same for halbd
// and conntrackd) and counts the bytes on the link. Not installed.
//
//   sync_bench insert N LOG [BATCH] [FIRST]  create connections FIRST..FIRST+N-1
//       (tcp 192.0.2.(20 + i / 60000):(1024 + i % 60000) -> 198.51.100.80:80,
//       ESTABLISHED, timeout 1200 s) BATCH (1000) per ctnetlink batch; LOG gets
//       "FIRST LAST NS SENT" per batch: NS the CLOCK_REALTIME once the kernel
//       answered, SENT just before the batch was sent
//   sync_bench capture IFACE PORT N OUT [IDLE_S]  on IFACE, UDP PORT both ways:
//       OUT gets "I NS" for the first data message naming connection I; stops
//       when all N were seen or after IDLE_S (10) seconds without a new one;
//       prints "seen S bytes B datagrams D fragments F" (B: UDP payload bytes)
#include <arpa/inet.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack_tcp.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/epoll_loop.hh"
#include "sync/ct_key.hh"
#include "sync/ftfw_ct_codec.hh"
#include "sync/ftfw_wire.hh"
#include "sync/nfct_backend.hh"

using namespace halbd;

namespace {

int64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

uint32_t src_of(uint64_t i) { return htonl((192u << 24) | (2u << 8) | static_cast<uint32_t>(20 + i / 60000)); }
uint16_t sport_of(uint64_t i) { return htons(static_cast<uint16_t>(1024 + i % 60000)); }
// The index back from an address and port, or -1 when not one of ours.
int64_t index_of(uint32_t src_be, uint16_t sport_be) {
    const uint32_t s = ntohl(src_be);
    const uint16_t p = ntohs(sport_be);
    if ((s >> 8) != ((192u << 16) | 2u) || (s & 0xff) < 20 || p < 1024 || p >= 1024 + 60000) return -1;
    return int64_t{(s & 0xff) - 20} * 60000 + (p - 1024);
}

int insert(uint64_t n, const char* log_path, size_t batch, uint64_t first) {
    auto loop = core::EpollLoop::create();
    if (!loop) {
        std::fprintf(stderr, "sync_bench: %s\n", loop.error().message.c_str());
        return 1;
    }
    auto k = sync::NfctBackend::open(*loop.value());
    if (!k) {
        std::fprintf(stderr, "sync_bench: %s\n", k.error().message.c_str());
        return 1;
    }
    FILE* log = std::fopen(log_path, "w");
    if (!log) return std::perror(log_path), 1;
    std::vector<sync::Ct> cts;
    std::vector<const nf_conntrack*> ptrs;
    uint64_t failed = 0;
    const int64_t t0 = now_ns();
    for (uint64_t at = first; at < first + n; at += batch) {
        const uint64_t end = std::min(first + n, at + batch);
        cts.clear();
        ptrs.clear();
        for (uint64_t i = at; i < end; ++i) {
            sync::Ct ct(nfct_new());
            nf_conntrack* c = ct.get();
            nfct_set_attr_u8(c, ATTR_L3PROTO, AF_INET);
            nfct_set_attr_u8(c, ATTR_L4PROTO, IPPROTO_TCP);
            nfct_set_attr_u32(c, ATTR_IPV4_SRC, src_of(i));
            nfct_set_attr_u32(c, ATTR_IPV4_DST, inet_addr("198.51.100.80"));
            nfct_set_attr_u16(c, ATTR_PORT_SRC, sport_of(i));
            nfct_set_attr_u16(c, ATTR_PORT_DST, htons(80));
            nfct_set_attr_u8(c, ATTR_TCP_STATE, TCP_CONNTRACK_ESTABLISHED);
            nfct_set_attr_u32(c, ATTR_STATUS, IPS_SEEN_REPLY | IPS_ASSURED);
            nfct_set_attr_u32(c, ATTR_TIMEOUT, 1200);
            sync::ensure_reply(*c);
            ptrs.push_back(c);
            cts.push_back(std::move(ct));
        }
        const int64_t sent = now_ns();
        const sync::BatchResult r = k.value()->commit(ptrs);
        failed += r.failed;
        if (r.failed && failed == r.failed) std::fprintf(stderr, "sync_bench: refused: %s\n", r.first_error.c_str());
        std::fprintf(log, "%llu %llu %lld %lld\n", static_cast<unsigned long long>(at),
                     static_cast<unsigned long long>(end - 1), static_cast<long long>(now_ns()),
                     static_cast<long long>(sent));
    }
    const double secs = static_cast<double>(now_ns() - t0) / 1e9;
    std::fclose(log);
    std::printf("inserted %llu (refused %llu) in %.3f s: %.0f/s\n", static_cast<unsigned long long>(n - failed),
                static_cast<unsigned long long>(failed), secs, static_cast<double>(n) / secs);
    return failed ? 1 : 0;
}

// One datagram's FT-FW messages: the first sight of each connection.
void take(std::span<const uint8_t> udp_payload, std::vector<int64_t>& first_seen, uint64_t& seen, int64_t ts) {
    std::span<const uint8_t> rest = udp_payload;
    while (!rest.empty()) {
        auto m = sync::ftfw::next_message(rest);
        if (!m) return;
        if (m->kind != sync::ftfw::Kind::Data || m->type > 1) continue;  // CtNew, CtUpdate
        auto ct = sync::ftfw::decode_ct(m->payload);
        if (!ct || nfct_attr_is_set(ct->get(), ATTR_ORIG_IPV4_SRC) <= 0) continue;
        const int64_t i =
            index_of(nfct_get_attr_u32(ct->get(), ATTR_ORIG_IPV4_SRC), nfct_get_attr_u16(ct->get(), ATTR_ORIG_PORT_SRC));
        if (i < 0 || static_cast<size_t>(i) >= first_seen.size() || first_seen[i]) continue;
        first_seen[i] = ts;
        ++seen;
    }
}

int capture(const char* ifname, uint16_t port, uint64_t n, const char* out_path, int idle_s) {
    const int fd = ::socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
    if (fd < 0) return std::perror("socket(AF_PACKET)"), 1;
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_IP);
    sll.sll_ifindex = static_cast<int>(if_nametoindex(ifname));
    if (!sll.sll_ifindex || ::bind(fd, reinterpret_cast<sockaddr*>(&sll), sizeof sll) != 0)
        return std::perror(ifname), 1;
    int on = 1, rcvbuf = 64 << 20;
    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);
    std::printf("READY\n");
    std::fflush(stdout);
    std::vector<int64_t> first_seen(n, 0);
    uint64_t seen = 0, bytes = 0, datagrams = 0, fragments = 0;
    std::vector<uint8_t> buf(65536);
    int64_t last_new = now_ns();
    while (seen < n && now_ns() - last_new < int64_t{idle_s} * 1'000'000'000) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 200) <= 0) continue;
        iovec iov{buf.data(), buf.size()};
        alignas(cmsghdr) char ctl[256];
        msghdr mh{};
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        mh.msg_control = ctl;
        mh.msg_controllen = sizeof ctl;
        const ssize_t len = ::recvmsg(fd, &mh, 0);
        if (len < static_cast<ssize_t>(sizeof(iphdr))) continue;
        int64_t ts = now_ns();
        for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_TIMESTAMPNS) {
                timespec t{};
                std::memcpy(&t, CMSG_DATA(c), sizeof t);
                ts = int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec;
            }
        iphdr ip{};
        std::memcpy(&ip, buf.data(), sizeof ip);
        const size_t ihl = ip.ihl * 4u;
        if (ip.protocol != IPPROTO_UDP || static_cast<size_t>(len) < ihl + sizeof(udphdr)) continue;
        if (ntohs(ip.frag_off) & 0x3fff) {  // a fragment: counted, not decoded
            ++fragments;
            continue;
        }
        udphdr uh{};
        std::memcpy(&uh, buf.data() + ihl, sizeof uh);
        if (ntohs(uh.dest) != port && ntohs(uh.source) != port) continue;
        const size_t payload = static_cast<size_t>(len) - ihl - sizeof uh;
        bytes += payload;
        ++datagrams;
        const uint64_t before = seen;
        take({buf.data() + ihl + sizeof uh, payload}, first_seen, seen, ts);
        if (seen != before) last_new = now_ns();
    }
    FILE* out = std::fopen(out_path, "w");
    if (!out) return std::perror(out_path), 1;
    for (uint64_t i = 0; i < n; ++i)
        if (first_seen[i]) std::fprintf(out, "%llu %lld\n", static_cast<unsigned long long>(i), static_cast<long long>(first_seen[i]));
    std::fclose(out);
    std::printf("seen %llu bytes %llu datagrams %llu fragments %llu\n", static_cast<unsigned long long>(seen),
                static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(datagrams),
                static_cast<unsigned long long>(fragments));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "insert" && argc >= 4)
        return insert(std::strtoull(argv[2], nullptr, 10), argv[3], argc > 4 ? std::strtoul(argv[4], nullptr, 10) : 1000,
                      argc > 5 ? std::strtoull(argv[5], nullptr, 10) : 0);
    if (mode == "capture" && argc >= 6)
        return capture(argv[2], static_cast<uint16_t>(std::atoi(argv[3])), std::strtoull(argv[4], nullptr, 10), argv[5],
                       argc > 6 ? std::atoi(argv[6]) : 10);
    std::fprintf(stderr,
                 "usage: sync_bench insert N LOG [BATCH] [FIRST]\n"
                 "       sync_bench capture IFACE PORT N OUT [IDLE_S]\n");
    return 2;
}
