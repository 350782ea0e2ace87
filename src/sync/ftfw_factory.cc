// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// sync/ftfw_factory.cc: see ftfw_factory.hh.
#include "sync/ftfw_factory.hh"

#include "sync/ftfw_peer.hh"
#include "sync/mesh_peer.hh"

namespace halbd::sync {

core::Result<ChannelConfig> channel_config(const config::ConntrackSync& cfg) {
    ChannelConfig c;
    c.interface = cfg.interface;
    c.peers = cfg.peers;
    c.mcast_group = cfg.mcast_group;
    c.port = cfg.port;
    c.source_ip = cfg.source_ip;
    if (!cfg.auth_key_file.empty()) {
        auto key = load_key_file(cfg.auth_key_file);
        if (!key) return key.error();
        c.key = key.value();
    }
    // The subsystem asks for the peer's table itself, and bounds the wait
    // for it with bulk_timeout (0: no wait, the channel's default then).
    c.resync_at_start = false;
    if (cfg.bulk_timeout > Duration::zero()) c.session.resync_timeout = cfg.bulk_timeout;
    return c;
}

core::Result<std::unique_ptr<Peer>> open_ftfw_peer(core::EventLoop& loop, const config::ConntrackSync& cfg,
                                                   Peer::Handlers handlers) {
    auto c = channel_config(cfg);
    if (!c) return c.error();
    if (c.value().peers.size() > 1) {  // one FT-FW session per peer
        auto m = MeshPeer::open(loop, c.value(), std::move(handlers));
        if (!m) return m.error();
        return std::unique_ptr<Peer>(std::move(m.value()));
    }
    auto p = FtfwPeer::open(loop, c.value(), std::move(handlers));
    if (!p) return p.error();
    return std::unique_ptr<Peer>(std::move(p.value()));
}

}  // namespace halbd::sync
