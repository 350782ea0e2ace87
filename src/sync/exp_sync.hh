// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// sync/exp_sync.hh: ExpSync, expectation sync beside the connection sync
// (`expectation_sync` in conntrack_sync, conntrackd's ExpectationSync). It
// keeps our kernel's expectations (a dump, then events) and sends them to the
// peer; it keeps the peer's, and commits them when the node becomes MASTER,
// after the connections they belong to (the kernel refuses an expectation
// without its master connection) and before the addresses go up. Owned by
// SyncSubsystem, which calls it from its few hooks; owns its ExpBackend.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "sync/ct_key.hh"
#include "sync/exp_kernel.hh"
#include "sync/peer.hh"

namespace halbd::sync {

struct ExpStats {
    size_t internal = 0, external = 0;
    uint64_t kernel_events = 0;
    uint64_t sent = 0, received = 0;
    uint64_t filtered = 0;  // not of a helper in the list
    uint64_t committed = 0, commit_failed = 0;
    std::string last_commit_error;
};

// Whether `exp` is replicated: every helper when `helpers` is empty, else
// only those whose helper name is in it (conntrackd's ExpectationSync list).
bool exp_selected(const std::vector<std::string>& helpers, const nf_expect& exp);
// The identity of an expectation: its expected tuple.
CtKey exp_key(const nf_expect& exp);

class ExpSync {
public:
    ExpSync(std::unique_ptr<ExpBackend> kernel, Peer& peer, std::vector<std::string> helpers);
    ~ExpSync();

    // Reads the kernel's expectations and follows its events.
    void start();
    // An expectation the peer sent.
    void on_peer(CtOp op, Exp exp);
    // The peer asked for our whole table: send our expectations again.
    void serve();
    // Entering MASTER, after the connections: the peer's expectations into
    // the kernel. Those the kernel took become ours.
    void commit();
    ExpStats stats() const;

private:
    using Cache = std::unordered_map<CtKey, Exp, CtKeyHash>;
    void on_kernel(CtOp op, Exp exp);
    void reread(bool announce);

    std::unique_ptr<ExpBackend> kernel_;
    Peer& peer_;
    std::vector<std::string> helpers_;
    Cache internal_, external_;
    ExpStats st_;
};

}  // namespace halbd::sync
