// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/model_sync.hh: typed model of the `conntrack_sync { }` block
// (connection-state sync, issue 13). Filled by config/keywords_sync.cc,
// checked by validate_sync.cc, printed by dump_sync.cc; read by the sync
// subsystem (src/sync/). Absent (nullopt in Model) when not configured.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/diagnostics.hh"
#include "core/time.hh"
#include "net/address.hh"

namespace halbd::config {

// One filter line, conntrackd's vocabulary: `KIND accept|ignore VALUE...`.
// accept: only connections matching one of the values are replicated;
// ignore: connections matching one of them are not.
struct CtFilter {
    enum class Kind : uint8_t { Address, Port, Protocol, Zone, Mark };
    Kind kind = Kind::Address;
    bool accept = true;
    std::vector<net::Prefix> prefixes;  // Address: either end of the original tuple
    std::vector<uint32_t> values;       // Port (original destination), Protocol (IP protocol number), Zone
    std::vector<std::pair<uint32_t, uint32_t>> marks;  // Mark: value, mask
    Location loc;
};

struct ConntrackSync {
    std::string interface;                      // the dedicated sync link (required)
    Location interface_loc;
    std::vector<net::IpAddress> peers;          // unicast peers; empty = multicast
    net::IpAddress mcast_group = *net::IpAddress::parse("225.0.0.50");  // conntrackd's default
    uint16_t port = 3780;                       // conntrackd's default
    std::optional<net::IpAddress> source_ip;
    // Whose MASTER/BACKUP state the node follows: a sync group, or one or
    // more instances (active-active: the instances owning bucket sets; each
    // one's MASTER entry commits the peer's connections of its buckets).
    std::string sync_group;
    std::vector<std::string> instances;
    std::vector<Location> instance_locs;        // one per name
    Location follow_loc;
    std::string auth_key_file;                  // empty: plain FT-FW, as conntrackd
    Location auth_key_file_loc;
    // How long entering MASTER waits for the peer's connections to be in
    // the kernel before the VIPs go up anyway (the rest follows right after).
    Duration commit_budget = std::chrono::seconds(2);
    // How long a (re)started node waits for its peer's full table before it
    // may preempt a live master without it.
    Duration bulk_timeout = std::chrono::seconds(30);
    // When the peers' connections go into the kernel: on the way to MASTER
    // (a pair, active-active), or as they arrive (several active nodes
    // behind ECMP, where a router may re-hash any flow to this node at any
    // time; conntrackd's DisableExternalCache).
    enum class CommitMode : uint8_t { OnMaster, Always };
    CommitMode commit_mode = CommitMode::OnMaster;
    std::vector<CtFilter> filters;
    // Conntrack helpers' expectations (conntrackd's ExpectationSync): off,
    // on for every helper, or on for the helpers named.
    bool expectation_sync = false;
    std::vector<std::string> expectation_helpers;  // empty: every helper
    Location loc;                               // the block's keyword
};

// "address", "port", "protocol", "zone", "mark".
const char* ct_filter_kind_name(CtFilter::Kind k);

}  // namespace halbd::config
