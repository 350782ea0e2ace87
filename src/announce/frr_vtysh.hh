// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// announce/frr_vtysh.hh: the pure half of the FRR announcer: the vtysh
// command lines halbd runs (read bgpd's running configuration; add or remove
// one `network PREFIX` under `router bgp [ASN]`) and the reading of what
// vtysh answers. No I/O: frr_announcer.cc runs them through a VtyshRunner.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace halbd::announce {

// Where and how to reach FRR (route_announce's FRR keywords).
struct FrrTarget {
    std::string vtysh = "/usr/bin/vtysh";
    std::string vty_socket;          // --vty_socket DIR; empty: FRR's default
    std::optional<uint32_t> asn;     // router bgp ASN; nullopt: the default instance
    std::string route_map;           // network PREFIX route-map NAME; empty: none
};

// vtysh ... -d bgpd -c 'show running-config'
std::vector<std::string> vtysh_show_argv(const FrrTarget& t);
// vtysh ... -d bgpd -c 'configure terminal' -c 'router bgp [ASN]'
//   -c 'address-family ipv4|ipv6 unicast' -c '[no ]network PREFIX [route-map NAME]'
// prefix is an address with /32 or /128.
std::vector<std::string> vtysh_network_argv(const FrrTarget& t, const std::string& prefix, bool present);
// One run that removes every prefix (`no network`, IPv4 ones then IPv6
// ones, each family entered once): vtysh starts once (it costs 0.1-0.3 s).
// vtysh stops at the first refusal (a prefix bgpd does not have).
std::vector<std::string> vtysh_remove_all_argv(const FrrTarget& t, const std::vector<std::string>& prefixes);

// The host prefix announced for an address ("192.0.2.10/32"), canonical.
std::string host_prefix(std::string_view address);

// The `network` prefixes (canonical, route-map or not) of the unicast
// address families of bgpd's instance `router bgp ASN` (asn nullopt: the
// first instance that is neither a VRF nor a view). error is set when the
// text has no such instance.
struct RunningNetworks {
    std::set<std::string> prefixes;
    std::string error;
};
RunningNetworks parse_running_networks(std::string_view text, std::optional<uint32_t> asn);

// What one vtysh run came to.
enum class VtyshVerdict { Ok, Unreachable, Refused };
struct VtyshJudgement {
    VtyshVerdict verdict = VtyshVerdict::Ok;
    std::string message;  // why not Ok: vtysh's own words, one line
};
// exit_code: nullopt when vtysh did not exit by itself (timed out, killed,
// could not start: then `why` says so).
VtyshJudgement judge_vtysh(std::optional<int> exit_code, std::string_view output, std::string_view why);

// `no network P` of a P that is not there: already withdrawn.
bool vtysh_says_absent(std::string_view output);

}  // namespace halbd::announce
