// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// sync/peer.hh: the seam between the two halves of connection sync. Below
// it, the peer channel (sync/ftfw_*: conntrackd's FT-FW wire protocol over
// UDP, its reliability, the optional AEAD envelope); above it, the sync
// subsystem (sync/subsystem.*: ctnetlink source and sink, the caches, VRRP
// state, halbctl). The subsystem includes this header only, so a test can
// put a fake peer (tests/support/fake_sync_peer.hh) under it.
//
// Connections cross the seam as libnetfilter_conntrack objects, the type
// both ctnetlink and conntrackd's message payloads are made from.
#pragma once

#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace halbd::sync {

struct CtDeleter {
    void operator()(nf_conntrack* ct) const { nfct_destroy(ct); }
};
using Ct = std::unique_ptr<nf_conntrack, CtDeleter>;

// A conntrack helper's expectation (sync/exp_sync.hh).
struct ExpDeleter {
    void operator()(nf_expect* e) const { nfexp_destroy(e); }
};
using Exp = std::unique_ptr<nf_expect, ExpDeleter>;

// What a state message says about one connection (conntrackd's
// NET_T_STATE_CT_NEW / _UPD / _DEL).
enum class CtOp : uint8_t { New, Update, Delete };

// Counters of one channel, for halbctl sync and the state dump.
struct PeerCounters {
    uint64_t msgs_sent = 0, msgs_received = 0;
    uint64_t bytes_sent = 0, bytes_received = 0;
    uint64_t retransmitted = 0;   // messages sent again after a NACK
    uint64_t nacks_sent = 0, nacks_received = 0;
    uint64_t resyncs_requested = 0, resyncs_served = 0;
    uint64_t malformed = 0;       // dropped: failed validation
    uint64_t auth_failures = 0;   // dropped: failed AEAD open or replay window
    uint64_t send_errors = 0;
};

// One replication channel to the peer node(s).
class Peer {
public:
    struct Handlers {
        // A connection the peer sent.
        std::function<void(CtOp, Ct)> on_conntrack;
        // An expectation the peer sent (NET_T_STATE_EXP_*); unset: dropped.
        std::function<void(CtOp, Exp)> on_expect;
        // The peer asks for our whole table: send every connection again
        // (conntrackd -n on the other side, or a node that (re)started).
        std::function<void()> on_resync_request;
        // The peer finished sending its whole table after our
        // request_resync() (or the bounded wait for it passed: complete=false).
        std::function<void(bool complete)> on_resync_done;
        // The peer came (alive=true: any valid message) or went (nothing for
        // the alive timeout).
        std::function<void(bool alive)> on_peer_alive;
    };

    virtual ~Peer() = default;

    // Queues one connection for the peer (batched; sent within the flush window).
    virtual void send(CtOp op, const nf_conntrack& ct) = 0;
    // Queues one expectation (a channel without them drops it).
    virtual void send_exp(CtOp /*op*/, const nf_expect& /*exp*/) {}
    // Marks the end of a full-table send that answered on_resync_request.
    virtual void resync_sent() = 0;
    // Asks the peer for its whole table.
    virtual void request_resync() = 0;

    virtual bool peer_alive() const = 0;
    virtual const PeerCounters& counters() const = 0;
};

}  // namespace halbd::sync
