// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// net/address_backend.cc: see address_backend.hh (the pure helpers).
#include "net/address_backend.hh"

#include <algorithm>
#include <cstdio>

namespace halbd::net {

namespace {
constexpr uint8_t kScopeHost = 254;  // RT_SCOPE_HOST
}

std::string to_string(const MacAddress& m) {
    char buf[18];
    std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    return buf;
}

std::optional<IpAddress> primary_address(const std::vector<InterfaceAddress>& addrs, Family family,
                                         const std::vector<IpAddress>& exclude) {
    for (const auto& a : addrs) {
        const IpAddress& ip = a.address.address;
        if (ip.family() != family || a.tentative) continue;
        if (std::find(exclude.begin(), exclude.end(), ip) != exclude.end()) continue;
        if (family == Family::V4) {
            if (a.secondary || a.scope == kScopeHost) continue;
        } else if (!ip.is_link_local()) {
            continue;
        }
        return ip;
    }
    return std::nullopt;
}

}  // namespace halbd::net
