// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/dump_vrrp.cc: dump_vrrp(): the vrrp section as normalised keepalived
// grammar for `halbd -d`: every effective value written out (defaults and
// global_defs inheritance resolved by validate_vrrp), deprecated keywords in
// their modern form. Loading the output again gives the same dump.
#include "config/dump.hh"
#include "config/sections.hh"
#include "config/vrrp_internal.hh"

namespace halbd::config {

namespace {

using namespace vrrp_detail;
using Q = Dumper;

const char* tf(bool b) { return b ? "true" : "false"; }

std::string secs(Duration d) {
    return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count());
}

std::string weight_text(int32_t w, bool reverse) {
    return "weight " + std::to_string(w) + (reverse ? " reverse" : "");
}

void notify(Dumper& out, std::string_view kw, const std::optional<Script>& s) {
    if (!s) return;
    std::string line = Q::quoted(s->command);
    if (s->user) {
        line += ' ' + Q::quoted(s->user->user);
        if (!s->user->group.empty()) line += ' ' + Q::quoted(s->user->group);
    }
    out.line(kw, line);
}

void track_lists(Dumper& out, const std::vector<TrackedInterface>& ifs,
                 const std::vector<TrackedRef>& scripts, const std::vector<TrackedRef>& files,
                 const std::vector<TrackedRef>& procs, const std::vector<TrackedRef>& bfds) {
    if (!ifs.empty()) {
        out.open("track_interface");
        for (const auto& t : ifs) out.line(Q::quoted(t.name), weight_text(t.weight, t.reverse));
        out.close();
    }
    auto refs = [&](std::string_view kw, const std::vector<TrackedRef>& list) {
        if (list.empty()) return;
        out.open(kw);
        for (const auto& t : list) {
            if (t.weight)
                out.line(Q::quoted(t.name), weight_text(*t.weight, t.reverse.value_or(false)));
            else
                out.line(Q::quoted(t.name));
        }
        out.close();
    };
    refs("track_script", scripts);
    refs("track_file", files);
    refs("track_process", procs);
    refs("track_bfd", bfds);
}

void address_block(Dumper& out, std::string_view kw, const std::vector<IpAddressLine>& list) {
    if (list.empty()) return;
    out.open(kw);
    for (const auto& a : list) out.line(format_address_line(a));
    out.close();
}

void route_block(Dumper& out, std::string_view kw, const std::vector<RouteLine>& list) {
    if (list.empty()) return;
    out.open(kw);
    for (const auto& r : list) out.line(format_route_line(r));
    out.close();
}

void rule_block(Dumper& out, std::string_view kw, const std::vector<RuleLine>& list) {
    if (list.empty()) return;
    out.open(kw);
    for (const auto& r : list) out.line(format_rule_line(r));
    out.close();
}

std::string mac_text(const VrrpInstance& v) {
    std::string s;
    char buf[4];
    const size_t n = v.use_vmac_mac_uses_vrid ? 5 : 6;
    for (size_t i = 0; i < n; ++i) {
        std::snprintf(buf, sizeof buf, "%02x", (*v.use_vmac_mac)[i]);
        if (i) s += ':';
        s += buf;
    }
    return s;
}

void dump_instance(Dumper& out, const VrrpInstance& v) {
    out.open("vrrp_instance", Q::quoted(v.name));
    out.line("state", v.state == VrrpState::Master ? "MASTER" : "BACKUP");
    if (!v.interface.empty()) out.line("interface", Q::quoted(v.interface));
    if (!v.vrf.empty()) out.line("vrf", Q::quoted(v.vrf));
    if (v.use_vmac) {
        std::string args;
        if (!v.use_vmac_ifname.empty()) args += ' ' + v.use_vmac_ifname;
        if (v.use_vmac_mac) args += ' ' + mac_text(v);
        out.line("use_vmac" + args);
    }
    if (v.use_vmac_addr) out.line("use_vmac_addr");
    if (v.vmac_xmit_base) out.line("vmac_xmit_base");
    if (v.use_ipvlan) {
        std::string args;
        if (!v.use_ipvlan_ifname.empty()) args += ' ' + v.use_ipvlan_ifname;
        if (v.use_ipvlan_address) args += ' ' + v.use_ipvlan_address->to_string();
        args += v.use_ipvlan_mode == IpvlanMode::Bridge    ? " bridge"
                : v.use_ipvlan_mode == IpvlanMode::Private ? " private"
                                                           : " vepa";
        out.line("use_ipvlan" + args);
    }
    if (v.dont_track_primary) out.line("dont_track_primary");
    track_lists(out, v.track_interface, v.track_script, v.track_file, v.track_process, v.track_bfd);
    if (v.mcast_src_ip) out.line("mcast_src_ip", *v.mcast_src_ip);
    if (v.unicast_src_ip) out.line("unicast_src_ip", *v.unicast_src_ip);
    if (v.mcast_dst_ip) out.line("mcast_dst_ip", *v.mcast_dst_ip);
    if (v.track_src_ip) out.line("track_src_ip");
    if (v.version) out.line("version", *v.version);
    if (v.check_unicast_src) out.line("check_unicast_src");
    if (!v.unicast_peer.empty()) {
        out.open("unicast_peer");
        for (const auto& p : v.unicast_peer) {
            std::string s = p.address.to_string();
            if (p.min_ttl) s += " min_ttl " + std::to_string(*p.min_ttl);
            if (p.max_ttl) s += " max_ttl " + std::to_string(*p.max_ttl);
            out.line(s);
        }
        out.close();
    }
    if (v.unicast_fault_no_peer) out.line("unicast_fault_no_peer");
    if (v.unicast_ttl) out.line("unicast_ttl", *v.unicast_ttl);
    if (v.old_unicast_checksum == OldUnicastChecksum::On) out.line("old_unicast_checksum");
    if (v.old_unicast_checksum == OldUnicastChecksum::Never) out.line("old_unicast_checksum", "never");
    if (v.garp_master_delay) out.line("garp_master_delay", secs(*v.garp_master_delay));
    if (v.garp_master_repeat) out.line("garp_master_repeat", *v.garp_master_repeat);
    if (v.garp_lower_prio_delay) out.line("garp_lower_prio_delay", secs(*v.garp_lower_prio_delay));
    if (v.garp_lower_prio_repeat) out.line("garp_lower_prio_repeat", *v.garp_lower_prio_repeat);
    if (v.garp_master_refresh) out.line("garp_master_refresh", secs(*v.garp_master_refresh));
    if (v.garp_master_refresh_repeat) out.line("garp_master_refresh_repeat", *v.garp_master_refresh_repeat);
    if (v.garp_extra_if) {
        if (v.garp_extra_if_all) out.line("garp_extra_if", "all", *v.garp_extra_if);
        else out.line("garp_extra_if", *v.garp_extra_if);
    }
    if (v.down_timer_adverts) out.line("down_timer_adverts", *v.down_timer_adverts);
    if (v.lower_prio_no_advert) out.line("lower_prio_no_advert", tf(*v.lower_prio_no_advert));
    if (v.higher_prio_send_advert) out.line("higher_prio_send_advert", tf(*v.higher_prio_send_advert));
    if (v.virtual_router_id) out.line("virtual_router_id", v.virtual_router_id);
    if (v.priority) out.line("priority", *v.priority);
    if (v.advert_int) out.line("advert_int", *v.advert_int);
    if (v.auth_type != AuthType::None) {
        out.open("authentication");
        out.line("auth_type", v.auth_type == AuthType::Ah ? "AH" : "PASS");
        if (!v.auth_pass.empty()) out.line("auth_pass", Q::quoted(v.auth_pass));
        out.close();
    }
    address_block(out, "virtual_ipaddress", v.virtual_ipaddress);
    address_block(out, "virtual_ipaddress_excluded", v.virtual_ipaddress_excluded);
    if (v.promote_secondaries) out.line("promote_secondaries");
    route_block(out, "virtual_routes", v.virtual_routes);
    rule_block(out, "virtual_rules", v.virtual_rules);
    if (v.accept) out.line(*v.accept ? "accept" : "no_accept");
    if (v.nopreempt) out.line("nopreempt");
    out.line("preempt_delay", v.preempt_delay);
    if (v.skip_check_adv_addr) out.line("skip_check_adv_addr", tf(*v.skip_check_adv_addr));
    if (v.strict_mode) out.line("strict_mode", tf(*v.strict_mode));
    out.line("debug", v.debug);
    notify(out, "notify_master", v.notify_master);
    notify(out, "notify_backup", v.notify_backup);
    notify(out, "notify_fault", v.notify_fault);
    notify(out, "notify_stop", v.notify_stop);
    notify(out, "notify", v.notify);
    notify(out, "notify_master_rx_lower_pri", v.notify_master_rx_lower_pri);
    if (v.notify_deleted) notify(out, "notify_deleted", v.notify_deleted);
    else if (v.notify_deleted_set) out.line("notify_deleted");
    if (v.notify_priority_changes) out.line("notify_priority_changes", tf(*v.notify_priority_changes));
    if (v.kernel_rx_buf_size) out.line("kernel_rx_buf_size", *v.kernel_rx_buf_size);
    if (v.linkbeat_use_polling) out.line("linkbeat_use_polling");
    if (!v.lvs_sync_daemon_interface.empty()) out.line("lvs_sync_daemon_interface", v.lvs_sync_daemon_interface);
    out.close();
}

}  // namespace

void dump_vrrp(const Model& m, Dumper& out) {
    const auto& vc = m.vrrp;
    for (const auto& s : vc.vrrp_script) {
        out.open("vrrp_script", Q::quoted(s.name));
        out.line("script", Q::quoted(s.script));
        out.line("interval", secs(s.interval));
        if (s.timeout) out.line("timeout", secs(*s.timeout));
        out.line("weight", std::to_string(s.weight) + (s.weight_reverse ? " reverse" : ""));
        out.line("rise", s.rise);
        out.line("fall", s.fall);
        if (s.user) {
            if (s.user->group.empty()) out.line("user", Q::quoted(s.user->user));
            else out.line("user", Q::quoted(s.user->user), Q::quoted(s.user->group));
        }
        if (s.init_fail) out.line("init_fail");
        out.close();
    }
    for (const auto& f : vc.track_file) {
        out.open("track_file", Q::quoted(f.name));
        out.line("file", Q::quoted(f.file));
        out.line("weight", std::to_string(f.weight) + (f.weight_reverse ? " reverse" : ""));
        if (f.init_file)
            out.line("init_file", std::to_string(f.init_file_value) + (f.init_file_overwrite ? " overwrite" : ""));
        out.close();
    }
    for (const auto& p : vc.vrrp_track_process) {
        out.open("vrrp_track_process", Q::quoted(p.name));
        std::string words;
        for (const auto& w : p.process) words += (words.empty() ? "" : " ") + Q::quoted(w);
        if (!words.empty()) out.line("process", words);
        if (p.param_match == ParamMatch::Initial) out.line("param_match", "initial");
        if (p.param_match == ParamMatch::Partial) out.line("param_match", "partial");
        if (p.param_match == ParamMatch::Exact && p.process.size() == 1) out.line("param_match");
        out.line("weight", std::to_string(p.weight) + (p.weight_reverse ? " reverse" : ""));
        out.line("quorum", p.quorum);
        out.line("quorum_max", p.quorum_max);
        out.line("fork_delay", p.fork_delay);
        out.line("terminate_delay", p.terminate_delay);
        if (p.full_command) out.line("full_command");
        out.close();
    }
    for (const auto& g : vc.track_group) {
        out.open("track_group", Q::quoted(g.name));
        out.open("group");
        for (const auto& n : g.group) out.line(Q::quoted(n.name));
        out.close();
        out.close();
    }
    address_block(out, "static_ipaddress", vc.static_ipaddress);
    route_block(out, "static_routes", vc.static_routes);
    rule_block(out, "static_rules", vc.static_rules);
    for (const auto& g : vc.garp_group) {
        out.open("garp_group");
        if (g.garp_interval) out.line("garp_interval", *g.garp_interval);
        if (g.gna_interval) out.line("gna_interval", *g.gna_interval);
        if (!g.interface.empty()) out.line("interface", Q::quoted(g.interface));
        if (!g.interfaces.empty()) {
            out.open("interfaces");
            for (const auto& i : g.interfaces) out.line(Q::quoted(i));
            out.close();
        }
        out.close();
    }
    if (!vc.linkbeat_interfaces.empty()) {
        out.open("linkbeat_interfaces");
        for (const auto& l : vc.linkbeat_interfaces) {
            switch (l.type) {
                case LinkbeatType::Default: out.line(Q::quoted(l.name)); break;
                case LinkbeatType::Mii: out.line(Q::quoted(l.name), "MII"); break;
                case LinkbeatType::Ethtool: out.line(Q::quoted(l.name), "ETHTOOL"); break;
                case LinkbeatType::Ioctl: out.line(Q::quoted(l.name), "IOCTL"); break;
            }
        }
        out.close();
    }
    if (!vc.interface_up_down_delays.empty()) {
        out.open("interface_up_down_delays");
        for (const auto& d : vc.interface_up_down_delays) out.line(Q::quoted(d.name), d.down_delay, d.up_delay);
        out.close();
    }
    for (const auto& v : vc.vrrp_instance) dump_instance(out, v);
    for (const auto& g : vc.vrrp_sync_group) {
        out.open("vrrp_sync_group", Q::quoted(g.name));
        if (!g.group.empty()) {
            out.open("group");
            for (const auto& n : g.group) out.line(Q::quoted(n.name));
            out.close();
        }
        track_lists(out, g.track_interface, g.track_script, g.track_file, g.track_process, g.track_bfd);
        notify(out, "notify_master", g.notify_master);
        notify(out, "notify_backup", g.notify_backup);
        notify(out, "notify_fault", g.notify_fault);
        notify(out, "notify_stop", g.notify_stop);
        notify(out, "notify", g.notify);
        if (g.sync_group_tracking_weight) out.line("sync_group_tracking_weight");
        if (g.notify_priority_changes) out.line("notify_priority_changes", tf(*g.notify_priority_changes));
        out.close();
    }
}

}  // namespace halbd::config
