// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/static_net.hh: StaticNet, the static_ipaddress, static_routes and
// static_rules of the configuration: added at start whatever the VRRP
// states, changed by the difference on reload, and removed when halbd stops
// (with or without -V), as keepalived 2.2.7 does. Owned by the VRRP
// subsystem, which calls apply() with each model and stop() at shutdown;
// owns what it installed.
#pragma once

#include <cstdint>

#include "vrrp/net_objects.hh"

namespace halbd::vrrp {

class StaticNet {
public:
    StaticNet(net::AddressBackend& addresses, net::RouteBackend& routes) : prog_("static", addresses, routes, errors_) {}

    void apply(const config::Model& m);
    void stop();

    const NetObjects& installed() const { return have_; }
    uint64_t errors() const { return errors_; }

private:
    uint64_t errors_ = 0;
    NetProgrammer prog_;
    NetObjects have_;
    bool started_ = false;
};

}  // namespace halbd::vrrp
