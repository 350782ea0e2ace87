// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/model_bfd.hh: typed model of one `bfd_instance NAME { ... }` block
// (RFC 5880 session to one neighbour). Filled by config/section_global.cc;
// read by the BFD subsystem and referenced by name from track_bfd (vrrp) and
// BFD_CHECK (lvs). Field names are keepalived's keyword names.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "config/diagnostics.hh"
#include "core/time.hh"
#include "net/address.hh"

namespace halbd::config {

struct BfdInstance {
    std::string name;
    Location loc;
    // Required (validate reports its absence). `neighbour_ip` is a synonym.
    std::optional<net::IpAddress> neighbor_ip;
    // Optional; same family as neighbor_ip when given.
    std::optional<net::IpAddress> source_ip;
    // Intervals are written in milliseconds (microsecond resolution) in the
    // configuration; stored as Durations.
    Duration min_rx = std::chrono::milliseconds(10);    // Required Min RX Interval
    Duration min_tx = std::chrono::milliseconds(10);    // Desired Min TX Interval
    Duration idle_tx = std::chrono::milliseconds(1000); // Desired Min TX Interval while down
    uint8_t multiplier = 5;                              // Detect Mult, 1-255
    bool passive = false;
    uint8_t ttl = 255;       // outgoing IPv4 TTL, 1-255
    uint8_t hoplimit = 64;   // outgoing IPv6 hop limit, 1-255
    uint8_t max_hops = 0;    // accepted TTL/hop-limit reduction; 255 = no check
    int16_t weight = 0;      // default track weight, -253..253
    bool weight_reverse = false;  // `weight N reverse`
    // Which subsystems receive this session's up/down events. After
    // validation: both true unless only one of `vrrp` / `checker` was given.
    bool vrrp = false;
    bool checker = false;
};

}  // namespace halbd::config
