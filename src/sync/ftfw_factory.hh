// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// sync/ftfw_factory.hh: the sync subsystem's peer channel in production:
// FtfwPeer opened from the conntrack_sync block (ChannelConfig filled from
// it, the key read from auth_key_file). Called by the wiring's PeerFactory.
#pragma once

#include <memory>

#include "config/model_sync.hh"
#include "core/event_loop.hh"
#include "core/result.hh"
#include "sync/channel_config.hh"
#include "sync/peer.hh"

namespace halbd::sync {

// The channel settings of cfg (the key is loaded from its file).
core::Result<ChannelConfig> channel_config(const config::ConntrackSync& cfg);
core::Result<std::unique_ptr<Peer>> open_ftfw_peer(core::EventLoop& loop, const config::ConntrackSync& cfg,
                                                   Peer::Handlers handlers);

}  // namespace halbd::sync
