// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/check_ping_test.cc: PING_CHECK for real to 127.0.0.1 and ::1
// (the kernel answers), with a ping socket and with a raw socket when this
// process may open them; an address nobody answers times out (on SimLoop,
// at exactly connect_timeout); the checksum on its own. Where the host's
// ping_group_range shuts root out of ping sockets, the ping-socket case runs
// in a network namespace of its own that lets it in.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <optional>

#include "check/ping_check.hh"
#include "check_kinds_util.hh"
#include "support/sim_loop.hh"

namespace halbd::check {
namespace {

using namespace test_util;

bool can_open(int family, int type, int proto) { return core::UniqueFd(::socket(family, type, proto)).valid(); }

using CheckPingTest = EpollTest;

// While alive, this thread is in a fresh network namespace whose lo is up
// and whose ping_group_range admits every group; the old one comes back
// when it is destroyed. valid() is false where that cannot be done (not root).
class OwnNetns {
public:
    OwnNetns() : old_(::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) {
        if (!old_.valid() || ::unshare(CLONE_NEWNET) != 0) return;
        entered_ = true;
        std::ofstream("/proc/sys/net/ipv4/ping_group_range") << "0 2147483647\n";
        core::UniqueFd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        ifreq ifr{};
        std::snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
        ifr.ifr_flags = IFF_UP;
        up_ = s.valid() && ::ioctl(s.get(), SIOCSIFFLAGS, &ifr) == 0;
    }
    ~OwnNetns() {
        if (entered_) (void)::setns(old_.get(), CLONE_NEWNET);
    }
    OwnNetns(const OwnNetns&) = delete;
    OwnNetns& operator=(const OwnNetns&) = delete;
    bool valid() const { return entered_ && up_; }

private:
    core::UniqueFd old_;
    bool entered_ = false;
    bool up_ = false;
};

TEST_F(CheckPingTest, LoopbackAnswersWithAPingSocket) {
    std::optional<OwnNetns> own;
    if (!can_open(AF_INET, SOCK_DGRAM, IPPROTO_ICMP) && ::geteuid() == 0) own.emplace();
    if (!can_open(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)) GTEST_SKIP() << "ping_group_range excludes us (and not root)";
    PingChecker c(*loop, target("127.0.0.1", 0, 2s), PingSocket::Datagram);
    EXPECT_EQ(c.describe(), "PING_CHECK to 127.0.0.1");
    for (int i = 0; i < 3; ++i) {  // sequence numbers advance; each reply matches its request
        auto r = run(c);
        ASSERT_TRUE(r);
        EXPECT_TRUE(r->ok) << r->detail;
    }
    EXPECT_EQ(c.socket_kind(), PingSocket::Datagram);
}

TEST_F(CheckPingTest, LoopbackAnswersWithARawSocket) {
    if (!can_open(AF_INET, SOCK_RAW, IPPROTO_ICMP)) GTEST_SKIP() << "no CAP_NET_RAW";
    PingChecker c(*loop, target("127.0.0.1", 0, 2s), PingSocket::Raw);
    for (int i = 0; i < 3; ++i) {
        auto r = run(c);
        ASSERT_TRUE(r);
        EXPECT_TRUE(r->ok) << r->detail;
    }
}

TEST_F(CheckPingTest, AutoPicksASocketThatWorks) {
    if (!can_open(AF_INET, SOCK_DGRAM, IPPROTO_ICMP) && !can_open(AF_INET, SOCK_RAW, IPPROTO_ICMP))
        GTEST_SKIP() << "neither ping nor raw sockets";
    PingChecker c(*loop, target("127.0.0.1", 0, 2s));
    auto r = run(c);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->ok) << r->detail;
    EXPECT_NE(c.socket_kind(), PingSocket::Auto);
}

TEST_F(CheckPingTest, Ipv6LoopbackBothSockets) {
    uint16_t port = 0;
    if (!bound_socket(ip("::1"), SOCK_DGRAM, port)) GTEST_SKIP() << "no IPv6 loopback";
    for (PingSocket kind : {PingSocket::Datagram, PingSocket::Raw}) {
        const int type = kind == PingSocket::Raw ? SOCK_RAW : SOCK_DGRAM;
        if (!can_open(AF_INET6, type, IPPROTO_ICMPV6)) continue;
        PingChecker c(*loop, target("::1", 0, 2s), kind);
        EXPECT_EQ(c.describe(), "PING_CHECK to ::1");
        auto r = run(c);
        ASSERT_TRUE(r);
        EXPECT_TRUE(r->ok) << r->detail;
    }
}

TEST_F(CheckPingTest, BindToANonLocalAddressIsALocalFailure) {
    TcpTarget t = target("127.0.0.1", 0, 2s);
    t.bindto = ip("192.0.2.1");
    PingChecker c(*loop, t);
    auto r = run(c);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->reason, FailReason::LocalSetup) << r->detail;
}

// On SimLoop readiness is never reported: a check ends only at its timeout.
TEST(CheckPingTimer, NoReplyTimesOutAtConnectTimeout) {
    if (!can_open(AF_INET, SOCK_DGRAM, IPPROTO_ICMP) && !can_open(AF_INET, SOCK_RAW, IPPROTO_ICMP))
        GTEST_SKIP() << "neither ping nor raw sockets";
    core::SimLoop sim;
    PingChecker c(sim, target("127.0.0.1", 0, 3s));
    std::optional<CheckResult> got;
    c.start([&](const CheckResult& r) { got = r; });
    sim.advance(2999ms);
    EXPECT_FALSE(got);
    sim.advance(1ms);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->reason, FailReason::Timeout);
    EXPECT_EQ(got->detail, "no reply within 3s");
    EXPECT_EQ(sim.armed_timers(), 0u);
}

TEST(CheckPingCodec, InternetChecksum) {
    // RFC 1071 section 3 example: 00 01 f2 03 f4 f5 f6 f7 -> sum ddf2, checksum 220d.
    const uint8_t data[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    EXPECT_EQ(inet_checksum(data, sizeof data), 0x220d);
    const uint8_t odd[] = {0x01};
    EXPECT_EQ(inet_checksum(odd, 1), static_cast<uint16_t>(~0x0100));
}

}  // namespace
}  // namespace halbd::check
