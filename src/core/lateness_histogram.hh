// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// core/lateness_histogram.hh: LatenessHistogram, how late things happened
// compared to when they were due, as a log-linear histogram (max exact,
// percentiles within 1/16 of the value). CheckSubsystem keeps one for the
// start of every health-check attempt, each VRRP Instance one for its
// adverts (Adver_Timer); both are shown in the USR1 dump and by halbctl, and
// bench/check-tcp.sh reads them.
#pragma once

#include <array>
#include <bit>
#include <cstdint>

#include "core/time.hh"

namespace halbd::core {

class LatenessHistogram {
public:
    void record(Duration late) {
        ++count_;
        const auto us = late.count() > 0 ? static_cast<uint64_t>(late.count() / 1000) : 0;
        ++buckets_[bucket_of(us)];
        if (late > max_) max_ = late;
    }
    uint64_t count() const { return count_; }
    Duration max() const { return max_; }
    // The lateness under which fraction q of the records fall (the upper
    // bound of the histogram bucket holding it, at most the max).
    Duration percentile(double q) const {
        if (count_ == 0) return Duration::zero();
        const auto want = static_cast<uint64_t>(q * static_cast<double>(count_ - 1)) + 1;
        uint64_t seen = 0;
        for (size_t b = 0; b < kBuckets; ++b) {
            seen += buckets_[b];
            if (seen >= want) {
                const Duration upper = std::chrono::microseconds(upper_of(b));
                return upper < max_ ? upper : max_;
            }
        }
        return max_;
    }

    // The histogram as "UPPER_US:COUNT ..." over the non-empty buckets: two
    // dumps give the lateness of what happened between them (bench/check-tcp.sh).
    template <class Out>
    void write_histogram(Out& os) const {
        const char* sep = "";
        for (size_t b = 0; b < kBuckets; ++b)
            if (buckets_[b]) {
                os << sep << upper_of(b) << ':' << buckets_[b];
                sep = " ";
            }
    }

    // Microseconds -> bucket: exact below 32, then 16 buckets per power of two.
    static size_t bucket_of(uint64_t us) {
        if (us < 32) return static_cast<size_t>(us);
        const int shift = std::bit_width(us) - 5;
        const size_t b = static_cast<size_t>(shift) * 16 + static_cast<size_t>(us >> shift);
        return b < kBuckets ? b : kBuckets - 1;
    }
    // The first microsecond value of the next bucket.
    static uint64_t upper_of(size_t b) {
        if (b < 32) return b + 1;
        const size_t shift = b / 16 - 1;
        return (static_cast<uint64_t>(b - 16 * shift) + 1) << shift;
    }

private:
    static constexpr size_t kBuckets = 16 * 40;  // up to 2^40 us (12 days)
    uint64_t count_ = 0;
    Duration max_{0};
    std::array<uint64_t, kBuckets> buckets_{};
};

}  // namespace halbd::core
