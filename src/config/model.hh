// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/model.hh: the typed desired state built from one configuration
// load. Immutable once load() returns it; a reload builds a new Model and the
// subsystems diff old against new. Each section keeps its types in its own
// header (model_global.hh, model_vrrp.hh, model_lvs.hh, model_check.hh,
// model_sync.hh, model_announce.hh).
#pragma once

#include "config/model_announce.hh"
#include "config/model_cluster.hh"
#include "config/model_global.hh"
#include "config/model_lvs.hh"
#include "config/model_sync.hh"
#include "config/model_vrrp.hh"

namespace halbd::config {

struct Model {
    GlobalDefs global;
    VrrpConfig vrrp;  // vrrp_*, static_*, track_*, bfd_instance, ...
    LvsConfig lvs;    // virtual_server_group, virtual_server, SSL, checkers
    std::optional<ConntrackSync> conntrack_sync;  // absent: no connection sync
    std::optional<RouteAnnounce> route_announce;  // absent: nothing announced to a routing daemon
    std::vector<ActiveActive> active_active;      // one VIP on two nodes (model_cluster.hh)
};

}  // namespace halbd::config
