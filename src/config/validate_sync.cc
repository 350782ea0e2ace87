// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/validate_sync.cc: cross-keyword checks of the `conntrack_sync`
// block (runs after the VRRP section, whose instances and sync groups it
// refers to). Called through validate_sync() (sections.cc); the rules are
// those of the conntrack_sync section of man/halbd.conf.5.
#include <algorithm>

#include "config/model.hh"
#include "config/sections.hh"

namespace halbd::config {

namespace {

std::string quote(std::string_view s) { return "'" + std::string(s) + "'"; }

void validate_follow(const Model& m, const ConntrackSync& s, ValidateContext& ctx) {
    if (s.sync_group.empty() && s.instances.empty()) {
        ctx.diags.error(s.loc, "conntrack_sync needs 'sync_group NAME' or 'instance NAME...': the VRRP state "
                               "that decides when the peer's connections are committed");
        return;
    }
    const auto& vc = m.vrrp;
    if (!s.sync_group.empty()) {
        if (std::none_of(vc.vrrp_sync_group.begin(), vc.vrrp_sync_group.end(),
                         [&](const VrrpSyncGroup& g) { return g.name == s.sync_group; }))
            ctx.diags.error(s.follow_loc, "conntrack_sync: no vrrp_sync_group " + quote(s.sync_group));
        return;
    }
    for (size_t i = 0; i < s.instances.size(); ++i) {
        const std::string& name = s.instances[i];
        const Location& loc = i < s.instance_locs.size() ? s.instance_locs[i] : s.follow_loc;
        if (std::none_of(vc.vrrp_instance.begin(), vc.vrrp_instance.end(),
                         [&](const VrrpInstance& v) { return v.name == name; })) {
            ctx.diags.error(loc, "conntrack_sync: no vrrp_instance " + quote(name));
            continue;
        }
        // A member's MASTER entry runs the group's hooks, once for the group.
        for (const VrrpSyncGroup& g : vc.vrrp_sync_group)
            for (const NamedRef& r : g.group)
                if (r.name == name)
                    ctx.diags.warning(loc, "conntrack_sync: instance " + quote(name) + " is in vrrp_sync_group " +
                                               quote(g.name) + "; following the group ('sync_group " + g.name +
                                               "') says so more plainly");
    }
    // Several instances are for active-active, where each owns a bucket set:
    // one that owns none would commit every peer connection on its own.
    // With commit_mode always nothing is committed per instance: they only
    // wait for the peers' tables before they preempt.
    if (s.instances.size() < 2 || s.commit_mode == ConntrackSync::CommitMode::Always) return;
    for (size_t i = 0; i < s.instances.size(); ++i) {
        const bool owner = std::any_of(m.active_active.begin(), m.active_active.end(), [&](const ActiveActive& c) {
            return std::any_of(c.owners.begin(), c.owners.end(),
                               [&](const ClusterOwner& o) { return o.instance == s.instances[i]; });
        });
        if (!owner && std::any_of(m.vrrp.vrrp_instance.begin(), m.vrrp.vrrp_instance.end(),
                                  [&](const VrrpInstance& v) { return v.name == s.instances[i]; }))
            ctx.diags.error(i < s.instance_locs.size() ? s.instance_locs[i] : s.follow_loc,
                            "conntrack_sync: instance " + quote(s.instances[i]) +
                                " owns no bucket of any active_active block; several instances are followed only "
                                "for active-active (each commits the peer's connections of its buckets)");
    }
}

void validate_addresses(const ConntrackSync& s, ValidateContext& ctx) {
    // Every address of the channel is of one family: the peers', or the
    // multicast group's without peers.
    const bool v6 = !s.peers.empty() ? s.peers.front().is_v6() : s.mcast_group.is_v6();
    for (const auto& p : s.peers)
        if (p.is_v6() != v6) {
            ctx.diags.error(s.loc, "conntrack_sync: peers " + s.peers.front().to_string() + " and " +
                                       p.to_string() + " are of different address families");
            return;
        }
    if (s.source_ip && s.source_ip->is_v6() != v6)
        ctx.diags.error(s.loc, "conntrack_sync: source_ip " + s.source_ip->to_string() +
                                   " is not of the peers' (or the multicast group's) address family");
}

}  // namespace

void validate_sync(Model& m, ValidateContext& ctx) {
    if (!m.conntrack_sync) return;
    const ConntrackSync& s = *m.conntrack_sync;
    if (s.interface.empty())
        ctx.diags.error(s.loc, "conntrack_sync needs 'interface NAME' (the dedicated sync link)");
    else if (!ctx.interface_exists(s.interface))
        ctx.diags.warning(s.interface_loc, "conntrack_sync interface " + quote(s.interface) +
                                               " does not exist (yet)");
    validate_follow(m, s, ctx);
    validate_addresses(s, ctx);
    // Several active NAT nodes behind ECMP: the router moves flows to any
    // node at any time, which no MASTER entry tells (halbd.conf(5), "NAT
    // with several active nodes").
    const bool nat = std::any_of(m.lvs.virtual_servers.begin(), m.lvs.virtual_servers.end(), [](const VirtualServer& v) {
        return !v.lvs_method || v.lvs_method->kind == LvsMethodKind::NAT;
    });
    if (m.route_announce && nat && s.commit_mode == ConntrackSync::CommitMode::OnMaster)
        ctx.diags.warning(s.loc, "conntrack_sync with route_announce and NAT virtual servers commits the peers' "
                                 "connections only on the way to MASTER, but the router may move a flow to this "
                                 "node at any time: use 'commit_mode always'");
    if (s.auth_key_file.empty())
        ctx.diags.warning(s.loc, "conntrack_sync has no auth_key_file: connection state crosses the sync "
                                 "link in the clear and unauthenticated (as with conntrackd); that link "
                                 "must be trusted");
}

}  // namespace halbd::config
