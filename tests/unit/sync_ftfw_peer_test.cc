// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/sync_ftfw_peer_test.cc: two FtfwPeers over UDP on the loopback
// interface (127.0.0.1 <-> 127.0.0.2) on the real event loop: connections
// cross in both directions, batched into few datagrams; a resync request is
// served and completed; with a key they still cross while datagrams that are
// garbage, truncated, unsealed, or from a stranger are counted and change
// nothing.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "core/epoll_loop.hh"
#include "sync/ftfw_peer.hh"

namespace halbd::sync {
namespace {

using namespace std::chrono_literals;

uint16_t test_port() { return static_cast<uint16_t>(41000 + getpid() % 5000); }

Ct make_ct(uint16_t sport) {
    Ct ct(nfct_new());
    nfct_set_attr_u8(ct.get(), ATTR_L3PROTO, AF_INET);
    nfct_set_attr_u32(ct.get(), ATTR_ORIG_IPV4_SRC, inet_addr("192.0.2.10"));
    nfct_set_attr_u32(ct.get(), ATTR_ORIG_IPV4_DST, inet_addr("198.51.100.80"));
    nfct_set_attr_u8(ct.get(), ATTR_L4PROTO, IPPROTO_TCP);
    nfct_set_attr_u16(ct.get(), ATTR_ORIG_PORT_SRC, htons(sport));
    nfct_set_attr_u16(ct.get(), ATTR_ORIG_PORT_DST, htons(80));
    nfct_set_attr_u8(ct.get(), ATTR_TCP_STATE, 3);
    nfct_set_attr_u32(ct.get(), ATTR_STATUS, 0xe);
    nfct_set_attr_u32(ct.get(), ATTR_TIMEOUT, 300);
    return ct;
}

struct Side {
    std::unique_ptr<FtfwPeer> peer;
    std::vector<uint16_t> got;
    int resync_requests = 0, resync_done = 0;
    bool up = false;
};

class SyncFtfwPeer : public ::testing::Test {
protected:
    void SetUp() override {
        auto l = core::EpollLoop::create();
        ASSERT_TRUE(l);
        loop = std::move(*l);
    }

    bool open(Side& s, const char* self, const char* other, std::optional<AeadKey> key = {}) {
        ChannelConfig cfg;
        cfg.interface = "lo";
        cfg.port = test_port();
        cfg.source_ip = net::IpAddress::parse(self);
        cfg.peers = {*net::IpAddress::parse(other)};
        cfg.key = key;
        Peer::Handlers h;
        h.on_conntrack = [&s](CtOp, Ct ct) { s.got.push_back(ntohs(nfct_get_attr_u16(ct.get(), ATTR_ORIG_PORT_SRC))); };
        h.on_resync_request = [&s] {
            ++s.resync_requests;
            s.peer->resync_sent();
        };
        h.on_resync_done = [&s](bool complete) { s.resync_done += complete ? 1 : 0; };
        h.on_peer_alive = [&s](bool up) { s.up = up; };
        auto p = FtfwPeer::open(*loop, cfg, h);
        if (!p) {
            ADD_FAILURE() << p.error().message;
            return false;
        }
        s.peer = std::move(*p);
        return true;
    }

    template <class Pred>
    bool run_until(Pred pred, Duration limit = 5s) {
        const MonoTime end = loop->now() + limit;
        while (!pred()) {
            if (loop->now() > end) return false;
            loop->run_once(20ms);
        }
        return true;
    }

    // A datagram to 127.0.0.2's channel from `from`.
    void inject(const char* from, const std::vector<uint8_t>& bytes) {
        const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
        sockaddr_in src{}, dst{};
        src.sin_family = dst.sin_family = AF_INET;
        src.sin_addr.s_addr = inet_addr(from);
        dst.sin_addr.s_addr = inet_addr("127.0.0.2");
        dst.sin_port = htons(test_port());
        ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src), 0);
        ASSERT_EQ(::sendto(fd, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&dst), sizeof dst),
                  static_cast<ssize_t>(bytes.size()));
        ::close(fd);
    }

    std::unique_ptr<core::EpollLoop> loop;
    Side a, b;
};

TEST_F(SyncFtfwPeer, ConnectionsCrossBatchedAndResyncCompletes) {
    ASSERT_TRUE(open(a, "127.0.0.1", "127.0.0.2"));
    ASSERT_TRUE(open(b, "127.0.0.2", "127.0.0.1"));
    // Each asked the other for its table at start.
    ASSERT_TRUE(run_until([&] { return a.resync_done == 1 && b.resync_done == 1; }));
    EXPECT_EQ(a.resync_requests, 1);  // once: the request waited for HELLO_BACK
    EXPECT_TRUE(a.up);
    for (uint16_t i = 0; i < 500; ++i) a.peer->send(CtOp::New, *make_ct(static_cast<uint16_t>(10000 + i)));
    b.peer->send(CtOp::Update, *make_ct(9));
    ASSERT_TRUE(run_until([&] { return b.got.size() == 500 && a.got.size() == 1; }));
    for (uint16_t i = 0; i < 500; ++i) EXPECT_EQ(b.got[i], 10000 + i);
    EXPECT_EQ(a.got[0], 9);
    EXPECT_GE(a.peer->counters().bytes_sent, 500u * 60u);  // 60-byte messages
    EXPECT_EQ(b.peer->counters().malformed, 0u);
    EXPECT_EQ(a.peer->counters().retransmitted, 0u);
}

TEST_F(SyncFtfwPeer, KeyedChannelRefusesWhatItCannotTrust) {
    AeadKey key;
    key.fill(0x5a);
    ASSERT_TRUE(open(a, "127.0.0.1", "127.0.0.2", key));
    ASSERT_TRUE(open(b, "127.0.0.2", "127.0.0.1", key));
    a.peer->send(CtOp::New, *make_ct(1));
    // (Sent before b answered HELLO, so sent again after: twice.)
    ASSERT_TRUE(run_until([&] { return b.got.size() == 2 && b.resync_done == 1; }));
    const auto auth0 = b.peer->counters().auth_failures;
    inject("127.0.0.1", {0x10, 0x00, 0x00, 0x08, 0, 0, 0, 1});        // plain FT-FW
    inject("127.0.0.1", {'H', 'S', 'E', '1', 1, 2, 3});               // truncated envelope
    std::vector<uint8_t> forged(80, 0x33);
    std::copy_n("HSE1", 4, forged.begin());
    inject("127.0.0.1", forged);                                      // bad tag
    inject("127.0.0.9", {0x10, 0x00, 0x00, 0x08, 0, 0, 0, 1});        // not our peer
    ASSERT_TRUE(run_until([&] { return b.peer->counters().auth_failures == auth0 + 3; }));
    ASSERT_TRUE(run_until([&] { return b.peer->counters().malformed == 1; }));
    a.peer->send(CtOp::Delete, *make_ct(1));
    ASSERT_TRUE(run_until([&] { return b.got.size() == 3; }));
    EXPECT_EQ(b.got[2], 1);
}

TEST_F(SyncFtfwPeer, MalformedPlainDatagramsAreCountedAndDropped) {
    ASSERT_TRUE(open(b, "127.0.0.2", "127.0.0.1"));
    inject("127.0.0.1", {0x10, 0x00, 0x00, 0x04, 0, 0, 0, 1});         // len below the header
    inject("127.0.0.1", {0x30, 0x00, 0x00, 0x08, 0, 0, 0, 1});         // version 3
    // A NEW whose only attribute has a bad size.
    inject("127.0.0.1", {0x10, 0x00, 0x00, 0x10, 0, 0, 0, 1, 0x00, 0x07, 0x00, 0x05, 0, 0, 0, 0});
    ASSERT_TRUE(run_until([&] { return b.peer->counters().malformed == 3; }));
    EXPECT_TRUE(b.got.empty());
    EXPECT_EQ(b.peer->wire_errors()[static_cast<size_t>(ftfw::WireError::BadLength)], 1u);
    EXPECT_EQ(b.peer->wire_errors()[static_cast<size_t>(ftfw::WireError::BadVersion)], 1u);
    EXPECT_EQ(b.peer->wire_errors()[static_cast<size_t>(ftfw::WireError::BadAttrSize)], 1u);
}

}  // namespace
}  // namespace halbd::sync
