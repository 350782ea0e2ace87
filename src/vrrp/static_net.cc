// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/static_net.cc: see static_net.hh. An entry whose add failed is still
// remembered as installed, so a later reload or stop removes it if it got
// there after all, and an unchanged failed entry is not retried on reload
// (keepalived retries neither).
#include "vrrp/static_net.hh"

#include "core/log.hh"
#include "vrrp/instance_io.hh"

namespace halbd::vrrp {

void StaticNet::apply(const config::Model& m) {
    NetObjects want;
    for (const auto& a : m.vrrp.static_ipaddress) want.addresses.push_back(AddressItem{a.dev, address_spec(a)});
    for (const auto& r : m.vrrp.static_routes) want.routes.push_back(route_spec(r));
    for (const auto& r : m.vrrp.static_rules) want.rules.push_back(rule_spec(r));
    if (started_) prog_.change(have_, want, "reload");
    else prog_.add(want, "start");
    started_ = true;
    have_ = std::move(want);
}

void StaticNet::stop() {
    prog_.remove(have_, "shutdown");
    have_ = {};
}

}  // namespace halbd::vrrp
