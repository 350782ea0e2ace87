// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/ipvs/sync_role_policy.cc: see sync_role_policy.hh.
#include "forward/ipvs/sync_role_policy.hh"

#include "forward/subsystem.hh"
#include "vrrp/state_events.hh"

namespace halbd::forward::ipvs {

std::optional<SyncDaemon::Role> sync_role_for(const config::Model& m, std::string_view instance, vrrp::State to) {
    const auto& lsd = m.global.lvs_sync_daemon;
    if (!lsd || lsd->inst != instance) return std::nullopt;
    if (to == vrrp::State::Master) return SyncDaemon::Role::Master;
    if (to == vrrp::State::Backup || to == vrrp::State::Fault) return SyncDaemon::Role::Backup;
    return std::nullopt;
}

void SyncRolePolicy::on_instance_state(std::string_view instance, vrrp::State to) {
    if (auto role = sync_role_for(model_(), instance, to)) forwarding_.set_sync_role(*role);
}

}  // namespace halbd::forward::ipvs
