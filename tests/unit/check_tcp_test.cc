// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/check_tcp_test.cc: TCP_CHECK for real on the loopback only
// (127.0.0.0/8 and ::1), on EpollLoop, waiting on events and never sleeping:
// success (then closed at once), refused, timeout (full accept queue),
// bindto/bind_port, bind_if, connect_ip/connect_port, IPv6, cancellation.
// The exact timeout instant is checked on SimLoop.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cstring>
#include <optional>

#include "check/checker_factory.hh"
#include "check/tcp_check.hh"
#include "core/epoll_loop.hh"
#include "forward_test_util.hh"
#include "support/sim_loop.hh"

namespace halbd::check {
namespace {

using namespace std::chrono_literals;
using core::UniqueFd;

net::IpAddress ip(const char* s) { return *net::IpAddress::parse(s); }

socklen_t fill(const net::IpAddress& a, uint16_t port, sockaddr_storage& ss) {
    std::memset(&ss, 0, sizeof ss);
    if (a.is_v4()) {
        auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
        s4->sin_family = AF_INET;
        s4->sin_port = htons(port);
        std::memcpy(&s4->sin_addr, a.bytes(), 4);
        return sizeof *s4;
    }
    auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons(port);
    std::memcpy(&s6->sin6_addr, a.bytes(), 16);
    return sizeof *s6;
}

uint16_t port_of(int fd) {
    sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) < 0) return 0;
    return ntohs(ss.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&ss)->sin_port
                                         : reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
}

// A bound TCP socket on an ephemeral loopback port; listening if backlog >= 0.
struct Server {
    UniqueFd fd;
    uint16_t port = 0;
    static std::optional<Server> open(const net::IpAddress& a, int backlog) {
        Server s;
        s.fd.reset(::socket(a.is_v4() ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (!s.fd) return std::nullopt;
        sockaddr_storage ss;
        const socklen_t len = fill(a, 0, ss);
        if (::bind(s.fd.get(), reinterpret_cast<sockaddr*>(&ss), len) < 0) return std::nullopt;
        if (backlog >= 0 && ::listen(s.fd.get(), backlog) < 0) return std::nullopt;
        s.port = port_of(s.fd.get());
        return s;
    }
    // The connection waiting in the accept queue (nonblocking: none -> invalid).
    UniqueFd accept_pending(sockaddr_storage* peer = nullptr) {
        pollfd p{fd.get(), POLLIN, 0};
        if (::poll(&p, 1, 0) != 1) return UniqueFd();
        sockaddr_storage ss;
        socklen_t len = sizeof ss;
        UniqueFd c(::accept4(fd.get(), reinterpret_cast<sockaddr*>(&ss), &len, SOCK_CLOEXEC));
        if (peer) *peer = ss;
        return c;
    }
};

struct CheckTcpTest : ::testing::Test {
    std::unique_ptr<core::EpollLoop> loop;
    void SetUp() override {
        auto r = core::EpollLoop::create();
        ASSERT_TRUE(r) << r.error().message;
        loop = std::move(r.value());
    }
    // Runs one attempt to its end on the real loop (bounded, never sleeps).
    std::optional<CheckResult> run(TcpChecker& c, Duration* took = nullptr) {
        std::optional<CheckResult> got;
        const MonoTime start = loop->now();
        c.start([&](const CheckResult& r) { got = r; });
        EXPECT_FALSE(got) << "completion ran inside start()";
        for (int i = 0; i < 100 && !got; ++i) loop->run_once(100ms);
        if (took) *took = loop->now() - start;
        return got;
    }
    static TcpTarget target(const char* addr, uint16_t port) {
        TcpTarget t;
        t.address = ip(addr);
        t.port = port;
        t.connect_timeout = 5s;
        return t;
    }
};

TEST_F(CheckTcpTest, ConnectsThenClosesAtOnce) {
    auto srv = Server::open(ip("127.0.0.1"), 8);
    ASSERT_TRUE(srv);
    TcpChecker c(*loop, target("127.0.0.1", srv->port));
    EXPECT_EQ(c.describe(), "TCP connect to 127.0.0.1:" + std::to_string(srv->port));
    auto r = run(c);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->ok) << r->detail;
    EXPECT_FALSE(c.running());
    // The server got a real connection, already closed by the checker (EOF).
    UniqueFd conn = srv->accept_pending();
    ASSERT_TRUE(conn);
    char b;
    EXPECT_EQ(::recv(conn.get(), &b, 1, MSG_DONTWAIT), 0);
}

TEST_F(CheckTcpTest, ClosedPortIsRefused) {
    auto closed = Server::open(ip("127.0.0.1"), -1);  // bound, not listening: nobody accepts
    ASSERT_TRUE(closed);
    TcpChecker c(*loop, target("127.0.0.1", closed->port));
    auto r = run(c);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->ok);
    EXPECT_EQ(r->reason, FailReason::Refused);
    EXPECT_EQ(r->detail, "refused");
}

TEST_F(CheckTcpTest, FullAcceptQueueTimesOut) {
    // backlog 0: one connection fills the accept queue; further SYNs are
    // dropped, so the checker's connect stays in SYN_SENT until its timeout.
    auto srv = Server::open(ip("127.0.0.1"), 0);
    ASSERT_TRUE(srv);
    TcpChecker filler(*loop, target("127.0.0.1", srv->port));
    auto f = run(filler);
    ASSERT_TRUE(f && f->ok);
    TcpTarget t = target("127.0.0.1", srv->port);
    t.connect_timeout = 300ms;
    TcpChecker c(*loop, t);
    Duration took{};
    auto r = run(c, &took);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->ok);
    EXPECT_EQ(r->reason, FailReason::Timeout);
    EXPECT_EQ(r->detail, "timed out after 300ms");
    EXPECT_GE(took, 300ms);
    EXPECT_LT(took, 3s);
}

TEST_F(CheckTcpTest, BindtoAndBindPortAreTheSource) {
    auto srv = Server::open(ip("127.0.0.1"), 8);
    ASSERT_TRUE(srv);
    auto free_port = Server::open(ip("127.0.0.2"), -1);  // learn a free port, then release it
    ASSERT_TRUE(free_port);
    const uint16_t bport = free_port->port;
    free_port->fd.reset();
    TcpTarget t = target("127.0.0.1", srv->port);
    t.bindto = ip("127.0.0.2");
    t.bind_port = bport;
    TcpChecker c(*loop, t);
    auto r = run(c);
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->ok) << r->detail;
    sockaddr_storage peer;
    UniqueFd conn = srv->accept_pending(&peer);
    ASSERT_TRUE(conn);
    ASSERT_EQ(peer.ss_family, AF_INET);
    const auto* p4 = reinterpret_cast<const sockaddr_in*>(&peer);
    char text[INET_ADDRSTRLEN];
    ASSERT_TRUE(::inet_ntop(AF_INET, &p4->sin_addr, text, sizeof text));
    EXPECT_STREQ(text, "127.0.0.2");
    EXPECT_EQ(ntohs(p4->sin_port), bport);
}

TEST_F(CheckTcpTest, UnusableLocalSetupIsALocalFailure) {
    auto srv = Server::open(ip("127.0.0.1"), 8);
    ASSERT_TRUE(srv);
    TcpTarget t = target("127.0.0.1", srv->port);
    t.bind_if = "halbd-no-such0";
    TcpChecker c(*loop, t);
    auto r = run(c);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->ok);
    EXPECT_EQ(r->reason, FailReason::LocalSetup);
    EXPECT_EQ(r->detail.rfind("not attempted: bind_if halbd-no-such0: ", 0), 0u) << r->detail;
    EXPECT_FALSE(srv->accept_pending());  // nothing reached the server

    TcpTarget t2 = target("127.0.0.1", srv->port);
    t2.bindto = ip("192.0.2.1");  // not a local address: bind fails, nothing is sent
    TcpChecker c2(*loop, t2);
    auto r2 = run(c2);
    ASSERT_TRUE(r2);
    EXPECT_EQ(r2->reason, FailReason::LocalSetup);
    EXPECT_FALSE(r2->verdict);  // keepalived reschedules a bind failure without a verdict
    EXPECT_EQ(r2->detail.rfind("not attempted: bind to 192.0.2.1:0: ", 0), 0u) << r2->detail;
}

TEST_F(CheckTcpTest, ConnectIpAndPortOverrideTheRealServer) {
    auto srv = Server::open(ip("127.0.0.1"), 8);
    ASSERT_TRUE(srv);
    const std::string port = std::to_string(srv->port);
    auto m = forward::test_util::load(R"(
virtual_server 192.0.2.10 80 {
    protocol TCP
    real_server 192.0.2.20 80 {
        TCP_CHECK {
            connect_ip 127.0.0.1
            connect_port )" + port + R"(
            connect_timeout 2
        }
    }
}
)");
    ASSERT_TRUE(m);
    const config::Checker& k = m->lvs.virtual_servers[0].real_servers[0].checkers[0];
    const TcpTarget t = TcpTarget::from_config(k);
    EXPECT_EQ(t.address, ip("127.0.0.1"));
    EXPECT_EQ(t.port, srv->port);
    EXPECT_EQ(t.connect_timeout, 2s);
    auto made = make_checker(*loop, k);
    ASSERT_TRUE(made);
    auto* c = dynamic_cast<TcpChecker*>(made.value().get());
    ASSERT_TRUE(c);
    auto r = run(*c);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->ok) << r->detail;
    EXPECT_TRUE(srv->accept_pending());
}

TEST_F(CheckTcpTest, Ipv6Loopback) {
    auto srv = Server::open(ip("::1"), 8);
    if (!srv) GTEST_SKIP() << "no IPv6 loopback here";
    TcpChecker c(*loop, target("::1", srv->port));
    EXPECT_EQ(c.describe(), "TCP connect to [::1]:" + std::to_string(srv->port));
    auto r = run(c);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->ok) << r->detail;
    auto closed = Server::open(ip("::1"), -1);
    ASSERT_TRUE(closed);
    TcpChecker c2(*loop, target("::1", closed->port));
    auto r2 = run(c2);
    ASSERT_TRUE(r2);
    EXPECT_EQ(r2->reason, FailReason::Refused);
}

// On SimLoop the socket is real but readiness is never reported: only the
// timer path can end the attempt, at exactly connect_timeout.
TEST(CheckTcpTimer, TimeoutFiresAtExactlyConnectTimeout) {
    auto srv = Server::open(ip("127.0.0.1"), 8);
    ASSERT_TRUE(srv);
    core::SimLoop sim;
    TcpTarget t;
    t.address = ip("127.0.0.1");
    t.port = srv->port;
    t.connect_timeout = 3s;
    TcpChecker c(sim, t);
    std::optional<CheckResult> got;
    int calls = 0;
    const MonoTime t0 = sim.now();
    MonoTime at{};
    c.start([&](const CheckResult& r) {
        got = r;
        ++calls;
        at = sim.now();
    });
    sim.advance(2999ms);
    EXPECT_FALSE(got);
    sim.advance(1ms);
    ASSERT_TRUE(got);
    EXPECT_EQ(at - t0, 3s);
    EXPECT_EQ(got->reason, FailReason::Timeout);
    EXPECT_EQ(got->detail, "timed out after 3s");
    sim.advance(60s);
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(sim.armed_timers(), 0u);
}

TEST(CheckTcpTimer, DestroyingCancelsWatchTimerAndCompletion) {
    auto srv = Server::open(ip("127.0.0.1"), 8);
    ASSERT_TRUE(srv);
    core::SimLoop sim;
    TcpTarget t;
    t.address = ip("127.0.0.1");
    t.port = srv->port;
    bool called = false;
    {
        TcpChecker c(sim, t);
        c.start([&](const CheckResult&) { called = true; });
        ASSERT_TRUE(c.running());
        EXPECT_EQ(sim.armed_timers(), 1u);
    }
    EXPECT_EQ(sim.armed_timers(), 0u);
    sim.advance(60s);
    EXPECT_FALSE(called);
}

TEST(CheckTcpTimer, CancelThenRestart) {
    auto srv = Server::open(ip("127.0.0.1"), 8);
    ASSERT_TRUE(srv);
    core::SimLoop sim;
    TcpTarget t;
    t.address = ip("127.0.0.1");
    t.port = srv->port;
    t.connect_timeout = 1s;
    TcpChecker c(sim, t);
    int first = 0, second = 0;
    c.start([&](const CheckResult&) { ++first; });
    c.cancel();
    EXPECT_FALSE(c.running());
    c.start([&](const CheckResult&) { ++second; });
    sim.advance(1s);
    EXPECT_EQ(first, 0);
    EXPECT_EQ(second, 1);
}

}  // namespace
}  // namespace halbd::check
