// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// sync/conntrack_backend.hh: ConntrackBackend, the sync subsystem's door to
// the kernel's connection-tracking table (DESIGN principle 7): a full dump,
// the stream of new/update/destroy events, a batched commit and delete. The
// real one is sync/nfct_backend.hh (ctnetlink through libnetfilter_conntrack
// over libmnl); tests use tests/support/fake_conntrack.hh.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <string>

#include "core/result.hh"
#include "sync/peer.hh"

namespace halbd::sync {

// What one commit or delete of many entries did.
struct BatchResult {
    size_t done = 0;    // entries the kernel took
    size_t failed = 0;  // entries it refused (first_error says why)
    std::string first_error;
};

class ConntrackBackend {
public:
    using EventFn = std::function<void(CtOp, Ct)>;
    virtual ~ConntrackBackend() = default;

    // Every entry of the table (IPv4 and IPv6), one call of `each` per entry.
    virtual core::Status dump(const std::function<void(Ct)>& each) = 0;
    // The same on the loop, a bounded slice per loop pass, so that reading a
    // large table never holds VRRP up: `each` per entry, then `done` once
    // with the outcome (possibly before dump_sliced returns). One at a time:
    // a new one, cancel_dump() or destroying the backend ends the one
    // running without calling its done.
    virtual void dump_sliced(std::function<void(Ct)> each, std::function<void(core::Status)> done) = 0;
    virtual void cancel_dump() = 0;
    // Delivers the table's changes on the loop until unsubscribe(): on_event
    // per change, on_lost when the kernel dropped events (ENOBUFS): the
    // listener then re-reads the table with dump().
    virtual core::Status subscribe(EventFn on_event, std::function<void()> on_lost) = 0;
    virtual void unsubscribe() = 0;
    // Creates each entry, or updates it when it exists, many per netlink
    // message batch. Entries are marked confirmed (IPS_CONFIRMED), which the
    // kernel requires of an entry created from user space.
    virtual BatchResult commit(std::span<const nf_conntrack* const> entries) = 0;
    // Creates each entry that does not exist yet; one that exists is left
    // as it is and counts as done (commit_mode always: it is ours, or the
    // same peer entry again).
    virtual BatchResult create(std::span<const nf_conntrack* const> entries) { return commit(entries); }
    // Brings each existing entry to the given one's changeable state (TCP
    // state and window scaling, timeout, mark, labels, sequence adjustment)
    // and creates each that does not exist, as conntrackd applies a peer's
    // update (commit_mode always). An existing entry keeps its NAT binding,
    // status and helper: the kernel does not change those on an update.
    virtual BatchResult update(std::span<const nf_conntrack* const> entries) { return create(entries); }
    // Deletes each entry (by its original tuple and zone); a missing entry is
    // not a failure.
    virtual BatchResult remove(std::span<const nf_conntrack* const> entries) = 0;
};

}  // namespace halbd::sync
