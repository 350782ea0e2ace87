// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/validate_unimplemented.cc: the load-time warnings for keywords that
// are parsed into the Model (so their arguments are checked and dumped) but
// that no subsystem acts on. Runs last, on effective values, at start, reload
// and -t. src/config/model_fields.list names each such field and
// tests/config/model-fields-check.sh enforces that each has its warning here.
#include "config/model.hh"
#include "config/sections.hh"

namespace halbd::config {

namespace {

constexpr std::string_view kNetlinkBufs = "halbd sizes its netlink sockets itself";
constexpr std::string_view kNetlinkLink = "halbd follows link state over netlink";

void warn_global(const GlobalDefs& g, Diagnostics& D) {
    const GlobalDefs def;
    const Location none{};
    auto warn = [&](bool set, std::string message) {
        if (set) D.warning(none, std::move(message));
    };
    if (g.lvs_notify_fifo)
        D.warning(g.lvs_notify_fifo->loc, not_implemented("'lvs_notify_fifo'"));
    if (g.lvs_notify_fifo_script)
        D.warning(g.lvs_notify_fifo_script->loc, not_implemented("'lvs_notify_fifo_script'"));
    warn(g.fifo_write_vrrp_states_on_reload, not_implemented("'fifo_write_vrrp_states_on_reload'"));
    warn(g.linkbeat_use_polling, not_implemented("'linkbeat_use_polling'", kNetlinkLink));
    warn(g.vmac_addr_prefix && *g.vmac_addr_prefix != g.vmac_prefix,
         not_implemented("'vmac_addr_prefix'", "no use_vmac_addr"));
    warn(g.dynamic_interfaces != def.dynamic_interfaces, not_implemented("'dynamic_interfaces'"));
    warn(g.disable_local_igmp, not_implemented("'disable_local_igmp'"));
    warn(g.vrrp_rx_bufs_policy != def.vrrp_rx_bufs_policy, not_implemented("'vrrp_rx_bufs_policy'"));
    warn(g.vrrp_rx_bufs_multiplier != def.vrrp_rx_bufs_multiplier,
         not_implemented("'vrrp_rx_bufs_multiplier'"));
    warn(g.nftables_ipvs || g.nftables_ipvs_priority != def.nftables_ipvs_priority ||
             g.nftables_ipvs_start_fwmark != def.nftables_ipvs_start_fwmark,
         not_implemented("'nftables_ipvs'"));
    warn(g.vrrp_netlink_cmd_rcv_bufs || g.vrrp_netlink_cmd_rcv_bufs_force,
         not_implemented("'vrrp_netlink_cmd_rcv_bufs'", kNetlinkBufs));
    warn(g.vrrp_netlink_monitor_rcv_bufs || g.vrrp_netlink_monitor_rcv_bufs_force,
         not_implemented("'vrrp_netlink_monitor_rcv_bufs'", kNetlinkBufs));
    warn(g.lvs_netlink_cmd_rcv_bufs || g.lvs_netlink_cmd_rcv_bufs_force,
         not_implemented("'lvs_netlink_cmd_rcv_bufs'", kNetlinkBufs));
    warn(g.lvs_netlink_monitor_rcv_bufs || g.lvs_netlink_monitor_rcv_bufs_force,
         not_implemented("'lvs_netlink_monitor_rcv_bufs'", kNetlinkBufs));
    warn(g.process_monitor_rcv_bufs || g.process_monitor_rcv_bufs_force,
         not_implemented("'process_monitor_rcv_bufs'", kNetlinkBufs));
}

void warn_instance(const GlobalDefs& g, const VrrpInstance& v, Diagnostics& D) {
    const std::string me = "vrrp_instance '" + v.name + "': ";
    auto warn = [&](bool set, std::string message) {
        if (set) D.warning(v.loc, me + message);
    };
    warn(v.use_ipvlan, not_implemented("'use_ipvlan'"));
    warn(v.track_src_ip, not_implemented("'track_src_ip'"));
    // Only kept without an interface (validation clears it otherwise).
    warn(!v.vrf.empty(), not_implemented("'vrf'", "the instance's sockets are not bound to it"));
    warn(v.promote_secondaries, not_implemented("'promote_secondaries'"));
    warn(v.linkbeat_use_polling, not_implemented("'linkbeat_use_polling'", kNetlinkLink));
    // The global vrrp_garp_extra_if warned already when this is its value.
    const auto global_secs =
        std::chrono::duration_cast<std::chrono::seconds>(g.vrrp_garp_extra_if.interval).count();
    warn(v.garp_extra_if.value_or(0) != 0 &&
             (*v.garp_extra_if != global_secs || v.garp_extra_if_all != g.vrrp_garp_extra_if.all),
         not_implemented("'garp_extra_if'"));
}

void warn_vrrp(const VrrpConfig& vc, Diagnostics& D) {
    for (const auto& sg : vc.vrrp_sync_group)
        if (sg.notify_priority_changes)
            D.warning(sg.loc, "vrrp_sync_group '" + sg.name + "': " + not_implemented("'notify_priority_changes'"));
    for (const auto& gg : vc.garp_group) D.warning(gg.loc, not_implemented("'garp_group'"));
    for (const auto& l : vc.linkbeat_interfaces)
        D.warning(l.loc, not_implemented("'linkbeat_interfaces'", kNetlinkLink));
}

void warn_lvs(const LvsConfig& lvs, Diagnostics& D) {
    for (const auto& vs : lvs.virtual_servers) {
        if (vs.ha_suspend) D.warning(vs.loc, not_implemented("'ha_suspend'"));
        for (const auto& rs : vs.real_servers)
            for (const auto& c : rs.checkers) {
                const HttpGetCheck* h = std::get_if<HttpGetCheck>(&c.params);
                if (!h) h = std::get_if<SslGetCheck>(&c.params);
                if (h && h->fast_recovery) D.warning(c.loc, not_implemented("'fast_recovery'"));
            }
    }
}

}  // namespace

void validate_unimplemented(Model& m, ValidateContext& ctx) {
    warn_global(m.global, ctx.diags);
    for (const auto& v : m.vrrp.vrrp_instance) warn_instance(m.global, v, ctx.diags);
    warn_vrrp(m.vrrp, ctx.diags);
    warn_lvs(m.lvs, ctx.diags);
}

}  // namespace halbd::config
