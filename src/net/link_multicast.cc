// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// net/link_multicast.cc: see link_multicast.hh. One ioctl on a throwaway
// datagram socket per call (calls are rare: start, reload, stop).
#include "net/link_multicast.hh"

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstring>

#include "core/fd.hh"

namespace halbd::net {

namespace {

core::Status multi(unsigned long request, const char* what, const std::string& ifname, const MacAddress& mac) {
    if (ifname.size() >= IFNAMSIZ) return core::Error{EINVAL, std::string(what) + ": interface name too long: " + ifname};
    core::UniqueFd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!s) return core::system_error(std::string(what) + ": socket");
    ifreq ifr{};
    std::memcpy(ifr.ifr_name, ifname.data(), ifname.size());
    ifr.ifr_hwaddr.sa_family = AF_UNSPEC;  // the kernel refuses anything else (dev_ifsioc)
    std::memcpy(ifr.ifr_hwaddr.sa_data, mac.data(), mac.size());
    if (::ioctl(s.get(), request, &ifr) < 0)
        return core::system_error(std::string(what) + " " + to_string(mac) + " on " + ifname);
    return core::Ok{};
}

}  // namespace

core::Status IoctlLinkMulticast::join(const std::string& ifname, const MacAddress& mac) {
    return multi(SIOCADDMULTI, "SIOCADDMULTI", ifname, mac);
}

core::Status IoctlLinkMulticast::leave(const std::string& ifname, const MacAddress& mac) {
    return multi(SIOCDELMULTI, "SIOCDELMULTI", ifname, mac);
}

}  // namespace halbd::net
