// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/nft/nft_backend.cc: see nft_backend.hh. A run collects the
// operations' effect per service (copying only the services it touches),
// writes one transaction for those services, and keeps the result only when
// nft committed it.
#include "forward/nft/nft_backend.hh"

#include <cerrno>

#include "forward/nft/dr_device.hh"
#include "forward/nft/nftnl_sink.hh"
#include "forward/nft/ruleset.hh"
#include "net/libnftables.hh"

namespace halbd::forward::nft {

namespace {

constexpr net::Family kFamilies[] = {net::Family::V4, net::Family::V6};

// The service as it is after the changes so far, or null.
const Service* current(const ServiceTable& table, const NftBackend::Changes& changes, const ServiceKey& k) {
    if (auto it = changes.find(k); it != changes.end()) return it->second ? &*it->second : nullptr;
    auto it = table.find(k);
    return it == table.end() ? nullptr : &it->second;
}

bool has_family(const ServiceTable& table, const NftBackend::Changes& changes, net::Family f, bool after) {
    for (auto it = table.lower_bound(ServiceKey{f, 0, Protocol::TCP, {}, 0}); it != table.end(); ++it) {
        if (it->first.family != f) break;
        if (!after) return true;
        auto c = changes.find(it->first);
        if (c == changes.end() || c->second) return true;
    }
    if (after)
        for (const auto& [k, v] : changes)
            if (k.family == f && v) return true;
    return false;
}

void append(NlBatch& to, NlBatch from) {
    for (auto& op : from) to.push_back(std::move(op));
}

}  // namespace

core::Status apply_op(const ServiceTable& table, NftBackend::Changes& changes, const Op& op) {
    const Service* now = current(table, changes, op.service);
    const std::string where = op.service.to_string();
    if (op.kind == Op::Kind::AddService) {
        if (now) return core::Error{EEXIST, "service " + where + " exists"};
        changes[op.service] = Service{op.service, op.params, {}};
        return core::Ok{};
    }
    if (!now) return core::Error{ENOENT, "no service " + where};
    if (op.kind == Op::Kind::DeleteService) {
        changes[op.service] = std::nullopt;
        return core::Ok{};
    }
    Service next = *now;
    switch (op.kind) {
        case Op::Kind::UpdateService: next.params = op.params; break;
        case Op::Kind::AddDest:
            if (!next.dests.emplace(op.dest, op.dest_params).second)
                return core::Error{EEXIST, "destination " + op.dest.to_string() + " exists in " + where};
            break;
        case Op::Kind::UpdateDest:
        case Op::Kind::DeleteDest: {
            auto it = next.dests.find(op.dest);
            if (it == next.dests.end()) return core::Error{ENOENT, "no destination " + op.dest.to_string() + " in " + where};
            if (op.kind == Op::Kind::UpdateDest) it->second = op.dest_params;
            else next.dests.erase(it);
            break;
        }
        default: break;
    }
    if (next.key.family == net::Family::V6 && next.key.fwmark == 0 && (next.params.flags & svc_flags::persistent))
        for (const auto& [d, p] : next.dests)
            if (d.port != next.dests.begin()->first.port)
                return core::Error{EOPNOTSUPP, "persistent IPv6 service " + where +
                                                   ": the nftables backend needs all its real servers on one port"};
    changes[op.service] = std::move(next);
    return core::Ok{};
}

NftBackend::Transaction NftBackend::transaction(const ServiceTable& before, const Changes& changes, bool fresh,
                                                const std::set<std::string>& slot_maps) {
    NlBatch head, maps, body, slots, tail;
    // A service adds up to 4 main operations and 1 of slots (NlOp is large:
    // growing the vector was 17% of the time for 10,000 services).
    body.reserve(changes.size() * 5 + 8);
    slots.reserve(changes.size() + 8);
    Transaction out{{}, slot_maps};
    bool created[2] = {false, false}, deleted[2] = {false, false};
    for (int i = 0; i < 2; ++i) {
        const net::Family f = kFamilies[i];
        const bool had = !fresh && has_family(before, changes, f, false);
        const bool has = has_family(before, changes, f, true);
        if (has && !had) {
            append(head, nl_table_create(f));
            created[i] = true;
        } else if (!has && (had || fresh)) {
            append(head, nl_table_delete(f));
            deleted[i] = true;
        }
        if (created[i] || deleted[i])
            std::erase_if(out.slot_maps, [&](const std::string& m) { return m.starts_with(family_word(f) + std::string(" ")); });
    }
    auto fam = [](const ServiceKey& k) { return k.family == net::Family::V6 ? 1 : 0; };
    // Persistence groups touched, by chain name: one member's key.
    std::map<std::string, ServiceKey> groups;
    for (const auto& [k, after] : changes) {
        if (deleted[fam(k)]) continue;
        auto b = before.find(k);
        const Service* was = created[fam(k)] || b == before.end() ? nullptr : &b->second;
        const Service* now = after ? &*after : nullptr;
        if (was && is_dr(*was)) was = nullptr;  // in table netdev halbd
        if (now && is_dr(*now)) now = nullptr;
        if (!was && !now) continue;
        if (was && now && *was == *now) continue;
        const bool persist_was = was && (was->params.flags & svc_flags::persistent);
        const bool persist_now = now && (now->params.flags & svc_flags::persistent);
        if (persist_was || persist_now) groups.emplace(persist_chain_name(k), k);
        if (now && shares_slot_map(*now) &&
            out.slot_maps.insert(std::string(family_word(k.family)) + " " + slot_map(*now)).second)
            maps.push_back(nl_slot_map_add(*now));
        NlCommands c = !was ? nl_service_add(*now) : !now ? nl_service_delete(*was) : nl_service_replace(*was, *now);
        for (auto& op : c.main) body.push_back(std::move(op));
        for (auto& op : c.slots) slots.push_back(std::move(op));
    }
    for (const auto& [name, key] : groups) {
        // The group's persistent services before and after (only its VIP or fwmark).
        bool existed = false;
        std::vector<const Service*> members;
        ServiceKey lo = key;
        lo.port = 0;
        for (auto it = before.lower_bound(lo); it != before.end(); ++it) {
            const ServiceKey& k = it->first;
            if (k.family != key.family || k.fwmark != key.fwmark || k.protocol != key.protocol ||
                k.address != key.address)
                break;
            if (!created[fam(k)] && (it->second.params.flags & svc_flags::persistent)) existed = true;
            auto c = changes.find(k);
            const Service* now = c == changes.end() ? &it->second : c->second ? &*c->second : nullptr;
            if (now && (now->params.flags & svc_flags::persistent)) members.push_back(now);
        }
        for (const auto& [k, after] : changes) {
            if (before.count(k) || !after || persist_chain_name(k) != name) continue;
            if (after->params.flags & svc_flags::persistent) members.push_back(&*after);
        }
        PersistOps u = nl_persist_group(key, existed, members);
        append(head, std::move(u.before));
        append(tail, std::move(u.after));
    }
    out.batch = std::move(head);
    out.batch.reserve(out.batch.size() + maps.size() + body.size() + slots.size() + tail.size());
    for (NlBatch* part : {&maps, &body, &slots, &tail}) append(out.batch, std::move(*part));
    return out;
}

std::vector<core::Status> NftBackend::run(std::span<const Op> ops) {
    std::vector<core::Status> out;
    out.reserve(ops.size());
    Changes changes;
    size_t ok = 0;
    for (const Op& op : ops) {
        out.push_back(apply_op(table_, changes, op));
        if (out.back()) ++ok;
    }
    if (ok == 0) return out;
    auto fail = [&](const core::Error& e) {
        for (auto& st : out)
            if (st) st = e;
        return out;
    };
    // DR services (table netdev halbd) go in the same batch: one transaction.
    auto dr = dr_transaction(table_, changes, fresh_, dr_, resolve_);
    if (!dr) return fail(dr.error());
    Transaction t = transaction(table_, changes, fresh_, slot_maps_);
    append(t.batch, std::move(dr.value().ops));
    if (!t.batch.empty()) {
        core::Status r = core::Ok{};
        if (sink_) {
            r = sink_->send(t.batch);
        } else if (auto n = nft_->run(batch_text(t.batch)); !n) {
            r = n.error();
        }
        ++transactions_;
        if (!r) return fail(r.error());
    }
    fresh_ = false;
    slot_maps_ = std::move(t.slot_maps);
    dr_ = std::move(dr.value().next);
    writes_ += ok;
    for (auto& [k, v] : changes) {
        if (v) table_[k] = std::move(*v);
        else table_.erase(k);
    }
    return out;
}

namespace {
core::Status single(NftBackend& b, const Op& op) {
    Op ops[1] = {op};
    return b.run(ops).front();
}
}  // namespace

core::Status NftBackend::add_service(const ServiceKey& k, const ServiceParams& p) {
    return single(*this, Op::add_service(k, p));
}
core::Status NftBackend::update_service(const ServiceKey& k, const ServiceParams& p) {
    return single(*this, Op::update_service(k, p));
}
core::Status NftBackend::delete_service(const ServiceKey& k) { return single(*this, Op::delete_service(k)); }
core::Status NftBackend::add_dest(const ServiceKey& s, const DestKey& d, const DestParams& p) {
    return single(*this, Op::add_dest(s, d, p));
}
core::Status NftBackend::update_dest(const ServiceKey& s, const DestKey& d, const DestParams& p) {
    return single(*this, Op::update_dest(s, d, p));
}
core::Status NftBackend::delete_dest(const ServiceKey& s, const DestKey& d) {
    return single(*this, Op::delete_dest(s, d));
}

NftBackend::NftBackend(std::unique_ptr<net::Nftables> nft, std::unique_ptr<NlSink> sink, DeviceResolver resolve)
    : nft_(std::move(nft)),
      sink_(std::move(sink)),
      resolve_(resolve ? std::move(resolve) : DeviceResolver(connected_device)) {}

core::Result<std::unique_ptr<NftBackend>> NftBackend::open() {
    auto n = net::LibNftables::open();
    if (!n) return n.error();
    auto sink = NftnlSink::open();
    if (!sink) return sink.error();
    return std::make_unique<NftBackend>(std::move(n.value()), std::move(sink.value()));
}

BackendChoice NftBackend::choice() {
    return BackendChoice{nft::capabilities(), []() -> core::Result<std::unique_ptr<Backend>> {
                             auto b = NftBackend::open();
                             if (!b) return b.error();
                             return std::unique_ptr<Backend>(std::move(b.value()));
                         }};
}

}  // namespace halbd::forward::nft
