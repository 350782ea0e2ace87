// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// sync/live_commit.hh: LiveCommit, conntrack_sync's `commit_mode always`:
// the peers' connections go into the kernel as they arrive (conntrackd's
// DisableExternalCache), for several active nodes behind ECMP, where the
// router may send any flow to this node at any time. What arrives in one
// loop pass goes in, in arrival order, one batch per run of one kind: a
// peer's new connection is created (never replacing an entry that exists:
// it is ours or already the same), its update brings the kernel's entry to
// the peer's TCP state and timeout (or creates it), its delete deletes. The sync subsystem feeds
// it from the peer channel; it owns its queue and its timer.
#pragma once

#include <functional>
#include <vector>

#include "core/event_loop.hh"
#include "sync/conntrack_backend.hh"
#include "sync/peer.hh"

namespace halbd::sync {

class LiveCommit {
public:
    using ResultFn = std::function<void(const BatchResult&)>;
    LiveCommit(core::EventLoop& loop, ConntrackBackend& kernel, ResultFn on_result);

    // A peer's connection as it arrived (New: create; Update: update or
    // create; Delete: delete).
    void add(CtOp op, const nf_conntrack& ct);
    size_t queued() const { return queue_.size(); }

private:
    void flush();

    ConntrackBackend& kernel_;
    ResultFn on_result_;
    core::TimerPtr timer_;
    std::vector<std::pair<CtOp, Ct>> queue_;  // in arrival order
};

}  // namespace halbd::sync
