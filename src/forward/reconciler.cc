// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/reconciler.cc: plan() and apply() (reconciler.hh). plan is pure
// and allocation-light so a reload of 100,000 services stays cheap; apply is
// the only place that turns backend errors into log lines.
#include "forward/reconciler.hh"

#include <map>
#include <sstream>

#include "core/log.hh"

namespace halbd::forward {

const char* op_kind_name(Op::Kind k) {
    switch (k) {
        case Op::Kind::AddService: return "add service";
        case Op::Kind::UpdateService: return "update service";
        case Op::Kind::DeleteService: return "delete service";
        case Op::Kind::AddDest: return "add dest";
        case Op::Kind::UpdateDest: return "update dest";
        case Op::Kind::DeleteDest: return "delete dest";
    }
    return "?";
}

std::string to_string(const Op& op) {
    std::string s = op_kind_name(op.kind);
    switch (op.kind) {
        case Op::Kind::AddService:
        case Op::Kind::UpdateService:
        case Op::Kind::DeleteService: return s + " " + op.service.to_string();
        case Op::Kind::AddDest: return s + " " + op.dest.to_string() + " to " + op.service.to_string();
        case Op::Kind::UpdateDest: return s + " " + op.dest.to_string() + " in " + op.service.to_string();
        case Op::Kind::DeleteDest: return s + " " + op.dest.to_string() + " from " + op.service.to_string();
    }
    return s;
}

namespace {

ServiceParams comparable(ServiceParams p) {
    p.flags &= ~svc_flags::hashed;
    return p;
}

Op service_op(Op::Kind k, const ServiceKey& key) {
    Op op;
    op.kind = k;
    op.service = key;
    return op;
}

Op dest_op(Op::Kind k, const ServiceKey& key, const DestKey& dest) {
    Op op = service_op(k, key);
    op.dest = dest;
    return op;
}

void plan_dests(const Service& want, const Service& have, std::vector<Op>& ops) {
    const auto& w = want.dests;
    const auto& h = have.dests;
    // Deletions first: they free capacity (thresholds) before anything is added.
    for (const auto& [dk, dp] : h)
        if (!w.count(dk)) ops.push_back(dest_op(Op::Kind::DeleteDest, want.key, dk));
    for (const auto& [dk, dp] : w) {
        auto it = h.find(dk);
        if (it == h.end()) {
            Op op = dest_op(Op::Kind::AddDest, want.key, dk);
            op.dest_params = dp;
            ops.push_back(std::move(op));
        } else if (!(it->second == dp)) {
            Op op = dest_op(Op::Kind::UpdateDest, want.key, dk);
            op.dest_params = dp;
            op.old_dest = it->second;
            ops.push_back(std::move(op));
        }
    }
}

}  // namespace

std::vector<Op> plan(const ServiceTable& desired, const ServiceTable& kernel, const std::set<ServiceKey>& owned) {
    // The kernel's services by canonical key (a backend may spell fwmark keys differently).
    std::map<ServiceKey, const Service*> have;
    for (const auto& [k, s] : kernel) have.emplace(k.canonical(), &s);

    std::vector<Op> ops;
    for (const auto& [raw_key, want_raw] : desired) {
        const ServiceKey key = raw_key.canonical();
        auto it = have.find(key);
        if (it == have.end()) {
            Op op = service_op(Op::Kind::AddService, key);
            op.params = want_raw.params;
            ops.push_back(std::move(op));
            for (const auto& [dk, dp] : want_raw.dests) {
                Op d = dest_op(Op::Kind::AddDest, key, dk);
                d.dest_params = dp;
                ops.push_back(std::move(d));
            }
            continue;
        }
        const Service& got = *it->second;
        if (!(comparable(want_raw.params) == comparable(got.params))) {
            Op op = service_op(Op::Kind::UpdateService, key);
            op.params = want_raw.params;
            op.old_params = comparable(got.params);
            ops.push_back(std::move(op));
        }
        Service want = want_raw;
        want.key = key;
        plan_dests(want, got, ops);
    }
    std::set<ServiceKey> wanted;
    for (const auto& [k, s] : desired) wanted.insert(k.canonical());
    for (const auto& k : owned) {
        const ServiceKey key = k.canonical();
        if (!wanted.count(key) && have.count(key)) ops.push_back(service_op(Op::Kind::DeleteService, key));
    }
    return ops;
}

// ---- apply ---------------------------------------------------------------------

namespace {

std::string dest_text(const DestParams& d) {
    std::ostringstream os;
    os << method_name(d.method) << ", weight " << d.weight;
    if (d.u_threshold) os << ", uthreshold " << d.u_threshold;
    if (d.l_threshold) os << ", lthreshold " << d.l_threshold;
    return os.str();
}

std::string service_changes(const ServiceParams& a, const ServiceParams& b) {
    std::ostringstream os;
    const char* sep = "";
    auto item = [&](const char* what, const auto& from, const auto& to) {
        os << sep << what << " " << from << " -> " << to;
        sep = ", ";
    };
    if (a.scheduler != b.scheduler) item("scheduler", a.scheduler, b.scheduler);
    if (a.flags != b.flags) {
        os << sep << "flags 0x" << std::hex << a.flags << " -> 0x" << b.flags << std::dec;
        sep = ", ";
    }
    if (a.timeout != b.timeout) item("persistence timeout", a.timeout, b.timeout);
    if (a.netmask != b.netmask) item("netmask", a.netmask, b.netmask);
    if (a.pe_name != b.pe_name)
        item("persistence engine", a.pe_name.empty() ? "none" : a.pe_name, b.pe_name.empty() ? "none" : b.pe_name);
    return os.str();
}

std::string dest_changes(const DestParams& a, const DestParams& b) {
    std::ostringstream os;
    const char* sep = "";
    auto item = [&](const char* what, const auto& from, const auto& to) {
        os << sep << what << " " << from << " -> " << to;
        sep = ", ";
    };
    if (a.method != b.method) item("forwarding", method_name(a.method), method_name(b.method));
    if (a.weight != b.weight) item("weight", a.weight, b.weight);
    if (a.u_threshold != b.u_threshold) item("uthreshold", a.u_threshold, b.u_threshold);
    if (a.l_threshold != b.l_threshold) item("lthreshold", a.l_threshold, b.l_threshold);
    if (a.tun_type != b.tun_type) item("tunnel type", +a.tun_type, +b.tun_type);
    if (a.tun_port != b.tun_port) item("tunnel port", a.tun_port, b.tun_port);
    if (a.tun_flags != b.tun_flags) item("tunnel flags", a.tun_flags, b.tun_flags);
    return os.str();
}

}  // namespace

ApplyResult apply(Backend& backend, const std::vector<Op>& ops, std::string_view reason) {
    ApplyResult r;
    const std::string who = backend.name() + ": ";  // each line names the backend
    // One batch, then the log lines: the backend may send many requests at once.
    const std::vector<core::Status> status = backend.run(ops);
    for (size_t i = 0; i < ops.size(); ++i) {
        const Op& op = ops[i];
        const core::Status& st = status[i];
        if (!st) {
            ++r.failed;
            log::error(who, to_string(op), ": ", st.error().message);
            if (op.kind == Op::Kind::AddService) {
                // Its destinations could go nowhere: the kernel refused them
                // for want of the service; one line said why.
                while (i + 1 < ops.size() && ops[i + 1].kind == Op::Kind::AddDest && ops[i + 1].service == op.service) {
                    ++i;
                    ++r.skipped;
                }
            }
            continue;
        }
        ++r.done;
        switch (op.kind) {
            case Op::Kind::AddService: {
                // The service's own destinations follow: one line for the lot.
                size_t added = 0, wanted = 0;
                while (i + 1 < ops.size() && ops[i + 1].kind == Op::Kind::AddDest && ops[i + 1].service == op.service) {
                    const Op& d = ops[++i];
                    ++wanted;
                    if (const core::Status& ds = status[i]; !ds) {
                        ++r.failed;
                        log::error(who, to_string(d), ": ", ds.error().message);
                    } else {
                        ++r.done;
                        ++added;
                    }
                }
                log::info(who, "added ", op.service.to_string(), " (", op.params.scheduler, ") with ", added,
                          " real server", added == 1 ? "" : "s",
                          added != wanted ? " of " + std::to_string(wanted) : std::string(), " (", reason, ")");
                break;
            }
            case Op::Kind::UpdateService:
                log::info(who, op.service.to_string(), " changed: ", service_changes(op.old_params, op.params),
                          " (", reason, ")");
                break;
            case Op::Kind::DeleteService: log::info(who, "removed ", op.service.to_string(), " (", reason, ")"); break;
            case Op::Kind::AddDest:
                log::info(who, "added real server ", op.dest.to_string(), " to ", op.service.to_string(), " (",
                          dest_text(op.dest_params), ") (", reason, ")");
                break;
            case Op::Kind::UpdateDest: {
                DestParams only_weight = op.old_dest;
                only_weight.weight = op.dest_params.weight;
                if (only_weight == op.dest_params)
                    log::info(who, "weight of ", op.dest.to_string(), " in ", op.service.to_string(), " changed ",
                              op.old_dest.weight, " -> ", op.dest_params.weight, " (", reason, ")");
                else
                    log::info(who, "real server ", op.dest.to_string(), " in ", op.service.to_string(),
                              " changed: ", dest_changes(op.old_dest, op.dest_params), " (", reason, ")");
                break;
            }
            case Op::Kind::DeleteDest:
                log::info(who, "removed real server ", op.dest.to_string(), " from ", op.service.to_string(), " (",
                          reason, ")");
                break;
        }
    }
    return r;
}

}  // namespace halbd::forward
