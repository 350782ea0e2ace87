// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/ipvs/sync_role_policy.hh: which role the IPVS connection-sync
// daemon runs in (keepalived vrrp_sync: the master daemon while the
// lvs_sync_daemon instance is MASTER, the backup daemon while it is BACKUP or
// FAULT). src/wiring.cc creates one and feeds it the seam's state events; it tells
// ForwardSubsystem::set_sync_role(). Owns nothing but the two references.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "config/model.hh"
#include "forward/ipvs_extension.hh"

namespace halbd::vrrp {
enum class State : uint8_t;
}  // namespace halbd::vrrp

namespace halbd::forward {
class ForwardSubsystem;
}  // namespace halbd::forward

namespace halbd::forward::ipvs {

// The role for a state change of `instance`, or nullopt when it changes
// nothing (not the lvs_sync_daemon instance, no lvs_sync_daemon, or a state
// that selects no role: INIT, STOP).
std::optional<SyncDaemon::Role> sync_role_for(const config::Model& m, std::string_view instance, vrrp::State to);

class SyncRolePolicy {
public:
    // `model` gives the configuration in force when a state changes.
    using ModelSource = std::function<const config::Model&()>;
    SyncRolePolicy(ForwardSubsystem& forwarding, ModelSource model)
        : forwarding_(forwarding), model_(std::move(model)) {}

    // A VRRP instance changed state.
    void on_instance_state(std::string_view instance, vrrp::State to);

private:
    ForwardSubsystem& forwarding_;
    ModelSource model_;
};

}  // namespace halbd::forward::ipvs
