// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/subsystem_vmac.cc: the VrrpSubsystem's part of use_vmac (see
// vrrp/vmac.hh): each use_vmac instance's Vmac is made before its channel and
// VIPs; when the VMAC (or its parent) comes back after a deletion the VMAC is
// rebuilt, the channel on it reopened and a master's VIPs re-added and
// announced. keepalived 2.2.7 also recreates a deleted VMAC.
#include "core/log.hh"
#include "vrrp/subsystem.hh"

namespace halbd::vrrp {

bool VrrpSubsystem::make_vmac(Node& n, const config::VrrpInstance& v, const config::GlobalDefs& g) {
    if (!link_backend_) {
        log::error(v.name, ": use_vmac: no link backend; the instance stays in FAULT");
        return false;
    }
    n.vmac = std::make_unique<Vmac>(VmacContext{*link_backend_, addresses_}, v, g);
    auto made = n.vmac->ensure();
    if (!made) {
        log::error(v.name, ": ", made.error().message);
        return false;
    }
    // A reload that re-created the instance made a new link of the old name:
    // the socket still open on that name is bound to the deleted one.
    if (*made && n.channel.first == n.vmac->name() && channels_.count(n.channel)) reopen_channel(n.channel);
    return true;
}

// The link under a channel was replaced: a new socket, and no instance keeps
// a pointer to the old one.
void VrrpSubsystem::reopen_channel(const ChannelKey& key) {
    ChannelState& cs = *channels_.at(key);
    cs.channel.reset();
    cs.groups.clear();
    const bool open = open_channel(key, cs);
    for (auto& [name, n] : nodes_) {
        if (n->channel != key) continue;
        n->io->bind(n->instance.get(), cs.channel.get());
        n->instance->set_fault(!open, "interface " + key.first + " unusable");
    }
    reconcile_groups();
}

// ifname changed (appeared, went, up/down): a VMAC on it or of that name
// that is missing is made again.
void VrrpSubsystem::restore_vmacs(const std::string& ifname) {
    for (auto& [name, n] : nodes_) {
        if (!n->vmac || (ifname != n->vmac->name() && ifname != n->vmac->base())) continue;
        if (!links_ || !links_->up(n->vmac->base())) continue;  // the parent is gone: nothing to hang it on
        auto made = n->vmac->ensure();
        const std::string source = vmac_fault_source(n->vmac->name());
        if (!made) {
            log::error(name, ": ", made.error().message);
            n->instance->set_fault(true, source);
            continue;
        }
        n->instance->set_fault(false, source);
        if (!*made) continue;
        log::info(name, ": VMAC ", n->vmac->name(), " rebuilt");
        if (n->channel.first == n->vmac->name()) reopen_channel(n->channel);
        if (n->io->vips_installed()) {
            n->io->add_vips();
            n->io->announce(n->instance->config().garp_master_repeat, AnnounceReason::BecameMaster);
        }
    }
}

}  // namespace halbd::vrrp
