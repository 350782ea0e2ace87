// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/check_scheduled_test.cc: ScheduledCheck on SimLoop with a fake
// checker: keepalived's warmup, delay_loop, retry, delay_before_retry and
// alpha, asserted at exact simulated instants.
#include <gtest/gtest.h>

#include <set>

#include "check/scheduled_check.hh"
#include "check_test_util.hh"
#include "core/log.hh"

namespace halbd::check {
namespace {

using namespace test_util;

const std::string kT = "10.0.0.2:80";

struct Seen {
    Duration at;
    bool up;
    uint32_t retries;
    FailReason reason;
    friend bool operator==(const Seen&, const Seen&) = default;
};

struct CheckScheduledTest : ::testing::Test {
    core::SimLoop loop;
    FakeWorld world{loop};
    MonoTime t0 = loop.now();
    std::vector<Seen> seen;
    std::vector<Duration> jitter_max;
    Duration jitter_value{};
    log::ScopedCapture cap{log::Level::debug};

    std::unique_ptr<ScheduledCheck> make(Schedule s) {
        auto c = std::make_unique<ScheduledCheck>(
            loop, std::make_unique<FakeChecker>(world, kT), s, [this](const ScheduledCheck::Transition& t) {
                seen.push_back(Seen{loop.now() - t0, t.up, t.retries, t.result->reason});
            });
        c->start([this](Duration max) {
            jitter_max.push_back(max);
            return jitter_value;
        });
        return c;
    }
    static Schedule sched(Duration loop, uint32_t retry, Duration dbr, Duration warmup = {}, bool alpha = false) {
        Schedule s;
        s.delay_loop = loop;
        s.retry = retry;
        s.delay_before_retry = dbr;
        s.warmup = warmup;
        s.alpha = alpha;
        return s;
    }
    std::vector<Duration> attempts() const { return world.offsets(kT, t0); }
};

TEST_F(CheckScheduledTest, FirstAttemptAfterTheWarmupJitter) {
    jitter_value = 7s;
    auto c = make(sched(10s, 1, 1s, 20s));
    ASSERT_EQ(jitter_max, std::vector<Duration>{20s});  // jitter drawn in [0, warmup]
    EXPECT_EQ(c->next_attempt(), t0 + 7s);
    loop.advance(6999ms);
    EXPECT_TRUE(attempts().empty());
    loop.advance(1ms);
    EXPECT_EQ(attempts(), std::vector<Duration>{7s});
}

TEST_F(CheckScheduledTest, NoWarmupMeansAnImmediateFirstAttempt) {
    jitter_value = 7s;  // must not be used
    auto c = make(sched(10s, 1, 1s, 0s));
    EXPECT_TRUE(jitter_max.empty());
    loop.advance(0s);
    EXPECT_EQ(attempts(), std::vector<Duration>{0s});
}

TEST_F(CheckScheduledTest, SuccessRepeatsEveryDelayLoopAfterTheAttemptEnds) {
    world.set(kT, ok(2s));  // each attempt takes 2 s
    auto c = make(sched(10s, 1, 1s));
    loop.advance(37s);
    // 0 (ends 2) -> 12 (ends 14) -> 24 (ends 26) -> 36
    EXPECT_EQ(attempts(), (std::vector<Duration>{0s, 12s, 24s, 36s}));
    EXPECT_TRUE(c->up());
    EXPECT_TRUE(seen.empty());  // up from the start: no transition
    EXPECT_EQ(c->next_attempt(), std::nullopt);  // attempt at 36 still running
    loop.advance(1s);
    EXPECT_EQ(c->next_attempt(), t0 + 48s);
}

TEST_F(CheckScheduledTest, FailingCheckIsRetriedThenDeclaredDown) {
    world.set(kT, refused());
    auto c = make(sched(10s, 3, 2s));
    loop.advance(5s);
    // attempt at 0, retries 1/3, 2/3 at 2 s and 4 s: still up
    EXPECT_EQ(attempts(), (std::vector<Duration>{0s, 2s, 4s}));
    EXPECT_TRUE(c->up());
    EXPECT_EQ(c->retries(), 3u);  // retry 3/3 is armed at 6 s
    loop.advance(1s);
    EXPECT_FALSE(c->up());
    EXPECT_EQ(seen, (std::vector<Seen>{{6s, false, 3, FailReason::Refused}}));
    // Down: no more retries, one attempt per delay_loop.
    loop.advance(30s);
    EXPECT_EQ(attempts(), (std::vector<Duration>{0s, 2s, 4s, 6s, 16s, 26s, 36s}));
    EXPECT_EQ(seen.size(), 1u);
    EXPECT_EQ(c->failures(FailReason::Refused), 7u);
    EXPECT_EQ(c->attempts(), 7u);
    EXPECT_TRUE(cap.contains("TCP connect to 10.0.0.2:80 refused; retry 1/3 in 2s"));
}

TEST_F(CheckScheduledTest, RetryZeroFailsAtTheFirstFailure) {
    world.set(kT, timeout(3s));
    auto c = make(sched(10s, 0, 1s));
    loop.advance(3s);
    EXPECT_EQ(seen, (std::vector<Seen>{{3s, false, 0, FailReason::Timeout}}));
    loop.advance(10s);
    EXPECT_EQ(attempts(), (std::vector<Duration>{0s, 13s}));
}

TEST_F(CheckScheduledTest, SuccessDuringRetriesCancelsTheStreak) {
    world.set(kT, refused());
    auto c = make(sched(10s, 2, 1s));
    loop.advance(1s);  // failed at 0 and at 1 (retry 1/2)
    EXPECT_EQ(c->retries(), 2u);
    world.set(kT, ok());
    loop.advance(1s);  // retry 2/2 at 2 succeeds
    EXPECT_TRUE(c->up());
    EXPECT_EQ(c->retries(), 0u);
    world.set(kT, refused());
    loop.advance(10s);  // next regular attempt at 12 fails: a fresh streak, retry 1/2 at 13
    EXPECT_TRUE(c->up());
    EXPECT_EQ(c->retries(), 1u);
    loop.advance(2s);  // 13 and 14 fail: down at 14
    EXPECT_EQ(attempts(), (std::vector<Duration>{0s, 1s, 2s, 12s, 13s, 14s}));
    EXPECT_EQ(seen, (std::vector<Seen>{{14s, false, 2, FailReason::Refused}}));
}

TEST_F(CheckScheduledTest, RecoveryIsImmediate) {
    world.set(kT, refused());
    auto c = make(sched(10s, 1, 1s));
    loop.advance(1s);
    ASSERT_FALSE(c->up());
    world.set(kT, ok(500ms));
    loop.advance(11s);  // attempt at 11 succeeds at 11.5
    EXPECT_TRUE(c->up());
    EXPECT_EQ(seen, (std::vector<Seen>{{1s, false, 1, FailReason::Refused}, {11500ms, true, 0, FailReason::Error}}));
    // Next attempt delay_loop after the success.
    EXPECT_EQ(c->next_attempt(), t0 + 21500ms);
}

TEST_F(CheckScheduledTest, AlphaStartsDownAndComesUpAtTheFirstSuccess) {
    auto c = make(sched(10s, 3, 1s, 0s, true));
    EXPECT_FALSE(c->up());
    loop.advance(0s);
    EXPECT_TRUE(c->up());
    EXPECT_EQ(seen, (std::vector<Seen>{{0s, true, 0, FailReason::Error}}));
}

TEST_F(CheckScheduledTest, AlphaFailureIsNotRetried) {
    world.set(kT, refused());
    auto c = make(sched(10s, 3, 1s, 0s, true));
    loop.advance(25s);
    EXPECT_FALSE(c->up());
    EXPECT_TRUE(seen.empty());  // was never up: nothing changed
    EXPECT_EQ(attempts(), (std::vector<Duration>{0s, 10s, 20s}));
    // The first failure says why the server stays out; later ones are detail.
    EXPECT_TRUE(cap.contains("TCP connect to 10.0.0.2:80 refused; still down"));
}

// keepalived 2.2.7 (layer4.c connect_error, "socket bind failed.
// Rescheduling."): an attempt that could not be made (bindto not local)
// keeps the state, is not retried and comes again after delay_loop. The
// same outcome as a verdict (the variant below) takes the server out.
TEST_F(CheckScheduledTest, NoProbeMadeKeepsTheStateAndWaitsDelayLoop) {
    world.set(kT, Outcome{CheckResult::not_attempted("not attempted: bind to 192.0.2.1:0: Cannot assign requested address"), {}});
    auto c = make(sched(10s, 1, 1s));
    loop.advance(35s);
    EXPECT_TRUE(c->up());
    EXPECT_TRUE(seen.empty());
    EXPECT_EQ(c->retries(), 0u);
    EXPECT_EQ(attempts(), (std::vector<Duration>{0s, 10s, 20s, 30s}));
    EXPECT_EQ(c->failures(FailReason::LocalSetup), 4u);
    // One warning per cause, not one per attempt.
    size_t all = 0, warnings = 0;
    for (const auto& l : cap.lines()) {
        if (l.text.find("bind to 192.0.2.1:0: Cannot assign requested address; state kept (up), next attempt in 10s") ==
            std::string::npos)
            continue;
        ++all;
        if (l.level == log::Level::warning) ++warnings;
    }
    EXPECT_EQ(all, 4u);
    EXPECT_EQ(warnings, 1u);

    CheckResult verdict = CheckResult::not_attempted("not attempted: bind");
    verdict.verdict = true;  // UDP_CHECK's reading of the same failure
    world.set(kT, Outcome{verdict, {}});
    loop.advance(11s);  // 40 fails, retry at 41 fails: down
    EXPECT_FALSE(c->up());
    EXPECT_EQ(seen, (std::vector<Seen>{{41s, false, 1, FailReason::LocalSetup}}));
}

TEST_F(CheckScheduledTest, DestroyingCancelsTheAttemptInFlight) {
    world.set(kT, ok(5s));
    auto c = make(sched(10s, 1, 1s));
    loop.advance(1s);
    ASSERT_EQ(world.alive, 1);
    c.reset();
    EXPECT_EQ(world.alive, 0);
    EXPECT_EQ(loop.armed_timers(), 0u);
    loop.advance(60s);
    EXPECT_TRUE(seen.empty());
}

TEST_F(CheckScheduledTest, ScheduleFromConfigReadsEffectiveValues) {
    config::Checker k;
    k.delay_loop = 7s;
    k.delay_before_retry = 2s;
    k.warmup = 3s;
    k.retry = 4;
    k.alpha = true;
    k.log_all_failures = true;
    const Schedule s = Schedule::from_config(k);
    EXPECT_EQ(s.delay_loop, 7s);
    EXPECT_EQ(s.delay_before_retry, 2s);
    EXPECT_EQ(s.warmup, 3s);
    EXPECT_EQ(s.retry, 4u);
    EXPECT_TRUE(s.alpha);
    EXPECT_TRUE(s.log_all_failures);
}

TEST(CheckRandomJitter, StaysWithinZeroAndWarmupAndVaries) {
    const Jitter j = random_jitter();
    std::set<Duration::rep> values;
    for (int i = 0; i < 2000; ++i) {
        const Duration d = j(10s);
        ASSERT_GE(d, 0s);
        ASSERT_LE(d, 10s);
        values.insert(d.count());
    }
    EXPECT_GT(values.size(), 1900u);  // nanosecond resolution: almost all distinct
    EXPECT_EQ(j(0s), 0s);
    for (int i = 0; i < 100; ++i) {
        const Duration d = j(1ns);
        ASSERT_TRUE(d == 0ns || d == 1ns) << d.count();
    }
}

TEST(CheckHumanDuration, WritesTimeoutsAsPeopleDo) {
    EXPECT_EQ(human_duration(3s), "3s");
    EXPECT_EQ(human_duration(1500ms), "1.5s");
    EXPECT_EQ(human_duration(250ms), "250ms");
    EXPECT_EQ(human_duration(12345ms), "12.345s");
}

}  // namespace
}  // namespace halbd::check
