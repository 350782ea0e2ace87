// forward/op.hh: one write to a forwarding backend (add/update/delete a
// service or a destination), as the reconciler plans it and a Backend runs
// it. Shared by reconciler.hh (which makes them) and backend.hh (which runs
// them, one by one or as a batch).
#pragma once

#include <cstdint>
#include <string>

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

}  // namespace halbd::forward
