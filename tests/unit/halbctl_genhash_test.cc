// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/halbctl_genhash_test.cc: `halbctl genhash` (halbctl_genhash.cc)
// against check_http_server.hh's in-test server on 127.0.0.1: the digest it
// prints is the body's MD5 (what HTTP_GET's digest compares), keepalived's
// short flags, SSL with SNI, failures and usage errors.
#include <gtest/gtest.h>

#include <sstream>

#include "check_http_server.hh"
#include "halbctl_genhash.hh"

namespace halbd {
namespace {

using check::test_util::TestCert;
using check::test_util::TestHttpServer;

struct Run {
    int status;
    std::string out, err;
};

Run genhash(std::vector<std::string> args) {
    std::ostringstream out, err;
    const int st = genhash_main(args, out, err);
    return {st, out.str(), err.str()};
}

TestHttpServer::Options reply(std::string response) {
    TestHttpServer::Options o;
    o.respond = [response](const std::string&) { return response; };
    return o;
}

TEST(HalbctlGenhash, PrintsTheBodyDigest) {
    TestHttpServer srv(reply("HTTP/1.0 200 OK\r\nServer: t\r\n\r\nhello"));
    ASSERT_TRUE(srv.ok());
    const std::string port = std::to_string(srv.port());
    auto r = genhash({"--server", "127.0.0.1", "--port", port, "--url", "/index.html"});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "5d41402abc4b2a76b9719d911017c592\n");
    EXPECT_EQ(r.err, "");
    // keepalived's flags, HTTP/1.1 with a virtualhost.
    auto k = genhash({"-s", "127.0.0.1", "-p", port, "-u", "/x", "-V", "www.example.com", "-P", "1.1", "-t", "3"});
    EXPECT_EQ(k.status, 0) << k.err;
    EXPECT_EQ(k.out, r.out);
    ASSERT_EQ(srv.requests().size(), 2u);
    EXPECT_EQ(srv.requests()[1],
              "GET /x HTTP/1.1\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: www.example.com\r\n\r\n");
}

TEST(HalbctlGenhash, AnyStatusIsHashedWithANote) {
    TestHttpServer srv(reply("HTTP/1.0 404 Not Found\r\n\r\nhello"));
    ASSERT_TRUE(srv.ok());
    auto r = genhash({"-s", "127.0.0.1", "-p", std::to_string(srv.port()), "-u", "/"});
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.out, "5d41402abc4b2a76b9719d911017c592\n");
    EXPECT_EQ(r.err, "halbctl genhash: note: status 404 (the digest is of that page)\n");
    auto v = genhash({"-s", "127.0.0.1", "-p", std::to_string(srv.port()), "-u", "/", "-v"});
    EXPECT_EQ(v.err, "status 404, 5 body bytes\n");
}

TEST(HalbctlGenhash, SslWithSni) {
    auto cert = TestCert::make();
    ASSERT_TRUE(cert);
    auto o = reply("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
    o.tls = &*cert;
    TestHttpServer srv(o);
    ASSERT_TRUE(srv.ok());
    const std::string port = std::to_string(srv.port());
    auto r = genhash({"--ssl", "--sni", "lb.example.com", "--http-1.1", "--server", "127.0.0.1", "--port", port,
                      "--url", "/"});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "5d41402abc4b2a76b9719d911017c592\n");
    auto k = genhash({"-S", "-I", "-V", "vh.example.com", "-s", "127.0.0.1", "-p", port, "-u", "/"});
    EXPECT_EQ(k.status, 0) << k.err;
    ASSERT_EQ(srv.snis().size(), 2u);
    EXPECT_EQ(srv.snis()[0], "lb.example.com");
    EXPECT_EQ(srv.snis()[1], "vh.example.com");
}

TEST(HalbctlGenhash, FailuresAndUsage) {
    uint16_t closed;
    {
        TestHttpServer srv(reply(""));
        ASSERT_TRUE(srv.ok());
        closed = srv.port();
    }
    auto r = genhash({"-s", "127.0.0.1", "-p", std::to_string(closed), "-u", "/"});
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "halbctl genhash: HTTP GET http://127.0.0.1:" + std::to_string(closed) + "/ refused\n");

    EXPECT_EQ(genhash({"-s", "127.0.0.1", "-p", "80"}).err,
              "halbctl genhash: --url is required (see halbctl genhash --help)\n");
    EXPECT_EQ(genhash({"-s", "127.0.0.1", "-p", "80"}).status, 2);
    EXPECT_EQ(genhash({"-s", "web1", "-p", "80", "-u", "/"}).status, 2);
    EXPECT_EQ(genhash({"-s", "127.0.0.1", "-p", "70000", "-u", "/"}).status, 2);
    EXPECT_EQ(genhash({"-s", "127.0.0.1", "-p", "80", "-u", "/", "-P", "2"}).status, 2);
    EXPECT_EQ(genhash({"-s", "127.0.0.1", "-p", "80", "-u", "/", "--bogus"}).status, 2);
    auto h = genhash({"--help"});
    EXPECT_EQ(h.status, 0);
    EXPECT_NE(h.out.find("--server"), std::string::npos);
}

}  // namespace
}  // namespace halbd
