// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/support/fake_sync_peer.hh: FakeSyncPeer, a sync::Peer without a
// wire. Two can be linked back to back (link()): what one sends reaches the
// other's handlers at once, a resync request is answered by the other node's
// subsystem, and its resync_sent() ends the bulk transfer on this side.
// What crosses it loses its reply tuple, as on the wire. Unlinked (or
// cut()), it drops what it sends. Counts what crossed it.
#pragma once

#include <vector>

#include "sync/ct_key.hh"
#include "sync/peer.hh"

namespace halbd::test {

class FakeSyncPeer final : public sync::Peer {
public:
    explicit FakeSyncPeer(Handlers h) : h_(std::move(h)) {}
    ~FakeSyncPeer() override {
        if (other_) other_->other_ = nullptr;
    }

    static void link(FakeSyncPeer& a, FakeSyncPeer& b) {
        a.other_ = &b;
        b.other_ = &a;
        if (a.h_.on_peer_alive) a.h_.on_peer_alive(true);
        if (b.h_.on_peer_alive) b.h_.on_peer_alive(true);
    }
    void cut() {
        if (other_) other_->other_ = nullptr;
        other_ = nullptr;
    }

    void send(sync::CtOp op, const nf_conntrack& ct) override {
        ++counters_.msgs_sent;
        sent.emplace_back(op, sync::ct_key(ct));
        last_sent = sync::ct_clone(ct);
        if (other_ && other_->h_.on_conntrack) {
            ++other_->counters_.msgs_received;
            // As on the wire: FT-FW carries the original tuple and the NAT
            // binding, not the reply tuple.
            sync::Ct c = sync::ct_clone(ct);
            sync::drop_reply(*c);
            other_->h_.on_conntrack(op, std::move(c));
        }
    }
    void resync_sent() override {
        ++counters_.resyncs_served;
        if (other_ && other_->h_.on_resync_done) other_->h_.on_resync_done(true);
    }
    void request_resync() override {
        ++counters_.resyncs_requested;
        if (other_ && other_->h_.on_resync_request) other_->h_.on_resync_request();
    }
    bool peer_alive() const override { return other_ != nullptr; }
    const sync::PeerCounters& counters() const override { return counters_; }

    // Ends a bulk transfer that will never come (the real peer's timeout).
    void give_up_resync() {
        if (h_.on_resync_done) h_.on_resync_done(false);
    }

    std::vector<std::pair<sync::CtOp, sync::CtKey>> sent;
    sync::Ct last_sent;  // the last connection sent, as sent

private:
    Handlers h_;
    FakeSyncPeer* other_ = nullptr;
    sync::PeerCounters counters_;
};

}  // namespace halbd::test
