// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/vip_watch.cc: the VIP watch. The VRRP subsystem hands every address
// change the AddressMonitor reports to each InstanceIo; a MASTER's InstanceIo
// puts back a VIP that someone else removed (`ip addr del`), with a GARP /
// unsolicited NA and a log line, so that it neither advertises a dead VIP
// nor says "installed" when it is not.
//
// Deviation from keepalived 2.2.7: when a tracked VIP is deleted, keepalived
// leaves MASTER (priority 0, VIPs removed) and is elected again; we restore
// the address in place, without a failover. A no_track VIP is left missing
// until the next MASTER, as keepalived does. Before acting, the kernel is
// asked whether the address is really gone (an event may be stale).
#include <algorithm>
#include <map>

#include "core/log.hh"
#include "vrrp/instance_io.hh"
#include "vrrp/subsystem.hh"

namespace halbd::vrrp {

void VrrpSubsystem::set_address_monitor(net::AddressMonitor* monitor) {
    if (address_monitor_) address_monitor_->set_listener(nullptr);
    address_monitor_ = monitor;
    if (!monitor) return;
    monitor->set_listener([this](const net::AddressEvent& e) {
        for (auto& [name, n] : nodes_) n->io->on_address(e);
    });
}

void InstanceIo::on_address(const net::AddressEvent& e) {
    using Kind = net::AddressEvent::Kind;
    if (e.kind == Kind::Added) {
        missing_.erase({e.ifname, e.address.address});
        return;
    }
    if (!installed_) return;
    if (e.kind == Kind::Lost) {
        check_all_ = true;
    } else {
        const bool ours = std::any_of(vips_.begin(), vips_.end(), [&](const Vip& v) {
            return v.dev == e.ifname && v.spec.address.address == e.address.address;
        });
        if (!ours) return;
        missing_.insert({e.ifname, e.address.address});
    }
    if (restore_timer_->armed()) return;
    const MonoTime now = ctx_.loop.now();
    if (restore_limit_.allow(now))
        restore_vips();
    else
        restore_timer_->arm_at(restore_limit_.next(now));
}

// One rate-limited step: every VIP marked missing (or all, after lost
// events) is looked up in the kernel and, if really absent, put back.
void InstanceIo::restore_vips() {
    if (!installed_) return reset_watch();
    std::map<std::pair<std::string, net::Family>, std::vector<net::InterfaceAddress>> kernel;
    auto present = [&](const Vip& v) {
        const auto fam = v.spec.address.address.family();
        auto [it, fresh] = kernel.try_emplace({v.dev, fam});
        if (fresh)
            if (auto have = ctx_.addresses.addresses(v.dev, fam)) it->second = std::move(have.value());
        return std::any_of(it->second.begin(), it->second.end(), [&](const net::InterfaceAddress& a) {
            return a.address.address == v.spec.address.address;
        });
    };
    for (const auto& v : vips_) {
        const VipKey key{v.dev, v.spec.address.address};
        if (!check_all_ && !missing_.count(key)) continue;
        if (present(v)) {
            missing_.erase(key);
            continue;
        }
        missing_.insert(key);
        const std::string what = v.spec.address.to_string();
        if (v.no_track) {
            watch_log_.warning("no_track " + what, name_, ": VIP ", what, " was removed from ", v.dev,
                               "; not restored (no_track) until the next MASTER");
            continue;
        }
        const uint64_t errors = stats_.vip_errors;
        install(v);
        if (stats_.vip_errors != errors) continue;  // logged by install(); tried again on the next event
        missing_.erase(key);
        ++stats_.vips_restored;
        queue_.push_back({v.dev, v.spec.address.address});
        watch_log_.warning("restore " + what, name_, ": VIP ", what, " was removed from ", v.dev,
                           " by someone else; restored");
    }
    check_all_ = false;
    if (!queue_.empty() && !pace_timer_->armed()) pump();
}

void InstanceIo::reset_watch() {
    missing_.clear();
    check_all_ = false;
    restore_timer_->cancel();
}

std::vector<net::Prefix> InstanceIo::missing_vips() const {
    std::vector<net::Prefix> out;
    for (const auto& v : vips_)
        if (missing_.count({v.dev, v.spec.address.address})) out.push_back(v.spec.address);
    return out;
}

}  // namespace halbd::vrrp
