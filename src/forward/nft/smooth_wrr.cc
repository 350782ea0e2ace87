// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/nft/smooth_wrr.cc: see smooth_wrr.hh. Each step every server's
// credit grows by its weight; the largest credit (ties: lower index) takes
// the slot and pays back the total.
#include "forward/nft/smooth_wrr.hh"

#include <numeric>

namespace halbd::forward::nft {

std::vector<uint32_t> smooth_wrr_slots(std::span<const uint32_t> weights, uint32_t max_slots) {
    std::vector<uint64_t> w(weights.begin(), weights.end());
    uint64_t g = 0;
    for (uint64_t x : w) g = std::gcd(g, x);
    if (g == 0) return {};
    uint64_t total = 0;
    for (auto& x : w) total += (x /= g);
    if (total > max_slots) {
        const uint64_t scaled_from = total;
        total = 0;
        for (auto& x : w) {
            if (x == 0) continue;
            x = std::max<uint64_t>(1, (x * max_slots + scaled_from / 2) / scaled_from);
            total += x;
        }
    }
    std::vector<int64_t> credit(w.size(), 0);
    std::vector<uint32_t> slots;
    slots.reserve(total);
    for (uint64_t n = 0; n < total; ++n) {
        size_t best = 0;
        for (size_t i = 0; i < w.size(); ++i) {
            credit[i] += static_cast<int64_t>(w[i]);
            if (credit[i] > credit[best]) best = i;
        }
        credit[best] -= static_cast<int64_t>(total);
        slots.push_back(static_cast<uint32_t>(best));
    }
    return slots;
}

}  // namespace halbd::forward::nft
