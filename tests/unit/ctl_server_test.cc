// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/ctl_server_test.cc: ctl::Server on a real EpollLoop with its
// socket in a temporary directory: request and reply, mode 0600, oversized
// and malformed requests, a silent client timed out by the loop's timer,
// peers refused by uid, the busy limit, stale and live socket files.
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include <gtest/gtest.h>

#include "core/epoll_loop.hh"
#include "ctl/server.hh"

namespace halbd::ctl {
namespace {

using namespace std::chrono_literals;

class CtlServer : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/halbd-ctl-test.XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        path_ = dir_ + "/halbd.ctl";
        auto l = core::EpollLoop::create();
        ASSERT_TRUE(l.ok());
        loop_ = std::move(l.value());
    }
    void TearDown() override {
        server_.reset();
        std::filesystem::remove_all(dir_);
    }

    ServerOptions options() {
        ServerOptions o;
        o.path = path_;
        o.allowed_uid = ::geteuid();  // the test's own user stands for root
        o.timeout = 2s;
        return o;
    }

    void open(ServerOptions o) {
        auto s = Server::open(*loop_, std::move(o), [this](const Request& r, Server::Respond respond) {
            last_ = r;
            Reply reply{Status::Ok, std::string(command_name(r.command)) +
                                        (r.format == Format::Json ? " json\n" : " text\n")};
            if (r.command == Command::Reload) {  // answered later, like the daemon's reload
                later_ = [respond, reply] { respond(reply); };
                return;
            }
            respond(reply);
        });
        ASSERT_TRUE(s.ok()) << s.error().message;
        server_ = std::move(s.value());
    }

    core::UniqueFd connect_client() {
        core::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        sockaddr_un sa{};
        sa.sun_family = AF_UNIX;
        std::strncpy(sa.sun_path, path_.c_str(), sizeof sa.sun_path - 1);
        EXPECT_EQ(::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0) << std::strerror(errno);
        return fd;
    }

    void send_all(int fd, const std::string& s) {
        ASSERT_EQ(::send(fd, s.data(), s.size(), MSG_NOSIGNAL), static_cast<ssize_t>(s.size()));
    }

    // Runs the loop until the server closes the connection; returns all it sent.
    std::string read_until_eof(int fd, Duration limit = 5s) {
        std::string got;
        const MonoTime end = loop_->now() + limit;
        for (;;) {
            char buf[4096];
            const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
            if (n > 0) {
                got.append(buf, static_cast<size_t>(n));
                continue;
            }
            if (n == 0) return got;
            if (errno != EAGAIN) return got + "<recv error>";
            if (loop_->now() > end) return got + "<no EOF>";
            loop_->run_once(20ms);
        }
    }

    std::string exchange(const std::string& request) {
        auto fd = connect_client();
        send_all(fd.get(), request);
        return read_until_eof(fd.get());
    }

    std::string dir_, path_;
    std::unique_ptr<core::EpollLoop> loop_;
    std::unique_ptr<Server> server_;
    std::optional<Request> last_;
    std::function<void()> later_;  // the pending answer to a reload
};

TEST_F(CtlServer, RequestAndReply) {
    open(options());
    EXPECT_EQ(exchange("status\n"), "ok\nstatus text\n");
    EXPECT_EQ(exchange("ipvs --json\n"), "ok\nipvs json\n");
    ASSERT_TRUE(last_);
    EXPECT_EQ(last_->format, Format::Json);
    EXPECT_EQ(server_->stats().served, 2u);
    EXPECT_EQ(server_->connections(), 0u);
}

// A reload is answered once the daemon has read the file: the connection
// waits for it past its timeout (the wait is the daemon's, bounded by the
// work), and an answer for a client that went away, or after the server
// is gone, is dropped.
TEST_F(CtlServer, DeferredReply) {
    auto o = options();
    o.timeout = 100ms;
    open(o);
    auto fd = connect_client();
    send_all(fd.get(), "reload\n");
    const MonoTime until = loop_->now() + 300ms;
    while (loop_->now() < until) loop_->run_once(20ms);
    ASSERT_TRUE(later_);
    EXPECT_EQ(server_->connections(), 1u) << "closed while the answer was being worked on";
    later_();
    EXPECT_EQ(read_until_eof(fd.get()), "ok\nreload text\n");
    EXPECT_EQ(server_->connections(), 0u);

    later_ = nullptr;
    auto gone = connect_client();
    send_all(gone.get(), "reload\n");
    while (!later_) loop_->run_once(20ms);
    gone.reset();  // the client hangs up before its answer
    const MonoTime t = loop_->now() + 200ms;
    while (server_->connections() > 0 && loop_->now() < t) loop_->run_once(20ms);
    EXPECT_EQ(server_->connections(), 0u);
    later_();  // nobody to answer: dropped
    EXPECT_EQ(server_->stats().served, 2u);

    later_ = nullptr;
    auto last = connect_client();
    send_all(last.get(), "reload\n");
    while (!later_) loop_->run_once(20ms);
    server_.reset();
    later_();  // the server is gone: dropped
}

TEST_F(CtlServer, RequestWithoutNewlineAtEof) {
    open(options());
    auto fd = connect_client();
    send_all(fd.get(), "checks");
    ::shutdown(fd.get(), SHUT_WR);
    EXPECT_EQ(read_until_eof(fd.get()), "ok\nchecks text\n");
}

TEST_F(CtlServer, SocketIsMode0600) {
    open(options());
    struct stat st {};
    ASSERT_EQ(::lstat(path_.c_str(), &st), 0);
    EXPECT_TRUE(S_ISSOCK(st.st_mode));
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    EXPECT_EQ(st.st_uid, ::geteuid());
    server_.reset();
    EXPECT_NE(::access(path_.c_str(), F_OK), 0) << "socket file left behind";
}

TEST_F(CtlServer, MalformedRequest) {
    open(options());
    EXPECT_EQ(exchange("shutdown\n"),
              "error\nunknown command 'shutdown': expected one of ipvs, vrrp, checks, sync, status, reload, dump, metrics\n");
    EXPECT_EQ(exchange("bogus --json\n").substr(0, 39), "error\n{\"ok\":false,\"status\":\"error\",\"err");
    EXPECT_EQ(server_->stats().bad_request, 2u);
    EXPECT_FALSE(last_);
}

TEST_F(CtlServer, OversizedRequestRefused) {
    open(options());
    const std::string reply = exchange(std::string(kMaxRequest + 100, 'x'));
    EXPECT_EQ(reply, "error\nrequest longer than 1024 bytes\n");
    EXPECT_EQ(server_->stats().too_long, 1u);
    EXPECT_FALSE(last_);
}

TEST_F(CtlServer, SilentClientTimedOutByTheLoop) {
    ServerOptions o = options();
    o.timeout = 50ms;
    open(o);
    auto fd = connect_client();
    send_all(fd.get(), "stat");  // never finishes its line
    const MonoTime before = loop_->now();
    EXPECT_EQ(read_until_eof(fd.get()), "error\ntimed out waiting for a complete request line\n");
    EXPECT_GE(loop_->now() - before, 40ms);
    EXPECT_EQ(server_->stats().timed_out, 1u);
    EXPECT_EQ(server_->connections(), 0u);
    // The server still serves others afterwards.
    EXPECT_EQ(exchange("status\n"), "ok\nstatus text\n");
}

TEST_F(CtlServer, OtherUidRefused) {
    ServerOptions o = options();
    o.allowed_uid = ::geteuid() + 1;
    open(o);
    const std::string reply = exchange("status\n");
    EXPECT_EQ(reply.substr(0, 24), "error\npermission denied:");
    EXPECT_EQ(server_->stats().refused_peer, 1u);
    EXPECT_FALSE(last_);
}

TEST_F(CtlServer, BusyBeyondTheLimit) {
    ServerOptions o = options();
    o.max_connections = 1;
    open(o);
    auto first = connect_client();
    loop_->run_once(20ms);  // accepted, waiting for its line
    EXPECT_EQ(server_->connections(), 1u);
    auto second = connect_client();
    EXPECT_EQ(read_until_eof(second.get()), "error\nbusy: too many control connections, try again\n");
    send_all(first.get(), "vrrp\n");
    EXPECT_EQ(read_until_eof(first.get()), "ok\nvrrp text\n");
}

TEST_F(CtlServer, StaleSocketReplacedLiveOneRefused) {
    {
        // A socket file nobody listens on any more (a crashed daemon's).
        core::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM, 0));
        sockaddr_un sa{};
        sa.sun_family = AF_UNIX;
        std::strncpy(sa.sun_path, path_.c_str(), sizeof sa.sun_path - 1);
        ASSERT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    }
    open(options());
    EXPECT_EQ(exchange("status\n"), "ok\nstatus text\n");
    // A second server on the same path finds the first one answering.
    auto again = Server::open(*loop_, options(), [](const Request&, Server::Respond respond) { respond(Reply{}); });
    ASSERT_FALSE(again.ok());
    EXPECT_NE(again.error().message.find("answers on " + path_), std::string::npos);
    EXPECT_EQ(exchange("status\n"), "ok\nstatus text\n");  // and left it alone
}

TEST_F(CtlServer, NotASocketIsLeftAlone) {
    FILE* f = std::fopen(path_.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fclose(f);
    auto s = Server::open(*loop_, options(), [](const Request&, Server::Respond respond) { respond(Reply{}); });
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("is not a socket"), std::string::npos);
    EXPECT_EQ(::access(path_.c_str(), F_OK), 0);
}

TEST_F(CtlServer, PathTooLong) {
    ServerOptions o = options();
    o.path = dir_ + "/" + std::string(120, 'x');
    auto s = Server::open(*loop_, o, [](const Request&, Server::Respond respond) { respond(Reply{}); });
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("longer than 107 bytes"), std::string::npos);
}

TEST_F(CtlServer, LargeReplyDrainsAsTheClientReads) {
    const std::string big(1 << 20, 'y');
    auto s = Server::open(*loop_, options(), [&](const Request&, Server::Respond respond) { respond(Reply{Status::Ok, big}); });
    ASSERT_TRUE(s.ok());
    server_ = std::move(s.value());
    EXPECT_EQ(exchange("dump\n"), "ok\n" + big);
}

}  // namespace
}  // namespace halbd::ctl
