// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/nft/maglev.cc: see maglev.hh. The fill is Maglev's: each server
// walks its own permutation of the slots (offset + j * skip mod size) and
// takes the next free one. Instead of strict turns, the next turn goes to the
// server furthest below its weighted share (smallest filled/weight, ties to
// the lower index), which is Maglev's round-robin when the weights are equal
// and keeps every share within one slot of its weight otherwise.
#include "forward/nft/maglev.hh"

namespace halbd::forward::nft {

uint64_t fnv1a(std::string_view s, uint64_t basis) {
    uint64_t h = basis;
    for (unsigned char c : s) {
        h ^= c;
        h *= 0x100000001b3ull;
    }
    return h;
}

std::vector<uint32_t> maglev_table(std::span<const MaglevEntry> servers, uint32_t size) {
    struct Walk {
        uint64_t offset, skip, next = 0, filled = 0, weight;
    };
    std::vector<Walk> walks;
    walks.reserve(servers.size());
    bool any = false;
    for (const auto& s : servers) {
        const uint64_t h1 = fnv1a(s.name), h2 = fnv1a(s.name, 0x84222325cbf29ce4ull);
        walks.push_back({h1 % size, h2 % (size - 1) + 1, 0, 0, s.weight});
        any = any || s.weight > 0;
    }
    if (!any || size < 2) return {};
    constexpr uint32_t kFree = UINT32_MAX;
    std::vector<uint32_t> table(size, kFree);
    for (uint32_t taken = 0; taken < size; ++taken) {
        size_t best = SIZE_MAX;
        for (size_t i = 0; i < walks.size(); ++i) {
            if (walks[i].weight == 0) continue;
            // filled_i / w_i < filled_b / w_b, without division
            if (best == SIZE_MAX ||
                walks[i].filled * walks[best].weight < walks[best].filled * walks[i].weight)
                best = i;
        }
        Walk& w = walks[best];
        for (;;) {
            const uint64_t slot = (w.offset + w.next * w.skip) % size;
            ++w.next;
            if (table[slot] == kFree) {
                table[slot] = static_cast<uint32_t>(best);
                break;
            }
        }
        ++w.filled;
    }
    return table;
}

}  // namespace halbd::forward::nft
