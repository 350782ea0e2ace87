// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// ctl/views.hh: what `halbctl ipvs|vrrp|checks` print, as text or JSON,
// built from the subsystems' inspection methods (they own the state; these
// functions only read it). Called by ctl/commands.cc; one file per view
// (view_ipvs.cc, view_vrrp.cc, view_checks.cc). The JSON shapes are
// documented in halbctl(8).
#pragma once

#include <string>

#include "config/model.hh"
#include "core/time.hh"
#include "ctl/protocol.hh"
#include "forward/service.hh"

namespace halbd::vrrp {
class VrrpSubsystem;
}
namespace halbd::check {
class CheckSubsystem;
}

namespace halbd::sync {
struct SyncStats;
}
namespace halbd::announce {
class AnnounceSubsystem;
}

namespace halbd::ctl {

// The table in `ipvsadm -Ln --sort` layout, or a JSON array of services.
std::string ipvs_view(const forward::ServiceTable& table, Format f);
class JsonWriter;

// Each vrrp_instance of the model, in configuration order (now: the loop's
// clock, for the time since the last transition).
std::string vrrp_view(const config::Model& m, const vrrp::VrrpSubsystem& v, MonoTime now, Format f);
// The parts of `dump --json` that view_vrrp.cc writes: the instances (as
// `vrrp --json`), the VRRP sockets with their drops, the sync groups.
void vrrp_instances_json(JsonWriter& w, const config::Model& m, const vrrp::VrrpSubsystem& v, MonoTime now);
void vrrp_sockets_json(JsonWriter& w, const vrrp::VrrpSubsystem& v);
void vrrp_sync_groups_json(JsonWriter& w, const vrrp::VrrpSubsystem& v);
// Each real server of each virtual server of the model, with its checkers.
std::string checks_view(const config::Model& m, const check::CheckSubsystem& c, MonoTime now, Format f);

// Connection sync: peer, bulk transfer, caches, counters, last commit (view_sync.cc).
std::string sync_view(const sync::SyncStats& s, Format f);
// Route announcement: each route_announce address, announced or why not,
// since when, and the routing daemon's protocols (view_announce.cc).
std::string announce_view(const announce::AnnounceSubsystem& a, MonoTime now, Format f);

// Seconds as a JSON number / as text ("1.5s"), for durations in the views.
double seconds(Duration d);

}  // namespace halbd::ctl
