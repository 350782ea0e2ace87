// net/rtnl_route_backend.hh: the real RouteBackend, over its own rtnetlink
// socket with libnl-route-3. Part of the privileged facade (DESIGN principle
// 12): routes and rules need CAP_NET_ADMIN. Created by halbd.cc and lent to
// the VRRP subsystem; owns the netlink socket.
#pragma once

#include <memory>

#include "net/route_backend.hh"

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
    struct SockDeleter {
        void operator()(nl_sock* s) const;
    };
    explicit RtnlRouteBackend(std::unique_ptr<nl_sock, SockDeleter> sock) : sock_(std::move(sock)) {}
    core::Status route(const RouteSpec& r, bool add);
    core::Status rule(const RuleSpec& r, bool add);

    std::unique_ptr<nl_sock, SockDeleter> sock_;
};

}  // namespace halbd::net
