// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// net/link_backend.hh: LinkBackend, the kernel's links as use_vmac needs to
// shape them (DESIGN principle 7): inspect a link's kind, create a macvlan
// (mode private) on a lower link, bring a link up, delete it, and read/write
// the per-interface sysctls (net/ipv4/conf/IF/arp_ignore, ...). The real one
// is RtnlLinkBackend (libnl-route-3 and /proc/sys), the fake FakeLinkBackend;
// the caller is the VRRP subsystem's vmac handling (vrrp/vmac).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.hh"
#include "net/address_backend.hh"

namespace halbd::net {

// What use_vmac needs to know of an existing link of a given name.
struct LinkDetails {
    int ifindex = 0;
    std::string kind;        // IFLA_INFO_KIND: "macvlan", "veth", ...; empty for none
    int lower_ifindex = 0;   // IFLA_LINK: the link a macvlan sits on
    MacAddress mac{};
    bool private_mode = false;  // macvlan mode private
    bool up = false;
};

// A macvlan to create: `ip link add NAME link LOWER address MAC type macvlan mode private`.
struct MacvlanSpec {
    std::string name;
    std::string lower;
    MacAddress mac{};
};

class LinkBackend {
public:
    virtual ~LinkBackend() = default;
    // nullopt: no link of that name.
    virtual core::Result<std::optional<LinkDetails>> details(const std::string& ifname) = 0;
    virtual core::Status create_macvlan(const MacvlanSpec& spec) = 0;
    virtual core::Status set_up(const std::string& ifname) = 0;
    // Deleting a link that does not exist succeeds.
    virtual core::Status delete_link(const std::string& ifname) = 0;
    // key is the path under /proc/sys: "net/ipv4/conf/eth0/arp_ignore".
    virtual core::Result<int> read_sysctl(const std::string& key) = 0;
    virtual core::Status write_sysctl(const std::string& key, int value) = 0;
};

}  // namespace halbd::net
