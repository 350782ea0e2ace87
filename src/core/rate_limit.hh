// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// core/rate_limit.hh: RateLimit, the one token bucket of halbd for work that
// something outside it can trigger at will (a forged advert, another tool
// deleting an address): at most `burst` events at once, then one every
// `period`. Pure (the caller passes now); owned by whoever does the work.
#pragma once

#include <algorithm>
#include <cstdint>

#include "core/time.hh"

namespace halbd::core {

class RateLimit {
public:
    explicit RateLimit(Duration period, uint32_t burst = 1) : period_(period), burst_(std::max<uint32_t>(burst, 1)) {}

    // Takes a token if one is there (generic cell rate algorithm: tat_ is
    // when the bucket would be full again).
    bool allow(MonoTime now) {
        const MonoTime tat = std::max(tat_, now);
        if (tat - now > slack()) return false;
        tat_ = tat + period_;
        return true;
    }
    // The first instant allow() will succeed.
    MonoTime next(MonoTime now) const { return std::max(now, tat_ - slack()); }
    void set_period(Duration period) { period_ = period; }
    Duration period() const { return period_; }
    void reset() { tat_ = MonoTime{}; }

private:
    Duration slack() const { return period_ * (burst_ - 1); }

    Duration period_;
    uint32_t burst_;
    MonoTime tat_{};
};

}  // namespace halbd::core
