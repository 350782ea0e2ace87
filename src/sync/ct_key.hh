// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// sync/ct_key.hh: CtKey, the identity of one connection (zone, family,
// protocol, original-direction addresses and ports), by which the sync
// caches and the fake kernel table find an entry; and the filter that
// decides which connections are replicated. Pure: no I/O.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>

#include "config/model_sync.hh"
#include "sync/peer.hh"

namespace halbd::sync {

struct CtKey {
    uint16_t zone = 0;
    uint8_t family = 0;  // AF_INET / AF_INET6
    uint8_t proto = 0;   // IPPROTO_*
    std::array<uint8_t, 16> src{}, dst{};
    uint16_t sport = 0, dport = 0;  // network order; ICMP: id, type/code
    friend bool operator==(const CtKey&, const CtKey&) = default;
    // "tcp 192.0.2.10:40000 -> 198.51.100.1:80 zone 0"
    std::string to_string() const;
};

CtKey ct_key(const nf_conntrack& ct);

// Deliberately not noexcept: libstdc++ then keeps each node's hash code in
// the node, so a lookup compares stored codes instead of hashing every key
// of the chain it walks (that re-hashing, and the rehash of growing tables,
// was 15% of the master's time at 100,000 events).
struct CtKeyHash {
    size_t operator()(const CtKey& k) const;
};

// Whether `ct` is replicated: not loopback, not the sync channel's own
// traffic (UDP on the channel's port to or from a peer or the group), and
// accepted by every configured filter.
bool ct_selected(const config::ConntrackSync& cfg, const nf_conntrack& ct);

// A copy of `ct` (libnetfilter_conntrack's nfct_clone).
Ct ct_clone(const nf_conntrack& ct);
// The kernel creates an entry only with both tuples; FT-FW (as conntrackd)
// carries the original one and the NAT binding. Sets the reply tuple to the
// original's inverse when it is missing (the kernel applies the NAT binding
// to it), as conntrackd does before a commit.
void ensure_reply(nf_conntrack& ct);
// A copy of ct with its reply tuple (ensure_reply).
Ct with_reply(const nf_conntrack& ct);
// Unsets the reply tuple: what FT-FW does not carry, and what an update of
// an existing kernel entry leaves out.
void drop_reply(nf_conntrack& ct);

}  // namespace halbd::sync
