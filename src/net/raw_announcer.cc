// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// net/raw_announcer.cc: see raw_announcer.hh. The NA goes to ff02::1 with
// hop limit 255 (RFC 4861 §7.1.2 receivers drop anything else) from the
// link's link-local address, which the kernel picks.
#include "net/raw_announcer.hh"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace halbd::net {

core::Status RawAnnouncer::garp(const LinkInfo& link, const IpAddress& vip) {
    if (!vip.is_v4()) return core::Error{EINVAL, "gratuitous ARP for a non-IPv4 address"};
    if (!arp_) {
        arp_.reset(::socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        if (!arp_) return core::system_error("gratuitous ARP: socket(AF_PACKET)");
    }
    const auto pkt = build_garp(link.mac, vip);
    sockaddr_ll to{};
    to.sll_family = AF_PACKET;
    to.sll_protocol = htons(ETH_P_ARP);
    to.sll_ifindex = link.ifindex;
    to.sll_halen = 6;
    std::memset(to.sll_addr, 0xff, 6);
    if (::sendto(arp_.get(), pkt.data(), pkt.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) < 0)
        return core::system_error("gratuitous ARP for " + vip.to_string() + " on " + link.name);
    return core::Ok{};
}

core::Status RawAnnouncer::unsolicited_na(const LinkInfo& link, const IpAddress& vip) {
    if (!vip.is_v6()) return core::Error{EINVAL, "neighbour advertisement for a non-IPv6 address"};
    if (!icmp6_) {
        core::UniqueFd s(::socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6));
        if (!s) return core::system_error("unsolicited NA: socket(ICMPv6)");
        int hops = 255;
        icmp6_filter filter;
        ICMP6_FILTER_SETBLOCKALL(&filter);
        if (::setsockopt(s.get(), IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops) < 0 ||
            ::setsockopt(s.get(), IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof hops) < 0 ||
            ::setsockopt(s.get(), IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter) < 0)
            return core::system_error("unsolicited NA: setsockopt");
        icmp6_ = std::move(s);
    }
    const auto pkt = build_unsolicited_na(link.mac, vip);
    static const IpAddress all_nodes = *IpAddress::parse("ff02::1");
    sockaddr_storage to;
    const socklen_t to_len = to_sockaddr(all_nodes, 0, to, static_cast<uint32_t>(link.ifindex));
    if (int idx = link.ifindex; ::setsockopt(icmp6_.get(), IPPROTO_IPV6, IPV6_MULTICAST_IF, &idx, sizeof idx) < 0)
        return core::system_error("unsolicited NA: IPV6_MULTICAST_IF " + link.name);
    if (::sendto(icmp6_.get(), pkt.data(), pkt.size(), 0, reinterpret_cast<sockaddr*>(&to), to_len) < 0)
        return core::system_error("unsolicited NA for " + vip.to_string() + " on " + link.name);
    return core::Ok{};
}

}  // namespace halbd::net
