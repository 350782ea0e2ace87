// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/packet.hh: the VRRP advertisement codec, VRRPv2 (RFC 3768 §5) and
// VRRPv3 (RFC 5798 §5) over IPv4 and IPv6: bytes <-> Advert. Pure (DESIGN
// principle 1): no I/O, no logging, no counters; a malformed packet comes back
// as a DropReason. Called by the socket adapter and the fuzz target.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/time.hh"
#include "net/address.hh"
#include "vrrp/drop.hh"

namespace halbd::vrrp {

inline constexpr uint8_t kIpProtoVrrp = 112;
inline constexpr uint8_t kIpProtoAh = 51;
inline constexpr uint8_t kVrrpTtl = 255;        // RFC 5798 §5.1.1.3 / §5.1.2.3
inline constexpr uint8_t kPriorityStop = 0;     // "stop participating" (RFC 5798 §5.2.4)
inline constexpr uint8_t kPriorityOwner = 255;  // address owner
inline constexpr size_t kHeaderLen = 8;
inline constexpr size_t kAuthDataLen = 8;       // v2 Authentication Data

// v2 Auth Type (RFC 3768 §5.3.6; RFC 2338 defined 1 and 2).
enum class AuthType : uint8_t { None = 0, Pass = 1, Ah = 2 };

struct Advert {
    uint8_t version = 3;   // 2 or 3
    uint8_t vrid = 0;
    uint8_t priority = 0;
    // The interval field in the version's unit: v2 Adver Int in seconds
    // (8 bits), v3 Max Adver Int in centiseconds (12 bits).
    uint16_t adver_int = 100;
    std::vector<net::IpAddress> addresses;  // all of the packet's family
    AuthType auth_type = AuthType::None;    // v2 only
    std::array<uint8_t, kAuthDataLen> auth_data{};  // v2 only; PASS: zero-padded text
    uint16_t checksum = 0;  // as received (decode) or as computed (encode)

    // adver_int as a duration.
    Duration interval() const;
    // Sets adver_int from a duration, truncated to the version's unit and range.
    void set_interval(Duration d);

    friend bool operator==(const Advert&, const Advert&) = default;
};

// What the socket layer knows about a received packet besides its payload.
struct RxMeta {
    net::Family family = net::Family::V4;
    net::IpAddress src;
    net::IpAddress dst;   // multicast group or our unicast address
    int ttl = -1;         // IPv4 TTL / IPv6 hop limit; -1 unknown
};

struct Decoded {
    Advert advert;
    RxMeta meta;               // for decode_ipv4: taken from the IP header
    bool old_checksum = false; // v3 IPv4 checksum matched only with old_checksum_dst
};

// The Internet checksum (RFC 1071) of data, continuing from a partial sum.
uint32_t checksum_add(uint32_t sum, std::span<const uint8_t> data);
uint16_t checksum_fold(uint32_t sum);

// Encodes the VRRP message (no IP header). src/dst are the IP source and
// destination: VRRPv3 checksums them in the IPv4/IPv6 pseudo-header (RFC 5798
// §5.2.8). keepalived's `old_unicast_checksum` (<= 1.3.6 compatibility) puts
// the multicast group in the pseudo-header instead of the unicast peer: the
// adapter then passes the group as dst. VRRPv2 ignores src/dst.
std::vector<uint8_t> encode(const Advert& advert, const net::IpAddress& src, const net::IpAddress& dst);

// Decodes a VRRP message (no IP header), verifying version, type, lengths,
// auth type and the checksum. When the v3 IPv4 checksum fails against
// meta.dst and old_checksum_dst is given, it is retried with that address
// (keepalived's auto-detection of the old unicast checksum).
DropOr<Decoded> decode(std::span<const uint8_t> bytes, const RxMeta& meta,
                       std::optional<net::IpAddress> old_checksum_dst = std::nullopt);

// Decodes a whole IPv4 packet as read from a raw socket: checks the IP header
// (version, IHL, total length, protocol) and takes src, dst and TTL from it.
DropOr<Decoded> decode_ipv4(std::span<const uint8_t> packet,
                            std::optional<net::IpAddress> old_checksum_dst = std::nullopt);

}  // namespace halbd::vrrp
