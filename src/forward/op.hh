// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
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

    // One operation of each kind (the old_* members stay empty).
    static Op add_service(const ServiceKey& k, const ServiceParams& p) { return service_op(Kind::AddService, k, p); }
    static Op update_service(const ServiceKey& k, const ServiceParams& p) {
        return service_op(Kind::UpdateService, k, p);
    }
    static Op delete_service(const ServiceKey& k) { return service_op(Kind::DeleteService, k, {}); }
    static Op add_dest(const ServiceKey& k, const DestKey& d, const DestParams& p) {
        return dest_op(Kind::AddDest, k, d, p);
    }
    static Op update_dest(const ServiceKey& k, const DestKey& d, const DestParams& p) {
        return dest_op(Kind::UpdateDest, k, d, p);
    }
    static Op delete_dest(const ServiceKey& k, const DestKey& d) { return dest_op(Kind::DeleteDest, k, d, {}); }

private:
    static Op service_op(Kind kind, const ServiceKey& k, const ServiceParams& p) {
        Op op;
        op.kind = kind;
        op.service = k;
        op.params = p;
        return op;
    }
    static Op dest_op(Kind kind, const ServiceKey& k, const DestKey& d, const DestParams& p) {
        Op op;
        op.kind = kind;
        op.service = k;
        op.dest = d;
        op.dest_params = p;
        return op;
    }
};

const char* op_kind_name(Op::Kind k);  // "add service", "update dest", ...
std::string to_string(const Op& op);   // "update dest 10.0.0.2:80 in TCP 10.0.0.1:80", for tests and logs

}  // namespace halbd::forward
