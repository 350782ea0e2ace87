// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// cluster/buckets.cc: see buckets.hh. The hash is written from the kernel's
// definition (Bob Jenkins' lookup3 as Linux has it, tail of 4 bytes), since
// the commit must pick exactly the clients the nftables filter accepts.
#include "cluster/buckets.hh"

#include <algorithm>

namespace halbd::cluster {

namespace {

constexpr uint32_t rol(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

// jhash(key, 4, seed): one tail word, then __jhash_final.
uint32_t jhash4(const std::array<uint8_t, 4>& k, uint32_t seed) {
    uint32_t a = 0xdeadbeef + 4 + seed, b = a, c = a;
    a += uint32_t(k[3]) << 24 | uint32_t(k[2]) << 16 | uint32_t(k[1]) << 8 | k[0];
    c ^= b; c -= rol(b, 14);
    a ^= c; a -= rol(c, 11);
    b ^= a; b -= rol(a, 25);
    c ^= b; c -= rol(b, 16);
    a ^= c; a -= rol(c, 4);
    b ^= a; b -= rol(a, 14);
    c ^= b; c -= rol(b, 24);
    return c;
}

}  // namespace

uint32_t bucket_of(const std::array<uint8_t, 4>& saddr, uint32_t seed, uint32_t buckets) {
    return static_cast<uint32_t>((uint64_t(jhash4(saddr, seed)) * buckets) >> 32);
}

CommitScope::CommitScope(const std::vector<config::ActiveActive>& blocks, const std::vector<std::string>& instances) {
    for (const auto& c : blocks) {
        if (!c.vip || c.vip->address.is_v6()) continue;
        Vip v{};
        std::copy_n(c.vip->address.bytes(), 4, v.addr.begin());
        v.seed = c.hash_seed.value_or(0);
        v.buckets = c.buckets;
        for (const auto& o : c.owners)
            if (std::find(instances.begin(), instances.end(), o.instance) != instances.end())
                v.owned.insert(v.owned.end(), o.buckets.begin(), o.buckets.end());
        std::sort(v.owned.begin(), v.owned.end());
        vips_.push_back(std::move(v));
    }
}

bool CommitScope::commits(const std::array<uint8_t, 4>& src, const std::array<uint8_t, 4>& dst) const {
    for (const Vip& v : vips_)
        if (v.addr == dst) return std::binary_search(v.owned.begin(), v.owned.end(), bucket_of(src, v.seed, v.buckets));
    return true;
}

}  // namespace halbd::cluster
