// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/backend.cc: Backend::run's default, one call per operation, for
// backends with nothing to gain from batching (the fake, nftables).
#include "forward/backend.hh"

#include <cerrno>

namespace halbd::forward {

namespace {

core::Status run_one(Backend& b, const Op& op) {
    switch (op.kind) {
        case Op::Kind::AddService: return b.add_service(op.service, op.params);
        case Op::Kind::UpdateService: return b.update_service(op.service, op.params);
        case Op::Kind::DeleteService: return b.delete_service(op.service);
        case Op::Kind::AddDest: return b.add_dest(op.service, op.dest, op.dest_params);
        case Op::Kind::UpdateDest: return b.update_dest(op.service, op.dest, op.dest_params);
        case Op::Kind::DeleteDest: return b.delete_dest(op.service, op.dest);
    }
    return core::Error{EINVAL, "unknown operation"};
}

}  // namespace

std::vector<core::Status> Backend::run(std::span<const Op> ops) {
    std::vector<core::Status> out;
    out.reserve(ops.size());
    for (const Op& op : ops) out.push_back(run_one(*this, op));
    return out;
}

}  // namespace halbd::forward
