// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/virtual_routes.cc: see virtual_routes.hh.
#include "vrrp/virtual_routes.hh"

#include "core/log.hh"

namespace halbd::vrrp {

NetObjects VirtualRoutes::objects(const config::VrrpInstance& v) {
    NetObjects o;
    for (const auto& r : v.virtual_routes) o.routes.push_back(route_spec(r));
    for (const auto& r : v.virtual_rules) o.rules.push_back(rule_spec(r));
    return o;
}

void VirtualRoutes::load(const config::VrrpInstance& v) { want_ = objects(v); }

void VirtualRoutes::install(std::string_view why) {
    prog_.add(want_, why);
    installed_ = true;
}

void VirtualRoutes::uninstall(std::string_view why) {
    if (!installed_) return;
    prog_.remove(want_, why);
    installed_ = false;
}

void VirtualRoutes::update(const config::VrrpInstance& v) {
    NetObjects next = objects(v);
    if (installed_) prog_.change(want_, next, "reload");
    want_ = std::move(next);
}

void VirtualRoutes::remove_stale() {
    if (want_.empty()) return;
    log::info(owner_, ": removing any of its ", want_.routes.size(), " route(s) and ", want_.rules.size(),
              " rule(s) a previous run left");
    prog_.remove(want_, "not master at start", true);
}

}  // namespace halbd::vrrp
