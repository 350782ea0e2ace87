// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// Unit tests of src/announce: BIRD's reply reader (pure), the announce
// subsystem's decisions over a recording Announcer (SimLoop), and the BIRD
// client against a real unix socket standing in for BIRD's control socket.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <thread>

#include "announce/bird_announcer.hh"
#include "announce/bird_reply.hh"
#include "announce/subsystem.hh"
#include "config_test_util.hh"
#include "support/sim_loop.hh"

namespace halbd::announce {
namespace {

using core::fd_events::readable;

TEST(BirdReplyReaderTest, GreetingActionAndTableReplies) {
    BirdReplyReader r;
    r.feed("0001 BIRD 2.0.12 ready.\n0011-vip1: enabled\n0000 \n2002-Name  Proto\n1002-vip1  Static  up\n");
    auto g = r.next();
    ASSERT_TRUE(g);
    EXPECT_EQ(g->final_code(), 1);
    EXPECT_EQ(g->summary(), "BIRD 2.0.12 ready.");
    auto e = r.next();
    ASSERT_TRUE(e);
    EXPECT_FALSE(e->failed());
    EXPECT_EQ(e->summary(), "vip1: enabled");
    EXPECT_EQ(e->final_code(), 0);
    EXPECT_FALSE(r.next());  // the table reply has no final line yet
    r.feed("0000 \n");
    auto t = r.next();
    ASSERT_TRUE(t);
    EXPECT_EQ(t->lines.size(), 3u);
}

TEST(BirdReplyReaderTest, ContinuationLinesAndSplitReads) {
    BirdReplyReader r;
    for (char c : std::string("1011-Router ID is 192.0.2.1\n     Hostname is lb1\n0013 Daemon is up and running\n"))
        r.feed(std::string_view(&c, 1));
    auto s = r.next();
    ASSERT_TRUE(s);
    ASSERT_EQ(s->lines.size(), 3u);
    EXPECT_EQ(s->lines[1].code, 1011);
    EXPECT_EQ(s->lines[1].text, "    Hostname is lb1");
    EXPECT_EQ(s->final_code(), 13);
}

TEST(BirdReplyReaderTest, ErrorsAreFailedReplies) {
    BirdReplyReader r;
    r.feed("9001 syntax error, unexpected CF_SYM_UNDEFINED\n8003 No protocols match\n");
    auto a = r.next();
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->failed());
    EXPECT_EQ(a->summary(), "syntax error, unexpected CF_SYM_UNDEFINED");
    auto b = r.next();
    ASSERT_TRUE(b);
    EXPECT_TRUE(b->failed());
}

TEST(BirdReplyReaderTest, GarbageAndOverlongLinesBreakTheStream) {
    BirdReplyReader a;
    a.feed("HTTP/1.1 200 OK\n");
    EXPECT_TRUE(a.broken());
    BirdReplyReader b;
    b.feed(" continuation first\n");
    EXPECT_TRUE(b.broken());
    BirdReplyReader c(16);
    c.feed("0001 " + std::string(40, 'x'));
    EXPECT_TRUE(c.broken());
    EXPECT_FALSE(c.next());
}

// ---- the subsystem over a recording announcer ----

struct Recorder : Announcer {
    std::vector<std::map<std::string, bool>> wants;
    int withdrawn = 0;
    void want(const std::map<std::string, bool>& e) override { wants.push_back(e); }
    void withdraw_now(Duration) override { ++withdrawn; }
    AnnouncerStatus status() const override { return {}; }
};

const char* kConf = R"(
virtual_server 192.0.2.10 80 {
    protocol TCP
    real_server 198.51.100.1 80 { }
}
virtual_server 192.0.2.10 443 {
    protocol TCP
    real_server 198.51.100.1 443 { }
}
virtual_server 192.0.2.20 80 {
    protocol TCP
    real_server 198.51.100.2 80 { }
}
route_announce {
    bird_socket /run/test/bird.ctl
    announce 192.0.2.10 vip10 vip10b
    announce 192.0.2.20 vip20
}
)";

struct AnnounceSubsystemTest : ::testing::Test {
    core::SimLoop loop;
    Recorder* rec = nullptr;
    std::map<uint16_t, std::string> down;  // port -> why (192.0.2.10 only)
    config::test_util::LoadedConfig cfg{kConf};
    AnnounceSubsystem sub{loop,
                          [this](const config::RouteAnnounce&) {
                              auto r = std::make_unique<Recorder>();
                              rec = r.get();
                              return r;
                          },
                          [this](const config::VirtualServer& vs) -> std::optional<std::string> {
                              if (vs.address.to_string() != "192.0.2.10") return std::nullopt;
                              auto it = down.find(vs.port);
                              if (it == down.end()) return std::nullopt;
                              return it->second;
                          }};
};

TEST_F(AnnounceSubsystemTest, AnnouncesWhatServesAndWithdrawsWhenAnyServiceOfTheAddressFails) {
    ASSERT_TRUE(cfg.r.model) << cfg.all();
    sub.apply(nullptr, *cfg.r.model);
    ASSERT_TRUE(rec);
    EXPECT_EQ(rec->wants.back(), (std::map<std::string, bool>{{"vip10", true}, {"vip10b", true}, {"vip20", true}}));
    down[443] = "virtual server 192.0.2.10 port 443 has no quorum";
    loop.advance(std::chrono::seconds(5));
    sub.refresh("real server down");
    EXPECT_EQ(rec->wants.back(), (std::map<std::string, bool>{{"vip10", false}, {"vip10b", false}, {"vip20", true}}));
    ASSERT_EQ(sub.routes().size(), 2u);
    EXPECT_FALSE(sub.routes()[0].announced);
    EXPECT_EQ(sub.routes()[0].why_not, "virtual server 192.0.2.10 port 443 has no quorum");
    EXPECT_EQ(sub.routes()[0].since, loop.now());
    EXPECT_EQ(sub.routes()[1].since, loop.now() - std::chrono::seconds(5));  // unchanged: since the start
    down.clear();
    sub.refresh("real server up");
    EXPECT_TRUE(rec->wants.back().at("vip10"));
}

TEST_F(AnnounceSubsystemTest, DrainWithdrawsEverythingUntilUndrain) {
    sub.apply(nullptr, *cfg.r.model);
    sub.set_drained(true);
    EXPECT_EQ(rec->wants.back(), (std::map<std::string, bool>{{"vip10", false}, {"vip10b", false}, {"vip20", false}}));
    EXPECT_EQ(sub.routes()[1].why_not, "drained (halbctl drain)");
    sub.refresh("real server up");  // still drained
    EXPECT_FALSE(rec->wants.back().at("vip20"));
    sub.set_drained(false);
    EXPECT_TRUE(rec->wants.back().at("vip20"));
}

TEST_F(AnnounceSubsystemTest, StopWithdrawsAndAReloadDropsRemovedProtocols) {
    sub.apply(nullptr, *cfg.r.model);
    std::string text = kConf;
    text.replace(text.find("    announce 192.0.2.20 vip20\n"), 29, "");
    config::test_util::LoadedConfig second(text);
    ASSERT_TRUE(second.r.model) << second.all();
    sub.apply(cfg.r.model.get(), *second.r.model);
    EXPECT_EQ(rec->wants.back(), (std::map<std::string, bool>{{"vip10", true}, {"vip10b", true}}));
    EXPECT_EQ(rec->withdrawn, 0);
    sub.stop({});
    EXPECT_EQ(rec->withdrawn, 1);
    sub.refresh("late event");  // nothing is announced again after stop
    EXPECT_EQ(rec->wants.size(), 2u);
}

// TERM: the withdrawal at once, then withdraw_grace on the loop (timers keep
// firing meanwhile: nothing sleeps), then done; nothing announced: done at once.
TEST_F(AnnounceSubsystemTest, DrainBeforeStopWithdrawsThenWaitsTheGraceOnTheLoop) {
    sub.apply(nullptr, *cfg.r.model);
    int done = 0;
    sub.drain_before_stop({}, [&] { ++done; });
    EXPECT_EQ(rec->withdrawn, 1);
    EXPECT_EQ(done, 0);
    EXPECT_FALSE(sub.routes()[0].announced);
    sub.refresh("late event");  // nothing is announced again while draining
    EXPECT_EQ(rec->wants.size(), 1u);
    loop.advance(std::chrono::milliseconds(999));
    EXPECT_EQ(done, 0);
    loop.advance(std::chrono::milliseconds(1));
    EXPECT_EQ(done, 1);
    sub.stop({});
    EXPECT_EQ(rec->withdrawn, 1);  // not twice
    loop.advance(std::chrono::seconds(5));
    EXPECT_EQ(done, 1);
}

TEST_F(AnnounceSubsystemTest, DrainBeforeStopIsImmediateWhenNothingWasAnnounced) {
    sub.apply(nullptr, *cfg.r.model);
    sub.set_drained(true);
    int done = 0;
    sub.drain_before_stop({}, [&] { ++done; });
    EXPECT_EQ(done, 1);
    EXPECT_EQ(rec->withdrawn, 1);
}

// ---- the BIRD client against a socket standing in for BIRD ----

struct FakeBird {
    std::string path;
    int listener = -1;
    FakeBird() {
        path = (std::filesystem::temp_directory_path() / ("halbd-bird-" + std::to_string(::getpid()) + ".ctl")).string();
        ::unlink(path.c_str());
        listener = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un sa{};
        sa.sun_family = AF_UNIX;
        std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
        EXPECT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
        EXPECT_EQ(::listen(listener, 4), 0);
    }
    ~FakeBird() {
        ::close(listener);
        ::unlink(path.c_str());
    }
    int accept_one() { return ::accept(listener, nullptr, nullptr); }
    static void say(int fd, const std::string& s) { ASSERT_EQ(::write(fd, s.data(), s.size()), ssize_t(s.size())); }
    static std::string hear(int fd) {
        char buf[256];
        const ssize_t n = ::read(fd, buf, sizeof buf);
        return n > 0 ? std::string(buf, size_t(n)) : std::string();
    }
};

TEST(BirdAnnouncerTest, EnablesAfterTheGreetingAndAgainAfterBirdRestarts) {
    FakeBird bird;
    core::SimLoop loop;
    BirdAnnouncer a(loop, bird.path);
    a.want({{"vip1", true}});
    int c = bird.accept_one();
    ASSERT_GE(c, 0);
    int client_fd = -1;
    for (int fd = 3; fd < 1024 && client_fd < 0; ++fd)
        if (loop.fire_fd(fd, core::fd_events::writable)) client_fd = fd;  // connected
    ASSERT_GE(client_fd, 0);
    FakeBird::say(c, "0001 BIRD 2.0.12 ready.\n");
    loop.fire_fd(client_fd, readable);
    EXPECT_EQ(FakeBird::hear(c), "enable vip1\n");
    FakeBird::say(c, "0011-vip1: enabled\n0000 \n");
    loop.fire_fd(client_fd, readable);
    EXPECT_EQ(a.status().protocols.at("vip1").enabled, std::optional<bool>(true));
    EXPECT_TRUE(a.status().connected);
    // BIRD goes away: the state is unknown again, and it is set once BIRD is back.
    ::close(c);
    loop.fire_fd(client_fd, readable);
    EXPECT_FALSE(a.status().connected);
    EXPECT_FALSE(a.status().protocols.at("vip1").enabled);
    loop.advance(std::chrono::seconds(1));  // the retry
    c = bird.accept_one();
    ASSERT_GE(c, 0);
    ASSERT_TRUE(loop.fire_fd(client_fd, core::fd_events::writable));  // same fd number reused
    FakeBird::say(c, "0001 BIRD 2.0.12 ready.\n");
    loop.fire_fd(client_fd, readable);
    EXPECT_EQ(FakeBird::hear(c), "enable vip1\n");
    // A refusal is kept and not retried until the next decision.
    FakeBird::say(c, "9001 syntax error, unexpected CF_SYM_UNDEFINED\n");
    loop.fire_fd(client_fd, readable);
    EXPECT_EQ(a.status().refusals, 1u);
    EXPECT_EQ(a.status().protocols.at("vip1").refused, "syntax error, unexpected CF_SYM_UNDEFINED");
    a.want({{"vip1", false}});
    EXPECT_EQ(FakeBird::hear(c), "disable vip1\n");
    ::close(c);
}

TEST(BirdAnnouncerTest, WithdrawNowDisablesEveryProtocolBeforeReturning) {
    FakeBird bird;
    core::SimLoop loop;
    BirdAnnouncer a(loop, bird.path);
    a.want({{"vip1", true}, {"vip2", true}});
    int first = bird.accept_one();  // the loop's connection, never answered
    std::string heard;
    std::thread t([&] {
        int c = bird.accept_one();
        FakeBird::say(c, "0001 BIRD 2.0.12 ready.\n");
        for (int i = 0; i < 2; ++i) {
            std::string cmd = FakeBird::hear(c);
            heard += cmd;
            FakeBird::say(c, "0009-" + cmd.substr(8, cmd.size() - 9) + ": disabled\n0000 \n");
        }
        ::close(c);
    });
    a.withdraw_now(std::chrono::seconds(5));
    t.join();
    ::close(first);
    EXPECT_EQ(heard, "disable vip1\ndisable vip2\n");
    EXPECT_EQ(a.status().protocols.at("vip1").enabled, std::optional<bool>(false));
    EXPECT_EQ(a.status().protocols.at("vip2").enabled, std::optional<bool>(false));
}

TEST(BirdAnnouncerTest, WithdrawNowIsBoundedWhenBirdIsAbsent) {
    core::SimLoop loop;
    BirdAnnouncer a(loop, "/nonexistent/bird.ctl");
    a.want({{"vip1", true}});
    const auto t0 = std::chrono::steady_clock::now();
    a.withdraw_now(std::chrono::milliseconds(200));
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
    EXPECT_NE(a.status().protocols.at("vip1").enabled, std::optional<bool>(false));
}

}  // namespace
}  // namespace halbd::announce
