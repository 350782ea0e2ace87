// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// net/announcer.hh: Announcer, how a new master tells the link that its
// VIPs moved (RFC 5798 §6.4.1-2): a gratuitous ARP for an IPv4 VIP and an
// unsolicited neighbour advertisement for an IPv6 VIP. The wire formats are
// pure builders here (tested without root); RawAnnouncer sends them,
// FakeAnnouncer records them. Called by the VRRP adapter (vrrp/instance_io).
#pragma once

#include <cstdint>
#include <vector>

#include "core/result.hh"
#include "net/address.hh"
#include "net/address_backend.hh"

namespace halbd::net {

// The ARP packet (RFC 826, no Ethernet header) of a gratuitous ARP: a request
// whose sender and target protocol addresses are both vip, sender hardware
// address mac, target hardware address broadcast (as keepalived sends it).
std::vector<uint8_t> build_garp(const MacAddress& mac, const IpAddress& vip);

// The ICMPv6 message (RFC 4861 §4.4, §7.2.6) of an unsolicited neighbour
// advertisement for vip: Override set, Solicited clear, Router as given,
// with a target link-layer address option. The checksum is left 0: the
// kernel fills it for ICMPv6 raw sockets.
std::vector<uint8_t> build_unsolicited_na(const MacAddress& mac, const IpAddress& vip, bool router = false);

class Announcer {
public:
    virtual ~Announcer() = default;
    virtual core::Status garp(const LinkInfo& link, const IpAddress& vip) = 0;
    virtual core::Status unsolicited_na(const LinkInfo& link, const IpAddress& vip) = 0;
};

}  // namespace halbd::net
