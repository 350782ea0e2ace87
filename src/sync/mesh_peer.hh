// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// sync/mesh_peer.hh: MeshPeer, the sync::Peer of a conntrack_sync block
// with several unicast peers (several active nodes behind ECMP): one FT-FW
// session per peer, as FT-FW's sequence numbers, ACKs and NACKs are those
// of one sender and one receiver (conntrackd pairs nodes; three senders in
// one session would read each other's numbers as gaps). Each child owns a
// socket connected to its peer (the kernel then hands it that peer's
// datagrams only). Created by sync/ftfw_factory.cc; owns its children.
#pragma once

#include <memory>
#include <vector>

#include "core/event_loop.hh"
#include "core/result.hh"
#include "sync/channel_config.hh"
#include "sync/ftfw_peer.hh"
#include "sync/peer.hh"

namespace halbd::sync {

class MeshPeer final : public Peer {
public:
    // One child per cfg.peers entry (cfg.peers.size() >= 2).
    static core::Result<std::unique_ptr<MeshPeer>> open(core::EventLoop& loop, const ChannelConfig& cfg,
                                                         Handlers handlers);

    // To every peer (a table served for one peer's request goes to all:
    // a duplicate is a harmless update on the others).
    void send(CtOp op, const nf_conntrack& ct) override;
    void resync_sent() override;
    // Asks every peer; on_resync_done when each answered (complete only if
    // all did).
    void request_resync() override;
    bool peer_alive() const override;  // any peer
    const PeerCounters& counters() const override;  // the children's summed

private:
    explicit MeshPeer(Handlers h) : handlers_(std::move(h)) {}
    void child_done(size_t i, bool complete);

    Handlers handlers_;
    std::vector<std::unique_ptr<FtfwPeer>> children_;
    std::vector<bool> waiting_;  // asked for a table, not answered yet
    bool asked_ = false, all_complete_ = true;
    mutable PeerCounters sum_;
};

}  // namespace halbd::sync
