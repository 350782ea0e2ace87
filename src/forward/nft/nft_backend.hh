// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/nft/nft_backend.hh: the nftables forwarding backend (DESIGN
// principles 7, 8, 12), for kernels without IPVS: programs table `halbd`
// (families ip and ip6, each only while it has services) through an injected
// Nftables (libnftables in halbd, a recorder in tests). Each run() of
// operations is one nft transaction, all or nothing; only the services it
// touches are rewritten (ruleset.hh). It never reads or changes another table.
// Created by the forward subsystem through choice(); owns its Nftables.
//
// Two paths, one change per packet. libnftables parsing text cost 7 s for
// 10,000 services (13 MB of text) and ~30 ms of cache listing per call, so
// with an NlSink (libnftnl in halbd) a run sends: first the text part, for
// what text does best and is rare (the tables, the shared slot maps,
// persistence maps and chains, a fwmark service's own maps), then the batch
// part (nl_batch.hh), every other service's chain, rules, slot and dispatch
// elements, as one prebuilt netlink batch. Each is one kernel transaction,
// and each service's change lies wholly in one of them: a packet meets a
// service either as it was or as it is, never half-changed (a new service
// is reachable only through its dispatch element, added in the same batch
// as its chain, rules and slots; a deleted one leaves with its dispatch
// element first in the same batch). The text part only creates what the
// batch needs (tables, shared maps), so it goes first; what spans both
// paths is only the moment between the two commits, where one service of
// the change set may already be new while another is still old, as with
// two separate reloads. Without a sink (tests) both parts are one text
// transaction.
//
// One change set, one transaction (issue 14): when a change set needs the
// text part and its batch part is small (fold_cost() <= kFoldLimit lines of
// nft input, ~35 ms for libnftables to parse), the batch part is sent inside
// the text transaction instead: every health change and small reload, mixed
// or not, is one commit. Only a large batch part next to a text part (the
// first load: tables and shared maps, or a big reload that also touches
// persistent, fwmark-with-ports or DR services) still takes the two commits
// above; encoding the text part with libnftnl too would end that
// (libnftables cannot hand over its messages to join our batch: its API
// runs or dry-runs a command, it never returns the netlink messages).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>

#include "forward/backend.hh"
#include "forward/nft/dr_ruleset.hh"
#include "forward/nft/nft_capabilities.hh"
#include "forward/nft/nl_batch.hh"
#include "net/nftables.hh"

namespace halbd::forward::nft {

class NftBackend final : public Backend {
public:
    // Over libnftables (needs CAP_NET_ADMIN and nf_tables in the kernel).
    static core::Result<std::unique_ptr<NftBackend>> open();
    // nftables as halbd's forwarding backend: its capabilities and open().
    static BackendChoice choice();
    // `sink`: where plain services go as libnftnl batches (null: everything
    // as text). `resolve`: the interface of a DR real server (default: the
    // host's connected subnets, dr_device.hh).
    explicit NftBackend(std::unique_ptr<net::Nftables> nft, std::unique_ptr<NlSink> sink = nullptr,
                        DeviceResolver resolve = {});

    std::string name() const override { return kBackendName; }
    const config::ForwardCapabilities& capabilities() const override { return nft::capabilities(); }
    // What this backend programmed (the table is its own: nothing else writes it).
    core::Result<ServiceTable> dump() override { return table_; }
    core::Status add_service(const ServiceKey& key, const ServiceParams& params) override;
    core::Status update_service(const ServiceKey& key, const ServiceParams& params) override;
    core::Status delete_service(const ServiceKey& key) override;
    core::Status add_dest(const ServiceKey& svc, const DestKey& dest, const DestParams& p) override;
    core::Status update_dest(const ServiceKey& svc, const DestKey& dest, const DestParams& p) override;
    core::Status delete_dest(const ServiceKey& svc, const DestKey& dest) override;
    // One transaction for all of `ops`; an operation that does not fit the
    // table (adding what exists, ...) fails alone, as in IPVS.
    std::vector<core::Status> run(std::span<const Op> ops) override;
    uint64_t writes() const override { return writes_; }
    // Transactions sent (bench and tests).
    uint64_t transactions() const { return transactions_; }

    // Services a run changes: the new value, or none for a deleted one.
    using Changes = std::map<ServiceKey, std::optional<Service>>;
    // The transaction taking the table from `before` through `changes`
    // (pure, for tests; DR services are left to dr_transaction()). `fresh`: the first one, which replaces whatever a
    // previous run of halbd left in its tables. `slot_maps`: the shared slot
    // maps that exist ("ip tcp_slots_7"); the result says which will.
    // `split`: the fast() services' changes go into `fast` (sent after
    // `text`, see above), else into `text` too.
    struct Transaction {
        std::string text;
        std::set<std::string> slot_maps;
        NlBatch fast;
        std::set<ServiceKey> fast_services;
    };
    static Transaction transaction(const ServiceTable& before, const Changes& changes, bool fresh,
                                   const std::set<std::string>& slot_maps = {}, bool split = false);

private:
    std::unique_ptr<net::Nftables> nft_;
    std::unique_ptr<NlSink> sink_;  // null: everything as text
    ServiceTable table_;
    std::set<std::string> slot_maps_;  // see transaction()
    DeviceResolver resolve_;
    DrState dr_;  // table netdev halbd (dr_ruleset.hh)
    bool fresh_ = true;
    uint64_t writes_ = 0, transactions_ = 0;
};

// Lines of nft input a batch is as text (commands and elements), and the
// most a run sends as text to keep a change set in one transaction.
size_t fold_cost(const NlBatch& b);
inline constexpr size_t kFoldLimit = 2048;

// Applies one operation to `changes` over `table`; an error (and no change)
// when it does not fit: adding what exists, changing what does not.
core::Status apply_op(const ServiceTable& table, NftBackend::Changes& changes, const Op& op);

}  // namespace halbd::forward::nft
