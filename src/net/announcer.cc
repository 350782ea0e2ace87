// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// net/announcer.cc: the GARP / unsolicited NA packet builders.
#include "net/announcer.hh"

namespace halbd::net {

namespace {
void put16(std::vector<uint8_t>& p, uint16_t v) {
    p.push_back(static_cast<uint8_t>(v >> 8));
    p.push_back(static_cast<uint8_t>(v));
}
void put(std::vector<uint8_t>& p, const uint8_t* b, size_t n) { p.insert(p.end(), b, b + n); }
}  // namespace

std::vector<uint8_t> build_garp(const MacAddress& mac, const IpAddress& vip) {
    std::vector<uint8_t> p;
    p.reserve(28);
    put16(p, 1);       // ar_hrd: Ethernet
    put16(p, 0x0800);  // ar_pro: IPv4
    p.push_back(6);    // ar_hln
    p.push_back(4);    // ar_pln
    put16(p, 1);       // ar_op: request
    put(p, mac.data(), 6);
    put(p, vip.bytes(), 4);
    const MacAddress bcast{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    put(p, bcast.data(), 6);
    put(p, vip.bytes(), 4);
    return p;
}

std::vector<uint8_t> build_unsolicited_na(const MacAddress& mac, const IpAddress& vip, bool router) {
    std::vector<uint8_t> p;
    p.reserve(32);
    p.push_back(136);  // Neighbor Advertisement
    p.push_back(0);    // code
    put16(p, 0);       // checksum: the kernel's
    p.push_back(static_cast<uint8_t>((router ? 0x80 : 0) | 0x20));  // R, S=0, O=1
    p.push_back(0);
    put16(p, 0);
    put(p, vip.bytes(), 16);
    p.push_back(2);  // option: Target Link-Layer Address
    p.push_back(1);  // length in units of 8 octets
    put(p, mac.data(), 6);
    return p;
}

}  // namespace halbd::net
