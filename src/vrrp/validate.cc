// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/validate.cc: per-instance receive checks, in keepalived 2.2.7's order
// so the same packet is counted under the same reason by both daemons.
//
// Deliberate choices, each matching keepalived 2.2.7 (vrrp.c vrrp_check_packet):
//  - TTL/hop limit 255 is required only in multicast mode; unicast adverts may
//    be routed, and are checked against the peer's min_ttl/max_ttl instead.
//  - v2 Adver Int mismatch drops the packet (RFC 3768 MUST); v3 intervals are
//    learned by the Backup (RFC 5798 §6.4.2), so no check here.
//  - Address count or list mismatch DROPS the advert, even from an address
//    owner. RFC 3768 §7.1 says an owner's (priority 255) advert is still
//    processed; keepalived drops it and logs "ip address associated with
//    VRID not present in MASTER advert". We drop too, so that a keepalived
//    and a halbd backup react identically to the same misconfigured master.
//  - A multicast advert on a unicast instance (or the reverse) is dropped.
#include "vrrp/validate.hh"

#include <algorithm>

namespace halbd::vrrp {

std::optional<DropReason> validate(const Advert& a, const RxMeta& meta, const InstanceConfig& cfg,
                                   bool check_addresses) {
    // Another virtual router sharing the link and socket: not for us, not an error.
    if (a.vrid != cfg.vrid) return DropReason::NotOurVrid;
    if (!cfg.unicast() && meta.ttl != -1 && meta.ttl != kVrrpTtl) return DropReason::BadTtl;
    if (a.version != cfg.version) return DropReason::VersionMismatch;
    if (a.version == 2) {
        if (a.auth_type != cfg.auth_type) return DropReason::AuthTypeMismatch;
        if (cfg.auth_type == AuthType::Pass && a.auth_data != cfg.auth_data) return DropReason::AuthFailure;
        if (a.interval() != cfg.adver_int) return DropReason::IntervalMismatch;
    }
    if (check_addresses && a.addresses.size() != cfg.vips.size()) return DropReason::AddressCountMismatch;
    if (meta.dst.is_multicast() == cfg.unicast()) return DropReason::CastMismatch;
    if (!check_addresses) return std::nullopt;
    for (const auto& vip : cfg.vips)
        if (std::find(a.addresses.begin(), a.addresses.end(), vip) == a.addresses.end())
            return DropReason::AddressListMismatch;
    if (cfg.unicast() && cfg.check_unicast_src) {
        auto peer = std::find_if(cfg.unicast_peers.begin(), cfg.unicast_peers.end(),
                                 [&](const PeerConfig& p) { return p.address == meta.src; });
        if (peer == cfg.unicast_peers.end()) return DropReason::UnicastSrcNotPeer;
        if (meta.ttl != -1 && (meta.ttl < peer->min_ttl || meta.ttl > peer->max_ttl))
            return DropReason::TtlOutOfRange;
    }
    return std::nullopt;
}

}  // namespace halbd::vrrp
