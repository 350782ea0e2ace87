// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/check_udp_test.cc: UDP_CHECK for real on loopback against an
// in-test UDP server (served between loop turns, never sleeping): echo,
// payload sent as configured, require_reply pattern with x nibbles, length
// bounds, ICMP port unreachable -> refused, silence (up without
// require_reply, timeout with it), IPv6; reply matching on its own.
#include <gtest/gtest.h>

#include <sys/socket.h>

#include <vector>

#include "check/checker_factory.hh"
#include "check/udp_check.hh"
#include "check_kinds_util.hh"
#include "forward_test_util.hh"

namespace halbd::check {
namespace {

using namespace test_util;

// Answers every datagram with reply(datagram); records what it got.
struct UdpServer {
    core::UniqueFd fd;
    uint16_t port = 0;
    std::vector<std::vector<uint8_t>> got;
    std::function<std::optional<std::vector<uint8_t>>(const std::vector<uint8_t>&)> reply;

    explicit UdpServer(const char* addr) { fd = bound_socket(ip(addr), SOCK_DGRAM, port); }
    void serve() {
        uint8_t buf[65536];
        sockaddr_storage peer;
        socklen_t len = sizeof peer;
        const ssize_t n = ::recvfrom(fd.get(), buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&peer), &len);
        if (n < 0) return;
        got.emplace_back(buf, buf + n);
        if (!reply) return;
        if (auto out = reply(got.back()))
            ::sendto(fd.get(), out->data(), out->size(), 0, reinterpret_cast<sockaddr*>(&peer), len);
    }
};

config::UdpCheck params(std::vector<uint8_t> payload, bool require, std::string pattern = "", uint16_t min = 0,
                        uint16_t max = 255) {
    config::UdpCheck p;
    p.payload = std::move(payload);
    p.require_reply = require;
    p.reply_pattern = std::move(pattern);
    p.min_reply_length = min;
    p.max_reply_length = max;
    return p;
}

using CheckUdpTest = EpollTest;

TEST_F(CheckUdpTest, EchoWithMatchingReplyIsUp) {
    UdpServer srv("127.0.0.1");
    ASSERT_TRUE(srv.fd);
    srv.reply = [](const std::vector<uint8_t>& d) { return d; };
    UdpChecker c(*loop, target("127.0.0.1", srv.port), params({0xde, 0xad, 0xbe, 0xef}, true, "dexdbeef", 4, 4));
    EXPECT_EQ(c.describe(), "UDP_CHECK to 127.0.0.1:" + std::to_string(srv.port));
    auto r = run(c, [&] { srv.serve(); });
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->ok) << r->detail;
    ASSERT_EQ(srv.got.size(), 1u);
    EXPECT_EQ(srv.got[0], (std::vector<uint8_t>{0xde, 0xad, 0xbe, 0xef}));
}

TEST_F(CheckUdpTest, WrongReplyIsDown) {
    UdpServer srv("127.0.0.1");
    srv.reply = [](const std::vector<uint8_t>&) { return std::vector<uint8_t>{0x01, 0x02}; };
    UdpChecker c(*loop, target("127.0.0.1", srv.port), params({0x00}, true, "0103"));
    auto r = run(c, [&] { srv.serve(); });
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->ok);
    EXPECT_EQ(r->reason, FailReason::Error);
    EXPECT_EQ(r->detail, "reply does not match require_reply at byte 1");

    UdpChecker len(*loop, target("127.0.0.1", srv.port), params({0x00}, true, "", 3, 255));
    auto r2 = run(len, [&] { srv.serve(); });
    ASSERT_TRUE(r2);
    EXPECT_FALSE(r2->ok);
    EXPECT_EQ(r2->detail, "reply of 2 bytes, expected 3..255");
}

TEST_F(CheckUdpTest, ClosedPortIsRefused) {
    uint16_t port = 0;
    { auto gone = bound_socket(ip("127.0.0.1"), SOCK_DGRAM, port); }  // a port nobody listens on
    UdpChecker c(*loop, target("127.0.0.1", port), params({}, false));
    auto r = run(c);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->ok);
    EXPECT_EQ(r->reason, FailReason::Refused);
    EXPECT_EQ(r->detail, "refused (ICMP port unreachable)");
}

TEST_F(CheckUdpTest, SilenceIsUpWithoutRequireReplyAndATimeoutWithIt) {
    UdpServer srv("127.0.0.1");  // receives, never answers
    UdpChecker quiet(*loop, target("127.0.0.1", srv.port, 200ms), params({}, false));
    Duration took{};
    auto r = run(quiet, [&] { srv.serve(); }, &took);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->ok) << r->detail;
    EXPECT_GE(took, 200ms);
    ASSERT_EQ(srv.got.size(), 1u);
    EXPECT_EQ(srv.got[0].size(), 16u);  // random payload

    UdpChecker need(*loop, target("127.0.0.1", srv.port, 200ms), params({0x01}, true));
    auto r2 = run(need, [&] { srv.serve(); });
    ASSERT_TRUE(r2);
    EXPECT_FALSE(r2->ok);
    EXPECT_EQ(r2->reason, FailReason::Timeout);
    EXPECT_EQ(r2->detail, "no reply within 200ms");
}

TEST_F(CheckUdpTest, Ipv6) {
    UdpServer srv("::1");
    if (!srv.fd) GTEST_SKIP() << "no IPv6 loopback";
    srv.reply = [](const std::vector<uint8_t>& d) { return d; };
    UdpChecker c(*loop, target("::1", srv.port), params({0x42}, true, "42"));
    EXPECT_EQ(c.describe(), "UDP_CHECK to [::1]:" + std::to_string(srv.port));
    auto r = run(c, [&] { srv.serve(); });
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->ok) << r->detail;
}

TEST_F(CheckUdpTest, BuiltFromTheConfig) {
    UdpServer srv("127.0.0.1");
    srv.reply = [](const std::vector<uint8_t>& d) { return d; };
    auto m = forward::test_util::load(R"(
virtual_server 192.0.2.10 53 {
    protocol UDP
    real_server 192.0.2.20 53 {
        UDP_CHECK {
            connect_ip 127.0.0.1
            connect_port )" + std::to_string(srv.port) + R"(
            payload Ab12f 3
            require_reply ab12 0x
            max_reply_length 4
        }
    }
}
)");
    ASSERT_TRUE(m);
    const auto& k = m->lvs.virtual_servers[0].real_servers[0].checkers[0];
    auto made = make_checker(*loop, k);
    ASSERT_TRUE(made);
    auto r = run(*made.value(), [&] { srv.serve(); });
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->ok) << r->detail;
    ASSERT_EQ(srv.got.size(), 1u);
    EXPECT_EQ(srv.got[0], (std::vector<uint8_t>{0xab, 0x12, 0x0f, 0x03}));
}

TEST(CheckUdpReply, PatternComparedOverTheShorterOfReplyAndPattern) {
    const auto p = params({}, true, "a1x2", 0, 255);
    const uint8_t ok1[] = {0xa1, 0xf2, 0x99};
    EXPECT_FALSE(UdpChecker::reply_problem(p, ok1, 3));
    const uint8_t shorter[] = {0xa1};
    EXPECT_FALSE(UdpChecker::reply_problem(p, shorter, 1));
    const uint8_t bad[] = {0xa1, 0xf3};
    EXPECT_TRUE(UdpChecker::reply_problem(p, bad, 2));
    EXPECT_TRUE(UdpChecker::reply_problem(params({}, true, "", 1, 2), ok1, 3));
    EXPECT_TRUE(UdpChecker::reply_problem(params({}, true, "", 1, 2), ok1, 0));
}

}  // namespace
}  // namespace halbd::check
