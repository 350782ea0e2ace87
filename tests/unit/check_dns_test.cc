// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/check_dns_test.cc: DNS_CHECK for real on loopback against a
// fake DNS responder built in the test (served between loop turns): NOERROR
// up, NXDOMAIN/SERVFAIL down with the rcode named, a reply with another id
// ignored (then a timeout), closed port refused; the query codec on its own.
#include <gtest/gtest.h>

#include <sys/socket.h>

#include <vector>

#include "check/checker_factory.hh"
#include "check/dns_check.hh"
#include "check_kinds_util.hh"
#include "forward_test_util.hh"

namespace halbd::check {
namespace {

using namespace test_util;

// Answers each query with its own header (QR set, rcode) and question.
struct DnsServer {
    core::UniqueFd fd;
    uint16_t port = 0;
    unsigned rcode = 0;
    int id_delta = 0;          // answer with another id
    bool answer = true;
    std::vector<std::vector<uint8_t>> got;

    explicit DnsServer(const char* addr) { fd = bound_socket(ip(addr), SOCK_DGRAM, port); }
    void serve() {
        uint8_t buf[512];
        sockaddr_storage peer;
        socklen_t len = sizeof peer;
        const ssize_t n = ::recvfrom(fd.get(), buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&peer), &len);
        if (n < 12) return;
        got.emplace_back(buf, buf + n);
        if (!answer) return;
        std::vector<uint8_t> out(buf, buf + n);
        const uint16_t id = static_cast<uint16_t>((buf[0] << 8 | buf[1]) + id_delta);
        out[0] = static_cast<uint8_t>(id >> 8);
        out[1] = static_cast<uint8_t>(id);
        out[2] = 0x81;  // QR, RD
        out[3] = static_cast<uint8_t>(0x80 | rcode);  // RA, RCODE
        ::sendto(fd.get(), out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&peer), len);
    }
};

config::DnsCheck dns(config::DnsType t, std::string name) {
    config::DnsCheck d;
    d.type = t;
    d.name = std::move(name);
    return d;
}

using CheckDnsTest = EpollTest;

TEST_F(CheckDnsTest, NoErrorIsUp) {
    DnsServer srv("127.0.0.1");
    ASSERT_TRUE(srv.fd);
    DnsChecker c(*loop, target("127.0.0.1", srv.port), dns(config::DnsType::A, "example.org"));
    EXPECT_EQ(c.describe(), "DNS_CHECK 127.0.0.1:" + std::to_string(srv.port) + " A example.org");
    auto r = run(c, [&] { srv.serve(); });
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->ok) << r->detail;
    ASSERT_EQ(srv.got.size(), 1u);
    const auto& q = srv.got[0];
    // RD set, one question: 7example3org0, type A, class IN.
    const std::vector<uint8_t> question = {7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'o', 'r', 'g', 0, 0, 1, 0, 1};
    ASSERT_EQ(q.size(), 12 + question.size());
    EXPECT_EQ(q[2], 0x01);
    EXPECT_EQ(q[5], 1);
    EXPECT_EQ(std::vector<uint8_t>(q.begin() + 12, q.end()), question);
}

TEST_F(CheckDnsTest, ErrorRcodeIsDownAndNamed) {
    DnsServer srv("127.0.0.1");
    srv.rcode = 3;
    DnsChecker c(*loop, target("127.0.0.1", srv.port), dns(config::DnsType::A, "example.org"));
    auto r = run(c, [&] { srv.serve(); });
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->ok);
    EXPECT_EQ(r->reason, FailReason::Error);
    EXPECT_EQ(r->detail, "rcode NXDOMAIN");
    srv.rcode = 2;
    auto r2 = run(c, [&] { srv.serve(); });
    ASSERT_TRUE(r2);
    EXPECT_EQ(r2->detail, "rcode SERVFAIL");
}

TEST_F(CheckDnsTest, ReplyWithAnotherIdIsIgnoredThenTimesOut) {
    DnsServer srv("127.0.0.1");
    srv.id_delta = 1;
    DnsChecker c(*loop, target("127.0.0.1", srv.port, 300ms), dns(config::DnsType::SOA, "."));
    Duration took{};
    auto r = run(c, [&] { srv.serve(); }, &took);
    ASSERT_TRUE(r);
    EXPECT_EQ(srv.got.size(), 1u);  // one query per attempt, no retransmission
    EXPECT_EQ(r->reason, FailReason::Timeout);
    EXPECT_EQ(r->detail, "no reply within 300ms");
    EXPECT_GE(took, 300ms);
}

TEST_F(CheckDnsTest, ClosedPortIsRefused) {
    uint16_t port = 0;
    { auto gone = bound_socket(ip("127.0.0.1"), SOCK_DGRAM, port); }
    DnsChecker c(*loop, target("127.0.0.1", port), dns(config::DnsType::SOA, "."));
    auto r = run(c);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->reason, FailReason::Refused);
    EXPECT_EQ(r->detail, "refused (ICMP port unreachable)");
}

TEST_F(CheckDnsTest, Ipv6AndConfigDefaults) {
    DnsServer srv("::1");
    if (!srv.fd) GTEST_SKIP() << "no IPv6 loopback";
    auto m = forward::test_util::load(R"(
virtual_server 2001:db8::10 53 {
    protocol UDP
    real_server 2001:db8::20 53 {
        DNS_CHECK {
            connect_ip ::1
            connect_port )" + std::to_string(srv.port) + R"(
        }
    }
}
)");
    ASSERT_TRUE(m);
    const auto& k = m->lvs.virtual_servers[0].real_servers[0].checkers[0];
    EXPECT_EQ(k.retry, 3u);  // DNS_CHECK's own default
    auto made = make_checker(*loop, k);
    ASSERT_TRUE(made);
    EXPECT_EQ(made.value()->describe(), "DNS_CHECK [::1]:" + std::to_string(srv.port) + " SOA .");
    auto r = run(*made.value(), [&] { srv.serve(); });
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->ok) << r->detail;
    ASSERT_EQ(srv.got.size(), 1u);
    EXPECT_EQ(std::vector<uint8_t>(srv.got[0].begin() + 12, srv.got[0].end()),
              (std::vector<uint8_t>{0, 0, 6, 0, 1}));  // root, SOA, IN
}

TEST(CheckDnsCodec, QueryAndReplies) {
    auto q = encode_dns_query(0x1234, "a.bc.", 28);
    ASSERT_TRUE(q);
    EXPECT_EQ(*q, (std::vector<uint8_t>{0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 2, 'b', 'c', 0, 0, 28, 0, 1}));
    EXPECT_FALSE(encode_dns_query(1, std::string(64, 'a'), 1));
    uint8_t r[12] = {0x12, 0x34, 0x81, 0x80};
    EXPECT_EQ(classify_dns_reply(r, 12, 0x1234).kind, DnsReply::NoError);
    EXPECT_EQ(classify_dns_reply(r, 11, 0x1234).kind, DnsReply::Ignore);   // too short
    EXPECT_EQ(classify_dns_reply(r, 12, 0x1235).kind, DnsReply::Ignore);   // another id
    r[2] = 0x01;
    EXPECT_EQ(classify_dns_reply(r, 12, 0x1234).kind, DnsReply::Ignore);   // a query
    r[2] = 0x81;
    r[3] = 0x85;
    auto e = classify_dns_reply(r, 12, 0x1234);
    EXPECT_EQ(e.kind, DnsReply::Error);
    EXPECT_EQ(dns_rcode_name(e.rcode), "REFUSED");
    EXPECT_EQ(dns_rcode_name(12), "RCODE 12");
    EXPECT_EQ(dns_type_code(config::DnsType::MX), 15);
}

}  // namespace
}  // namespace halbd::check
