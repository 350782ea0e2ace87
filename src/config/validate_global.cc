// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/validate_global.cc: cross-keyword checks and default resolution for
// the global section (runs first, before vrrp and lvs). Called by
// config/load.cc through validate_global(); owns the rules listed in
// man/fragments/halbd.conf.5.global.
#include <unistd.h>

#include <climits>
#include <set>
#include <tuple>

#include "config/model.hh"
#include "config/sections.hh"

namespace halbd::config {

namespace {

std::string quote(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string local_host_name() {
    char buf[HOST_NAME_MAX + 1] = {};
    if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
    return buf;
}

void validate_vrrp_defaults(GlobalDefs& g, ValidateContext& ctx) {
    // vrrp_garp_lower_prio_delay/_repeat stay unset when not configured: each
    // instance then uses its own (possibly instance-level) garp_master_* value.
    if (!g.vmac_addr_prefix) g.vmac_addr_prefix = g.vmac_prefix;

    // vrrp_strict: "cannot clear lower_prio_no_advert, cannot set
    // higher_prio_send_advert" (keepalived.conf(5)). Left unset otherwise, the
    // default of vrrp_lower_prio_no_advert is each instance's strict mode.
    if (g.vrrp_strict) {
        if (g.vrrp_lower_prio_no_advert == false)
            ctx.diags.warning(g.vrrp_strict_loc,
                              "'vrrp_strict' requires 'vrrp_lower_prio_no_advert'; setting it to true");
        g.vrrp_lower_prio_no_advert = true;
        if (g.vrrp_higher_prio_send_advert.value_or(false)) {
            ctx.diags.warning(g.vrrp_strict_loc,
                              "'vrrp_strict' forbids 'vrrp_higher_prio_send_advert'; setting it to false");
            g.vrrp_higher_prio_send_advert = false;
        }
    }

    if (g.default_interface_loc.file != 0 && !ctx.interface_exists(g.default_interface))
        ctx.diags.warning(g.default_interface_loc,
                          "default_interface " + quote(g.default_interface) + " does not exist (yet)");
}

void validate_sync_daemon(Model& m, ValidateContext& ctx) {
    GlobalDefs& g = m.global;
    if (!g.lvs_sync_daemon) return;
    auto& d = *g.lvs_sync_daemon;
    if (!ctx.interface_exists(d.interface))
        ctx.diags.warning(d.loc, "lvs_sync_daemon interface " + quote(d.interface) +
                                     " does not exist (yet)");
    // Without an instance the sync id is 0; with one, validate_vrrp checks the
    // instance exists and defaults the id to its VRID.
    if (d.inst.empty() && !d.id) d.id = 0;
}

void validate_fifos(GlobalDefs& g, ValidateContext& ctx) {
    // "the FIFO names must all be different" (keepalived.conf(5)).
    const NotifyFifo* fifos[] = {
        g.notify_fifo ? &*g.notify_fifo : nullptr,
        g.vrrp_notify_fifo ? &*g.vrrp_notify_fifo : nullptr,
        g.lvs_notify_fifo ? &*g.lvs_notify_fifo : nullptr,
    };
    for (size_t i = 0; i < 3; ++i)
        for (size_t j = 0; j < i; ++j)
            if (fifos[i] && fifos[j] && fifos[i]->name == fifos[j]->name)
                ctx.diags.error(fifos[i]->loc, "notify FIFO " + quote(fifos[i]->name) +
                                                   " is already used by another *notify_fifo; "
                                                   "each FIFO must have its own path");
    struct Pair {
        const std::optional<Script>& script;
        const std::optional<NotifyFifo>& fifo;
        std::string_view fifo_kw;
    };
    const Pair pairs[] = {{g.notify_fifo_script, g.notify_fifo, "notify_fifo"},
                          {g.vrrp_notify_fifo_script, g.vrrp_notify_fifo, "vrrp_notify_fifo"},
                          {g.lvs_notify_fifo_script, g.lvs_notify_fifo, "lvs_notify_fifo"}};
    for (const auto& p : pairs)
        if (p.script && !p.fifo)
            ctx.diags.warning(p.script->loc, std::string(p.fifo_kw) +
                                                 "_script has no effect without " +
                                                 std::string(p.fifo_kw));
}

void validate_firewall(GlobalDefs& g, ValidateContext& ctx) {
    (void)ctx;
    if (g.nftables && g.vrrp_iptables) {
        // keepalived: "if both are specified, keepalived will use nftables".
        g.vrrp_iptables.reset();
    }
}

void validate_bfd(GlobalDefs& g, ValidateContext& ctx) {
    std::set<std::string_view> names;
    std::set<std::tuple<net::IpAddress, std::optional<net::IpAddress>>> peers;
    for (auto& b : g.bfd_instances) {
        if (!names.insert(b.name).second)
            ctx.diags.error(b.loc, "duplicate bfd_instance " + quote(b.name));
        if (!b.neighbor_ip) {
            ctx.diags.error(b.loc, "bfd_instance " + quote(b.name) + " needs a neighbor_ip");
            continue;
        }
        if (b.source_ip && b.source_ip->family() != b.neighbor_ip->family())
            ctx.diags.error(b.loc, "bfd_instance " + quote(b.name) + ": source_ip " +
                                       b.source_ip->to_string() + " and neighbor_ip " +
                                       b.neighbor_ip->to_string() + " are not the same family");
        if (!peers.emplace(*b.neighbor_ip, b.source_ip).second)
            ctx.diags.error(b.loc, "bfd_instance " + quote(b.name) + ": another bfd_instance "
                                       "already has neighbor_ip " + b.neighbor_ip->to_string() +
                                       (b.source_ip ? " and source_ip " + b.source_ip->to_string()
                                                    : std::string()));
        // Events go to both subsystems unless only one was named.
        if (!b.vrrp && !b.checker) b.vrrp = b.checker = true;
        if (b.idle_tx < b.min_tx)
            ctx.diags.warning(b.loc, "bfd_instance " + quote(b.name) +
                                         ": idle_tx is shorter than min_tx");
    }
}

}  // namespace

void validate_global(Model& m, ValidateContext& ctx) {
    GlobalDefs& g = m.global;
    if (g.router_id.empty()) g.router_id = local_host_name();
    validate_vrrp_defaults(g, ctx);
    validate_sync_daemon(m, ctx);
    validate_fifos(g, ctx);
    validate_firewall(g, ctx);
    validate_bfd(g, ctx);
    // Parsed and dumped, but no subsystem acts on them: say so, never ignore silently.
    for (const auto& b : g.bfd_instances)
        ctx.diags.warning(b.loc, not_implemented("bfd_instance " + quote(b.name), "no BFD"));
}

}  // namespace halbd::config
