// net/rtnl_util.hh: what the libnl-route-3 adapters (RtnlAddressBackend,
// RtnlLinkBackend) share: owning pointers for libnl objects, a connected
// NETLINK_ROUTE socket, and libnl error codes as core::Error.
#pragma once

#include <memory>
#include <string>

#include "core/result.hh"

struct nl_sock;
struct nl_addr;
struct rtnl_link;

namespace halbd::net {

struct NlSockDeleter {
    void operator()(nl_sock* s) const;
};
struct NlAddrDeleter {
    void operator()(nl_addr* a) const;
};
struct RtnlLinkDeleter {
    void operator()(rtnl_link* l) const;
};
using NlSockPtr = std::unique_ptr<nl_sock, NlSockDeleter>;
using NlAddrPtr = std::unique_ptr<nl_addr, NlAddrDeleter>;
using RtnlLinkPtr = std::unique_ptr<rtnl_link, RtnlLinkDeleter>;

// "what: <libnl's message>", errno EPROTO.
core::Error nl_error(const std::string& what, int nlerr);
// A socket connected to NETLINK_ROUTE, for synchronous requests.
core::Result<NlSockPtr> open_route_socket();

}  // namespace halbd::net
