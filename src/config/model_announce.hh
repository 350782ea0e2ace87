// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/model_announce.hh: typed model of the `route_announce { }` block
// (issue 17): which service addresses this node announces through its
// routing daemon (BIRD), and by which of the daemon's protocols. Filled by
// keywords_announce.cc, checked and printed there too; read by the announce
// subsystem (src/announce/). Absent (nullopt in Model) when not configured.
#pragma once

#include <string>
#include <vector>

#include "config/diagnostics.hh"
#include "net/address.hh"

namespace halbd::config {

// `announce ADDRESS PROTOCOL...`: while every virtual server on ADDRESS has
// quorum (and forwarding is healthy), the routing daemon's PROTOCOLs are
// enabled; otherwise disabled.
struct AnnounceRoute {
    net::IpAddress address;
    std::vector<std::string> protocols;  // BIRD protocol names, each a BIRD symbol
    Location loc;
};

struct RouteAnnounce {
    std::string bird_socket = "/run/bird/bird.ctl";  // BIRD 2's default control socket
    std::vector<AnnounceRoute> routes;
    Location loc;  // the block's keyword
};

}  // namespace halbd::config
