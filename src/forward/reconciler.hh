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
#include "forward/service.hh"

namespace halbd::forward {

struct Op {
    enum class Kind : uint8_t { AddService, UpdateService, DeleteService, AddDest, UpdateDest, DeleteDest };
    Kind kind = Kind::AddService;
    ServiceKey service;
    ServiceParams params;      // AddService, UpdateService: the new parameters
    ServiceParams old_params;  // UpdateService: what the kernel had (for the log line)
    DestKey dest;              // *Dest
    DestParams dest_params;    // AddDest, UpdateDest: the new parameters
    DestParams old_dest;       // UpdateDest: what the kernel had
    friend bool operator==(const Op&, const Op&) = default;
};

const char* op_kind_name(Op::Kind k);  // "add service", "update dest", ...
std::string to_string(const Op& op);   // "update dest 10.0.0.2:80 in TCP 10.0.0.1:80", for tests and logs

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

// Runs the operations in order. A failure is logged as one line naming the
// object and the error, and the others go on; a failed AddService skips only
// that service's AddDest operations. `reason` ends each change line:
// "IPVS: weight of 10.0.0.2:80 in TCP 10.0.0.1:80 changed 1 -> 3 (configuration reload)".
ApplyResult apply(Backend& backend, const std::vector<Op>& ops, std::string_view reason);

}  // namespace halbd::forward
