// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/validate_forwarding.cc: refuses, at load time and with file:line:col,
// what the forwarding backend that will run cannot program (a scheduler it
// lacks, TUN, fwmark services, thresholds, the IPVS sync daemon unless
// conntrack_sync stands in for it, ...). Called
// by config::load() after validate_lvs() when LoadOptions names a backend's
// capabilities; reads the effective values validate_lvs() resolved.
#include <string>

#include "config/forward_capabilities.hh"
#include "config/lvs_internal.hh"
#include "config/sections.hh"

namespace halbd::config {

namespace {

const char* family_name(net::Family f) { return f == net::Family::V4 ? "IPv4" : "IPv6"; }
const char* method_name(LvsMethodKind k) {
    return k == LvsMethodKind::NAT ? "NAT" : k == LvsMethodKind::DR ? "DR" : "TUN";
}
const char* tunnel_name(TunnelType t) {
    return t == TunnelType::ipip ? "ipip" : t == TunnelType::gue ? "gue" : "gre";
}

// "rr, wrr" (or "none"): the members of a set, named by `name`.
template <class E, class Name>
std::string members(const EnumSet<E>& set, E last, Name name) {
    std::string out;
    for (unsigned i = 0; i <= static_cast<unsigned>(last); ++i) {
        const E e = static_cast<E>(i);
        if (!set.has(e)) continue;
        if (!out.empty()) out += ", ";
        out += name(e);
    }
    return out.empty() ? "none" : out;
}

class CapabilityCheck {
public:
    CapabilityCheck(const ForwardCapabilities& caps, Diagnostics& d) : caps_(caps), d_(d) {}

    // `what` is not supported; `supported` (if any) lists what is.
    void refuse(const Location& loc, const std::string& what, const std::string& supported = {}) {
        std::string msg = what + " is not supported by the " + caps_.backend + " forwarding backend";
        if (!supported.empty()) msg += " (it supports " + supported + ")";
        d_.error(loc, msg);
    }

    void family(const Location& loc, net::Family f, const std::string& whose) {
        if (!caps_.families.has(f))
            refuse(loc, std::string(family_name(f)) + " " + whose,
                   members(caps_.families, net::Family::V6,
                           [](net::Family x) { return family_name(x); }));
    }

    void method(const Location& loc, const LvsMethod& m, const std::string& whose) {
        if (!caps_.methods.has(m.kind)) {
            refuse(loc, std::string(method_name(m.kind)) + " forwarding of " + whose,
                   members(caps_.methods, LvsMethodKind::TUN, method_name));
            return;
        }
        if (m.kind != LvsMethodKind::TUN) return;
        if (!caps_.tunnel_types.has(m.type))
            refuse(loc, std::string("tunnel type ") + tunnel_name(m.type) + " of " + whose,
                   members(caps_.tunnel_types, TunnelType::gre, tunnel_name));
        else if (m.csum != TunnelCsum::nocsum && !caps_.tunnel_checksums)
            refuse(loc, "tunnel checksum option of " + whose);
    }

    void virtual_server(const VirtualServer& vs, const Model& m) {
        const std::string name = "virtual server " + lvs::vs_name(vs);
        const net::Family vs_family = vs.ip_family.value_or(net::Family::V4);
        if (vs.kind == VsKind::Fwmark && !caps_.fwmark) refuse(vs.loc, "fwmark service of " + name);
        if (vs.kind == VsKind::Group) {
            if (const auto* g = m.lvs.find_group(vs.group))
                for (const auto& e : g->entries) {
                    if (e.is_fwmark && !caps_.fwmark)
                        refuse(e.loc, "fwmark entry of virtual_server_group '" + g->name + "'");
                    family(e.loc, e.is_fwmark ? e.family.value_or(vs_family) : e.first.family(),
                           "entry of virtual_server_group '" + g->name + "'");
                }
        } else {
            family(vs.loc, vs_family, name);
        }
        if (vs.protocol && !caps_.protocols.has(*vs.protocol))
            refuse(vs.loc, std::string("protocol ") + lvs_protocol_name(*vs.protocol) + " of " + name,
                   members(caps_.protocols, LvsProtocol::SCTP, lvs_protocol_name));
        const LvsSched sched = vs.lvs_sched.value_or(LvsSched::wlc);  // validate_lvs() set the default
        if (!caps_.schedulers.has(sched))
            refuse(vs.loc, std::string("scheduler '") + lvs_sched_name(sched) + "' of " + name,
                   members(caps_.schedulers, LvsSched::twos, lvs_sched_name));
        if (!caps_.scheduler_flags && (vs.flag_1 || vs.flag_2 || vs.flag_3 || vs.sh_fallback || vs.mh_fallback ||
                                       ((vs.sh_port || vs.mh_port) && !caps_.port_hash)))
            refuse(vs.loc, std::string("scheduler flag (flag-N, sh-*, mh-*) of ") + name,
                   caps_.port_hash ? "sh-port, mh-port" : "");
        if (vs.ops && !caps_.one_packet) refuse(vs.loc, "one-packet scheduling ('ops') of " + name);
        if (vs.persistence_timeout && !caps_.persistence) refuse(vs.loc, "persistence of " + name);
        if (!vs.persistence_engine.empty() && !caps_.persistence_engines)
            refuse(vs.loc, "persistence engine '" + vs.persistence_engine + "' of " + name);
        for (const auto& rs : vs.real_servers) {
            if (rs.lvs_method) method(rs.loc, *rs.lvs_method, "real server " + rs.address.to_string() + " in " + name);
            if ((rs.uthreshold || rs.lthreshold) && !caps_.thresholds)
                refuse(rs.loc, "connection threshold (uthreshold/lthreshold) of real server " +
                                   rs.address.to_string() + " in " + name);
        }
        if (const auto& s = vs.sorry_server; s && s->lvs_method)
            method(s->loc, *s->lvs_method, "sorry server " + s->address.to_string() + " of " + name);
        if (caps_.stateless_dr && caps_.methods.has(LvsMethodKind::DR)) stateless_dr(vs, m, name);
    }

    // DR without connection state (see ForwardCapabilities::stateless_dr).
    void stateless_dr(const VirtualServer& vs, const Model& m, const std::string& name) {
        bool dr = false, other = false;
        auto see = [&](const std::optional<LvsMethod>& m) {
            (m && m->kind == LvsMethodKind::DR ? dr : other) = true;
        };
        for (const auto& rs : vs.real_servers) see(rs.lvs_method);
        if (vs.sorry_server) see(vs.sorry_server->lvs_method);
        if (!dr) return;
        const std::string why = " on the " + caps_.backend +
                                " forwarding backend: its DR path forwards each packet at ingress, before "
                                "connection tracking, with no per-connection state";
        if (other) d_.error(vs.loc, "DR mixed with other forwarding methods in " + name + why);
        const LvsSched sched = vs.lvs_sched.value_or(LvsSched::wlc);
        if (caps_.schedulers.has(sched) && !caps_.stateless_dr_schedulers.has(sched))
            d_.error(vs.loc, std::string("scheduler '") + lvs_sched_name(sched) + "' with DR in " + name + why +
                                 ", so only a hash scheduler (" +
                                 members(caps_.stateless_dr_schedulers, LvsSched::twos, lvs_sched_name) +
                                 ") sends every packet of a connection to the same real server");
        if (vs.persistence_timeout)
            d_.error(vs.loc, "persistence with DR in " + name + why +
                                 " (sh or mh keep a client on one real server without state)");
        bool fwmark = vs.kind == VsKind::Fwmark;
        if (const auto* g = vs.kind == VsKind::Group ? m.lvs.find_group(vs.group) : nullptr)
            for (const auto& e : g->entries) fwmark = fwmark || e.is_fwmark;
        if (fwmark)
            d_.error(vs.loc, "fwmark service with DR in " + name + why + ", before any rule marks the packet");
    }

    void globals(const Model& m) {
        const GlobalDefs& g = m.global;
        // Without the IPVS sync daemon, conntrack_sync is what keeps the
        // sessions of a backend that forwards through conntrack; with it the
        // file's intent holds, so one file serves IPVS and nftables nodes.
        if (g.lvs_sync_daemon && !caps_.sync_daemon) {
            if (m.conntrack_sync)
                d_.warning(g.lvs_sync_daemon->loc, "'lvs_sync_daemon' is ignored by the " + caps_.backend +
                                                       " forwarding backend (no IPVS connection table); "
                                                       "conntrack_sync keeps the sessions");
            else
                refuse(g.lvs_sync_daemon->loc, "'lvs_sync_daemon'", "session sync through conntrack_sync");
        }
        const auto& t = g.lvs_timeouts;
        if ((t.tcp || t.tcpfin || t.udp) && !caps_.timeouts) refuse(t.loc, "'lvs_timeouts'");
        if (g.lvs_flush && !caps_.flush) refuse(g.lvs_flush_loc, "'lvs_flush'");
        if (g.lvs_flush_on_stop == LvsFlushOnStop::Full && !caps_.flush)
            refuse(g.lvs_flush_on_stop_loc, "'lvs_flush_on_stop' without VS (flushing the whole table)");
    }

private:
    const ForwardCapabilities& caps_;
    Diagnostics& d_;
};

}  // namespace

void validate_forwarding(const Model& m, ValidateContext& ctx, const ForwardCapabilities& caps) {
    CapabilityCheck c(caps, ctx.diags);
    c.globals(m);
    for (const auto& vs : m.lvs.virtual_servers) c.virtual_server(vs, m);
}

}  // namespace halbd::config
