// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// net/link_multicast.hh: LinkMulticast, a link-layer multicast address a
// NIC must accept (SIOCADDMULTI, `ip maddr add`): the cluster MAC of an
// active_active VIP. Part of the privileged facade (DESIGN principle 12);
// the real implementation is IoctlLinkMulticast, tests use a fake. Called by
// cluster/subsystem.
#pragma once

#include <string>

#include "core/result.hh"
#include "net/address_backend.hh"

namespace halbd::net {

class LinkMulticast {
public:
    virtual ~LinkMulticast() = default;
    // The kernel counts joins per address: join and leave pair up.
    virtual core::Status join(const std::string& ifname, const MacAddress& mac) = 0;
    virtual core::Status leave(const std::string& ifname, const MacAddress& mac) = 0;
};

class IoctlLinkMulticast final : public LinkMulticast {
public:
    core::Status join(const std::string& ifname, const MacAddress& mac) override;
    core::Status leave(const std::string& ifname, const MacAddress& mac) override;
};

}  // namespace halbd::net
