// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/model_cluster.hh: typed model of the `active_active NAME { }` blocks
// (one VIP served by two nodes at once, CLUSTERIP-style; seed 004, issue 15).
// Filled and checked by config/section_cluster.cc; read by the cluster
// subsystem (src/cluster/), which owns the hash buckets of the instances
// that are MASTER. Empty when not configured.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/diagnostics.hh"
#include "net/address.hh"

namespace halbd::config {

// `owner INSTANCE BUCKETS...`: while NAME is MASTER this node owns these buckets.
struct ClusterOwner {
    std::string instance;
    std::vector<uint32_t> buckets;  // sorted, no duplicates
    Location loc;
};

struct ActiveActive {
    std::string name;
    std::string interface;                // where the VIP lives and clients arrive
    Location interface_loc;
    std::optional<net::Prefix> vip;       // IPv4 only (required)
    uint32_t buckets = 16;                // jhash ip saddr mod buckets
    // Unset in the file: validation fills the value derived from the
    // block's name and VIP, so both nodes hash alike with no extra keyword.
    std::optional<uint32_t> hash_seed;
    std::vector<ClusterOwner> owners;
    Location loc;
};

// The shared multicast MAC the VIP is answered with: 01:00:5e and the low 23
// bits of the VIP (the IPv4 multicast mapping of RFC 1112 §6.4), so it is a
// function of the configuration only and the same on every node.
std::array<uint8_t, 6> cluster_mac(const net::IpAddress& vip);
// The hash seed when hash_seed is not given: FNV-1a of "NAME/VIP".
uint32_t derived_seed(const std::string& name, const net::Prefix& vip);
// "0-7 12": sorted buckets as the `owner` line takes them.
std::string bucket_ranges(const std::vector<uint32_t>& buckets);

}  // namespace halbd::config
