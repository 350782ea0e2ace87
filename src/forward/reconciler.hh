// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/reconciler.hh: DESIGN principle 4 for forwarding: plan() compares
// what should exist with what the kernel has and returns the minimal list of
// operations; apply() runs them against a Backend, logging one line per
// change and one per failure. Called by ForwardSubsystem; owns nothing.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "forward/backend.hh"
#include "forward/op.hh"
#include "forward/service.hh"

namespace halbd::forward {

// The minimal operations turning `kernel` into `desired`:
//  - a desired service missing from the kernel: AddService, then AddDest for each destination;
//  - a desired service present with other parameters (the kernel-internal
//    `hashed` flag ignored): UpdateService;
//  - destinations of desired services: DeleteDest, UpdateDest, AddDest as needed;
//  - a service in `owned` (programmed by halbd before) but no longer desired: DeleteService.
// Services neither desired nor owned are never touched. Keys are compared in
// their canonical form (ServiceKey::canonical()).
std::vector<Op> plan(const ServiceTable& desired, const ServiceTable& kernel, const std::set<ServiceKey>& owned);

struct ApplyResult {
    uint64_t done = 0;     // operations the backend accepted
    uint64_t failed = 0;   // operations the backend refused (each logged)
    uint64_t skipped = 0;  // destinations of a service whose add failed
    friend bool operator==(const ApplyResult&, const ApplyResult&) = default;
};

// Runs the operations in order, as one Backend::run batch. A failure is
// logged as one line naming the object and the error, and the others go on;
// the AddDest operations of a failed AddService are counted as skipped (the
// kernel refused them too, for want of the service), not logged one by one.
// Each line begins with the backend's name and `reason` ends it:
// "IPVS: weight of 10.0.0.2:80 in TCP 10.0.0.1:80 changed 1 -> 3 (configuration reload)".
ApplyResult apply(Backend& backend, const std::vector<Op>& ops, std::string_view reason);

}  // namespace halbd::forward
