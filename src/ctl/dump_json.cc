// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// ctl/dump_json.cc: `halbctl dump --json`, the daemon's state as one JSON
// object whose members are the views' own JSON (the field names halbctl(8)
// lists and keeps stable), so a script reads one reply instead of parsing
// the text dump. Built on the loop from the subsystems' inspection methods.
#include "check/subsystem.hh"
#include "ctl/commands.hh"
#include "ctl/json.hh"
#include "ctl/views.hh"
#include "forward/subsystem.hh"
#include "sync/subsystem.hh"
#include "vrrp/subsystem.hh"

namespace halbd::ctl {

std::string Commands::dump_json() {
    const config::Model& m = s_.daemon->model();
    const MonoTime now = s_.daemon->loop_now();
    // A member whose subsystem does not run is null (`status` says why).
    JsonWriter w;
    w.begin_object();
    w.key("status").raw(answer_now(Request{Command::Status, Format::Json}).body);
    w.key("instances");
    if (s_.vrrp) vrrp_instances_json(w, m, *s_.vrrp, now);
    else w.null();
    w.key("sync_groups");
    if (s_.vrrp) vrrp_sync_groups_json(w, *s_.vrrp);
    else w.null();
    w.key("vrrp_sockets");
    if (s_.vrrp) vrrp_sockets_json(w, *s_.vrrp);
    else w.null();
    w.key("virtual_servers");
    if (s_.checks) w.raw(checks_view(m, *s_.checks, now, Format::Json));
    else w.null();
    w.key("services");
    if (forwarding_running()) w.raw(ipvs_view(s_.forwarding->programmed(), Format::Json));
    else w.null();
    w.key("sync");
    const sync::SyncStats st = s_.sync ? s_.sync->stats() : sync::SyncStats{};
    if (st.running) w.raw(sync_view(st, Format::Json));
    else w.null();
    w.end_object();
    return w.str() + "\n";
}

}  // namespace halbd::ctl
