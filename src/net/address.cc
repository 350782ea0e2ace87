// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// net/address.cc: see address.hh.
#include "net/address.hh"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>

namespace halbd::net {

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
    if (text.empty() || text.size() > INET6_ADDRSTRLEN) return std::nullopt;
    char buf[INET6_ADDRSTRLEN + 1];
    std::memcpy(buf, text.data(), text.size());
    buf[text.size()] = '\0';
    IpAddress a;
    if (text.find(':') == std::string_view::npos) {
        if (inet_pton(AF_INET, buf, a.bytes_.data()) != 1) return std::nullopt;
        a.family_ = Family::V4;
    } else {
        if (inet_pton(AF_INET6, buf, a.bytes_.data()) != 1) return std::nullopt;
        a.family_ = Family::V6;
    }
    return a;
}

IpAddress IpAddress::v4(uint32_t host_order) {
    IpAddress a;
    a.family_ = Family::V4;
    uint32_t n = htonl(host_order);
    std::memcpy(a.bytes_.data(), &n, 4);
    return a;
}

IpAddress IpAddress::from_bytes(Family f, const uint8_t* bytes) {
    IpAddress a;
    a.family_ = f;
    std::memcpy(a.bytes_.data(), bytes, f == Family::V4 ? 4 : 16);
    return a;
}

uint32_t IpAddress::v4_host_order() const {
    uint32_t n;
    std::memcpy(&n, bytes_.data(), 4);
    return ntohl(n);
}

bool IpAddress::is_multicast() const {
    return is_v4() ? (bytes_[0] & 0xf0) == 0xe0 : bytes_[0] == 0xff;
}

bool IpAddress::is_unspecified() const {
    for (size_t i = 0; i < size(); ++i)
        if (bytes_[i] != 0) return false;
    return true;
}

bool IpAddress::is_link_local() const {
    return is_v4() ? (bytes_[0] == 169 && bytes_[1] == 254)
                   : (bytes_[0] == 0xfe && (bytes_[1] & 0xc0) == 0x80);
}

std::string IpAddress::to_string() const {
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(is_v4() ? AF_INET : AF_INET6, bytes_.data(), buf, sizeof buf);
    return buf;
}

IpAddress IpAddress::plus(uint32_t n) const {
    IpAddress a = *this;
    uint64_t carry = n;
    for (int i = static_cast<int>(size()) - 1; i >= 0 && carry; --i) {
        uint64_t v = a.bytes_[i] + (carry & 0xff);
        carry >>= 8;
        a.bytes_[i] = static_cast<uint8_t>(v);
        carry += v >> 8;
    }
    return a;
}

std::optional<Prefix> Prefix::parse(std::string_view text) {
    auto slash = text.find('/');
    auto addr = IpAddress::parse(text.substr(0, slash));
    if (!addr) return std::nullopt;
    Prefix p{*addr, static_cast<uint8_t>(addr->max_prefix())};
    if (slash != std::string_view::npos) {
        auto len_text = text.substr(slash + 1);
        unsigned len = 0;
        auto [ptr, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
        if (ec != std::errc() || ptr != len_text.data() + len_text.size() || len_text.empty() ||
            len > static_cast<unsigned>(addr->max_prefix()))
            return std::nullopt;
        p.length = static_cast<uint8_t>(len);
    }
    return p;
}

std::string Prefix::to_string() const {
    return address.to_string() + '/' + std::to_string(length);
}

socklen_t to_sockaddr(const IpAddress& a, uint16_t port, sockaddr_storage& ss, uint32_t scope_id) {
    std::memset(&ss, 0, sizeof ss);
    if (a.is_v4()) {
        auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        std::memcpy(&sin->sin_addr, a.bytes(), 4);
        return sizeof(sockaddr_in);
    }
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    sin6->sin6_scope_id = scope_id;
    std::memcpy(&sin6->sin6_addr, a.bytes(), 16);
    return sizeof(sockaddr_in6);
}

}  // namespace halbd::net
