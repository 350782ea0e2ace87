// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/desired.cc: the config Model -> ServiceTable mapping (desired.hh).
// Each rule cites the keepalived 2.2.7 code it reproduces (check/ipvswrapper.c
// ipvs_set_srule/ipvs_set_drule/ipvs_group_cmd, check/ipwrapper.c
// perform_quorum_state); the quorum itself is quorum.cc's.
#include "forward/desired.hh"

#include <cstring>

#include "forward/quorum.hh"

namespace halbd::forward {

using config::LvsMethod;
using config::LvsMethodKind;
using config::RealServer;
using config::VirtualServer;

namespace {

Protocol protocol_of(const VirtualServer& vs) {
    switch (vs.protocol.value_or(config::LvsProtocol::UDP)) {  // keepalived's default service_type
        case config::LvsProtocol::TCP: return Protocol::TCP;
        case config::LvsProtocol::UDP: return Protocol::UDP;
        case config::LvsProtocol::SCTP: return Protocol::SCTP;
    }
    return Protocol::UDP;
}

// Every address of first..last (keepalived walks the range one by one).
template <class F>
void for_range(const net::IpAddress& first, const net::IpAddress& last, F&& f) {
    net::IpAddress a = first;
    for (uint32_t n = 0; n <= 65536; ++n) {  // guard: validation bounds ranges far below this
        f(a);
        if (a == last || last < a) break;
        a = a.plus(1);
    }
}

// IP_VS_CONN_F_* method and tunnel fields (ipvs_set_drule).
void set_method(DestParams& d, const LvsMethod& m) {
    switch (m.kind) {
        case LvsMethodKind::NAT: d.method = Method::Masq; break;
        case LvsMethodKind::DR: d.method = Method::Route; break;
        case LvsMethodKind::TUN:
            d.method = Method::Tunnel;
            // IP_VS_CONN_F_TUNNEL_TYPE_IPIP/GUE/GRE = 0/1/2
            d.tun_type = static_cast<uint8_t>(m.type);
            d.tun_port = m.type == config::TunnelType::gue ? m.port : 0;
            // IP_VS_TUNNEL_ENCAP_FLAG_NOCSUM/CSUM/REMCSUM = 0, 1<<0, 1<<1
            d.tun_flags = m.csum == config::TunnelCsum::csum      ? 1
                          : m.csum == config::TunnelCsum::remcsum ? 2
                                                                  : 0;
            break;
    }
}

// ipvs_cmd()/ipvs_group_cmd(): a NAT server keeps its own port; DR and TUN
// cannot change ports, so the destination port is the service's (0 for a
// fwmark service).
uint16_t dest_port(const ServiceKey& svc, Method m, uint16_t own_port) {
    if (m == Method::Masq) return own_port;
    return svc.fwmark ? 0 : svc.port;
}

}  // namespace

std::vector<ServiceKey> service_keys(const VirtualServer& vs, const config::Model& model) {
    std::vector<ServiceKey> keys;
    const net::Family vs_family = vs.ip_family.value_or(net::Family::V4);
    switch (vs.kind) {
        case config::VsKind::Address: {
            ServiceKey k;
            k.family = vs.address.family();
            k.protocol = protocol_of(vs);
            k.address = vs.address;
            k.port = vs.port;
            keys.push_back(k);
            break;
        }
        case config::VsKind::Fwmark: keys.push_back(ServiceKey::fwmark_key(vs_family, vs.fwmark)); break;
        case config::VsKind::Group: {
            const auto* g = model.lvs.find_group(vs.group);
            if (!g) break;
            // ipvs_group_cmd(): address ranges, then fwmarks (entry family,
            // else the virtual server's, else IPv4).
            for (const auto& e : g->entries) {
                if (e.is_fwmark) {
                    keys.push_back(ServiceKey::fwmark_key(e.family.value_or(vs_family), e.fwmark));
                    continue;
                }
                for_range(e.first, e.last, [&](const net::IpAddress& a) {
                    ServiceKey k;
                    k.family = a.family();
                    k.protocol = protocol_of(vs);
                    k.address = a;
                    k.port = e.port;
                    keys.push_back(k);
                });
            }
            break;
        }
    }
    return keys;
}

ServiceParams service_params(const VirtualServer& vs, net::Family family) {
    ServiceParams p;
    p.scheduler = config::lvs_sched_name(vs.lvs_sched.value_or(config::LvsSched::wlc));
    // check_parser.c: sh-*/mh-* are validated against the scheduler (validate_lvs
    // cleared the others); flag-N are taken as given.
    if (vs.sh_fallback || vs.mh_fallback || vs.flag_1) p.flags |= svc_flags::sched1;
    if (vs.sh_port || vs.mh_port || vs.flag_2) p.flags |= svc_flags::sched2;
    if (vs.flag_3) p.flags |= svc_flags::sched3;
    if (vs.ops) p.flags |= svc_flags::onepacket;
    // ipvs_set_srule(): netmask 128 / 0xffffffff unless persistent with a granularity.
    p.netmask = family == net::Family::V6 ? 128 : 0xffffffff;
    if (vs.persistence_timeout) {
        p.flags |= svc_flags::persistent;
        p.timeout = vs.persistence_timeout;
        if (const auto& g = vs.persistence_granularity) {
            if (family == net::Family::V6) {
                p.netmask = g->prefix;
            } else if (g->mask.is_v4()) {
                uint32_t nm;  // network byte order: the mask's bytes as they are
                std::memcpy(&nm, g->mask.bytes(), 4);
                p.netmask = nm;
            }
        }
        p.pe_name = vs.persistence_engine;  // only sent with persistence (ipvs_set_srule)
    }
    return p;
}

ServiceTable desired_services(const config::Model& model, const PoolView& pool) {
    ServiceTable table;
    for (const auto& vs : model.lvs.virtual_servers) {
        const std::vector<ServiceKey> keys = service_keys(vs, model);
        if (keys.empty()) continue;

        // ipwrapper.c update_quorum_state().
        std::vector<char> up(vs.real_servers.size());
        for (size_t i = 0; i < vs.real_servers.size(); ++i) up[i] = pool.is_up(vs, vs.real_servers[i]);
        const bool quorum = quorum_holds(vs, pool);
        // Quorum lost with a sorry server: perform_quorum_state(vs, false)
        // removed the live servers (inhibited ones stay with weight 0) and the
        // sorry server was added. Without a sorry server losing quorum changes
        // nothing in the kernel.
        const bool sorry_in_use = vs.sorry_server && !quorum;

        for (const auto& key : keys) {
            Service svc;
            svc.key = key;
            svc.params = service_params(vs, key.family);
            for (size_t i = 0; i < vs.real_servers.size(); ++i) {
                const RealServer& rs = vs.real_servers[i];
                const bool inhibit = rs.inhibit_on_failure.value_or(vs.inhibit_on_failure);
                const bool present_live = up[i] && !sorry_in_use;
                if (!present_live && !inhibit) continue;  // down (or displaced by the sorry server): absent
                DestParams d;
                set_method(d, rs.lvs_method.value_or(vs.lvs_method.value_or(LvsMethod{})));
                d.weight = present_live ? real_weight(pool.effective_weight(vs, rs)) : 0;
                d.u_threshold = rs.uthreshold;
                d.l_threshold = rs.lthreshold;
                svc.dests[DestKey{rs.address, dest_port(key, d.method, rs.port)}] = d;
            }
            if (const auto& s = vs.sorry_server) {
                // alloc_ssvr(): weight 1, no thresholds. With sorry_server_inhibit it
                // is always present, weight 0 while the quorum holds (init_service_vs).
                if (sorry_in_use || s->inhibit) {
                    DestParams d;
                    set_method(d, s->lvs_method.value_or(vs.lvs_method.value_or(LvsMethod{})));
                    d.weight = sorry_in_use ? 1 : 0;
                    DestKey dk{s->address, dest_port(key, d.method, s->port)};
                    // A sorry server that is also a real server: the real server's
                    // entry wins while the quorum holds.
                    if (sorry_in_use || !svc.dests.count(dk)) svc.dests[dk] = d;
                }
            }
            table[key] = std::move(svc);
        }
    }
    return table;
}

}  // namespace halbd::forward
