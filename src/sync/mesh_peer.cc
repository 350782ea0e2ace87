// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// sync/mesh_peer.cc: see mesh_peer.hh.
#include "sync/mesh_peer.hh"

#include <algorithm>

#include "core/log.hh"

namespace halbd::sync {

core::Result<std::unique_ptr<MeshPeer>> MeshPeer::open(core::EventLoop& loop, const ChannelConfig& cfg,
                                                        Handlers handlers) {
    std::unique_ptr<MeshPeer> m(new MeshPeer(std::move(handlers)));
    m->waiting_.assign(cfg.peers.size(), false);
    for (size_t i = 0; i < cfg.peers.size(); ++i) {
        ChannelConfig one = cfg;
        one.peers = {cfg.peers[i]};
        one.connect_peer = true;
        Handlers h;
        MeshPeer* raw = m.get();
        h.on_conntrack = [raw](CtOp op, Ct ct) { raw->handlers_.on_conntrack(op, std::move(ct)); };
        h.on_resync_request = [raw] { raw->handlers_.on_resync_request(); };
        h.on_resync_done = [raw, i](bool complete) { raw->child_done(i, complete); };
        h.on_peer_alive = [raw, addr = cfg.peers[i].to_string()](bool alive) {
            log::info("conntrack sync: peer ", addr, alive ? " up" : " down");
            raw->handlers_.on_peer_alive(raw->peer_alive());
        };
        auto c = FtfwPeer::open(loop, one, std::move(h));
        if (!c) return c.error();
        m->children_.push_back(std::move(c.value()));
    }
    return m;
}

void MeshPeer::send(CtOp op, const nf_conntrack& ct) {
    for (auto& c : children_) c->send(op, ct);
}

void MeshPeer::resync_sent() {
    for (auto& c : children_) c->resync_sent();
}

void MeshPeer::request_resync() {
    asked_ = true;
    all_complete_ = true;
    std::fill(waiting_.begin(), waiting_.end(), true);
    for (auto& c : children_) c->request_resync();
}

void MeshPeer::child_done(size_t i, bool complete) {
    if (!asked_ || i >= waiting_.size() || !waiting_[i]) return;
    waiting_[i] = false;
    all_complete_ = all_complete_ && complete;
    if (std::find(waiting_.begin(), waiting_.end(), true) != waiting_.end()) return;
    asked_ = false;
    handlers_.on_resync_done(all_complete_);
}

bool MeshPeer::peer_alive() const {
    return std::any_of(children_.begin(), children_.end(), [](const auto& c) { return c->peer_alive(); });
}

const PeerCounters& MeshPeer::counters() const {
    sum_ = PeerCounters{};
    for (const auto& c : children_) {
        const PeerCounters& k = c->counters();
        for (auto f : {&PeerCounters::msgs_sent, &PeerCounters::msgs_received, &PeerCounters::bytes_sent,
                       &PeerCounters::bytes_received, &PeerCounters::retransmitted, &PeerCounters::nacks_sent,
                       &PeerCounters::nacks_received, &PeerCounters::resyncs_requested,
                       &PeerCounters::resyncs_served, &PeerCounters::malformed, &PeerCounters::auth_failures,
                       &PeerCounters::send_errors})
            sum_.*f += k.*f;
    }
    return sum_;
}

}  // namespace halbd::sync
