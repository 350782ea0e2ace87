// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/link_delays.cc: see link_delays.hh.
#include "vrrp/link_delays.hh"

#include <set>

#include "core/log.hh"

namespace halbd::vrrp {

LinkDelays::LinkDelays(core::EventLoop& loop, net::LinkMonitor& inner) : loop_(loop), inner_(inner) {
    inner_.set_listener([this](const std::string& ifname) { on_inner(ifname); });
}

LinkDelays::~LinkDelays() { inner_.set_listener(nullptr); }

void LinkDelays::configure(const std::vector<config::InterfaceUpDownDelay>& delays) {
    std::set<std::string> wanted;
    for (const auto& d : delays) {
        wanted.insert(d.name);
        auto [it, fresh] = held_.try_emplace(d.name);
        Held& h = it->second;
        h.down_delay = d.down_delay;
        h.up_delay = d.up_delay;
        if (fresh) h.shown = inner_.up(d.name);
    }
    for (auto it = held_.begin(); it != held_.end();) {
        if (wanted.count(it->first)) {
            ++it;
            continue;
        }
        const std::string name = it->first;
        const bool differs = it->second.shown != inner_.up(name);
        it = held_.erase(it);
        if (differs) changed(name);
    }
}

std::optional<bool> LinkDelays::up(const std::string& ifname) const {
    auto it = held_.find(ifname);
    return it == held_.end() ? inner_.up(ifname) : it->second.shown;
}

void LinkDelays::show(const std::string& ifname, Held& h) {
    if (h.timer) h.timer->cancel();
    h.shown = inner_.up(ifname);
    changed(ifname);
}

void LinkDelays::on_inner(const std::string& ifname) {
    auto it = held_.find(ifname);
    if (it == held_.end()) {
        changed(ifname);
        return;
    }
    Held& h = it->second;
    const std::optional<bool> now = inner_.up(ifname);
    if (!now || !h.shown) return show(ifname, h);  // appeared or went away
    if (*now == *h.shown) {                        // undone within the delay
        if (h.timer && h.timer->armed()) {
            h.timer->cancel();
            log::info("VRRP: ", ifname, " went ", *now ? "down" : "up", " and back within its delay; ignored");
        }
        return;
    }
    const Duration delay = *now ? h.up_delay : h.down_delay;
    if (delay <= Duration{}) return show(ifname, h);
    if (h.timer && h.timer->armed()) return;  // already held back, towards this state
    if (!h.timer) h.timer = loop_.create_timer([this, ifname] {
        if (auto i = held_.find(ifname); i != held_.end()) show(ifname, i->second);
    });
    h.timer->arm(delay);
    log::info("VRRP: ", ifname, " is ", *now ? "up" : "down", "; acting on it in ", log::secs(delay),
              " (interface_up_down_delays)");
}

}  // namespace halbd::vrrp
