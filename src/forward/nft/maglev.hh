// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/nft/maglev.hh: the consistent-hashing lookup table behind the
// nftables backend's sh, dh and mh schedulers (Maglev, Eisenbud et al. 2016,
// section 3.4, with weights): a prime-sized table whose slots name a real
// server, filled from per-server permutations. Pure: the table depends only
// on the servers' names and weights, never on the node or the start, so two
// nodes behind ECMP pick the same server for the same client. Used by ruleset.cc.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace halbd::forward::nft {

// The table size: prime, as IPVS's mh uses by default (CONFIG_IP_VS_MH_TAB_INDEX 12).
inline constexpr uint32_t kMaglevSize = 4093;

struct MaglevEntry {
    std::string name;  // stable identity of the server ("198.51.100.1:80"); seeds its permutation
    uint32_t weight = 1;  // 0: the server gets no slot
};

// Slot -> index into `servers`, `size` slots (a prime). Empty when no server
// has a weight. A server's share of slots is its share of the weights to
// within one slot; removing one of N servers moves about 1/N of the slots.
std::vector<uint32_t> maglev_table(std::span<const MaglevEntry> servers, uint32_t size = kMaglevSize);

// 64-bit FNV-1a of `s` from `basis`: the deterministic hash seeding the
// permutations (and the services' jhash seeds in ruleset.cc).
uint64_t fnv1a(std::string_view s, uint64_t basis = 0xcbf29ce484222325ull);

}  // namespace halbd::forward::nft
