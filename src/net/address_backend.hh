// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// net/address_backend.hh: AddressBackend, the kernel's interfaces and
// addresses as VRRP needs them (DESIGN principle 7): look up a link (ifindex,
// MAC, up), list its addresses, add and remove one address. The real
// implementation is RtnlAddressBackend (libnl-route-3), the fake is
// FakeAddressBackend; the VRRP adapter (vrrp/instance_io) is the caller.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hh"
#include "net/address.hh"

namespace halbd::net {

using MacAddress = std::array<uint8_t, 6>;

// "00:00:5e:00:01:33".
std::string to_string(const MacAddress& mac);

struct LinkInfo {
    int ifindex = 0;
    std::string name;
    MacAddress mac{};
    bool up = false;       // IFF_UP
    bool running = false;  // IFF_RUNNING (carrier)
};

// One address to program, as `ip addr add` takes it.
struct AddressSpec {
    Prefix address;                  // address and prefix length
    std::optional<IpAddress> brd;    // IPv4 broadcast
    uint8_t scope = 0;               // RT_SCOPE_*
    std::string label;               // IPv4 label ("eth0:1")
    std::optional<IpAddress> peer;   // point-to-point peer
    bool nodad = false;              // IFA_F_NODAD (IPv6)
    bool noprefixroute = false;      // IFA_F_NOPREFIXROUTE
    bool home = false;               // IFA_F_HOMEADDRESS
    bool mngtmpaddr = false;         // IFA_F_MANAGETEMPADDR (IPv6)
    bool autojoin = false;           // IFA_F_MCAUTOJOIN (multicast address)
    std::optional<uint32_t> preferred_lft;  // seconds; unset = forever
    friend bool operator==(const AddressSpec&, const AddressSpec&) = default;
};

// One address the kernel has on a link.
struct InterfaceAddress {
    Prefix address;
    uint8_t scope = 0;
    bool secondary = false;  // IFA_F_SECONDARY
    bool tentative = false;  // IFA_F_TENTATIVE / DADFAILED: not usable as a source
    std::string label;
};

class AddressBackend {
public:
    virtual ~AddressBackend() = default;
    virtual core::Result<LinkInfo> link(const std::string& ifname) = 0;
    virtual core::Result<std::vector<InterfaceAddress>> addresses(const std::string& ifname, Family family) = 0;
    // Adding an address the link already has and removing one it does not
    // have both succeed: callers reconcile, they do not count.
    virtual core::Status add_address(const std::string& ifname, const AddressSpec& a) = 0;
    virtual core::Status remove_address(const std::string& ifname, const AddressSpec& a) = 0;
};

// The address VRRP sends from on ifname (RFC 5798 §5.1.1.1 / §5.1.2.1):
// IPv4, the primary (first non-secondary, non-host-scope) address; IPv6, the
// first usable link-local address. `exclude` (our VIPs) are skipped.
std::optional<IpAddress> primary_address(const std::vector<InterfaceAddress>& addrs, Family family,
                                         const std::vector<IpAddress>& exclude = {});

}  // namespace halbd::net
