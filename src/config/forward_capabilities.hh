// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/forward_capabilities.hh: what a forwarding backend can program, in
// the configuration's own terms. Each backend declares one (forward/ipvs:
// everything keepalived's LVS section has); halbd passes the chosen one in
// through LoadOptions and validate_forwarding.cc refuses the rest at load time.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>

#include "config/model_lvs.hh"
#include "net/address.hh"

namespace halbd::config {

// A set of values of a small enum (enumerator values below 32).
template <class E>
class EnumSet {
public:
    constexpr EnumSet() = default;
    constexpr EnumSet(std::initializer_list<E> values) {
        for (E e : values) add(e);
    }
    constexpr EnumSet& add(E e) {
        bits_ |= bit(e);
        return *this;
    }
    constexpr EnumSet& remove(E e) {
        bits_ &= ~bit(e);
        return *this;
    }
    constexpr bool has(E e) const { return (bits_ & bit(e)) != 0; }
    friend constexpr bool operator==(const EnumSet&, const EnumSet&) = default;

private:
    static constexpr uint32_t bit(E e) { return uint32_t{1} << static_cast<unsigned>(e); }
    uint32_t bits_ = 0;
};

struct ForwardCapabilities {
    std::string backend;                 // its name, as refusals and log lines give it ("IPVS")
    EnumSet<LvsSched> schedulers;        // lvs_sched
    EnumSet<LvsMethodKind> methods;      // lvs_method of servers (NAT, DR, TUN)
    EnumSet<TunnelType> tunnel_types;    // lvs_method TUN type ...
    bool tunnel_checksums = false;       // lvs_method TUN ... csum|remcsum
    EnumSet<LvsProtocol> protocols;      // protocol of address services
    EnumSet<net::Family> families;       // the service's address family
    bool fwmark = false;                 // fwmark services (virtual_server fwmark, group fwmark entries)
    bool persistence = false;            // persistence_timeout, persistence_granularity
    bool persistence_engines = false;    // persistence_engine
    bool scheduler_flags = false;        // flag-1..3, sh-port, sh-fallback, mh-port, mh-fallback
    bool port_hash = false;              // sh-port and mh-port only (when scheduler_flags is false)
    bool one_packet = false;             // ops
    bool thresholds = false;             // uthreshold, lthreshold
    bool sync_daemon = false;            // lvs_sync_daemon (the kernel's connection-sync daemon)
    bool timeouts = false;               // lvs_timeouts
    bool flush = false;                  // lvs_flush, lvs_flush_on_stop (the whole table)
    // DR forwards each packet on its own, without connection state (nftables
    // at ingress): only these schedulers, no persistence, no fwmark service,
    // every server of a virtual server DR. Unused when methods lacks DR.
    bool stateless_dr = false;
    EnumSet<LvsSched> stateless_dr_schedulers;
};

}  // namespace halbd::config
