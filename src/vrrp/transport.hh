// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/transport.hh: Transport and Channel, the VRRP socket adapter's
// interface (DESIGN principle 7): one Channel per (interface, family) carries
// the adverts of every instance on that link, multicast and unicast. The real
// implementation is RawTransport (raw IPPROTO_VRRP sockets), the fake is
// FakeTransport. The VRRP subsystem opens channels and decodes what they read.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "core/result.hh"
#include "net/address.hh"
#include "vrrp/packet.hh"

namespace halbd::vrrp {

struct ChannelSpec {
    std::string ifname;
    int ifindex = 0;
    net::Family family = net::Family::V4;
};

// One packet read from a channel. IPv4: the whole IP packet (decode_ipv4
// takes src, dst and TTL from its header). IPv6: the VRRP message alone, and
// meta filled from the socket's ancillary data.
struct RxPacket {
    std::span<const uint8_t> bytes;
    bool ip_header = false;
    RxMeta meta;
};

class Channel {
public:
    virtual ~Channel() = default;  // closes the socket, leaving its groups
    virtual const ChannelSpec& spec() const = 0;
    virtual core::Status join(const net::IpAddress& group) = 0;
    virtual core::Status leave(const net::IpAddress& group) = 0;
    // Sends one VRRP message (no IP header) from src to dst, TTL / hop limit
    // ttl, TOS / traffic class 0xc0 (network control).
    virtual core::Status send(const net::IpAddress& src, const net::IpAddress& dst, std::span<const uint8_t> msg,
                              uint8_t ttl) = 0;
};

class Transport {
public:
    using Receive = std::function<void(const RxPacket&)>;
    virtual ~Transport() = default;
    // Opens the channel; `receive` runs from the loop for each packet read.
    virtual core::Result<std::unique_ptr<Channel>> open(const ChannelSpec& spec, Receive receive) = 0;
};

}  // namespace halbd::vrrp
