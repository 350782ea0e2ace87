// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/validate_vrrp.cc: validate_vrrp(): cross-keyword checks of the vrrp
// section, references (scripts, files, processes, BFD, sync groups, track
// groups), VRID conflicts, and resolution of every default inherited from
// global_defs into the effective values of VrrpInstance, following keepalived
// 2.2.7's vrrp_complete_instance(). Called by config::load() after validate_global.
#include <algorithm>
#include <unordered_map>

#include "config/dump.hh"
#include "config/sections.hh"
#include "config/vrrp_internal.hh"

namespace halbd::config {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

using Index = std::unordered_map<std::string_view, uint32_t>;

template <class T>
Index index_by_name(const std::vector<T>& v) {
    Index idx;
    idx.reserve(v.size());
    for (uint32_t i = 0; i < v.size(); ++i) idx.emplace(v[i].name, i);
    return idx;
}

std::string q(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string where(const VrrpInstance& v) { return "vrrp_instance " + q(v.name); }

struct Refs {
    Index scripts, files, processes, instances;
    const GlobalDefs& g;
};

// Resolves track_* entries of an instance or sync group; unknown names are errors.
void resolve_refs(ValidateContext& ctx, const Refs& r, const VrrpConfig& vc, std::vector<TrackedRef>& scripts,
                  std::vector<TrackedRef>& files, std::vector<TrackedRef>& procs,
                  std::vector<TrackedRef>& bfds) {
    for (auto& t : scripts) {
        auto it = r.scripts.find(t.name);
        if (it == r.scripts.end()) {
            ctx.diags.error(t.loc, "track_script " + q(t.name) + ": no vrrp_script of that name");
            continue;
        }
        t.index = it->second;
        const auto& s = vc.vrrp_script[t.index];
        if (!t.weight) t.weight = s.weight, t.reverse = s.weight_reverse;
        if (!t.reverse) t.reverse = false;
    }
    for (auto& t : files) {
        auto it = r.files.find(t.name);
        if (it == r.files.end()) {
            ctx.diags.error(t.loc, "track_file " + q(t.name) + ": no track_file block of that name");
            continue;
        }
        t.index = it->second;
        const auto& f = vc.track_file[t.index];
        if (!t.weight) t.weight = f.weight, t.reverse = f.weight_reverse;
        if (!t.reverse) t.reverse = false;
    }
    for (auto& t : procs) {
        auto it = r.processes.find(t.name);
        if (it == r.processes.end()) {
            ctx.diags.error(t.loc, "track_process " + q(t.name) + ": no vrrp_track_process of that name");
            continue;
        }
        t.index = it->second;
        const auto& p = vc.vrrp_track_process[t.index];
        if (!t.weight) t.weight = p.weight, t.reverse = p.weight_reverse;
        if (!t.reverse) t.reverse = false;
    }
    for (auto& t : bfds) {
        const BfdInstance* b = r.g.find_bfd_instance(t.name);
        if (!b) {
            ctx.diags.error(t.loc, "track_bfd " + q(t.name) + ": no bfd_instance of that name");
            continue;
        }
        t.index = static_cast<uint32_t>(b - r.g.bfd_instances.data());
        if (!t.weight) t.weight = b->weight, t.reverse = b->weight_reverse;
        if (!t.reverse) t.reverse = false;
    }
}

void default_user(const GlobalDefs& g, std::optional<Script>& s) {
    if (s && !s->user && g.script_user) s->user = g.script_user;
}

void check_if(ValidateContext& ctx, Location loc, std::string_view name, std::string_view what) {
    if (!name.empty() && ctx.interface_exists && !ctx.interface_exists(name))
        ctx.diags.warning(loc, "interface " + q(name) + " (" + std::string(what) + ") does not exist here");
}

// What a route line accepts but the route adapter (net/rtnl_route_backend)
// does not program: congctl (RTAX_CC_ALGO is a string metric libnl cannot
// carry).
void warn_unprogrammed(Diagnostics& D, const RouteLine& r) {
    if (!r.congctl.empty())
        D.warning(r.loc, "route " + r.to.to_string() + ": " +
                             not_implemented("congctl " + q(r.congctl), "libnl cannot carry RTAX_CC_ALGO"));
}

// halbd does not watch static addresses, routes and rules for deletion, so a
// track_group on one never puts its instances in FAULT.
void warn_track_group(Diagnostics& D, Location loc, const std::string& group, const std::string& what) {
    if (!group.empty())
        D.warning(loc, what + ": " + not_implemented("track_group " + q(group),
                                                     "halbd does not watch static addresses, routes or rules"));
}

// Round `d` to a multiple of `unit` (half up), at least one unit.
Duration round_to(Duration d, Duration unit) {
    Duration r = (d + unit / 2) / unit * unit;
    return r < unit ? unit : r;
}

// keepalived: the VIPs advertised must fit a packet (and the 8-bit count);
// assume a 1500-byte MTU since the interface may not exist yet.
size_t max_advertised(const VrrpInstance& v) {
    if (v.family == net::Family::V6) return (1500 - (14 + 40 + 8)) / 16;
    size_t hdr = 14 + 20 + 8 + (*v.version == 2 ? 8 : 0) + (v.auth_type == AuthType::Ah ? 24 : 0);
    return std::min<size_t>(255, (1500 - hdr) / 4);
}

void validate_instance(Model& m, ValidateContext& ctx, VrrpInstance& v, const Refs& refs) {
    const GlobalDefs& g = m.global;
    auto& D = ctx.diags;
    const std::string me = where(v);

    if (v.virtual_router_id == 0)
        D.error(v.loc, me + " has no virtual_router_id (expected 1-255)");

    // Address family: from the VIPs, else the source/destination/peers; default IPv4.
    std::optional<net::Family> fam;
    for (const auto& a : v.virtual_ipaddress) {
        if (!fam) fam = a.address.address.family();
        else if (a.address.address.family() != *fam)
            D.error(a.loc, me + ": all virtual_ipaddress entries must be of one address family "
                            "(use virtual_ipaddress_excluded to mix IPv4 and IPv6)");
    }
    auto same_family = [&](const std::optional<net::IpAddress>& a, Location loc, const char* kw) {
        if (!a) return;
        if (!fam) fam = a->family();
        else if (a->family() != *fam)
            D.error(loc, me + ": " + kw + " " + a->to_string() + " is not of the instance's address family");
    };
    if (v.mcast_src_ip && v.unicast_src_ip) {
        D.warning(v.loc, me + ": both mcast_src_ip and unicast_src_ip given; unicast_src_ip is used");
        v.mcast_src_ip.reset();
    }
    same_family(v.unicast_src_ip, v.loc, "unicast_src_ip");
    same_family(v.mcast_src_ip, v.loc, "mcast_src_ip");
    same_family(v.mcast_dst_ip, v.loc, "mcast_dst_ip");
    for (const auto& p : v.unicast_peer) {
        if (!fam) fam = p.address.family();
        else if (p.address.family() != *fam)
            D.error(p.loc, me + ": unicast_peer " + p.address.to_string() +
                               " is not of the instance's address family");
    }
    v.family = fam.value_or(net::Family::V4);
    if (v.mcast_dst_ip) {
        bool ok = v.mcast_dst_ip->is_multicast() &&
                  (v.mcast_dst_ip->is_v4() || (v.mcast_dst_ip->bytes()[1] & 0x0F) == 2);
        if (!ok)
            D.error(v.loc, me + ": mcast_dst_ip " + v.mcast_dst_ip->to_string() + " is not a " +
                               (v.mcast_dst_ip->is_v4() ? "multicast" : "link-local multicast (ffX2::)") +
                               " address");
    }

    const bool strict = v.strict_mode.value_or(g.vrrp_strict);
    v.strict_mode = strict;

    // Version: IPv6 needs VRRPv3.
    if (v.family == net::Family::V6) {
        if (v.version == 2) D.warning(v.loc, me + ": IPv6 cannot use VRRP version 2; using version 3");
        v.version = 3;
    } else if (!v.version) {
        v.version = g.vrrp_version;
    }

    if (v.virtual_ipaddress.empty() && (*v.version == 3 || strict))
        D.error(v.loc, me + " has no virtual_ipaddress; at least one is required with VRRPv3 or strict mode");

    // Interface: needed unless unicasting.
    if (v.interface.empty()) {
        if (v.unicast_peer.empty())
            D.error(v.loc, me + " has no interface (required unless unicast_peer is used)");
        if (v.use_vmac || v.use_ipvlan) {
            D.warning(v.loc, me + ": use_vmac/use_ipvlan need an interface; cleared");
            v.use_vmac = v.use_ipvlan = false;
        }
    } else {
        check_if(ctx, v.interface_loc, v.interface, me);
    }
    if (!v.vrf.empty() && !v.interface.empty()) {
        D.warning(v.loc, me + ": vrf cannot be combined with interface; vrf ignored");
        v.vrf.clear();
    }

    // Priority and initial state, as keepalived derives one from the other.
    if (!v.priority) v.priority = v.state == VrrpState::Master ? 255 : 100;
    if (!v.state) {
        v.state = *v.priority == 255 ? VrrpState::Master : VrrpState::Backup;
    } else if (strict && ((*v.state == VrrpState::Master) != (*v.priority == 255))) {
        D.warning(v.loc, me + ": in strict mode state MASTER must match priority 255 (address owner); "
                              "state set to " + std::string(*v.priority == 255 ? "MASTER" : "BACKUP"));
        v.state = *v.priority == 255 ? VrrpState::Master : VrrpState::Backup;
    }

    // Authentication (VRRPv2 only).
    if (v.auth_type != AuthType::None) {
        const char* why = nullptr;
        if (strict) why = "strict mode does not support authentication";
        else if (*v.version == 3) why = "VRRP version 3 does not support authentication";
        else if (v.auth_pass.empty()) why = "authentication given without auth_pass";
        else if (v.family == net::Family::V6 && v.auth_type == AuthType::Ah) why = "AH authentication cannot be used with IPv6";
        if (why) {
            D.warning(v.loc, me + ": " + why + "; authentication ignored");
            v.auth_type = AuthType::None;
            v.auth_pass.clear();
        } else if (v.auth_type == AuthType::Ah && *v.state == VrrpState::Master && *v.priority != 255) {
            D.warning(v.loc, me + ": initial state MASTER is incompatible with AH authentication; using BACKUP");
            v.state = VrrpState::Backup;
        }
    } else {
        v.auth_pass.clear();
    }

    if (strict && !v.unicast_peer.empty())
        D.error(v.unicast_peer.front().loc, me + ": unicast peers are not supported in strict mode");
    if (v.unicast_ttl && v.unicast_peer.empty()) {
        D.warning(v.loc, me + ": unicast_ttl without unicast peers; ignored");
        v.unicast_ttl.reset();
    }

    // VMAC.
    if (v.vmac_xmit_base && !v.use_vmac) {
        D.warning(v.loc, me + ": vmac_xmit_base is only valid with use_vmac; cleared");
        v.vmac_xmit_base = false;
    }
    if (v.use_vmac && !v.unicast_peer.empty() && !v.vmac_xmit_base) {
        D.warning(v.loc, me + ": unicast with use_vmac requires vmac_xmit_base; set");
        v.vmac_xmit_base = true;
    }
    if (v.use_vmac && strict && v.vmac_xmit_base) {
        D.warning(v.loc, me + ": vmac_xmit_base is incompatible with strict mode; cleared");
        v.vmac_xmit_base = false;
    }
    // Parsed and dumped, but no subsystem acts on them: say so, never ignore silently.
    for (const auto& t : v.track_bfd) D.warning(t.loc, me + ": " + not_implemented("'track_bfd'", "no BFD"));
    if (v.unicast_fault_no_peer) D.warning(v.loc, me + ": " + not_implemented("'unicast_fault_no_peer'"));
    if (v.old_unicast_checksum != OldUnicastChecksum::Off)
        D.warning(v.loc, me + ": " + not_implemented("'old_unicast_checksum'"));
    if (v.kernel_rx_buf_size) D.warning(v.loc, me + ": " + not_implemented("'kernel_rx_buf_size'"));
    // halbd makes the instance's own VMAC only (vrrp/vmac.hh).
    if (v.use_vmac_addr)
        D.warning(v.loc, me + ": " + not_implemented("'use_vmac_addr'", "addresses with another dev stay on it"));
    for (const auto* list : {&v.virtual_ipaddress, &v.virtual_ipaddress_excluded})
        for (const auto& a : *list)
            if (a.use_vmac)
                D.warning(a.loc, me + ": per-address use_vmac is not implemented by halbd; " +
                                     a.address.to_string() + " goes on its dev");
    if (v.promote_secondaries && (v.use_vmac || v.use_ipvlan)) {
        D.warning(v.loc, me + ": promote_secondaries is automatic on a VMAC; ignored");
        v.promote_secondaries = false;
    }
    if (v.use_ipvlan && v.family == net::Family::V4 && !v.use_ipvlan_address)
        D.error(v.loc, me + ": an IPv4 use_ipvlan needs an address");
    if (!v.unicast_src_ip && !v.mcast_src_ip) v.track_src_ip = false;

    // First IPv6 VIP must be link-local when multicasting (RFC 5798 5.2.9).
    if (v.family == net::Family::V6 && v.unicast_peer.empty() && !v.virtual_ipaddress.empty() &&
        !v.virtual_ipaddress.front().address.address.is_link_local())
        D.warning(v.virtual_ipaddress.front().loc, me + ": the first IPv6 virtual_ipaddress should be link-local");

    // Too many VIPs for one advert: the excess becomes excluded (not advertised).
    if (size_t max = max_advertised(v); v.virtual_ipaddress.size() > max) {
        D.warning(v.virtual_ipaddress[max].loc,
                  me + ": " + std::to_string(v.virtual_ipaddress.size()) +
                      " virtual addresses do not fit in an advert (max " + std::to_string(max) +
                      "); the rest are moved to virtual_ipaddress_excluded");
        v.virtual_ipaddress_excluded.insert(v.virtual_ipaddress_excluded.begin(),
                                            std::make_move_iterator(v.virtual_ipaddress.begin() + static_cast<ptrdiff_t>(max)),
                                            std::make_move_iterator(v.virtual_ipaddress.end()));
        v.virtual_ipaddress.resize(max);
    }
    for (auto* list : {&v.virtual_ipaddress, &v.virtual_ipaddress_excluded})
        for (const auto& a : *list) check_if(ctx, a.loc, a.dev, "dev of " + a.address.to_string());
    for (const auto& r : v.virtual_routes) warn_unprogrammed(D, r);

    // Preemption.
    if (*v.priority == 255 && v.nopreempt) {
        D.warning(v.loc, me + ": nopreempt is incompatible with priority 255; cleared");
        v.nopreempt = false;
    }
    if (*v.state == VrrpState::Master) {
        if (v.nopreempt) {
            D.warning(v.loc, me + ": nopreempt does not work with initial state MASTER; cleared");
            v.nopreempt = false;
        }
        if (v.preempt_delay.count()) {
            D.warning(v.loc, me + ": preempt_delay does not work with initial state MASTER; cleared");
            v.preempt_delay = {};
        }
    }
    if (v.preempt_delay.count() && (strict || v.nopreempt)) {
        D.warning(v.loc, me + ": preempt_delay is incompatible with " +
                             std::string(strict ? "strict mode" : "nopreempt") + "; cleared");
        v.preempt_delay = {};
    }

    // Accept mode.
    if (!v.accept) v.accept = !strict;
    else if (*v.accept && strict && *v.priority != 255 && *v.version == 2)
        D.warning(v.loc, me + ": accept mode with VRRPv2 does not comply with RFC 3768");

    // Adverts.
    if (!v.lower_prio_no_advert) v.lower_prio_no_advert = g.vrrp_lower_prio_no_advert.value_or(strict);
    if (strict && !*v.lower_prio_no_advert) {
        D.warning(v.loc, me + ": strict mode requires lower_prio_no_advert; set");
        v.lower_prio_no_advert = true;
    }
    if (!v.higher_prio_send_advert) v.higher_prio_send_advert = !strict && g.vrrp_higher_prio_send_advert.value_or(true);
    else if (strict && *v.higher_prio_send_advert) {
        D.warning(v.loc, me + ": strict mode requires higher_prio_send_advert off; cleared");
        v.higher_prio_send_advert = false;
    }
    if (!v.skip_check_adv_addr) v.skip_check_adv_addr = g.vrrp_skip_check_adv_addr;
    if (g.vrrp_check_unicast_src) v.check_unicast_src = true;
    for (const auto& p : v.unicast_peer)
        if (p.min_ttl || p.max_ttl) v.check_unicast_src = true;
    if (!v.notify_priority_changes) v.notify_priority_changes = g.vrrp_notify_priority_changes;
    if (!v.down_timer_adverts) v.down_timer_adverts = static_cast<uint8_t>(g.vrrp_down_timer_adverts);

    Duration adv = v.advert_int.value_or(seconds(1));
    if (*v.version == 2) {
        if (adv % seconds(1) != Duration{}) {
            Duration r = round_to(adv, seconds(1));
            D.warning(v.loc, me + ": VRRPv2 advert_int must be whole seconds; " +
                                 Dumper::timer(adv) + " rounded to " + Dumper::timer(r));
            adv = r;
        }
    } else {
        if (adv > milliseconds(40950)) {
            D.warning(v.loc, me + ": VRRPv3 advert_int " + Dumper::timer(adv) + " is above 40.95 s; using 40.95");
            adv = milliseconds(40950);
        } else if (adv % milliseconds(10) != Duration{}) {
            Duration r = round_to(adv, milliseconds(10));
            D.warning(v.loc, me + ": VRRPv3 advert_int must be in units of 0.01 s; " +
                                 Dumper::timer(adv) + " rounded to " + Dumper::timer(r));
            adv = r;
        }
    }
    v.advert_int = adv;

    // Gratuitous ARP / NA defaults from global_defs.
    if (!v.garp_master_delay) v.garp_master_delay = g.vrrp_garp_master_delay;
    if (!v.garp_master_repeat) v.garp_master_repeat = g.vrrp_garp_master_repeat;
    if (!v.garp_lower_prio_delay)
        v.garp_lower_prio_delay = g.vrrp_garp_lower_prio_delay.value_or(*v.garp_master_delay);
    if (!v.garp_lower_prio_repeat)
        v.garp_lower_prio_repeat = g.vrrp_garp_lower_prio_repeat.value_or(*v.garp_master_repeat);
    if (!v.garp_master_refresh) v.garp_master_refresh = g.vrrp_garp_master_refresh;
    if (!v.garp_master_refresh_repeat) v.garp_master_refresh_repeat = g.vrrp_garp_master_refresh_repeat;
    if (!v.garp_extra_if) {
        v.garp_extra_if = static_cast<uint32_t>(
            std::chrono::duration_cast<seconds>(g.vrrp_garp_extra_if.interval).count());
        v.garp_extra_if_all = g.vrrp_garp_extra_if.all;
    }

    // Tracking.
    resolve_refs(ctx, refs, m.vrrp, v.track_script, v.track_file, v.track_process, v.track_bfd);
    for (auto& t : v.track_interface) check_if(ctx, t.loc, t.name, "track_interface of " + me);
    std::erase_if(v.track_interface, [&](const TrackedInterface& t) {
        if (t.name != v.interface) return false;
        D.warning(t.loc, me + ": track_interface " + q(t.name) + " is the instance's own interface; ignored");
        return true;
    });

    for (auto* s : {&v.notify_master, &v.notify_backup, &v.notify_fault, &v.notify_stop, &v.notify,
                    &v.notify_master_rx_lower_pri, &v.notify_deleted})
        default_user(g, *s);
}

// keepalived: members of a sync group (without sync_group_tracking_weight) and
// address owners ignore tracking weights, since they would desynchronise.
void drop_weights(ValidateContext& ctx, VrrpInstance& v, bool sync) {
    auto& D = ctx.diags;
    const std::string why = sync ? "it is in a sync group (see sync_group_tracking_weight)"
                                 : "it is the address owner (priority 255)";
    const std::string me = where(v);
    std::erase_if(v.track_interface, [&](TrackedInterface& t) {
        if (!t.weight) return false;
        D.warning(t.loc, me + ": weight of track_interface " + q(t.name) + " ignored since " + why);
        t.weight = 0;
        t.reverse = false;
        return !sync;
    });
    auto drop = [&](std::vector<TrackedRef>& refs, const char* kw, bool file) {
        std::erase_if(refs, [&](TrackedRef& t) {
            if (!t.weight || !*t.weight) return false;
            if (file && *t.weight == 1) {
                D.warning(t.loc, me + ": weight of " + kw + " " + q(t.name) + " ignored since " + why +
                                     "; specify weight 0");
                t.weight = 0;
                t.reverse = false;
                return false;
            }
            D.warning(t.loc, me + ": weighted " + kw + " " + q(t.name) + " ignored since " + why);
            return true;
        });
    };
    drop(v.track_script, "track_script", false);
    drop(v.track_file, "track_file", true);
    drop(v.track_process, "track_process", false);
    drop(v.track_bfd, "track_bfd", false);
}

bool peers_overlap(const VrrpInstance& a, const VrrpInstance& b) {
    for (const auto& p : a.unicast_peer)
        for (const auto& r : b.unicast_peer)
            if (p.address == r.address) return true;
    return false;
}

std::string loc_text(Location l) { return "line " + std::to_string(l.line); }

}  // namespace

void validate_vrrp(Model& m, ValidateContext& ctx) {
    auto& vc = m.vrrp;
    auto& D = ctx.diags;
    const GlobalDefs& g = m.global;
    Refs refs{index_by_name(vc.vrrp_script), index_by_name(vc.track_file),
              index_by_name(vc.vrrp_track_process), index_by_name(vc.vrrp_instance), g};

    // Tracked objects.
    for (auto& s : vc.vrrp_script) {
        if (s.script.empty()) D.error(s.loc, "vrrp_script " + q(s.name) + " has no script");
        if (!s.timeout) s.timeout = s.interval;
        if (!s.user && g.script_user) s.user = g.script_user;
    }
    for (auto& f : vc.track_file)
        if (f.file.empty()) D.error(f.loc, "track_file " + q(f.name) + " has no file");
    for (auto& p : vc.vrrp_track_process) {
        if (p.process.empty()) D.error(p.loc, "vrrp_track_process " + q(p.name) + " has no process");
        if (p.param_match == ParamMatch::None && p.process.size() > 1) p.param_match = ParamMatch::Exact;
        if (p.quorum_max < p.quorum)
            D.error(p.loc, "vrrp_track_process " + q(p.name) + ": quorum_max " + std::to_string(p.quorum_max) +
                               " is less than quorum " + std::to_string(p.quorum));
    }

    // Sync groups: members exist and belong to one group only.
    for (uint32_t gi = 0; gi < vc.vrrp_sync_group.size(); ++gi) {
        auto& sg = vc.vrrp_sync_group[gi];
        if (sg.group.empty())
            D.warning(sg.loc, "vrrp_sync_group " + q(sg.name) + " has no members");
        else if (sg.group.size() == 1)
            D.warning(sg.loc, "vrrp_sync_group " + q(sg.name) + " has only one member");
        for (const auto& t : sg.track_bfd)
            D.warning(t.loc, "vrrp_sync_group " + q(sg.name) + ": " + not_implemented("'track_bfd'", "no BFD"));
        for (auto& member : sg.group) {
            auto it = refs.instances.find(member.name);
            if (it == refs.instances.end()) {
                D.error(member.loc, "vrrp_sync_group " + q(sg.name) + ": no vrrp_instance " + q(member.name));
                continue;
            }
            member.index = it->second;
            auto& inst = vc.vrrp_instance[it->second];
            if (inst.sync_group != kNoIndex) {
                const auto& other = vc.vrrp_sync_group[inst.sync_group];
                D.error(member.loc, "vrrp_instance " + q(member.name) + " is already in vrrp_sync_group " +
                                        q(other.name) + " (" + loc_text(other.loc) + "); an instance may be in only one group");
                continue;
            }
            inst.sync_group = gi;
        }
        resolve_refs(ctx, refs, vc, sg.track_script, sg.track_file, sg.track_process, sg.track_bfd);
        for (auto& t : sg.track_interface) check_if(ctx, t.loc, t.name, "track_interface of sync group");
        for (auto* s : {&sg.notify_master, &sg.notify_backup, &sg.notify_fault, &sg.notify_stop, &sg.notify})
            default_user(g, *s);
    }

    for (auto& v : vc.vrrp_instance) {
        validate_instance(m, ctx, v, refs);
        bool sync = v.sync_group != kNoIndex && !vc.vrrp_sync_group[v.sync_group].sync_group_tracking_weight;
        if (sync || v.priority == 255) drop_weights(ctx, v, sync);

        if (v.linkbeat_use_polling) {
            v.linkbeat_use_polling = false;
            bool listed = std::any_of(vc.linkbeat_interfaces.begin(), vc.linkbeat_interfaces.end(),
                                      [&](const LinkbeatInterface& l) { return l.name == v.interface; });
            if (!listed && !v.interface.empty())
                vc.linkbeat_interfaces.push_back({v.loc, v.interface, LinkbeatType::Default});
        }
        if (!v.lvs_sync_daemon_interface.empty()) {
            if (m.global.lvs_sync_daemon) {
                D.warning(v.lvs_sync_daemon_interface_loc,
                          where(v) + ": lvs_sync_daemon is already configured; lvs_sync_daemon_interface ignored");
            } else {
                LvsSyncDaemon s;
                s.interface = v.lvs_sync_daemon_interface;
                s.inst = v.name;
                s.loc = s.inst_loc = v.lvs_sync_daemon_interface_loc;
                // keepalived ties this form to the instance without its name,
                // so its "no syncid: use the VRID" never applies: syncid 0.
                s.id = 0;
                m.global.lvs_sync_daemon = s;
            }
            v.lvs_sync_daemon_interface.clear();
        }
    }

    // lvs_sync_daemon's instance (owned by global) must exist; its syncid defaults to the VRID.
    if (auto& s = m.global.lvs_sync_daemon; s && !s->inst.empty()) {
        auto it = refs.instances.find(s->inst);
        if (it == refs.instances.end())
            D.error(s->inst_loc, "lvs_sync_daemon: no vrrp_instance " + q(s->inst));
        else if (!s->id)
            s->id = vc.vrrp_instance[it->second].virtual_router_id;
    }

    // VRID conflicts: same VRID, interface and family, sharing a socket (same
    // multicast group, or overlapping unicast peers).
    std::unordered_map<std::string, std::vector<uint32_t>> by_key;
    for (uint32_t i = 0; i < vc.vrrp_instance.size(); ++i) {
        const auto& v = vc.vrrp_instance[i];
        if (!v.virtual_router_id) continue;
        std::string key = v.interface;
        key += v.family == net::Family::V6 ? "/6/" : "/4/";
        key += std::to_string(v.virtual_router_id);
        auto& list = by_key[key];
        for (uint32_t j : list) {
            const auto& o = vc.vrrp_instance[j];
            bool conflict;
            if (v.unicast_peer.empty() != o.unicast_peer.empty()) conflict = false;
            else if (v.unicast_peer.empty()) conflict = v.mcast_dst_ip == o.mcast_dst_ip;
            else conflict = peers_overlap(v, o);
            if (conflict)
                D.error(v.loc, "vrrp_instance " + q(v.name) + " and vrrp_instance " + q(o.name) + " (" +
                                   loc_text(o.loc) + ") both use virtual_router_id " +
                                   std::to_string(v.virtual_router_id) + " on interface " +
                                   q(v.interface) + " for " + (v.family == net::Family::V6 ? "IPv6" : "IPv4"));
        }
        list.push_back(i);
    }

    // Static track groups, and their use by static addresses/routes/rules.
    Index track_groups = index_by_name(vc.track_group);
    for (auto& tg : vc.track_group) {
        if (tg.group.empty()) D.warning(tg.loc, "track_group " + q(tg.name) + " has no members");
        for (auto& member : tg.group) {
            auto it = refs.instances.find(member.name);
            if (it == refs.instances.end())
                D.error(member.loc, "track_group " + q(tg.name) + ": no vrrp_instance " + q(member.name));
            else
                member.index = it->second;
        }
    }
    auto check_tg = [&](const std::string& name, Location loc) {
        if (!name.empty() && !track_groups.count(name))
            D.error(loc, "track_group " + q(name) + " is not defined");
    };
    for (auto& a : vc.static_ipaddress) {
        check_tg(a.track_group, a.loc);
        warn_track_group(D, a.loc, a.track_group, "static address " + a.address.to_string());
        if (a.dev.empty()) a.dev = g.default_interface;
        check_if(ctx, a.loc, a.dev, "static address " + a.address.to_string());
    }
    for (const auto& r : vc.static_routes) {
        check_tg(r.track_group, r.loc);
        warn_track_group(D, r.loc, r.track_group, "static route " + r.to.to_string());
        warn_unprogrammed(D, r);
        check_if(ctx, r.loc, r.dev, "static route");
    }
    for (const auto& r : vc.static_rules) {
        check_tg(r.track_group, r.loc);
        warn_track_group(D, r.loc, r.track_group, "static rule");
    }

    for (const auto& gg : vc.garp_group) {
        if (!gg.garp_interval && !gg.gna_interval)
            D.warning(gg.loc, "garp_group sets neither garp_interval nor gna_interval; it has no effect");
        if (gg.interface.empty() && gg.interfaces.empty())
            D.warning(gg.loc, "garp_group names no interface or interfaces");
        check_if(ctx, gg.loc, gg.interface, "garp_group");
        for (const auto& i : gg.interfaces) check_if(ctx, gg.loc, i, "garp_group");
    }
    for (const auto& l : vc.linkbeat_interfaces) check_if(ctx, l.loc, l.name, "linkbeat_interfaces");
    for (const auto& d : vc.interface_up_down_delays) check_if(ctx, d.loc, d.name, "interface_up_down_delays");
}

}  // namespace halbd::config
