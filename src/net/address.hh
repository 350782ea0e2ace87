// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// net/address.hh: IPv4/IPv6 address and prefix values, parsed from and
// printed as text. Pure values shared by the config model, VRRP and the
// forwarding backends; no I/O.
#pragma once

#include <sys/socket.h>

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace halbd::net {

enum class Family : uint8_t { V4 = 4, V6 = 6 };

class IpAddress {
public:
    IpAddress() = default;
    static std::optional<IpAddress> parse(std::string_view text);
    static IpAddress v4(uint32_t host_order);
    static IpAddress from_bytes(Family f, const uint8_t* bytes);

    Family family() const { return family_; }
    bool is_v4() const { return family_ == Family::V4; }
    bool is_v6() const { return family_ == Family::V6; }
    // Network-order bytes: 4 for IPv4, 16 for IPv6.
    const uint8_t* bytes() const { return bytes_.data(); }
    size_t size() const { return is_v4() ? 4 : 16; }
    uint32_t v4_host_order() const;
    int max_prefix() const { return is_v4() ? 32 : 128; }
    bool is_multicast() const;
    bool is_unspecified() const;
    bool is_link_local() const;
    std::string to_string() const;
    // The address plus n (wrapping within the family); used by ranges such as 10.0.0.1-10.
    IpAddress plus(uint32_t n) const;

    friend auto operator<=>(const IpAddress&, const IpAddress&) = default;
    friend bool operator==(const IpAddress&, const IpAddress&) = default;

private:
    Family family_ = Family::V4;
    std::array<uint8_t, 16> bytes_{};
};

struct Prefix {
    IpAddress address;
    uint8_t length = 0;
    // "a.b.c.d/len", "a::b/len" or a bare address (full-length prefix).
    static std::optional<Prefix> parse(std::string_view text);
    std::string to_string() const;
    friend auto operator<=>(const Prefix&, const Prefix&) = default;
    friend bool operator==(const Prefix&, const Prefix&) = default;
};

// The socket address of a, port and (IPv6 only) scope id, for bind,
// connect and sendto; returns its length.
socklen_t to_sockaddr(const IpAddress& a, uint16_t port, sockaddr_storage& ss, uint32_t scope_id = 0);

}  // namespace halbd::net
