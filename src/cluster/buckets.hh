// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// cluster/buckets.hh: the bucket of a client as the kernel computes it
// (nft `jhash ip saddr mod N seed S`), and which of the peer's connections
// an instance's MASTER entry commits when it takes active_active buckets.
// Pure: used by sync/subsystem (the commit) and tested against the kernel's
// own hash (tests/unit/cluster_test.cc, tests/netns/active-active-sync.sh).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "config/model_cluster.hh"

namespace halbd::cluster {

// The kernel's jhash() (include/linux/jhash.h) of the 4 bytes of an IPv4
// address in network order, scaled to [0, buckets) as nft_jhash does
// (reciprocal_scale).
uint32_t bucket_of(const std::array<uint8_t, 4>& saddr, uint32_t seed, uint32_t buckets);

// The active_active VIPs and, for each, the buckets a set of instances owns.
class CommitScope {
public:
    CommitScope() = default;
    CommitScope(const std::vector<config::ActiveActive>& blocks, const std::vector<std::string>& instances);
    // Whether a connection from src to dst (IPv4, network order) is
    // committed: to an active_active VIP only when src hashes into a bucket
    // the instances own there; to any other address always (as without
    // active_active).
    bool commits(const std::array<uint8_t, 4>& src, const std::array<uint8_t, 4>& dst) const;

private:
    struct Vip {
        std::array<uint8_t, 4> addr;
        uint32_t seed, buckets;
        std::vector<uint32_t> owned;  // sorted
    };
    std::vector<Vip> vips_;
};

}  // namespace halbd::cluster
