// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// sync/channel_config.hh: the settings of one FT-FW peer channel, a plain
// struct the sync subsystem fills from its conntrack_sync block and hands to
// FtfwPeer::open. Defaults are conntrackd's where it has one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/time.hh"
#include "net/address.hh"
#include "sync/aead.hh"
#include "sync/ftfw_ct_codec.hh"
#include "sync/ftfw_session.hh"

namespace halbd::sync {

struct ChannelConfig {
    std::string interface;                  // the sync link: bound to it, multicast out of it
    std::vector<net::IpAddress> peers;      // unicast peers; empty: multicast to mcast_group
    net::IpAddress mcast_group = net::IpAddress::v4(0xe1000032);  // 225.0.0.50
    uint16_t port = 3780;
    std::optional<net::IpAddress> source_ip;  // bind (and send) from this address
    std::optional<AeadKey> key;             // seal every datagram (not conntrackd-compatible)
    ftfw::SessionConfig session;
    ftfw::CtEncodeOptions encode;
    // Batching: messages queued within one loop pass leave together, at most
    // one datagram's worth (the link MTU) at a time. flush_delay > 0 waits
    // that much longer to fill datagrams, at the cost of replication lag.
    Duration flush_delay{0};
    size_t max_datagram = 0;                // 0: the interface MTU less IP and UDP headers
    unsigned rx_budget = 64;                // datagrams read per readable event
    bool resync_at_start = true;            // ask the peer for its table when we start
    bool connect_peer = false;              // one peer: connect to it (MeshPeer's children share the port)
    int socket_buffer = 4 << 20;            // SO_SNDBUF/SO_RCVBUF (conntrackd's examples use ~1.2 MB)
};

}  // namespace halbd::sync
