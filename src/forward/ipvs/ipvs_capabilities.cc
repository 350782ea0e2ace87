// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/ipvs/ipvs_capabilities.cc: the IPVS capability set (see the
// header): every scheduler, method, tunnel type, protocol and family the
// kernel's IPVS knows, and its extension (sync daemon, timeouts, flush).
#include "forward/ipvs/ipvs_capabilities.hh"

namespace halbd::forward::ipvs {

const config::ForwardCapabilities& capabilities() {
    using namespace config;
    static const ForwardCapabilities caps = [] {
        ForwardCapabilities c;
        c.backend = kBackendName;
        for (unsigned i = 0; i <= static_cast<unsigned>(LvsSched::twos); ++i) c.schedulers.add(static_cast<LvsSched>(i));
        c.methods = {LvsMethodKind::NAT, LvsMethodKind::DR, LvsMethodKind::TUN};
        c.tunnel_types = {TunnelType::ipip, TunnelType::gue, TunnelType::gre};
        c.tunnel_checksums = true;
        c.protocols = {LvsProtocol::TCP, LvsProtocol::UDP, LvsProtocol::SCTP};
        c.families = {net::Family::V4, net::Family::V6};
        c.fwmark = c.persistence = c.persistence_engines = c.scheduler_flags = c.port_hash = c.one_packet = true;
        c.thresholds = c.sync_daemon = c.timeouts = c.flush = true;
        return c;
    }();
    return caps;
}

}  // namespace halbd::forward::ipvs
