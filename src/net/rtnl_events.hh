// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// net/rtnl_events.hh: the NETLINK_ROUTE event socket the rtnetlink monitors
// (RtnlLinkMonitor, RtnlAddressMonitor) each open: non-blocking, a 1 MiB
// receive buffer, bound to the given multicast groups. Header-only.
#pragma once

#include <linux/netlink.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>

#include "core/fd.hh"
#include "core/result.hh"

namespace halbd::net {

// who: "link monitor"; groups_name: "RTMGRP_LINK", for the error messages.
inline core::Result<core::UniqueFd> open_rtnl_events(uint32_t groups, const std::string& who,
                                                     const std::string& groups_name) {
    core::UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE));
    if (fd.get() < 0) return core::system_error(who + ": rtnetlink socket");
    int rcvbuf = 1 << 20;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    sockaddr_nl sa{};
    sa.nl_family = AF_NETLINK;
    sa.nl_groups = groups;
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0)
        return core::system_error(who + ": bind " + groups_name);
    return fd;
}

}  // namespace halbd::net
