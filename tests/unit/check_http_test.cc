// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/check_http_test.cc: HTTP_GET and SSL_GET for real on 127.0.0.1
// against check_http_server.hh's in-test server, on EpollLoop, waiting on
// events and never sleeping: success (request bytes as keepalived's), wrong
// status, wrong digest, early close, timeout, several urls, HTTP/1.1 with a
// virtualhost, many probes at once; SSL_GET with and without SNI, against a
// plain server (handshake failure), with a client certificate from the SSL
// block. The exact timeout instant and cancellation run on SimLoop.
#include <gtest/gtest.h>

#include <sys/socket.h>

#include <cstdlib>
#include <filesystem>
#include <optional>

#include "check/checker_factory.hh"
#include "check/http_check.hh"
#include "check_http_server.hh"
#include "config/regex.hh"
#include "core/epoll_loop.hh"
#include "forward_test_util.hh"
#include "support/sim_loop.hh"

namespace halbd::check {
namespace {

using namespace std::chrono_literals;
using test_util::TestCert;
using test_util::TestHttpServer;
using Mode = TestHttpServer::Mode;

constexpr const char* kMd5Hello = "5d41402abc4b2a76b9719d911017c592";

TestHttpServer::Options with(Mode m, std::string response = "HTTP/1.0 200 OK\r\n\r\nhello") {
    TestHttpServer::Options o;
    o.mode = m;
    o.respond = [response](const std::string&) { return response; };
    return o;
}

HttpSpec spec(std::string path, std::string digest = "", bool tls = false) {
    HttpSpec s;
    s.tls = tls;
    HttpUrlSpec u;
    u.path = std::move(path);
    u.digest = std::move(digest);
    u.status = {{200, 299}};
    s.urls.push_back(std::move(u));
    return s;
}

struct CheckHttpTest : ::testing::Test {
    std::unique_ptr<core::EpollLoop> loop;
    void SetUp() override {
        auto r = core::EpollLoop::create();
        ASSERT_TRUE(r) << r.error().message;
        loop = std::move(r.value());
    }
    static TcpTarget target(uint16_t port, Duration timeout = 5s) {
        TcpTarget t;
        t.address = *net::IpAddress::parse("127.0.0.1");
        t.port = port;
        t.connect_timeout = timeout;
        return t;
    }
    // Runs one attempt to its end on the real loop (bounded, never sleeps).
    std::optional<CheckResult> run(Checker& c, Duration* took = nullptr) {
        std::optional<CheckResult> got;
        const MonoTime start = loop->now();
        c.start([&](const CheckResult& r) { got = r; });
        EXPECT_FALSE(got) << "completion ran inside start()";
        for (int i = 0; i < 100 && !got; ++i) loop->run_once(100ms);
        if (took) *took = loop->now() - start;
        return got;
    }
};

TEST_F(CheckHttpTest, SuccessSendsKeepalivedsRequest) {
    TestHttpServer srv(with(Mode::Reply));
    ASSERT_TRUE(srv.ok());
    HttpChecker c(*loop, target(srv.port()), spec("/health", kMd5Hello));
    const std::string ep = "127.0.0.1:" + std::to_string(srv.port());
    EXPECT_EQ(c.describe(), "HTTP GET http://" + ep + "/health");
    auto r = run(c);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->ok) << r->detail;
    EXPECT_FALSE(c.running());
    EXPECT_EQ(c.response().status(), 200);
    ASSERT_EQ(srv.requests().size(), 1u);
    EXPECT_EQ(srv.requests()[0], "GET /health HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: " + ep + "\r\n\r\n");
    // The checker is reusable: a second attempt on the same object.
    auto r2 = run(c);
    ASSERT_TRUE(r2);
    EXPECT_TRUE(r2->ok) << r2->detail;
}

TEST_F(CheckHttpTest, WrongStatus) {
    TestHttpServer srv(with(Mode::Reply, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"));
    ASSERT_TRUE(srv.ok());
    HttpChecker c(*loop, target(srv.port()), spec("/health"));
    auto r = run(c);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->ok);
    EXPECT_EQ(r->reason, FailReason::Error);
    EXPECT_EQ(r->detail, "failed: status 503 (expected 200-299)");
}

TEST_F(CheckHttpTest, WrongDigest) {
    TestHttpServer srv(with(Mode::Reply, "HTTP/1.0 200 OK\r\n\r\nHELLO"));
    ASSERT_TRUE(srv.ok());
    HttpChecker c(*loop, target(srv.port()), spec("/", kMd5Hello));
    auto r = run(c);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->ok);
    EXPECT_EQ(r->reason, FailReason::Error);
    EXPECT_EQ(r->detail, "failed: digest eb61eead90e3b899c6bcbe27ac581660 does not match " + std::string(kMd5Hello));
}

// keepalived's order: status, digest, then the regex; the url passes only
// when the body matches (or, with regex_no_match, does not).
TEST_F(CheckHttpTest, RegexAndRegexNoMatch) {
    TestHttpServer srv(with(Mode::Reply, "HTTP/1.0 200 OK\r\n\r\n<p>status: degraded</p>"));
    ASSERT_TRUE(srv.ok());
    auto with_regex = [](const char* pattern, bool no_match, std::string digest = "") {
        HttpSpec s = spec("/", std::move(digest));
        auto re = config::Regex::compile(pattern, {});
        EXPECT_TRUE(re);
        s.urls[0].regex = *re;
        s.urls[0].regex_no_match = no_match;
        return s;
    };
    HttpChecker ok(*loop, target(srv.port()), with_regex("status: (ok|degraded)", false));
    auto r = run(ok);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->ok) << r->detail;

    HttpChecker miss(*loop, target(srv.port()), with_regex("status: ok", false));
    r = run(miss);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->ok);
    EXPECT_EQ(r->detail, "failed: regex 'status: ok' does not match the body");

    HttpChecker reverse(*loop, target(srv.port()), with_regex("degraded|down", true));
    r = run(reverse);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->ok);
    EXPECT_EQ(r->detail, "failed: regex 'degraded|down' matches the body at offset 11 (regex_no_match)");
    HttpChecker reverse_ok(*loop, target(srv.port()), with_regex("down", true));
    r = run(reverse_ok);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->ok) << r->detail;

    // The digest is checked first, as keepalived.
    HttpChecker both(*loop, target(srv.port()), with_regex("status", false, kMd5Hello));
    r = run(both);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->ok);
    EXPECT_NE(r->detail.find("digest"), std::string::npos) << r->detail;
}

TEST_F(CheckHttpTest, ServerClosesBeforeAnswering) {
    TestHttpServer srv(with(Mode::CloseEarly));
    ASSERT_TRUE(srv.ok());
    HttpChecker c(*loop, target(srv.port()), spec("/"));
    auto r = run(c);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->ok);
    EXPECT_EQ(r->detail, "failed: connection closed before any response");
}

TEST_F(CheckHttpTest, SilentServerTimesOut) {
    TestHttpServer srv(with(Mode::Silent));
    ASSERT_TRUE(srv.ok());
    HttpChecker c(*loop, target(srv.port(), 300ms), spec("/"));
    Duration took{};
    auto r = run(c, &took);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->ok);
    EXPECT_EQ(r->reason, FailReason::Timeout);
    EXPECT_EQ(r->detail, "timed out after 300ms (reading the response)");
    EXPECT_GE(took, 300ms);
    EXPECT_LT(took, 3s);
}

TEST_F(CheckHttpTest, ClosedPortIsRefused) {
    uint16_t port;
    {
        TestHttpServer srv(with(Mode::Reply));  // learn a free port, then release it
        ASSERT_TRUE(srv.ok());
        port = srv.port();
    }
    HttpChecker c(*loop, target(port), spec("/"));
    auto r = run(c);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->reason, FailReason::Refused);
    EXPECT_EQ(r->detail, "refused");
}

TEST_F(CheckHttpTest, EveryUrlMustPass) {
    TestHttpServer::Options o;
    o.respond = [](const std::string& req) {
        return req.rfind("GET /bad ", 0) == 0 ? std::string("HTTP/1.0 500 Oops\r\n\r\n")
                                               : std::string("HTTP/1.0 200 OK\r\n\r\nhello");
    };
    TestHttpServer srv(o);
    ASSERT_TRUE(srv.ok());
    HttpSpec s = spec("/a", kMd5Hello);
    s.urls.push_back(spec("/b").urls[0]);
    HttpChecker good(*loop, target(srv.port()), s);
    EXPECT_EQ(good.describe(), "HTTP GET http://127.0.0.1:" + std::to_string(srv.port()) + "/a (+1 url)");
    auto r = run(good);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->ok) << r->detail;
    EXPECT_EQ(srv.requests().size(), 2u);

    s.urls.push_back(spec("/bad").urls[0]);
    HttpChecker bad(*loop, target(srv.port()), s);
    auto r2 = run(bad);
    ASSERT_TRUE(r2);
    EXPECT_FALSE(r2->ok);
    EXPECT_EQ(r2->detail, "failed on /bad: status 500 (expected 200-299)");
    EXPECT_EQ(srv.requests().size(), 5u);
}

TEST_F(CheckHttpTest, Http11WithVirtualhostEndsAtContentLength) {
    // The server answers and keeps the connection open: the response is
    // complete at Content-Length, without waiting for a close.
    TestHttpServer srv(with(Mode::ReplyAndHold, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"));
    ASSERT_TRUE(srv.ok());
    HttpSpec s = spec("/index.html", kMd5Hello);
    s.protocol = config::HttpProtocol::V1_1;
    s.urls[0].virtualhost = "www.example.com";
    HttpChecker c(*loop, target(srv.port(), 2s), s);
    Duration took{};
    auto r = run(c, &took);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->ok) << r->detail;
    EXPECT_LT(took, 2s);
    ASSERT_EQ(srv.requests().size(), 1u);
    EXPECT_EQ(srv.requests()[0],
              "GET /index.html HTTP/1.1\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\n"
              "Host: www.example.com\r\n\r\n");
}

TEST_F(CheckHttpTest, NotHttpIsATypedFailure) {
    TestHttpServer srv(with(Mode::ReplyAtOnce, "SSH-2.0-OpenSSH_9.2\r\n"));
    ASSERT_TRUE(srv.ok());
    HttpChecker c(*loop, target(srv.port()), spec("/"));
    auto r = run(c);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->reason, FailReason::Error);
    EXPECT_EQ(r->detail, "failed: not an HTTP response (bad status line)");
}

TEST_F(CheckHttpTest, ManyProbesAtOnce) {
    TestHttpServer srv(with(Mode::Reply));
    ASSERT_TRUE(srv.ok());
    constexpr int kProbes = 64;
    std::vector<std::unique_ptr<HttpChecker>> cs;
    int ok = 0, done = 0;
    for (int i = 0; i < kProbes; ++i) {
        cs.push_back(std::make_unique<HttpChecker>(*loop, target(srv.port()), spec("/", kMd5Hello)));
        cs.back()->start([&](const CheckResult& r) {
            ++done;
            if (r.ok) ++ok;
            else ADD_FAILURE() << r.detail;
        });
    }
    for (int i = 0; i < 200 && done < kProbes; ++i) loop->run_once(100ms);
    EXPECT_EQ(done, kProbes);
    EXPECT_EQ(ok, kProbes);
}

TEST_F(CheckHttpTest, FromConfigAndProbeKey) {
    TestHttpServer srv(with(Mode::Reply));
    ASSERT_TRUE(srv.ok());
    const std::string port = std::to_string(srv.port());
    auto conf = [&](const std::string& digest) {
        return R"(
virtual_server 192.0.2.10 80 {
    protocol TCP
    real_server 192.0.2.20 80 {
        HTTP_GET {
            connect_ip 127.0.0.1
            connect_port )" + port + R"(
            connect_timeout 2
            url {
                path /health
                digest )" + digest + R"(
                status_code 200
            }
        }
    }
}
)";
    };
    auto m = forward::test_util::load(conf(kMd5Hello));
    ASSERT_TRUE(m);
    const config::Checker& k = m->lvs.virtual_servers[0].real_servers[0].checkers[0];
    EXPECT_TRUE(implemented(k.kind()));
    auto made = make_checker(*loop, k);
    ASSERT_TRUE(made) << made.error().message;
    auto* c = dynamic_cast<HttpChecker*>(made.value().get());
    ASSERT_TRUE(c);
    EXPECT_EQ(c->target().connect_timeout, 2s);
    auto r = run(*c);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->ok) << r->detail;
    EXPECT_EQ(srv.requests().at(0).rfind("GET /health HTTP/1.0\r\n", 0), 0u);

    auto m2 = forward::test_util::load(conf("00000000000000000000000000000000"));
    ASSERT_TRUE(m2);
    const config::Checker& k2 = m2->lvs.virtual_servers[0].real_servers[0].checkers[0];
    EXPECT_NE(probe_key(k), probe_key(k2));
    auto m3 = forward::test_util::load(conf(kMd5Hello));
    EXPECT_EQ(probe_key(k), probe_key(m3->lvs.virtual_servers[0].real_servers[0].checkers[0]));

    // A regex reaches the checker compiled; its options and window are keyed.
    auto regex_conf = [&](const std::string& extra) {
        std::string t = conf(kMd5Hello);
        t.replace(t.find("status_code 200"), 15, "status_code 200\n regex \"HEL+O\"\n" + extra);
        return forward::test_util::load(t);
    };
    auto m4 = regex_conf("regex_options caseless\n");
    ASSERT_TRUE(m4);
    const config::Checker& k4 = m4->lvs.virtual_servers[0].real_servers[0].checkers[0];
    auto made4 = make_checker(*loop, k4);
    ASSERT_TRUE(made4);
    r = run(*made4.value());
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->ok) << r->detail;
    auto m5 = regex_conf("");
    auto m6 = regex_conf("regex_options caseless\n regex_max_offset 0\n");
    ASSERT_TRUE(m5 && m6);
    const std::string k5 = probe_key(m5->lvs.virtual_servers[0].real_servers[0].checkers[0]);
    const std::string k6 = probe_key(m6->lvs.virtual_servers[0].real_servers[0].checkers[0]);
    EXPECT_NE(probe_key(k4), k5);
    EXPECT_NE(probe_key(k4), k6);
    EXPECT_NE(probe_key(k), probe_key(k4));
    auto made5 = make_checker(*loop, m5->lvs.virtual_servers[0].real_servers[0].checkers[0]);
    ASSERT_TRUE(made5);
    r = run(*made5.value());
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->ok);  // "hello" without caseless
    EXPECT_EQ(r->detail, "failed: regex 'HEL+O' does not match the body");
}

// ---- SSL_GET ------------------------------------------------------------

struct CheckSslTest : CheckHttpTest {
    std::optional<TestCert> cert;
    void SetUp() override {
        CheckHttpTest::SetUp();
        cert = TestCert::make();
        ASSERT_TRUE(cert);
    }
    TestHttpServer::Options tls(Mode m = Mode::Reply, std::string response = "HTTP/1.0 200 OK\r\n\r\nhello") {
        auto o = with(m, std::move(response));
        o.tls = &*cert;
        return o;
    }
};

TEST_F(CheckSslTest, SuccessWithSni) {
    TestHttpServer srv(tls());
    ASSERT_TRUE(srv.ok());
    HttpSpec s = spec("/", kMd5Hello, true);
    s.sni = true;
    s.urls[0].virtualhost = "www.example.com";
    HttpChecker c(*loop, target(srv.port()), s);
    EXPECT_EQ(c.describe(), "SSL GET https://127.0.0.1:" + std::to_string(srv.port()) + "/");
    auto r = run(c);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->ok) << r->detail;
    ASSERT_EQ(srv.snis().size(), 1u);
    EXPECT_EQ(srv.snis()[0], "www.example.com");
    EXPECT_EQ(srv.requests().at(0),
              "GET / HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: www.example.com\r\n\r\n");
}

TEST_F(CheckSslTest, NoSniUnlessEnabledAndStatusChecked) {
    TestHttpServer srv(tls(Mode::Reply, "HTTP/1.0 404 Not Found\r\n\r\n"));
    ASSERT_TRUE(srv.ok());
    HttpSpec s = spec("/missing", "", true);
    s.urls[0].virtualhost = "www.example.com";
    HttpChecker c(*loop, target(srv.port()), s);
    auto r = run(c);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->detail, "failed: status 404 (expected 200-299)");
    ASSERT_EQ(srv.snis().size(), 1u);
    EXPECT_EQ(srv.snis()[0], "");
}

TEST_F(CheckSslTest, PlainServerFailsTheHandshake) {
    TestHttpServer srv(with(Mode::ReplyAtOnce, "HTTP/1.0 200 OK\r\n\r\nhello"));
    ASSERT_TRUE(srv.ok());
    HttpChecker c(*loop, target(srv.port()), spec("/", "", true));
    auto r = run(c);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->ok);
    EXPECT_EQ(r->reason, FailReason::Error);
    EXPECT_EQ(r->detail.rfind("failed: TLS handshake: ", 0), 0u) << r->detail;
    EXPECT_GT(r->detail.size(), std::string("failed: TLS handshake: ").size());
}

TEST_F(CheckSslTest, SilentTlsServerTimesOut) {
    TestHttpServer srv(tls(Mode::Silent));
    ASSERT_TRUE(srv.ok());
    HttpChecker c(*loop, target(srv.port(), 300ms), spec("/", "", true));
    auto r = run(c);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->reason, FailReason::Timeout);
    EXPECT_EQ(r->detail, "timed out after 300ms (reading the response)");
}

TEST_F(CheckSslTest, SslBlockClientCertificate) {
    char dir_tmpl[] = "/tmp/halbd-ssl-test.XXXXXX";
    ASSERT_TRUE(::mkdtemp(dir_tmpl));
    const std::string dir = dir_tmpl;
    auto client = TestCert::make("halbd-client");
    ASSERT_TRUE(client);
    ASSERT_TRUE(client->write(dir + "/client.pem", dir + "/client.key", "s3cret"));

    config::SslConfig ssl;
    ssl.certificate = dir + "/client.pem";
    ssl.key = dir + "/client.key";
    ssl.password = "s3cret";
    auto ctx = tls::ClientContext::load(ssl);
    ASSERT_TRUE(ctx->ok()) << ctx->error();

    auto o = tls();
    o.want_client_cert = true;
    TestHttpServer srv(o);
    ASSERT_TRUE(srv.ok());
    HttpChecker c(*loop, target(srv.port()), spec("/", kMd5Hello, true), ctx);
    auto r = run(c);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->ok) << r->detail;
    EXPECT_EQ(srv.client_certs(), 1);

    // A block that cannot be loaded fails every attempt, locally, saying why.
    config::SslConfig bad;
    bad.certificate = dir + "/missing.pem";
    auto bad_ctx = tls::ClientContext::load(bad);
    EXPECT_FALSE(bad_ctx->ok());
    EXPECT_EQ(bad_ctx->error().rfind("SSL certificate " + dir + "/missing.pem: ", 0), 0u) << bad_ctx->error();
    HttpChecker c2(*loop, target(srv.port()), spec("/", "", true), bad_ctx);
    auto r2 = run(c2);
    ASSERT_TRUE(r2);
    EXPECT_EQ(r2->reason, FailReason::LocalSetup);
    EXPECT_EQ(r2->detail, "not attempted: " + bad_ctx->error());

    config::SslConfig wrong_pw = ssl;
    wrong_pw.password = "nope";
    EXPECT_FALSE(tls::ClientContext::load(wrong_pw)->ok());
    std::filesystem::remove_all(dir);
}

TEST(CheckSslCache, LoadsOnceAndReloadsOnChange) {
    tls::ContextCache cache;
    config::SslConfig a;
    EXPECT_TRUE(cache.update(a));
    auto c1 = cache.get();
    EXPECT_TRUE(c1->ok());
    EXPECT_FALSE(cache.update(a));
    EXPECT_EQ(cache.get(), c1);
    a.ca = "/nonexistent/ca.pem";
    EXPECT_TRUE(cache.update(a));
    auto c2 = cache.get();
    EXPECT_NE(c2, c1);
    EXPECT_FALSE(c2->ok());
}

// ---- timer paths on SimLoop -------------------------------------------------

TEST(CheckHttpTimer, TimeoutFiresAtExactlyConnectTimeoutAndDestroyCancels) {
    TestHttpServer srv(with(Mode::Silent));
    ASSERT_TRUE(srv.ok());
    core::SimLoop sim;
    TcpTarget t;
    t.address = *net::IpAddress::parse("127.0.0.1");
    t.port = srv.port();
    t.connect_timeout = 3s;
    std::optional<CheckResult> got;
    int calls = 0;
    {
        HttpChecker c(sim, t, spec("/"));
        c.start([&](const CheckResult& r) {
            got = r;
            ++calls;
        });
        sim.advance(2999ms);
        EXPECT_FALSE(got);
        sim.advance(1ms);
        ASSERT_TRUE(got);
        EXPECT_EQ(got->reason, FailReason::Timeout);
        EXPECT_EQ(got->detail, "timed out after 3s (connecting)");  // SimLoop reports no readiness
        got.reset();
        c.start([&](const CheckResult& r) { got = r; });
        EXPECT_EQ(sim.armed_timers(), 1u);
    }
    EXPECT_EQ(sim.armed_timers(), 0u);
    sim.advance(60s);
    EXPECT_FALSE(got);
    EXPECT_EQ(calls, 1);
}

TEST(CheckHttpTimer, NoUrlSucceedsFromTheLoop) {
    core::SimLoop sim;
    HttpChecker c(sim, TcpTarget{}, HttpSpec{});
    bool ok = false;
    c.start([&](const CheckResult& r) { ok = r.ok; });
    EXPECT_FALSE(ok);
    sim.advance(0ms);
    EXPECT_TRUE(ok);
}

}  // namespace
}  // namespace halbd::check
