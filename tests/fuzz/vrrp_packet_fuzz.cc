// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/fuzz/vrrp_packet_fuzz.cc: libFuzzer target for the VRRP receive path
// (vrrp/packet: decode_ipv4 on a raw IPv4 packet, decode on a bare VRRP
// message of either family). Any bytes must decode or be dropped with a
// reason: never a crash or an out-of-bounds read. A packet that decodes
// must encode back to a message that decodes to the same advert (its
// checksum aside: reserved bits are not sent back).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "vrrp/packet.hh"

using namespace halbd;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    // The first byte chooses the path, the rest is the packet.
    const uint8_t mode = data[0] % 3;
    std::span<const uint8_t> bytes(data + 1, size - 1);
    vrrp::RxMeta meta;
    if (mode == 2) {
        meta.family = net::Family::V6;
        meta.src = *net::IpAddress::parse("fe80::1");
        meta.dst = *net::IpAddress::parse("ff02::12");
    } else {
        meta.src = *net::IpAddress::parse("192.0.2.1");
        meta.dst = *net::IpAddress::parse("224.0.0.18");
    }
    meta.ttl = 255;
    auto d = mode == 0 ? vrrp::decode_ipv4(bytes, *net::IpAddress::parse("224.0.0.18"))
                       : vrrp::decode(bytes, meta);
    if (!d) return 0;
    // Round trip: what we accept, we can say again identically.
    const vrrp::RxMeta& m = mode == 0 ? d->meta : meta;
    const std::vector<uint8_t> again = vrrp::encode(d->advert, m.src, d->old_checksum ? *net::IpAddress::parse("224.0.0.18") : m.dst);
    auto back = vrrp::decode(again, m, *net::IpAddress::parse("224.0.0.18"));
    if (!back) std::abort();
    // The checksum differs when the sender set reserved bits we drop.
    vrrp::Advert a = d->advert;
    a.checksum = back->advert.checksum;
    if (!(back->advert == a)) std::abort();
    return 0;
}
