// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/dump_global.cc: the global section of `halbd -d`: top-level daemon
// keywords, `global_defs { ... }` with every effective value, and the
// `bfd_instance` blocks. Called by config::dump() through dump_global().
// Flags keepalived reads without an argument are printed only when set;
// <BOOL> keywords are printed as `true`/`false`.
#include <cstdio>

#include "config/dump.hh"
#include "config/model.hh"
#include "config/sections.hh"

namespace halbd::config {

namespace {

const char* tf(bool b) { return b ? "true" : "false"; }

uint64_t whole_seconds(Duration d) {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(d).count());
}

// Milliseconds with microsecond resolution, as BFD intervals are written.
std::string ms(Duration d) { return Dumper::timer(d * 1000); }

void flag(Dumper& out, std::string_view kw, bool set) {
    if (set) out.line(kw);
}

// `keyword NAME [user [group]]`
void with_user(Dumper& out, std::string_view kw, const std::string& name,
               const std::optional<ScriptUser>& u) {
    if (!u)
        out.line(kw, Dumper::quoted(name));
    else if (u->group.empty())
        out.line(kw, Dumper::quoted(name), Dumper::quoted(u->user));
    else
        out.line(kw, Dumper::quoted(name), Dumper::quoted(u->user), Dumper::quoted(u->group));
}

void script(Dumper& out, std::string_view kw, const std::optional<Script>& s) {
    if (s) with_user(out, kw, s->command, s->user);
}

void fifo(Dumper& out, std::string_view kw, const std::optional<NotifyFifo>& f) {
    if (f) with_user(out, kw, f->name, f->user);
}

void dump_sync_daemon(const LvsSyncDaemon& d, Dumper& out) {
    std::string s = Dumper::quoted(d.interface);
    if (!d.inst.empty()) s += " inst " + Dumper::quoted(d.inst);
    if (d.id) s += " id " + std::to_string(*d.id);
    if (d.maxlen) s += " maxlen " + std::to_string(*d.maxlen);
    s += " port " + std::to_string(d.port);
    s += " ttl " + std::to_string(d.ttl);
    s += " group " + d.group.to_string();
    out.line("lvs_sync_daemon", s);
}

void dump_timeouts(const LvsTimeouts& t, Dumper& out) {
    std::string s;
    auto add = [&](std::string_view name, const std::optional<Duration>& v) {
        if (!v) return;
        if (!s.empty()) s += ' ';
        s += std::string(name) + ' ' + std::to_string(whole_seconds(*v));
    };
    add("tcp", t.tcp);
    add("tcpfin", t.tcpfin);
    add("udp", t.udp);
    if (!s.empty()) out.line("lvs_timeouts", s);
}

void dump_process(const std::string& who, const ProcessDefs& p, Dumper& out) {
    if (p.rt_priority) out.line(who + "_rt_priority", *p.rt_priority);
    if (p.nice) out.line(who + "_priority", *p.nice);
    if (p.no_swap) out.line(who + "_no_swap");
    if (!p.cpu_affinity.empty()) {
        std::string cpus;
        for (uint32_t c : p.cpu_affinity) cpus += (cpus.empty() ? "" : " ") + std::to_string(c);
        out.line(who + "_cpu_affinity", cpus);
    }
    if (p.rlimit_rttime_us) out.line(who + "_rlimit_rttime", *p.rlimit_rttime_us);
}

void dump_defs(const GlobalDefs& g, Dumper& out) {
    out.open("global_defs");
    out.line("router_id", Dumper::quoted(g.router_id));
    if (g.metrics_listen) out.line("metrics_listen", g.metrics_listen->text());

    // scripts and security
    if (g.script_user) {
        if (g.script_user->group.empty())
            out.line("script_user", Dumper::quoted(g.script_user->user));
        else
            out.line("script_user", Dumper::quoted(g.script_user->user),
                     Dumper::quoted(g.script_user->group));
    }
    flag(out, "enable_script_security", g.enable_script_security);
    script(out, "startup_script", g.startup_script);
    out.line("startup_script_timeout", whole_seconds(g.startup_script_timeout));
    script(out, "shutdown_script", g.shutdown_script);
    out.line("shutdown_script_timeout", whole_seconds(g.shutdown_script_timeout));

    // notify FIFOs
    fifo(out, "notify_fifo", g.notify_fifo);
    script(out, "notify_fifo_script", g.notify_fifo_script);
    fifo(out, "vrrp_notify_fifo", g.vrrp_notify_fifo);
    script(out, "vrrp_notify_fifo_script", g.vrrp_notify_fifo_script);
    fifo(out, "lvs_notify_fifo", g.lvs_notify_fifo);
    script(out, "lvs_notify_fifo_script", g.lvs_notify_fifo_script);
    flag(out, "fifo_write_vrrp_states_on_reload", g.fifo_write_vrrp_states_on_reload);
    out.line("vrrp_notify_priority_changes", tf(g.vrrp_notify_priority_changes));

    // VRRP defaults (vrrp_min_garp first: the explicit values below override it)
    out.line("vrrp_mcast_group4", g.vrrp_mcast_group4);
    out.line("vrrp_mcast_group6", g.vrrp_mcast_group6);
    out.line("default_interface", Dumper::quoted(g.default_interface));
    flag(out, "vrrp_min_garp", g.vrrp_min_garp);
    out.line("vrrp_garp_master_delay", whole_seconds(g.vrrp_garp_master_delay));
    out.line("vrrp_garp_master_repeat", g.vrrp_garp_master_repeat);
    if (g.vrrp_garp_lower_prio_delay)
        out.line("vrrp_garp_lower_prio_delay", whole_seconds(*g.vrrp_garp_lower_prio_delay));
    if (g.vrrp_garp_lower_prio_repeat)
        out.line("vrrp_garp_lower_prio_repeat", *g.vrrp_garp_lower_prio_repeat);
    out.line("vrrp_garp_master_refresh", whole_seconds(g.vrrp_garp_master_refresh));
    out.line("vrrp_garp_master_refresh_repeat", g.vrrp_garp_master_refresh_repeat);
    // keepalived rejects 0 for these (0 is their default): printed only when set.
    if (g.vrrp_garp_interval.count()) out.line("vrrp_garp_interval", g.vrrp_garp_interval);
    if (g.vrrp_gna_interval.count()) out.line("vrrp_gna_interval", g.vrrp_gna_interval);
    if (g.vrrp_garp_extra_if.interval.count()) {
        if (g.vrrp_garp_extra_if.all)
            out.line("vrrp_garp_extra_if", "all", whole_seconds(g.vrrp_garp_extra_if.interval));
        else
            out.line("vrrp_garp_extra_if", whole_seconds(g.vrrp_garp_extra_if.interval));
    }
    out.line("vrrp_down_timer_adverts", g.vrrp_down_timer_adverts);
    if (g.vrrp_lower_prio_no_advert)
        out.line("vrrp_lower_prio_no_advert", tf(*g.vrrp_lower_prio_no_advert));
    if (g.vrrp_higher_prio_send_advert)
        out.line("vrrp_higher_prio_send_advert", tf(*g.vrrp_higher_prio_send_advert));
    out.line("vrrp_version", g.vrrp_version);
    flag(out, "vrrp_check_unicast_src", g.vrrp_check_unicast_src);
    flag(out, "vrrp_skip_check_adv_addr", g.vrrp_skip_check_adv_addr);
    flag(out, "vrrp_strict", g.vrrp_strict);
    if (g.vrrp_startup_delay.count()) out.line("vrrp_startup_delay", g.vrrp_startup_delay);
    flag(out, "log_unknown_vrids", g.log_unknown_vrids);
    out.line("vmac_prefix", Dumper::quoted(g.vmac_prefix));
    if (g.vmac_addr_prefix) out.line("vmac_addr_prefix", Dumper::quoted(*g.vmac_addr_prefix));
    if (g.dynamic_interfaces == DynamicInterfaces::On) out.line("dynamic_interfaces");
    if (g.dynamic_interfaces == DynamicInterfaces::AllowIfChanges)
        out.line("dynamic_interfaces", "allow_if_changes");
    flag(out, "disable_local_igmp", g.disable_local_igmp);
    switch (g.vrrp_rx_bufs_policy) {
        case VrrpRxBufsPolicy::Default: break;
        case VrrpRxBufsPolicy::Mtu: out.line("vrrp_rx_bufs_policy", "MTU"); break;
        case VrrpRxBufsPolicy::Advert: out.line("vrrp_rx_bufs_policy", "ADVERT"); break;
        case VrrpRxBufsPolicy::Size: out.line("vrrp_rx_bufs_policy", g.vrrp_rx_bufs_size); break;
    }
    out.line("vrrp_rx_bufs_multiplier", g.vrrp_rx_bufs_multiplier);

    // firewall (a table keyword resets its priority, so priorities follow it)
    if (g.vrrp_iptables) {
        if (g.vrrp_iptables->out_chain.empty())
            out.line("vrrp_iptables", Dumper::quoted(g.vrrp_iptables->in_chain));
        else
            out.line("vrrp_iptables", Dumper::quoted(g.vrrp_iptables->in_chain),
                     Dumper::quoted(g.vrrp_iptables->out_chain));
    }
    if (g.vrrp_ipsets != VrrpIpsets{})
        out.line("vrrp_ipsets", Dumper::quoted(g.vrrp_ipsets.address), Dumper::quoted(g.vrrp_ipsets.address6),
                 Dumper::quoted(g.vrrp_ipsets.address_iface6));
    if (g.nftables) out.line("nftables", Dumper::quoted(*g.nftables));
    out.line("nftables_priority", g.nftables_priority);
    flag(out, "nftables_counters", g.nftables_counters);
    flag(out, "nftables_ifindex", g.nftables_ifindex);
    if (g.nftables_ipvs) out.line("nftables_ipvs", Dumper::quoted(*g.nftables_ipvs));
    out.line("nftables_ipvs_priority", g.nftables_ipvs_priority);
    out.line("nftables_ipvs_start_fwmark", g.nftables_ipvs_start_fwmark);

    // netlink buffers
    out.line("vrrp_netlink_cmd_rcv_bufs", g.vrrp_netlink_cmd_rcv_bufs);
    out.line("vrrp_netlink_cmd_rcv_bufs_force", tf(g.vrrp_netlink_cmd_rcv_bufs_force));
    out.line("vrrp_netlink_monitor_rcv_bufs", g.vrrp_netlink_monitor_rcv_bufs);
    out.line("vrrp_netlink_monitor_rcv_bufs_force", tf(g.vrrp_netlink_monitor_rcv_bufs_force));
    out.line("lvs_netlink_cmd_rcv_bufs", g.lvs_netlink_cmd_rcv_bufs);
    out.line("lvs_netlink_cmd_rcv_bufs_force", tf(g.lvs_netlink_cmd_rcv_bufs_force));
    out.line("lvs_netlink_monitor_rcv_bufs", g.lvs_netlink_monitor_rcv_bufs);
    out.line("lvs_netlink_monitor_rcv_bufs_force", tf(g.lvs_netlink_monitor_rcv_bufs_force));
    out.line("process_monitor_rcv_bufs", g.process_monitor_rcv_bufs);
    out.line("process_monitor_rcv_bufs_force", tf(g.process_monitor_rcv_bufs_force));

    // IPVS
    if (g.lvs_sync_daemon) dump_sync_daemon(*g.lvs_sync_daemon, out);
    dump_timeouts(g.lvs_timeouts, out);
    flag(out, "lvs_flush", g.lvs_flush);
    if (g.lvs_flush_on_stop == LvsFlushOnStop::Full) out.line("lvs_flush_on_stop");
    if (g.lvs_flush_on_stop == LvsFlushOnStop::VirtualServers) out.line("lvs_flush_on_stop", "VS");
    if (g.lvs_backend != LvsBackend::Auto)
        out.line("lvs_backend", g.lvs_backend == LvsBackend::Ipvs ? "ipvs" : "nftables");

    // checkers, files
    out.line("checker_log_all_failures", tf(g.checker_log_all_failures));
    out.line("rs_init_notifies", tf(g.rs_init_notifies));
    char mask[16];
    std::snprintf(mask, sizeof mask, "%04o", g.umask);
    out.line("umask", mask);
    dump_process("vrrp", g.vrrp_process, out);
    dump_process("checker", g.checker_process, out);
    out.close();
}

void dump_bfd(const BfdInstance& b, Dumper& out) {
    out.open("bfd_instance", Dumper::quoted(b.name));
    if (b.neighbor_ip) out.line("neighbor_ip", *b.neighbor_ip);
    if (b.source_ip) out.line("source_ip", *b.source_ip);
    out.line("min_rx", ms(b.min_rx));
    out.line("min_tx", ms(b.min_tx));
    out.line("idle_tx", ms(b.idle_tx));
    out.line("multiplier", b.multiplier);
    flag(out, "passive", b.passive);
    out.line("ttl", b.ttl);
    out.line("hoplimit", b.hoplimit);
    out.line("max_hops", b.max_hops);
    if (b.weight_reverse)
        out.line("weight", b.weight, "reverse");
    else
        out.line("weight", b.weight);
    flag(out, "vrrp", b.vrrp);
    flag(out, "checker", b.checker);
    out.close();
}

}  // namespace

void dump_global(const Model& m, Dumper& out) {
    const GlobalDefs& g = m.global;
    if (!g.net_namespace.empty()) out.line("net_namespace", g.net_namespace);
    flag(out, "linkbeat_use_polling", g.linkbeat_use_polling);
    dump_defs(g, out);
    for (const auto& b : g.bfd_instances) dump_bfd(b, out);
}

}  // namespace halbd::config
