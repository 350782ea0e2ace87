// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// net/raw_announcer.hh: the real Announcer. One AF_PACKET datagram socket
// (protocol 0: it sends ARP, receives nothing) and one ICMPv6 raw socket
// (receive filter blocks everything), both non-blocking, opened on first
// use. Part of the privileged facade (CAP_NET_RAW). Owned by halbd.cc, lent
// to the VRRP subsystem.
#pragma once

#include "core/fd.hh"
#include "net/announcer.hh"

namespace halbd::net {

class RawAnnouncer final : public Announcer {
public:
    core::Status garp(const LinkInfo& link, const IpAddress& vip) override;
    core::Status unsolicited_na(const LinkInfo& link, const IpAddress& vip) override;

private:
    core::UniqueFd arp_;
    core::UniqueFd icmp6_;
};

}  // namespace halbd::net
