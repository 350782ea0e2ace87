// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/net_objects.hh: what VRRP programs besides its VIPs, as one value:
// addresses, routes and rules (NetObjects), built from the configuration's
// lines (route_spec, rule_spec), and NetProgrammer, which adds, removes or
// changes a NetObjects through net::AddressBackend / net::RouteBackend,
// logging one line per object and counting failures. Used by
// VirtualRoutes (an instance's virtual_routes/rules) and StaticNet
// (static_ipaddress/routes/rules); owns no kernel state itself.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/model.hh"
#include "net/address_backend.hh"
#include "net/route_backend.hh"

namespace halbd::vrrp {

struct AddressItem {
    std::string dev;
    net::AddressSpec spec;
    friend bool operator==(const AddressItem&, const AddressItem&) = default;
};

struct NetObjects {
    std::vector<AddressItem> addresses;
    std::vector<net::RouteSpec> routes;
    std::vector<net::RuleSpec> rules;
    bool empty() const { return addresses.empty() && routes.empty() && rules.empty(); }
};

// The kernel's form of a configuration line (protocol defaults to
// keepalived's, 18, as keepalived marks what it adds).
net::RouteSpec route_spec(const config::RouteLine& line);
net::RuleSpec rule_spec(const config::RuleLine& line);

class NetProgrammer {
public:
    // owner prefixes every log line ("VI_1", "static"); failures add to errors.
    NetProgrammer(std::string owner, net::AddressBackend& addresses, net::RouteBackend& routes, uint64_t& errors)
        : owner_(std::move(owner)), addresses_(addresses), routes_(routes), errors_(errors) {}

    // Addresses first (a route may use one as its source), then routes, then rules.
    void add(const NetObjects& o, std::string_view why);
    // The reverse order. quiet: only failures are logged (clearing what may
    // not be there).
    void remove(const NetObjects& o, std::string_view why, bool quiet = false);
    // Only the difference: what `from` has and `to` has not goes, the reverse comes.
    void change(const NetObjects& from, const NetObjects& to, std::string_view why);

private:
    void done(const core::Status& st, bool add, const std::string& what, std::string_view why);

    bool quiet_ = false;

    std::string owner_;
    net::AddressBackend& addresses_;
    net::RouteBackend& routes_;
    uint64_t& errors_;
};

}  // namespace halbd::vrrp
