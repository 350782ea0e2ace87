// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/core_lateness_histogram_test.cc: LatenessHistogram's buckets
// and percentiles (health-check attempt and VRRP advert lateness).
#include <gtest/gtest.h>

#include "core/lateness_histogram.hh"

namespace halbd::core {
namespace {

using namespace std::chrono_literals;

// The lateness histogram: exact below 32 us, then within 1/16.
TEST(LatenessHistogramTest, BucketsAndPercentiles) {
    for (uint64_t us : {0ull, 1ull, 31ull, 32ull, 33ull, 100ull, 1000ull, 123456ull, 9999999ull}) {
        const size_t b = LatenessHistogram::bucket_of(us);
        EXPECT_LT(us, LatenessHistogram::upper_of(b)) << us;
        if (b > 0) {
            EXPECT_GE(us, LatenessHistogram::upper_of(b - 1)) << us;
        }
    }
    LatenessHistogram s;
    EXPECT_EQ(s.percentile(0.99), Duration::zero());
    for (int i = 0; i < 98; ++i) s.record(std::chrono::microseconds(10));
    s.record(std::chrono::milliseconds(5));
    s.record(std::chrono::milliseconds(40));
    EXPECT_EQ(s.count(), 100u);
    EXPECT_EQ(s.max(), Duration(40ms));
    EXPECT_EQ(s.percentile(0.5), Duration(11us));
    const Duration p99 = s.percentile(0.99);
    EXPECT_GE(p99, Duration(5ms));
    EXPECT_LE(p99, Duration(5ms) + Duration(5ms) / 16);
    s.record(-1ms);  // early (never, but harmless): counts as 0
    EXPECT_EQ(s.count(), 101u);
}

}  // namespace
}  // namespace halbd::core
