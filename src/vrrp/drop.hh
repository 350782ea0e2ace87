// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/drop.hh: why a received VRRP packet was not acted upon (DESIGN
// principle 9). The codec (packet.hh) and the validator (validate.hh) return a
// DropReason; the socket adapter counts it in a DropCounters per socket and per
// instance. Owns nothing but the vocabulary.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "core/value_or.hh"

namespace halbd::vrrp {

enum class DropReason : uint8_t {
    // Structure (decode).
    TooShort,            // shorter than the VRRP header or than its address list says
    LengthMismatch,      // longer than expected, or IPv4 total length != bytes received
    BadIpHeader,         // raw IPv4 packet: not version 4, bad IHL, not protocol 112
    BadVersion,          // version is neither 2 nor 3 (or v2 over IPv6)
    BadType,             // type is not 1 (ADVERTISEMENT)
    BadChecksum,
    BadAuthType,         // v2 auth type not 0, 1 or 2
    AuthUnsupported,     // v2 auth type 2 (IPsec AH) or an AH-protected packet
    BadInterval,         // v3 Max Adver Int 0, v2 Adver Int 0
    // Against the instance (validate).
    NotOurVrid,          // for another virtual router on this link: not an error
    BadTtl,              // multicast TTL / hop limit != 255 (RFC 5798 §7.1)
    TtlOutOfRange,       // unicast peer min_ttl/max_ttl
    VersionMismatch,     // valid version, but not the instance's
    AuthTypeMismatch,
    AuthFailure,         // PASS password differs
    IntervalMismatch,    // v2: Adver Int differs from ours (RFC 3768 §7.1 MUST)
    AddressCountMismatch,
    AddressListMismatch, // a configured VIP missing from the advert
    CastMismatch,        // multicast received by a unicast instance or vice versa
    UnicastSrcNotPeer,   // check_unicast_src and the source is not a unicast_peer
};

inline constexpr size_t kDropReasonCount = static_cast<size_t>(DropReason::UnicastSrcNotPeer) + 1;

// "too_short", "bad_checksum", ...: stable names for counters and logs.
const char* to_string(DropReason reason);

// Counts of drops by reason; the adapter owns one per socket and per instance.
struct DropCounters {
    std::array<uint64_t, kDropReasonCount> counts{};

    void add(DropReason r) { ++counts[static_cast<size_t>(r)]; }
    uint64_t operator[](DropReason r) const { return counts[static_cast<size_t>(r)]; }
    uint64_t total() const {
        uint64_t n = 0;
        for (auto c : counts) n += c;
        return n;
    }
};

// A value or the reason the packet was dropped: what decode() returns.
template <class T>
using DropOr = core::ValueOr<T, DropReason>;

}  // namespace halbd::vrrp
