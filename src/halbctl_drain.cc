// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// halbctl_drain.cc: see halbctl_drain.hh.
#include "halbctl_drain.hh"

#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack_tcp.h>
#include <netinet/in.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <ostream>
#include <thread>

namespace halbd {

std::vector<net::IpAddress> drained_addresses(std::string_view json) {
    std::vector<net::IpAddress> out;
    constexpr std::string_view key = "\"address\":\"";
    for (size_t at = json.find(key); at != std::string_view::npos; at = json.find(key, at + 1)) {
        const size_t from = at + key.size();
        const size_t to = json.find('"', from);
        if (to == std::string_view::npos) break;
        if (auto a = net::IpAddress::parse(json.substr(from, to - from))) out.push_back(*a);
    }
    return out;
}

namespace {

struct Tally {
    const std::vector<net::IpAddress>* addrs;
    uint32_t established_timeout;  // seconds an ESTABLISHED entry lives after its last packet
    uint32_t idle;
    size_t n = 0;
};

uint32_t tcp_established_timeout() {
    std::ifstream f("/proc/sys/net/netfilter/nf_conntrack_tcp_timeout_established");
    uint32_t v = 432000;  // the kernel's default, 5 days
    f >> v;
    return v;
}

int on_entry(enum nf_conntrack_msg_type, struct nf_conntrack* ct, void* data) {
    auto* t = static_cast<Tally*>(data);
    const uint8_t l3 = nfct_get_attr_u8(ct, ATTR_ORIG_L3PROTO);
    const void* dst = l3 == AF_INET ? nfct_get_attr(ct, ATTR_ORIG_IPV4_DST)
                    : l3 == AF_INET6 ? nfct_get_attr(ct, ATTR_ORIG_IPV6_DST) : nullptr;
    if (!dst) return NFCT_CB_CONTINUE;
    bool ours = false;
    for (const net::IpAddress& a : *t->addrs)
        if ((a.is_v4() ? l3 == AF_INET : l3 == AF_INET6) && std::memcmp(a.bytes(), dst, a.size()) == 0) ours = true;
    if (!ours) return NFCT_CB_CONTINUE;
    if (nfct_get_attr_u8(ct, ATTR_ORIG_L4PROTO) == IPPROTO_TCP) {
        if (nfct_get_attr_u8(ct, ATTR_TCP_STATE) != TCP_CONNTRACK_ESTABLISHED) return NFCT_CB_CONTINUE;
        const uint32_t left = nfct_get_attr_u32(ct, ATTR_TIMEOUT);
        if (left < t->established_timeout && t->established_timeout - left > t->idle) return NFCT_CB_CONTINUE;
    }
    ++t->n;
    return NFCT_CB_CONTINUE;
}

}  // namespace

core::Result<size_t> count_connections(const std::vector<net::IpAddress>& addrs, uint32_t idle_s) {
    nfct_handle* h = nfct_open(CONNTRACK, 0);
    if (!h) return core::system_error("ctnetlink");
    Tally t{&addrs, tcp_established_timeout(), idle_s};
    nfct_callback_register(h, NFCT_T_ALL, on_entry, &t);
    for (uint32_t family : {uint32_t{AF_INET}, uint32_t{AF_INET6}}) {
        if (nfct_query(h, NFCT_Q_DUMP, &family) < 0) {
            auto e = core::system_error("conntrack dump");
            nfct_close(h);
            return e;
        }
    }
    nfct_close(h);
    return t.n;
}

int wait_for_drain(const std::vector<net::IpAddress>& addrs, size_t below, uint32_t idle_s, double wait_s,
                   std::ostream& out, std::ostream& err) {
    const auto start = std::chrono::steady_clock::now();
    const auto deadline = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                      std::chrono::duration<double>(wait_s));
    size_t last = SIZE_MAX;
    for (;;) {
        auto n = count_connections(addrs, idle_s);
        if (!n) {
            err << "halbctl: cannot count connections: " << n.error().message << "\n";
            return 3;
        }
        const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (*n <= below) {
            out << "drained: " << *n << " connection(s) left after " << took << " s\n";
            return 0;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            out << "not drained: " << *n << " connection(s) left after " << took << " s (threshold " << below << ")\n";
            return 1;
        }
        if (*n != last) out << "waiting: " << *n << " connection(s) to the drained addresses\n" << std::flush;
        last = *n;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
}

}  // namespace halbd
