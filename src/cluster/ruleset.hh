// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// cluster/ruleset.hh: the nftables commands of active_active (pure: text
// out, tested without root). Two tables named halbd_cluster: `ip` drops,
// at prerouting before conntrack, the VIP's packets whose source hashes
// into a bucket this node does not own, and turns the owned ones arriving
// to the multicast MAC into PACKET_HOST (TCP and ip_forward refuse
// anything else); `arp` rewrites the sender MAC of every ARP packet this
// node sends for the VIP to the cluster MAC. Called by cluster/subsystem.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/model_cluster.hh"

namespace halbd::cluster {

inline constexpr const char* kTable = "halbd_cluster";

// The set of block i: "owned_<i>" (block names may hold characters nft refuses).
std::string set_name(size_t i);
// Replaces both tables (one transaction) with the rules of `blocks`; every
// owned set starts empty (this node serves nobody until an instance is MASTER).
std::string tables_batch(const std::vector<config::ActiveActive>& blocks);
// Deletes both tables (nothing when they do not exist).
std::string delete_batch();
// Replaces the owned set of block i by `buckets` in one transaction.
std::string owned_batch(size_t i, const std::vector<uint32_t>& buckets);

}  // namespace halbd::cluster
