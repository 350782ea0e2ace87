// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// net/rtnl_route_backend.hh: the real RouteBackend, over its own rtnetlink
// socket with libnl-route-3. Part of the privileged facade (DESIGN principle
// 12): routes and rules need CAP_NET_ADMIN. Created by halbd.cc and lent to
// the VRRP subsystem; owns the netlink socket.
#pragma once

#include <memory>

#include "net/route_backend.hh"
#include "net/rtnl_util.hh"

struct nl_sock;

namespace halbd::net {

class RtnlRouteBackend final : public RouteBackend {
public:
    static core::Result<std::unique_ptr<RtnlRouteBackend>> open();
    ~RtnlRouteBackend() override;

    core::Status add_route(const RouteSpec& r) override;
    core::Status remove_route(const RouteSpec& r) override;
    core::Status add_rule(const RuleSpec& r) override;
    core::Status remove_rule(const RuleSpec& r) override;

private:
    explicit RtnlRouteBackend(rtnl::NlSockPtr sock) : sock_(std::move(sock)) {}
    core::Status route(const RouteSpec& r, bool add);
    core::Status rule(const RuleSpec& r, bool add);

    rtnl::NlSockPtr sock_;
};

}  // namespace halbd::net
