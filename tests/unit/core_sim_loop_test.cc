// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/core_sim_loop_test.cc: SimLoop, the simulated clock every
// subsystem test relies on: deadline order with now() at each deadline,
// arming order at one instant, handles destroyed from callbacks, and the
// fd/signal/child events a test fires by hand. Also KillAfter's timeline.
#include <signal.h>
#include <sys/wait.h>

#include <vector>

#include <gtest/gtest.h>

#include "core/spawn.hh"
#include "support/sim_loop.hh"

namespace halbd::core {
namespace {

using namespace std::chrono_literals;

TEST(SimLoopTest, AdvanceFiresInDeadlineOrderAtEachDeadline) {
    SimLoop loop;
    const MonoTime t0 = loop.now();
    std::vector<std::pair<int, MonoTime>> seen;
    auto a = loop.create_timer([&] { seen.push_back({1, loop.now()}); });
    auto b = loop.create_timer([&] { seen.push_back({2, loop.now()}); });
    auto c = loop.create_timer([&] { seen.push_back({3, loop.now()}); });
    c->arm(3s);
    a->arm(1s);
    b->arm(2s);
    EXPECT_EQ(loop.armed_timers(), 3u);
    EXPECT_EQ(loop.next_deadline(), t0 + 1s);
    EXPECT_EQ(loop.advance(2500ms), 2u);
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0], std::make_pair(1, t0 + 1s));
    EXPECT_EQ(seen[1], std::make_pair(2, t0 + 2s));
    EXPECT_EQ(loop.now(), t0 + 2500ms);
    EXPECT_EQ(loop.advance(500ms), 1u);  // exactly at the deadline: due
    EXPECT_EQ(seen[2], std::make_pair(3, t0 + 3s));
}

TEST(SimLoopTest, SameInstantFiresInArmingOrder) {
    SimLoop loop;
    std::vector<int> order;
    std::vector<TimerPtr> t;
    for (int i = 0; i < 4; ++i) t.push_back(loop.create_timer([&order, i] { order.push_back(i); }));
    t[2]->arm(1s);
    t[0]->arm(1s);
    t[3]->arm(1s);
    t[1]->arm(1s);
    loop.advance(1s);
    EXPECT_EQ(order, (std::vector<int>{2, 0, 3, 1}));
}

TEST(SimLoopTest, TimersArmedByCallbacksFireWithinTheAdvance) {
    SimLoop loop;
    const MonoTime t0 = loop.now();
    std::vector<MonoTime> ticks;
    TimerPtr periodic;
    periodic = loop.create_timer([&] {
        ticks.push_back(loop.now());
        periodic->arm(1s);
    });
    periodic->arm(1s);
    EXPECT_EQ(loop.advance(3500ms), 3u);
    EXPECT_EQ(ticks, (std::vector<MonoTime>{t0 + 1s, t0 + 2s, t0 + 3s}));
    EXPECT_EQ(periodic->deadline(), t0 + 4s);
}

TEST(SimLoopTest, CancelRearmDestroy) {
    SimLoop loop;
    int a = 0, b = 0, c = 0;
    auto ta = loop.create_timer([&] { ++a; });
    auto tb = loop.create_timer([&] { ++b; });
    TimerPtr tc;
    tc = loop.create_timer([&] {
        ++c;
        tc.reset();  // itself
        tb.reset();  // another due at the same instant
    });
    ta->arm(1s);
    ta->cancel();
    EXPECT_FALSE(ta->armed());
    tc->arm(2s);
    tb->arm(2s);
    loop.advance(5s);
    EXPECT_EQ(a, 0);
    EXPECT_EQ(b, 0);
    EXPECT_EQ(c, 1);
    EXPECT_EQ(tc, nullptr);
    ta->arm(10s);
    ta->arm(1s);  // re-arm earlier
    loop.advance(1s);
    EXPECT_EQ(a, 1);
}

TEST(SimLoopTest, PastDeadlineFiresOnNextAdvanceWithoutMovingClockBack) {
    SimLoop loop;
    const MonoTime t0 = loop.now();
    MonoTime seen{};
    auto t = loop.create_timer([&] { seen = loop.now(); });
    t->arm_at(t0 - 5s);
    EXPECT_EQ(loop.advance(0s), 1u);
    EXPECT_EQ(seen, t0);
}

TEST(SimLoopTest, RunOnceJumpsToNextDeadline) {
    SimLoop loop;
    const MonoTime t0 = loop.now();
    int fired = 0;
    auto t = loop.create_timer([&] { ++fired; });
    t->arm(10s);
    EXPECT_EQ(loop.run_once(1s), 0u);  // not within the timeout: clock moves by it
    EXPECT_EQ(loop.now(), t0 + 1s);
    EXPECT_EQ(loop.run_once(1h), 1u);
    EXPECT_EQ(loop.now(), t0 + 10s);
    EXPECT_EQ(fired, 1);
}

TEST(SimLoopTest, RunUntilStopOrIdle) {
    SimLoop loop;
    const MonoTime t0 = loop.now();
    int n = 0;
    TimerPtr t;
    t = loop.create_timer([&] {
        if (++n == 5) loop.stop();
        t->arm(1s);
    });
    t->arm(1s);
    loop.run();
    EXPECT_EQ(n, 5);
    EXPECT_EQ(loop.now(), t0 + 5s);
    t->cancel();
    loop.run();  // nothing armed: returns at once
    EXPECT_EQ(loop.now(), t0 + 5s);
}

TEST(SimLoopTest, FdWatchesAreRecordedAndFired) {
    SimLoop loop;
    std::vector<uint32_t> got;
    auto w = loop.watch_fd(42, fd_events::readable, [&](uint32_t ev) { got.push_back(ev); });
    ASSERT_NE(w, nullptr);
    EXPECT_TRUE(loop.watching_fd(42));
    EXPECT_EQ(loop.fd_events(42), fd_events::readable);
    EXPECT_EQ(loop.watch_fd(42, fd_events::readable, [](uint32_t) {}), nullptr);

    EXPECT_FALSE(loop.fire_fd(42, fd_events::writable));  // not asked for
    EXPECT_TRUE(loop.fire_fd(42, fd_events::readable | fd_events::writable));
    EXPECT_TRUE(loop.fire_fd(42, fd_events::hangup));  // always reported
    EXPECT_EQ(got, (std::vector<uint32_t>{fd_events::readable, fd_events::hangup}));

    w->set_events(fd_events::writable);
    EXPECT_EQ(loop.fd_events(42), fd_events::writable);
    EXPECT_TRUE(loop.fire_fd(42, fd_events::writable));
    w.reset();
    EXPECT_FALSE(loop.watching_fd(42));
    EXPECT_FALSE(loop.fire_fd(42, fd_events::writable));
    EXPECT_FALSE(loop.fire_fd(7, fd_events::readable));
}

TEST(SimLoopTest, FdCallbackMayDestroyItsWatch) {
    SimLoop loop;
    FdWatchPtr w;
    int calls = 0;
    w = loop.watch_fd(5, fd_events::readable, [&](uint32_t) {
        ++calls;
        w.reset();
    });
    EXPECT_TRUE(loop.fire_fd(5, fd_events::readable));
    EXPECT_FALSE(loop.fire_fd(5, fd_events::readable));
    EXPECT_EQ(calls, 1);
}

TEST(SimLoopTest, SignalsReachEveryWatch) {
    SimLoop loop;
    int hup = 0, hup2 = 0, term = 0;
    SignalWatchPtr s2;
    auto s1 = loop.watch_signal(SIGHUP, [&](int s) {
        EXPECT_EQ(s, SIGHUP);
        ++hup;
        s2.reset();  // a watch not yet called in this delivery
    });
    s2 = loop.watch_signal(SIGHUP, [&](int) { ++hup2; });
    auto s3 = loop.watch_signal(SIGTERM, [&](int) { ++term; });
    EXPECT_TRUE(loop.watching_signal(SIGHUP));
    EXPECT_EQ(loop.fire_signal(SIGHUP), 1u);
    EXPECT_EQ(hup, 1);
    EXPECT_EQ(hup2, 0);
    EXPECT_EQ(term, 0);
    EXPECT_EQ(loop.fire_signal(SIGTERM), 1u);
    EXPECT_EQ(term, 1);
    EXPECT_EQ(loop.fire_signal(SIGUSR1), 0u);
}

TEST(SimLoopTest, ChildReportedOnce) {
    SimLoop loop;
    std::vector<int> statuses;
    auto w = loop.watch_child(1234, -1, [&](int st) { statuses.push_back(st); });
    EXPECT_TRUE(loop.watching_child(1234));
    EXPECT_FALSE(w->exited());
    EXPECT_TRUE(loop.fire_child(1234, 3 << 8));
    EXPECT_FALSE(loop.fire_child(1234, 0));
    ASSERT_EQ(statuses.size(), 1u);
    EXPECT_EQ(WEXITSTATUS(statuses[0]), 3);
    EXPECT_TRUE(w->exited());
    EXPECT_FALSE(loop.watching_child(1234));
}

// KillAfter on the simulated clock, with a fake child (no pidfd: nothing real
// is signalled).
TEST(SimLoopTest, KillAfterReportsTimeoutOnce) {
    SimLoop loop;
    std::vector<ExitStatus> reports;
    auto k = std::make_unique<KillAfter>(loop, Spawned{4242, UniqueFd()}, 5s,
                                         [&](const ExitStatus& st) { reports.push_back(st); }, 1s);
    EXPECT_TRUE(k->running());
    loop.advance(4s);
    EXPECT_TRUE(reports.empty());
    loop.advance(2s);  // timeout (SIGTERM) and grace (SIGKILL) passed
    EXPECT_TRUE(reports.empty());
    ASSERT_TRUE(loop.fire_child(4242, SIGKILL));
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_TRUE(reports[0].timed_out);
    EXPECT_TRUE(reports[0].signaled());
    EXPECT_FALSE(reports[0].success());
    EXPECT_FALSE(k->running());
    EXPECT_EQ(loop.armed_timers(), 0u);
}

TEST(SimLoopTest, KillAfterCompletionMayDestroyIt) {
    SimLoop loop;
    std::unique_ptr<KillAfter> k;
    int calls = 0;
    k = std::make_unique<KillAfter>(loop, Spawned{77, UniqueFd()}, 5s, [&](const ExitStatus& st) {
        ++calls;
        EXPECT_TRUE(st.success());
        k.reset();
    });
    ASSERT_TRUE(loop.fire_child(77, 0));
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(k, nullptr);
    EXPECT_TRUE(loop.background_children().empty());
}

TEST(SimLoopTest, KillAfterDestroyedEarlyHandsChildToReaper) {
    SimLoop loop;
    int calls = 0;
    auto k = std::make_unique<KillAfter>(loop, Spawned{99, UniqueFd()}, 5s,
                                         [&](const ExitStatus&) { ++calls; });
    k.reset();
    EXPECT_EQ(loop.background_children(), (std::vector<pid_t>{99}));
    EXPECT_FALSE(loop.watching_child(99));
    EXPECT_EQ(loop.armed_timers(), 0u);
    loop.advance(10s);
    EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace halbd::core
