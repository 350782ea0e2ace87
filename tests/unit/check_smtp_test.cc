// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/check_smtp_test.cc: SMTP_CHECK for real on loopback against an
// in-test SMTP responder (served between loop turns): the full dialogue
// (multi-line replies too), a wrong banner, a refused HELO, a silent server
// (timeout naming the step), a closed port, a server hanging up; the reply
// parser on its own.
#include <gtest/gtest.h>

#include <sys/socket.h>

#include <functional>
#include <string>
#include <vector>

#include "check/checker_factory.hh"
#include "check/smtp_check.hh"
#include "check_kinds_util.hh"
#include "forward_test_util.hh"

namespace halbd::check {
namespace {

using namespace test_util;

struct SmtpServer {
    core::UniqueFd listener, conn;
    uint16_t port = 0;
    std::string banner = "220 mail.example ESMTP\r\n";
    // The reply to a command line (without CRLF); empty = say nothing.
    std::function<std::string(const std::string&)> answer = [](const std::string& cmd) -> std::string {
        if (cmd.rfind("HELO ", 0) == 0) return "250-mail.example\r\n250 hello " + cmd.substr(5) + "\r\n";
        if (cmd == "QUIT") return "221 bye\r\n";
        return "500 what\r\n";
    };
    bool hang_up = false;  // close right after accepting
    std::vector<std::string> commands;
    std::string in;

    explicit SmtpServer(const char* addr) {
        listener = bound_socket(ip(addr), SOCK_STREAM, port);
        if (listener) ::listen(listener.get(), 4);
    }
    void serve() {
        if (!conn) {
            conn.reset(::accept4(listener.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
            if (!conn) return;
            if (hang_up) {
                conn.reset();
                return;
            }
            if (!banner.empty()) (void)::send(conn.get(), banner.data(), banner.size(), MSG_NOSIGNAL);
        }
        char buf[1024];
        const ssize_t n = ::recv(conn.get(), buf, sizeof buf, 0);
        if (n <= 0) return;
        in.append(buf, static_cast<size_t>(n));
        for (size_t nl; (nl = in.find("\r\n")) != std::string::npos;) {
            std::string cmd = in.substr(0, nl);
            in.erase(0, nl + 2);
            commands.push_back(cmd);
            const std::string out = answer(cmd);
            if (!out.empty()) (void)::send(conn.get(), out.data(), out.size(), MSG_NOSIGNAL);
        }
    }
};

using CheckSmtpTest = EpollTest;

TEST_F(CheckSmtpTest, FullDialogueIsUp) {
    SmtpServer srv("127.0.0.1");
    ASSERT_TRUE(srv.listener);
    SmtpChecker c(*loop, target("127.0.0.1", srv.port), "checker.example");
    EXPECT_EQ(c.describe(), "SMTP_CHECK to 127.0.0.1:" + std::to_string(srv.port));
    auto r = run(c, [&] { srv.serve(); });
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->ok) << r->detail;
    EXPECT_EQ(srv.commands, (std::vector<std::string>{"HELO checker.example", "QUIT"}));
}

TEST_F(CheckSmtpTest, WrongBannerIsDown) {
    SmtpServer srv("127.0.0.1");
    srv.banner = "554 go away\r\n";
    SmtpChecker c(*loop, target("127.0.0.1", srv.port), "x");
    auto r = run(c, [&] { srv.serve(); });
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->ok);
    EXPECT_EQ(r->reason, FailReason::Error);
    EXPECT_EQ(r->detail, "the banner was '554 go away', expected 220");
    EXPECT_TRUE(srv.commands.empty());
}

TEST_F(CheckSmtpTest, RefusedHeloIsDown) {
    SmtpServer srv("127.0.0.1");
    srv.answer = [](const std::string&) { return std::string("501 bad HELO\r\n"); };
    SmtpChecker c(*loop, target("127.0.0.1", srv.port), "x");
    auto r = run(c, [&] { srv.serve(); });
    ASSERT_TRUE(r);
    EXPECT_EQ(r->detail, "the HELO reply was '501 bad HELO', expected 250");
}

TEST_F(CheckSmtpTest, SilentServerTimesOutNamingTheStep) {
    SmtpServer srv("127.0.0.1");
    srv.banner.clear();
    SmtpChecker c(*loop, target("127.0.0.1", srv.port, 300ms), "x");
    Duration took{};
    auto r = run(c, [&] { srv.serve(); }, &took);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->reason, FailReason::Timeout);
    EXPECT_EQ(r->detail, "timed out after 300ms waiting for the banner");
    EXPECT_GE(took, 300ms);

    SmtpServer mute("127.0.0.1");
    mute.answer = [](const std::string& cmd) { return cmd == "QUIT" ? std::string() : std::string("250 ok\r\n"); };
    SmtpChecker c2(*loop, target("127.0.0.1", mute.port, 300ms), "x");
    auto r2 = run(c2, [&] { mute.serve(); });
    ASSERT_TRUE(r2);
    EXPECT_EQ(r2->detail, "timed out after 300ms waiting for the QUIT reply");
}

TEST_F(CheckSmtpTest, ClosedPortIsRefusedAndHangUpIsDown) {
    uint16_t port = 0;
    { auto gone = bound_socket(ip("127.0.0.1"), SOCK_STREAM, port); }
    SmtpChecker c(*loop, target("127.0.0.1", port), "x");
    auto r = run(c);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->reason, FailReason::Refused);

    SmtpServer srv("127.0.0.1");
    srv.hang_up = true;
    SmtpChecker c2(*loop, target("127.0.0.1", srv.port), "x");
    auto r2 = run(c2, [&] { srv.serve(); });
    ASSERT_TRUE(r2);
    EXPECT_FALSE(r2->ok);
    EXPECT_EQ(r2->detail, "connection closed while waiting for the banner");
}

TEST_F(CheckSmtpTest, HostBlocksAreSeparateCheckersFromTheConfig) {
    SmtpServer a("127.0.0.1"), b("127.0.0.1");
    auto m = forward::test_util::load(R"(
virtual_server 192.0.2.10 25 {
    protocol TCP
    real_server 192.0.2.20 25 {
        SMTP_CHECK {
            helo_name lb.example
            host {
                connect_ip 127.0.0.1
                connect_port )" + std::to_string(a.port) + R"(
            }
            host {
                connect_ip 127.0.0.1
                connect_port )" + std::to_string(b.port) + R"(
            }
        }
    }
}
)");
    ASSERT_TRUE(m);
    const auto& checkers = m->lvs.virtual_servers[0].real_servers[0].checkers;
    ASSERT_EQ(checkers.size(), 2u);
    for (size_t i = 0; i < 2; ++i) {
        SmtpServer& s = i == 0 ? a : b;
        auto made = make_checker(*loop, checkers[i]);
        ASSERT_TRUE(made);
        auto r = run(*made.value(), [&] { s.serve(); });
        ASSERT_TRUE(r);
        EXPECT_TRUE(r->ok) << r->detail;
        EXPECT_EQ(s.commands.at(0), "HELO lb.example");
    }
    EXPECT_NE(probe_key(checkers[0]), probe_key(checkers[1]));
}

TEST(CheckSmtpParser, Replies) {
    EXPECT_FALSE(parse_smtp_reply("220 partial"));
    EXPECT_FALSE(parse_smtp_reply("250-first\r\n250-second\r\n"));
    auto r = parse_smtp_reply("250-first\r\n250 last\r\nnext");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->code, 250);
    EXPECT_EQ(r->text, "250 last");
    EXPECT_EQ(r->length, std::string("250-first\r\n250 last\r\n").size());
    auto bare = parse_smtp_reply("221\n");
    ASSERT_TRUE(bare);
    EXPECT_EQ(bare->code, 221);
    auto bad = parse_smtp_reply("hello\r\n");
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->code, -1);
}

}  // namespace
}  // namespace halbd::check
