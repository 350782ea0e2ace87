// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/link_delays.hh: keepalived's interface_up_down_delays. A LinkMonitor
// placed between the real one and VRRP that holds back an interface's
// up -> down change for its down delay and down -> up for its up delay; a
// change undone within the delay never reaches VRRP (a flapping link does
// not flap the instances). Interfaces without delays, and an interface
// appearing or going away, pass at once. Owned by VrrpSubsystem.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/model_vrrp.hh"
#include "core/event_loop.hh"
#include "net/link_monitor.hh"

namespace halbd::vrrp {

class LinkDelays final : public net::LinkMonitor {
public:
    LinkDelays(core::EventLoop& loop, net::LinkMonitor& inner);
    ~LinkDelays() override;
    LinkDelays(const LinkDelays&) = delete;
    LinkDelays& operator=(const LinkDelays&) = delete;

    // The delays of the configuration in force; an interface that loses its
    // delays shows its real state at once.
    void configure(const std::vector<config::InterfaceUpDownDelay>& delays);
    std::optional<bool> up(const std::string& ifname) const override;

private:
    struct Held {
        Duration down_delay{}, up_delay{};
        std::optional<bool> shown;  // what VRRP sees
        core::TimerPtr timer;       // armed while a change is held back
    };
    void on_inner(const std::string& ifname);
    void show(const std::string& ifname, Held& h);

    core::EventLoop& loop_;
    net::LinkMonitor& inner_;
    std::map<std::string, Held> held_;
};

}  // namespace halbd::vrrp
