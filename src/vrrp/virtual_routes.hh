// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/virtual_routes.hh: VirtualRoutes, an instance's virtual_routes and
// virtual_rules: added when it becomes MASTER (after its VIPs), removed when
// it leaves MASTER or stops (before its VIPs), changed by the difference on
// reload while installed. Owned by the instance's InstanceIo, which calls it
// beside its VIPs; owns the desired list and whether it is installed.
#pragma once

#include <string>
#include <string_view>

#include "vrrp/net_objects.hh"

namespace halbd::vrrp {

class VirtualRoutes {
public:
    // Failures are logged under `owner` (the instance) and added to `errors`.
    VirtualRoutes(std::string owner, net::AddressBackend& addresses, net::RouteBackend& routes, uint64_t& errors)
        : prog_(owner, addresses, routes, errors), owner_(std::move(owner)) {}

    // The instance's lines; the kernel is not touched.
    void load(const config::VrrpInstance& v);
    void install(std::string_view why);
    void uninstall(std::string_view why);
    // Reload: the new lines; while installed only the difference is applied.
    void update(const config::VrrpInstance& v);
    // At start, before the instance runs: what a previous run left (a crash,
    // a kill -9) goes, since a Backup must not have it.
    void remove_stale();

    bool installed() const { return installed_; }
    const NetObjects& wanted() const { return want_; }

private:
    static NetObjects objects(const config::VrrpInstance& v);

    NetProgrammer prog_;
    std::string owner_;
    NetObjects want_;
    bool installed_ = false;
};

}  // namespace halbd::vrrp
