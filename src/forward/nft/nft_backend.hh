// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/nft/nft_backend.hh: the nftables forwarding backend (DESIGN
// principles 7, 8, 12), for kernels without IPVS: programs table `halbd`
// (families ip and ip6, each only while it has services; `netdev halbd` for
// DR) through an injected NlSink (libnftnl in halbd, a recorder in tests).
// Each run() of operations is one nft transaction, all or nothing; only the
// services it touches are rewritten (ruleset.hh). It never reads or changes
// another table. Created by the forward subsystem through choice(); owns its
// sink and its Nftables (the text path, used only without a sink).
//
// One change set, one kernel transaction (issue 14): every change set,
// whatever its size and kind (plain, persistent, fwmark, DR; the first load
// with its tables and shared maps), is one NlBatch sent as one nf_tables
// netlink batch through an NlSink (libnftnl in halbd): the kernel commits it
// whole or refuses it whole, so a packet meets every service either as it
// was or as it is. libnftables parsing text cost 7 s for 10,000 services
// (13 MB of text), and it cannot hand over its messages to join a batch (its
// API runs a command, it never returns the netlink messages), so halbd
// encodes every object itself (nl_objects.hh, with nft's typeof udata so
// `nft list table` reads as before). The same batch as nft(8) text (each
// NlOp carries its line) is what tests compare, what errors quote, and what
// the backend sends through libnftables when it has no sink (tests).
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
    // `sink`: where each change set goes as one libnftnl batch (null: as
    // text through `nft`). `resolve`: the interface of a DR real server (default: the
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
    // (pure, for tests; DR services are left to dr_transaction()). `fresh`:
    // the first one, which replaces whatever a previous run of halbd left in
    // its tables. `slot_maps`: the shared slot maps that exist ("ip
    // tcp_slots_7"); the result says which will.
    struct Transaction {
        NlBatch batch;
        std::set<std::string> slot_maps;
    };
    static Transaction transaction(const ServiceTable& before, const Changes& changes, bool fresh,
                                   const std::set<std::string>& slot_maps = {});

private:
    std::unique_ptr<net::Nftables> nft_;
    std::unique_ptr<NlSink> sink_;  // null: as text
    ServiceTable table_;
    std::set<std::string> slot_maps_;  // see transaction()
    DeviceResolver resolve_;
    DrState dr_;  // table netdev halbd (dr_ruleset.hh)
    bool fresh_ = true;
    uint64_t writes_ = 0, transactions_ = 0;
};

// Applies one operation to `changes` over `table`; an error (and no change)
// when it does not fit: adding what exists, changing what does not.
core::Status apply_op(const ServiceTable& table, NftBackend::Changes& changes, const Op& op);

}  // namespace halbd::forward::nft
