// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/desired.hh: what the kernel should hold for a configuration, as
// keepalived 2.2.7 would program it (groups expanded, inhibit, sorry server;
// the quorum as quorum.hh decides it). Called by ForwardSubsystem on start,
// reload and pool changes; pure: owns nothing, the pool state comes from a
// PoolView.
#pragma once

#include <vector>

#include "config/model.hh"
#include "forward/pool_view.hh"
#include "forward/service.hh"

namespace halbd::forward {

// The service keys of one virtual server: its address, its fwmark, or every
// entry of its group (ranges expanded, fwmark entries with their family).
std::vector<ServiceKey> service_keys(const config::VirtualServer& vs, const config::Model& model);

// Service parameters of a virtual server of the given family (scheduler,
// flags, persistence timeout, netmask, persistence engine).
ServiceParams service_params(const config::VirtualServer& vs, net::Family family);

// Everything halbd should have programmed for this model and pool state.
ServiceTable desired_services(const config::Model& model, const PoolView& pool);

}  // namespace halbd::forward
