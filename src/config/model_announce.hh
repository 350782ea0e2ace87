// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/model_announce.hh: typed model of the `route_announce { }` block
// (issue 17): which service addresses this node announces through its
// routing daemon (BIRD's protocols, or FRR bgpd's `network` statements). Filled by
// keywords_announce.cc, checked and printed there too; read by the announce
// subsystem (src/announce/). Absent (nullopt in Model) when not configured.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/diagnostics.hh"
#include "core/time.hh"
#include "net/address.hh"

namespace halbd::config {

// `announce ADDRESS PROTOCOL...`: while every virtual server on ADDRESS has
// quorum (and forwarding is healthy), the routing daemon's PROTOCOLs are
// enabled; otherwise disabled. With FRR no protocol is named: the address's
// host prefix is bgpd's `network` statement, added or removed.
struct AnnounceRoute {
    net::IpAddress address;
    std::vector<std::string> protocols;  // BIRD protocol names, each a BIRD symbol
    Location loc;
};

enum class AnnounceDaemon { Bird, Frr };

struct RouteAnnounce {
    AnnounceDaemon daemon = AnnounceDaemon::Bird;
    std::string bird_socket = "/run/bird/bird.ctl";  // BIRD 2's default control socket
    std::optional<Location> bird_socket_loc;         // where set (warned about under daemon frr)
    // FRR: halbd runs vtysh (no shell) to add and remove `network` lines
    // under `router bgp [frr_asn]`, each with `route-map frr_route_map`.
    std::string vtysh = "/usr/bin/vtysh";
    std::string frr_vty_socket;           // vtysh --vty_socket DIR; empty: FRR's default
    std::optional<uint32_t> frr_asn;      // nullopt: bgpd's default instance
    std::string frr_route_map;            // empty: none
    std::optional<Location> frr_loc;      // the first FRR keyword (warned about under daemon bird)
    std::vector<AnnounceRoute> routes;
    // On stop, after the withdrawal: forwarding stays this long, so the
    // flows the router still sends here while it drops the path are served
    // (without it the node's own stack resets them: it holds the address).
    Duration withdraw_grace = std::chrono::seconds(1);
    Location loc;  // the block's keyword
};

}  // namespace halbd::config
