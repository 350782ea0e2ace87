// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/nft/dr_device.cc: see dr_device.hh. Reads the host's addresses
// with getifaddrs(3) at each DR change (a handful per reload).
#include "forward/nft/dr_device.hh"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace halbd::forward::nft {

namespace {

const uint8_t* raw(const sockaddr* sa) {
    if (sa->sa_family == AF_INET) return reinterpret_cast<const uint8_t*>(&reinterpret_cast<const sockaddr_in*>(sa)->sin_addr);
    return reinterpret_cast<const uint8_t*>(&reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr);
}

// The prefix length of a netmask, and whether `a` and `b` share it.
int mask_length(const uint8_t* mask, size_t n) {
    int len = 0;
    for (size_t i = 0; i < n; ++i) len += __builtin_popcount(mask[i]);
    return len;
}
bool same_subnet(const uint8_t* a, const uint8_t* b, const uint8_t* mask, size_t n) {
    for (size_t i = 0; i < n; ++i)
        if ((a[i] & mask[i]) != (b[i] & mask[i])) return false;
    return true;
}

}  // namespace

core::Result<std::string> connected_device(const net::IpAddress& address) {
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0) return core::Error{errno, std::string("getifaddrs: ") + std::strerror(errno)};
    std::unique_ptr<ifaddrs, decltype(&freeifaddrs)> hold(list, freeifaddrs);
    const int family = address.is_v4() ? AF_INET : AF_INET6;
    std::string best;
    int best_len = -1;
    for (const ifaddrs* i = list; i; i = i->ifa_next) {
        if (!i->ifa_addr || !i->ifa_netmask || i->ifa_addr->sa_family != family) continue;
        if ((i->ifa_flags & IFF_LOOPBACK) || !(i->ifa_flags & IFF_UP)) continue;
        const uint8_t* mask = raw(i->ifa_netmask);
        const int len = mask_length(mask, address.size());
        if (len > best_len && len < address.max_prefix() &&
            same_subnet(raw(i->ifa_addr), address.bytes(), mask, address.size())) {
            best = i->ifa_name;
            best_len = len;
        }
    }
    if (best.empty())
        return core::Error{ENETUNREACH, "not on a connected subnet of this host (DR forwards in one hop on the "
                                        "real servers' link)"};
    return best;
}

}  // namespace halbd::forward::nft
