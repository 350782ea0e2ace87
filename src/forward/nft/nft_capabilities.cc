// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/nft/nft_capabilities.cc: the nftables capability set (see the
// header). DR is forwarded at netdev ingress, before conntrack (dr_ruleset.hh):
// hash schedulers only. TUN needs an encapsulation nftables does not have:
// refused, as are the schedulers that need
// per-server connection counts (lc, wlc, lblc, lblcr, sed, nq, fo, ovf, twos).
#include "forward/nft/nft_capabilities.hh"

namespace halbd::forward::nft {

const config::ForwardCapabilities& capabilities() {
    using namespace config;
    static const ForwardCapabilities caps = [] {
        ForwardCapabilities c;
        c.backend = kBackendName;
        c.schedulers = {LvsSched::rr, LvsSched::wrr, LvsSched::sh, LvsSched::dh, LvsSched::mh};
        c.methods = {LvsMethodKind::NAT, LvsMethodKind::DR};
        c.stateless_dr = true;
        c.stateless_dr_schedulers = {LvsSched::sh, LvsSched::dh, LvsSched::mh};
        c.protocols = {LvsProtocol::TCP, LvsProtocol::UDP, LvsProtocol::SCTP};
        c.families = {net::Family::V4, net::Family::V6};
        c.fwmark = c.persistence = c.port_hash = true;
        return c;
    }();
    return caps;
}

}  // namespace halbd::forward::nft
