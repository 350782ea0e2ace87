// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/sync/sync_probe.cc: a small FT-FW node for the wire-compatibility
// test (tests/netns/sync-wire-conntrackd.sh): an FtfwPeer on the real event
// loop that prints every connection it receives, one line each, and with
// --send-demo offers three known connections (at start and on every resync
// request), with --send-exp an FTP expectation; received expectations are
// printed too. Not installed.
//
//   sync_probe IFACE [PEER] [--port N] [--source IP] [--key FILE] [--group IP]
//              [--send-demo] [--send-exp] [--send-many N] [--for SECONDS] [--no-resync]
// --send-many adds N TCP connections 192.0.2.200+i/40000:20000+i%40000 ->
// 198.51.100.1:80 (N at most 2,200,000).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "core/epoll_loop.hh"
#include "sync/ftfw_peer.hh"

using namespace halbd;

namespace {

std::string ip4(uint32_t be) {
    char b[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &be, b, sizeof b);
    return b;
}

std::string ip6(const void* p) {
    char b[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, p, b, sizeof b);
    return b;
}

void print_ct(sync::CtOp op, const nf_conntrack* ct) {
    std::string s = op == sync::CtOp::New ? "CT new" : op == sync::CtOp::Update ? "CT update" : "CT delete";
    const uint8_t l4 = nfct_get_attr_u8(ct, ATTR_L4PROTO);
    s += l4 == IPPROTO_TCP ? " tcp" : l4 == IPPROTO_UDP ? " udp" : " proto=" + std::to_string(l4);
    if (nfct_attr_is_set(ct, ATTR_ORIG_IPV4_SRC) > 0) {
        s += " src=" + ip4(nfct_get_attr_u32(ct, ATTR_ORIG_IPV4_SRC));
        s += " dst=" + ip4(nfct_get_attr_u32(ct, ATTR_ORIG_IPV4_DST));
    } else {
        s += " src=" + ip6(nfct_get_attr(ct, ATTR_ORIG_IPV6_SRC));
        s += " dst=" + ip6(nfct_get_attr(ct, ATTR_ORIG_IPV6_DST));
    }
    if (nfct_attr_is_set(ct, ATTR_ORIG_PORT_SRC) > 0) {
        s += " sport=" + std::to_string(ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_SRC)));
        s += " dport=" + std::to_string(ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_DST)));
    }
    char tmp[64];
    std::snprintf(tmp, sizeof tmp, " status=0x%x", nfct_get_attr_u32(ct, ATTR_STATUS));
    s += tmp;
    auto u32 = [&](nf_conntrack_attr a, const char* name) {
        if (nfct_attr_is_set(ct, a) > 0) s += std::string(" ") + name + "=" + std::to_string(nfct_get_attr_u32(ct, a));
    };
    u32(ATTR_TIMEOUT, "timeout");
    u32(ATTR_MARK, "mark");
    if (nfct_attr_is_set(ct, ATTR_TCP_STATE) > 0) s += " tcpstate=" + std::to_string(nfct_get_attr_u8(ct, ATTR_TCP_STATE));
    if (nfct_attr_is_set(ct, ATTR_DNAT_IPV4) > 0) s += " dnat=" + ip4(nfct_get_attr_u32(ct, ATTR_DNAT_IPV4));
    if (nfct_attr_is_set(ct, ATTR_DNAT_PORT) > 0) s += " dpat=" + std::to_string(ntohs(nfct_get_attr_u16(ct, ATTR_DNAT_PORT)));
    if (nfct_attr_is_set(ct, ATTR_SNAT_IPV4) > 0) s += " snat=" + ip4(nfct_get_attr_u32(ct, ATTR_SNAT_IPV4));
    if (nfct_attr_is_set(ct, ATTR_SNAT_PORT) > 0) s += " spat=" + std::to_string(ntohs(nfct_get_attr_u16(ct, ATTR_SNAT_PORT)));
    if (nfct_attr_is_set(ct, ATTR_ZONE) > 0) s += " zone=" + std::to_string(nfct_get_attr_u16(ct, ATTR_ZONE));
    if (nfct_attr_is_set(ct, ATTR_HELPER_NAME) > 0)
        s += std::string(" helper=") + static_cast<const char*>(nfct_get_attr(ct, ATTR_HELPER_NAME));
    std::printf("%s\n", s.c_str());
}

// An expectation: "EXP new|update|delete tcp master=S:P>D:P expect=S:P>D:P
// [nat=A:P dir=N] [helper=H] [fn=F]".
void print_exp(sync::CtOp op, const nf_expect* e) {
    std::string s = op == sync::CtOp::New ? "EXP new" : op == sync::CtOp::Update ? "EXP update" : "EXP delete";
    auto tuple = [&](const char* name, nf_expect_attr a, bool src_port_too) {
        const auto* t = static_cast<const nf_conntrack*>(nfexp_get_attr(e, a));
        if (!t || nfct_attr_is_set(t, ATTR_ORIG_IPV4_SRC) <= 0) return;
        s += std::string(" ") + name + "=" + ip4(nfct_get_attr_u32(t, ATTR_ORIG_IPV4_SRC));
        if (src_port_too) s += ":" + std::to_string(ntohs(nfct_get_attr_u16(t, ATTR_ORIG_PORT_SRC)));
        if (a == ATTR_EXP_NAT_TUPLE) return;
        s += ">" + ip4(nfct_get_attr_u32(t, ATTR_ORIG_IPV4_DST)) + ":" +
             std::to_string(ntohs(nfct_get_attr_u16(t, ATTR_ORIG_PORT_DST)));
    };
    tuple("master", ATTR_EXP_MASTER, true);
    tuple("expect", ATTR_EXP_EXPECTED, true);
    tuple("nat", ATTR_EXP_NAT_TUPLE, true);
    if (nfexp_attr_is_set(e, ATTR_EXP_NAT_DIR) > 0) s += " dir=" + std::to_string(nfexp_get_attr_u32(e, ATTR_EXP_NAT_DIR));
    if (nfexp_attr_is_set(e, ATTR_EXP_HELPER_NAME) > 0)
        s += std::string(" helper=") + static_cast<const char*>(nfexp_get_attr(e, ATTR_EXP_HELPER_NAME));
    if (nfexp_attr_is_set(e, ATTR_EXP_FN) > 0) s += std::string(" fn=") + static_cast<const char*>(nfexp_get_attr(e, ATTR_EXP_FN));
    std::printf("%s\n", s.c_str());
}

// An FTP passive expectation behind DNAT, as nf_nat_ftp makes them: the
// client 192.0.2.10 will connect to the VIP 192.0.2.100:50000, which is the
// real server 198.51.100.11:50000.
sync::Exp demo_exp() {
    auto tuple = [](const char* src, const char* dst, uint16_t sp, uint16_t dp) {
        sync::Ct t(nfct_new());
        nfct_set_attr_u8(t.get(), ATTR_L3PROTO, AF_INET);
        nfct_set_attr_u32(t.get(), ATTR_ORIG_IPV4_SRC, inet_addr(src));
        nfct_set_attr_u32(t.get(), ATTR_ORIG_IPV4_DST, inet_addr(dst));
        nfct_set_attr_u8(t.get(), ATTR_L4PROTO, IPPROTO_TCP);
        nfct_set_attr_u16(t.get(), ATTR_ORIG_PORT_SRC, htons(sp));
        nfct_set_attr_u16(t.get(), ATTR_ORIG_PORT_DST, htons(dp));
        return t;
    };
    sync::Exp e(nfexp_new());
    nfexp_set_attr(e.get(), ATTR_EXP_MASTER, tuple("192.0.2.10", "192.0.2.100", 40000, 21).get());
    nfexp_set_attr(e.get(), ATTR_EXP_EXPECTED, tuple("192.0.2.10", "192.0.2.100", 0, 50000).get());
    nfexp_set_attr(e.get(), ATTR_EXP_MASK, tuple("255.255.255.255", "255.255.255.255", 0, 0xffff).get());
    nfexp_set_attr_u32(e.get(), ATTR_EXP_TIMEOUT, 300);
    nfexp_set_attr_u32(e.get(), ATTR_EXP_FLAGS, 0);
    nfexp_set_attr_u32(e.get(), ATTR_EXP_CLASS, 0);
    nfexp_set_attr(e.get(), ATTR_EXP_NAT_TUPLE, tuple("198.51.100.11", "0.0.0.0", 50000, 0).get());
    nfexp_set_attr_u32(e.get(), ATTR_EXP_NAT_DIR, 0);
    nfexp_set_attr(e.get(), ATTR_EXP_HELPER_NAME, "ftp");
    nfexp_set_attr(e.get(), ATTR_EXP_FN, "nat-follow-master");
    return e;
}

// A connection as the kernel reports it: both tuples, NAT visible as the
// reply tuple differing from the inverted original.
sync::Ct demo_ct(uint8_t l4, const char* src, const char* dst, uint16_t sp, uint16_t dp, const char* rsrc,
                 const char* rdst, uint16_t rsp, uint16_t rdp, uint32_t status, uint32_t timeout, uint32_t mark) {
    sync::Ct ct(nfct_new());
    nfct_set_attr_u8(ct.get(), ATTR_L3PROTO, AF_INET);
    nfct_set_attr_u32(ct.get(), ATTR_ORIG_IPV4_SRC, inet_addr(src));
    nfct_set_attr_u32(ct.get(), ATTR_ORIG_IPV4_DST, inet_addr(dst));
    nfct_set_attr_u32(ct.get(), ATTR_REPL_IPV4_SRC, inet_addr(rsrc));
    nfct_set_attr_u32(ct.get(), ATTR_REPL_IPV4_DST, inet_addr(rdst));
    nfct_set_attr_u8(ct.get(), ATTR_L4PROTO, l4);
    nfct_set_attr_u16(ct.get(), ATTR_ORIG_PORT_SRC, htons(sp));
    nfct_set_attr_u16(ct.get(), ATTR_ORIG_PORT_DST, htons(dp));
    nfct_set_attr_u16(ct.get(), ATTR_REPL_PORT_SRC, htons(rsp));
    nfct_set_attr_u16(ct.get(), ATTR_REPL_PORT_DST, htons(rdp));
    nfct_set_attr_u32(ct.get(), ATTR_STATUS, status);
    nfct_set_attr_u32(ct.get(), ATTR_TIMEOUT, timeout);
    nfct_set_attr_u32(ct.get(), ATTR_MARK, mark);
    if (l4 == IPPROTO_TCP) nfct_set_attr_u8(ct.get(), ATTR_TCP_STATE, 3);  // ESTABLISHED
    return ct;
}

constexpr uint32_t kSeen = 2, kAssured = 4, kConfirmed = 8, kSnat = 16, kDnat = 32, kSnatDone = 128, kDnatDone = 256;

std::vector<sync::Ct> demo_set() {
    std::vector<sync::Ct> v;
    // DNAT to a real server, as a load balancer makes them.
    v.push_back(demo_ct(IPPROTO_TCP, "192.0.2.10", "198.51.100.80", 40001, 80, "203.0.113.5", "192.0.2.10", 8080,
                        40001, kSeen | kAssured | kConfirmed | kDnat | kDnatDone, 600, 42));
    // SNAT (masquerade).
    v.push_back(demo_ct(IPPROTO_TCP, "192.0.2.12", "198.51.100.81", 40002, 443, "198.51.100.81", "203.0.113.1",
                        443, 61000, kSeen | kAssured | kConfirmed | kSnat | kSnatDone, 700, 0));
    // Plain UDP.
    v.push_back(demo_ct(IPPROTO_UDP, "192.0.2.11", "198.51.100.53", 5353, 53, "198.51.100.53", "192.0.2.11", 53,
                        5353, kSeen | kConfirmed, 120, 7));
    return v;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: sync_probe IFACE [PEER] [--port N] [--source IP] [--key FILE] [--group IP] [--send-demo] "
                             "[--for SECONDS] [--no-resync]\n");
        return 2;
    }
    setvbuf(stdout, nullptr, _IOLBF, 0);
    sync::ChannelConfig cfg;
    cfg.interface = argv[1];
    bool demo = false;
    sync::Exp exp;
    int seconds = 0, many = 0;
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
        if (a == "--port") cfg.port = static_cast<uint16_t>(std::stoi(next()));
        else if (a == "--source") cfg.source_ip = net::IpAddress::parse(next());
        else if (a == "--group") cfg.mcast_group = net::IpAddress::parse(next()).value_or(cfg.mcast_group);
        else if (a == "--key") {
            auto k = sync::load_key_file(next());
            if (!k) {
                std::fprintf(stderr, "sync_probe: %s\n", k.error().message.c_str());
                return 1;
            }
            cfg.key = *k;
        } else if (a == "--send-demo") demo = true;
        else if (a == "--send-exp") exp = demo_exp();
        else if (a == "--for") seconds = std::stoi(next());
        else if (a == "--send-many") many = std::stoi(next());
        else if (a == "--no-resync") cfg.resync_at_start = false;
        else if (auto ip = net::IpAddress::parse(a)) cfg.peers.push_back(*ip);
        else {
            std::fprintf(stderr, "sync_probe: unknown argument %s\n", a.c_str());
            return 2;
        }
    }
    auto loop = core::EpollLoop::create();
    if (!loop) return 1;
    auto set = demo ? demo_set() : std::vector<sync::Ct>{};
    for (int i = 0; i < many; ++i) {
        const auto port = static_cast<uint16_t>(20000 + i % 40000);
        const std::string src = "192.0.2." + std::to_string(200 + i / 40000);
        set.push_back(demo_ct(IPPROTO_TCP, src.c_str(), "198.51.100.1", port, 80, "198.51.100.1", src.c_str(), 80,
                              port, kSeen | kAssured | kConfirmed, 900, 0));
    }
    sync::Peer* peer_ptr = nullptr;
    sync::Peer::Handlers h;
    h.on_conntrack = [](sync::CtOp op, sync::Ct ct) { print_ct(op, ct.get()); };
    h.on_expect = [](sync::CtOp op, sync::Exp e) { print_exp(op, e.get()); };
    h.on_peer_alive = [](bool up) { std::printf(up ? "PEER up\n" : "PEER down\n"); };
    h.on_resync_done = [](bool complete) { std::printf("RESYNC done complete=%d\n", complete ? 1 : 0); };
    h.on_resync_request = [&] {
        std::printf("RESYNC request\n");
        for (const auto& ct : set) peer_ptr->send(sync::CtOp::Update, *ct);
        if (exp) peer_ptr->send_exp(sync::CtOp::New, *exp);
        peer_ptr->resync_sent();
    };
    auto peer = sync::FtfwPeer::open(**loop, cfg, h);
    if (!peer) {
        std::fprintf(stderr, "sync_probe: %s\n", peer.error().message.c_str());
        return 1;
    }
    peer_ptr = peer->get();
    for (const auto& ct : set) (*peer)->send(sync::CtOp::New, *ct);
    if (exp) (*peer)->send_exp(sync::CtOp::New, *exp);
    std::printf("READY\n");
    auto stop = [&](int) { (*loop)->stop(); };
    auto term = (*loop)->watch_signal(SIGTERM, stop);
    auto intr = (*loop)->watch_signal(SIGINT, stop);
    core::TimerPtr deadline;
    if (seconds > 0) {
        deadline = (*loop)->create_timer([&] { (*loop)->stop(); });
        deadline->arm(std::chrono::seconds(seconds));
    }
    (*loop)->run();
    const auto& c = (*peer)->counters();
    std::printf("COUNTERS msgs_sent=%llu msgs_received=%llu bytes_sent=%llu bytes_received=%llu retransmitted=%llu "
                "nacks_sent=%llu nacks_received=%llu resyncs_requested=%llu resyncs_served=%llu malformed=%llu "
                "auth_failures=%llu send_errors=%llu\n",
                (unsigned long long)c.msgs_sent, (unsigned long long)c.msgs_received,
                (unsigned long long)c.bytes_sent, (unsigned long long)c.bytes_received,
                (unsigned long long)c.retransmitted, (unsigned long long)c.nacks_sent,
                (unsigned long long)c.nacks_received, (unsigned long long)c.resyncs_requested,
                (unsigned long long)c.resyncs_served, (unsigned long long)c.malformed,
                (unsigned long long)c.auth_failures, (unsigned long long)c.send_errors);
    return 0;
}
