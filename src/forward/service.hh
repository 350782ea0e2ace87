// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/service.hh: what a forwarding backend programs, independent of the
// kernel interface: services (virtual servers after group expansion: address,
// port and protocol, or a fwmark; family; scheduler and its options;
// persistence) and their destinations (forwarding method, weight), as plain
// comparable values. Built from the config Model by desired.cc, dumped by a
// Backend, compared by the reconciler. Fields a backend does not declare in
// its capabilities (thresholds, tunnel details, ...) stay at their defaults,
// since validation refused a configuration asking for them.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <string>

#include "net/address.hh"

namespace halbd::forward {

enum class Protocol : uint8_t { TCP = 6, UDP = 17, SCTP = 132 };  // IPPROTO_* values

// Identifies a service: (family, protocol, address, port), or (family, fwmark).
struct ServiceKey {
    net::Family family = net::Family::V4;
    uint32_t fwmark = 0;                   // != 0: a fwmark service; the fields below are zero
    Protocol protocol = Protocol::TCP;
    net::IpAddress address;
    uint16_t port = 0;

    friend auto operator<=>(const ServiceKey&, const ServiceKey&) = default;
    friend bool operator==(const ServiceKey&, const ServiceKey&) = default;
    // "TCP 10.0.0.1:80", "UDP [2001:db8::1]:53", "FWM 3 IPv6" (as in log lines and errors)
    std::string to_string() const;

    // The one spelling of a fwmark key: protocol TCP, default (IPv4 zero)
    // address, port 0. The kernel reports neither protocol nor address for a
    // fwmark service, so every producer (desired.cc, backends) uses this form.
    static ServiceKey fwmark_key(net::Family family, uint32_t mark) {
        ServiceKey k;
        k.family = family;
        k.fwmark = mark;
        return k;
    }
    // This key in its one spelling (fwmark keys normalised, others unchanged).
    ServiceKey canonical() const { return fwmark ? fwmark_key(family, fwmark) : *this; }
};

const char* protocol_name(Protocol p);  // "TCP", "UDP", "SCTP"

// Service flag bits: persistence and the scheduler's options, with the
// values the IPVS kernel interface gives them (IP_VS_SVC_F_*).
namespace svc_flags {
inline constexpr uint32_t persistent = 0x0001;
inline constexpr uint32_t hashed = 0x0002;  // kernel-internal; masked out when comparing
inline constexpr uint32_t onepacket = 0x0004;
inline constexpr uint32_t sched1 = 0x0008;  // sh-fallback / mh-fallback / flag-1
inline constexpr uint32_t sched2 = 0x0010;  // sh-port / mh-port / flag-2
inline constexpr uint32_t sched3 = 0x0020;  // flag-3
}  // namespace svc_flags

struct ServiceParams {
    std::string scheduler = "wlc";
    uint32_t flags = 0;        // svc_flags bits (never `hashed`)
    uint32_t timeout = 0;      // persistence timeout, seconds
    // Persistence granularity: an IPv4 netmask in network byte order, or an
    // IPv6 prefix length (kernel convention).
    uint32_t netmask = 0xffffffff;
    std::string pe_name;       // persistence engine ("sip"), empty for none
    friend bool operator==(const ServiceParams&, const ServiceParams&) = default;
};

// Forwarding method (values as IP_VS_CONN_F_*).
enum class Method : uint8_t { Masq = 0, Local = 1, Tunnel = 2, Route = 3, Bypass = 4 };
const char* method_name(Method m);  // ipvsadm's words: "Masq", "Local", "Tunnel", "Route", "Bypass"

struct DestKey {
    net::IpAddress address;
    uint16_t port = 0;
    friend auto operator<=>(const DestKey&, const DestKey&) = default;
    friend bool operator==(const DestKey&, const DestKey&) = default;
    std::string to_string() const;  // "10.0.0.2:80", "[2001:db8::2]:80"
};

struct DestParams {
    Method method = Method::Masq;
    int32_t weight = 1;
    // Connection limits (capability `thresholds`); 0 = none.
    uint32_t u_threshold = 0, l_threshold = 0;
    // Tunnel details (Method::Tunnel, capability `tunnel_types`): values as
    // IP_VS_CONN_F_TUNNEL_TYPE_* and IP_VS_TUNNEL_ENCAP_FLAG_*, GUE port.
    uint8_t tun_type = 0;
    uint16_t tun_port = 0;
    uint16_t tun_flags = 0;
    friend bool operator==(const DestParams&, const DestParams&) = default;
};

struct Service {
    ServiceKey key;
    ServiceParams params;
    std::map<DestKey, DestParams> dests;
    friend bool operator==(const Service&, const Service&) = default;
};

using ServiceTable = std::map<ServiceKey, Service>;

}  // namespace halbd::forward
