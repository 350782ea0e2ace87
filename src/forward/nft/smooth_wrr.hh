// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/nft/smooth_wrr.hh: the slot layout of the nftables backend's rr and
// wrr schedulers: `numgen inc mod N` walks a map whose N slots name the real
// servers in smooth weighted round-robin order (nginx's: interleaved, never
// a burst of one server). Pure; used by ruleset.cc.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace halbd::forward::nft {

// The most slots a wrr map gets; larger weight sums are scaled down to it.
inline constexpr uint32_t kMaxWrrSlots = 4093;

// Slot -> index into `weights`. One cycle of sum(weights)/gcd slots (scaled
// to at most `max_slots`, every positive weight keeping at least one slot);
// weight 0 gets none. Empty when no weight is positive.
std::vector<uint32_t> smooth_wrr_slots(std::span<const uint32_t> weights, uint32_t max_slots = kMaxWrrSlots);

}  // namespace halbd::forward::nft
