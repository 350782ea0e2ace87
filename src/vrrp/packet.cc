// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/packet.cc: VRRPv2/v3 encode and decode, and the Internet checksum with
// the RFC 5798 §5.2.8 pseudo-headers. Layout (both versions share the first 4
// bytes):
//   0: Version(4) Type(4)  1: VRID  2: Priority  3: Count IPvX Addr
//   v2: 4: Auth Type  5: Adver Int (s)         v3: 4-5: rsvd(4) Max Adver Int(12, cs)
//   6-7: Checksum, then Count addresses, then (v2 only) 8 bytes Authentication Data.
#include "vrrp/packet.hh"

#include <algorithm>

namespace halbd::vrrp {

namespace {

constexpr uint8_t kTypeAdvert = 1;
constexpr size_t kIpv4HeaderMin = 20;

size_t addr_len(net::Family f) { return f == net::Family::V4 ? 4 : 16; }

size_t message_len(uint8_t version, net::Family f, size_t count) {
    return kHeaderLen + count * addr_len(f) + (version == 2 ? kAuthDataLen : 0);
}

// Sum of the pseudo-header: IPv4 (RFC 768 layout: src, dst, zero, protocol,
// 16-bit length) or IPv6 (RFC 8200 §8.1: src, dst, 32-bit length, 3 zero
// bytes, next header). Only v3 uses it.
uint32_t pseudo_header_sum(const net::IpAddress& src, const net::IpAddress& dst, size_t len) {
    uint32_t sum = checksum_add(0, {src.bytes(), src.size()});
    sum = checksum_add(sum, {dst.bytes(), dst.size()});
    if (src.is_v4()) {
        const uint8_t tail[4] = {0, kIpProtoVrrp, uint8_t(len >> 8), uint8_t(len)};
        return checksum_add(sum, tail);
    }
    const uint8_t tail[8] = {uint8_t(len >> 24), uint8_t(len >> 16), uint8_t(len >> 8), uint8_t(len),
                             0, 0, 0, kIpProtoVrrp};
    return checksum_add(sum, tail);
}

// The checksum that goes in bytes 6-7, computed with that field zero.
uint16_t compute(std::span<const uint8_t> msg, uint8_t version, const net::IpAddress& src,
                 const net::IpAddress& dst) {
    uint32_t sum = version == 3 ? pseudo_header_sum(src, dst, msg.size()) : 0;
    return static_cast<uint16_t>(~checksum_fold(checksum_add(sum, msg)));
}

// A received message verifies when the sum including its checksum is 0xffff.
bool verifies(std::span<const uint8_t> msg, uint8_t version, const net::IpAddress& src,
              const net::IpAddress& dst) {
    uint32_t sum = version == 3 ? pseudo_header_sum(src, dst, msg.size()) : 0;
    return checksum_fold(checksum_add(sum, msg)) == 0xffff;
}

}  // namespace

Duration Advert::interval() const {
    using namespace std::chrono;
    if (version == 2) return seconds(adver_int);
    return milliseconds(10) * adver_int;
}

void Advert::set_interval(Duration d) {
    using namespace std::chrono;
    if (version == 2) {
        adver_int = static_cast<uint16_t>(std::clamp<int64_t>(duration_cast<seconds>(d).count(), 0, 255));
    } else {
        adver_int = static_cast<uint16_t>(
            std::clamp<int64_t>(duration_cast<milliseconds>(d).count() / 10, 0, 0x0fff));
    }
}

uint32_t checksum_add(uint32_t sum, std::span<const uint8_t> data) {
    size_t i = 0;
    for (; i + 1 < data.size(); i += 2) sum += uint32_t(data[i]) << 8 | data[i + 1];
    if (i < data.size()) sum += uint32_t(data[i]) << 8;  // odd byte, zero padded
    // Fold now and then so long inputs cannot overflow.
    while (sum > 0xffffu) sum = (sum & 0xffffu) + (sum >> 16);
    return sum;
}

uint16_t checksum_fold(uint32_t sum) {
    while (sum > 0xffffu) sum = (sum & 0xffffu) + (sum >> 16);
    return static_cast<uint16_t>(sum);
}

std::vector<uint8_t> encode(const Advert& a, const net::IpAddress& src, const net::IpAddress& dst) {
    const net::Family family = a.addresses.empty() ? src.family() : a.addresses.front().family();
    std::vector<uint8_t> out;
    out.reserve(message_len(a.version, family, a.addresses.size()));
    out.push_back(static_cast<uint8_t>(a.version << 4 | kTypeAdvert));
    out.push_back(a.vrid);
    out.push_back(a.priority);
    out.push_back(static_cast<uint8_t>(a.addresses.size()));
    if (a.version == 2) {
        out.push_back(static_cast<uint8_t>(a.auth_type));
        out.push_back(static_cast<uint8_t>(a.adver_int));
    } else {
        out.push_back(static_cast<uint8_t>((a.adver_int >> 8) & 0x0f));  // rsvd = 0
        out.push_back(static_cast<uint8_t>(a.adver_int));
    }
    out.push_back(0);
    out.push_back(0);
    for (const auto& addr : a.addresses) out.insert(out.end(), addr.bytes(), addr.bytes() + addr.size());
    if (a.version == 2) {
        // RFC 3768 §5.3.10: zero unless an authentication scheme uses it.
        if (a.auth_type == AuthType::Pass)
            out.insert(out.end(), a.auth_data.begin(), a.auth_data.end());
        else
            out.insert(out.end(), kAuthDataLen, 0);
    }
    const uint16_t sum = compute(out, a.version, src, dst);
    out[6] = static_cast<uint8_t>(sum >> 8);
    out[7] = static_cast<uint8_t>(sum);
    return out;
}

DropOr<Decoded> decode(std::span<const uint8_t> b, const RxMeta& meta,
                       std::optional<net::IpAddress> old_checksum_dst) {
    if (b.size() < kHeaderLen) return DropReason::TooShort;
    const uint8_t version = b[0] >> 4;
    if (version != 2 && version != 3) return DropReason::BadVersion;
    // VRRPv2 is IPv4 only (RFC 3768); IPv6 needs VRRPv3 (RFC 5798).
    if (version == 2 && meta.family == net::Family::V6) return DropReason::BadVersion;
    if ((b[0] & 0x0f) != kTypeAdvert) return DropReason::BadType;
    const size_t count = b[3];
    const size_t expected = message_len(version, meta.family, count);
    if (b.size() < expected) return DropReason::TooShort;
    if (b.size() > expected) return DropReason::LengthMismatch;

    Decoded d;
    d.meta = meta;
    if (!verifies(b, version, meta.src, meta.dst)) {
        // keepalived auto-detects peers using the pre-1.3.6 v3 IPv4 unicast
        // checksum (multicast group in the pseudo-header) unless told `never`.
        if (version == 3 && meta.family == net::Family::V4 && old_checksum_dst &&
            *old_checksum_dst != meta.dst && verifies(b, version, meta.src, *old_checksum_dst)) {
            d.old_checksum = true;
        } else {
            return DropReason::BadChecksum;
        }
    }

    Advert& a = d.advert;
    a.version = version;
    a.vrid = b[1];
    a.priority = b[2];
    a.checksum = static_cast<uint16_t>(b[6] << 8 | b[7]);
    if (version == 2) {
        if (b[4] > static_cast<uint8_t>(AuthType::Ah)) return DropReason::BadAuthType;
        a.auth_type = static_cast<AuthType>(b[4]);
        if (a.auth_type == AuthType::Ah) return DropReason::AuthUnsupported;
        a.adver_int = b[5];
    } else {
        a.adver_int = static_cast<uint16_t>((b[4] & 0x0f) << 8 | b[5]);  // rsvd ignored
    }
    if (a.adver_int == 0) return DropReason::BadInterval;

    const size_t alen = addr_len(meta.family);
    a.addresses.reserve(count);
    for (size_t i = 0; i < count; ++i)
        a.addresses.push_back(net::IpAddress::from_bytes(meta.family, b.data() + kHeaderLen + i * alen));
    if (version == 2 && a.auth_type == AuthType::Pass)
        std::copy_n(b.data() + kHeaderLen + count * alen, kAuthDataLen, a.auth_data.begin());
    return d;
}

DropOr<Decoded> decode_ipv4(std::span<const uint8_t> p, std::optional<net::IpAddress> old_checksum_dst) {
    if (p.size() < kIpv4HeaderMin) return DropReason::TooShort;
    if ((p[0] >> 4) != 4) return DropReason::BadIpHeader;
    const size_t ihl = size_t(p[0] & 0x0f) * 4;
    if (ihl < kIpv4HeaderMin || ihl > p.size()) return DropReason::BadIpHeader;
    const size_t tot_len = size_t(p[2]) << 8 | p[3];
    if (tot_len != p.size()) return DropReason::LengthMismatch;
    if (p[9] == kIpProtoAh) return DropReason::AuthUnsupported;
    if (p[9] != kIpProtoVrrp) return DropReason::BadIpHeader;
    RxMeta meta;
    meta.family = net::Family::V4;
    meta.src = net::IpAddress::from_bytes(net::Family::V4, p.data() + 12);
    meta.dst = net::IpAddress::from_bytes(net::Family::V4, p.data() + 16);
    meta.ttl = p[8];
    return decode(p.subspan(ihl), meta, old_checksum_dst);
}

}  // namespace halbd::vrrp
