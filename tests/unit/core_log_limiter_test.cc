// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/core_log_limiter_test.cc: log::Limiter on a SimLoop (first line
// of a kind written, the rest of its window counted and summarized once,
// kinds apart, a bounded table) and core::RateLimit (burst, period, next).
#include <gtest/gtest.h>

#include <chrono>

#include "core/log.hh"
#include "core/log_limiter.hh"
#include "core/rate_limit.hh"
#include "support/sim_loop.hh"

namespace halbd::core {
namespace {

using namespace std::chrono_literals;

TEST(LogLimiterTest, FloodWritesOneLinePerWindowWithACount) {
    SimLoop loop;
    log::ScopedCapture cap;
    log::Limiter lim(loop, 10s);
    for (int i = 0; i < 5000; ++i) {
        lim.info("lower", "VI_1: lower priority advert from 192.0.2.", i % 250);
        loop.advance(1ms);  // 5 s of a 1000 pps flood
    }
    ASSERT_EQ(cap.lines().size(), 1u);
    EXPECT_EQ(cap.lines()[0].text, "VI_1: lower priority advert from 192.0.2.0");
    loop.advance(5s);  // the window closes: one summary, even with no new line
    ASSERT_EQ(cap.lines().size(), 2u);
    EXPECT_EQ(cap.lines()[1].text, "VI_1: lower priority advert from 192.0.2.0 (repeated 4999 times in the last 10.00s)");
    EXPECT_EQ(lim.suppressed(), 4999u);
    // Quiet for a window: the kind is forgotten and its next line is written at once.
    loop.advance(11s);
    EXPECT_EQ(cap.lines().size(), 2u);
    lim.info("lower", "again");
    ASSERT_EQ(cap.lines().size(), 3u);
    EXPECT_EQ(cap.lines()[2].text, "again");
}

TEST(LogLimiterTest, ContinuousFloodIsOneSummaryPerWindow) {
    SimLoop loop;
    log::ScopedCapture cap;
    log::Limiter lim(loop, 10s);
    for (int i = 0; i < 30'000; ++i) {  // 30 s at 1000 per second
        lim.warning("k", "line");
        loop.advance(1ms);
    }
    // The first line, then a summary at 10 s, 20 s and 30 s.
    ASSERT_EQ(cap.lines().size(), 4u);
    EXPECT_EQ(cap.lines()[0].level, log::Level::warning);
    EXPECT_EQ(cap.lines()[1].text, "line (repeated 9999 times in the last 10.00s)");
    EXPECT_EQ(cap.lines()[2].text, "line (repeated 10000 times in the last 10.00s)");
}

TEST(LogLimiterTest, KindsAreApartAndTheTableIsBounded) {
    SimLoop loop;
    log::ScopedCapture cap;
    log::Limiter lim(loop, 10s, 4);
    lim.info("a", "A");
    lim.info("b", "B");
    lim.info("a", "A");
    EXPECT_EQ(cap.lines().size(), 2u);
    // Kinds beyond the table share "other": one line for all of them.
    for (int i = 0; i < 100; ++i) lim.info("kind " + std::to_string(i), "many ", i);
    EXPECT_EQ(cap.lines().size(), 4u);  // "kind 0" has its own entry, "kind 1" opens "other"
    EXPECT_TRUE(cap.contains("many 0"));
    EXPECT_TRUE(cap.contains("many 1"));
    EXPECT_FALSE(cap.contains("many 3"));
}

TEST(LogLimiterTest, DisabledLevelsAreNeitherWrittenNorCounted) {
    SimLoop loop;
    log::ScopedCapture cap(log::Level::info);
    log::Limiter lim(loop, 10s);
    for (int i = 0; i < 10; ++i) lim.debug("d", "detail");
    loop.advance(20s);
    EXPECT_TRUE(cap.lines().empty());
    EXPECT_EQ(lim.suppressed(), 0u);
}

TEST(RateLimitTest, BurstThenOnePerPeriod) {
    const MonoTime t0(1000s);
    RateLimit r(250ms, 4);
    int allowed = 0;
    for (int i = 0; i < 100; ++i) allowed += r.allow(t0);
    EXPECT_EQ(allowed, 4);
    EXPECT_EQ(r.next(t0), t0 + 250ms);
    EXPECT_FALSE(r.allow(t0 + 249ms));
    EXPECT_TRUE(r.allow(t0 + 250ms));
    // Over 10 s of continuous demand: the burst plus one per period.
    RateLimit s(250ms, 4);
    allowed = 0;
    for (auto t = t0; t < t0 + 10s; t += 1ms) allowed += s.allow(t);
    EXPECT_EQ(allowed, 4 + 40 - 1);
}

TEST(RateLimitTest, OncePerInterval) {
    const MonoTime t0(1000s);
    RateLimit r(1s);
    EXPECT_TRUE(r.allow(t0));
    EXPECT_FALSE(r.allow(t0 + 999ms));
    EXPECT_TRUE(r.allow(t0 + 1s));
    r.set_period(100ms);
    EXPECT_TRUE(r.allow(t0 + 2s));
    EXPECT_FALSE(r.allow(t0 + 2s + 50ms));
}

}  // namespace
}  // namespace halbd::core
