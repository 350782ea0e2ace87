// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// net/rtnl_util.hh: the small libnl-route-3 helpers the rtnetlink adapters
// share (RtnlAddressBackend, RtnlRouteBackend, RtnlLinkBackend): owning
// pointers for libnl objects, a connected NETLINK_ROUTE socket, an Error
// from a libnl code, an nl_addr from an IpAddress, and an interface by
// name. Header-only; owns nothing.
#pragma once

#include <netlink/addr.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <sys/socket.h>

#include <cerrno>
#include <memory>
#include <string>

#include "core/result.hh"
#include "net/address.hh"

namespace halbd::net::rtnl {

// "what: <libnl's message>", errno EPROTO.
inline core::Error nl_error(const std::string& what, int nlerr) {
    return core::Error{EPROTO, what + ": " + nl_geterror(nlerr)};
}

struct NlSockDeleter {
    void operator()(nl_sock* s) const { nl_socket_free(s); }
};
struct NlAddrDeleter {
    void operator()(nl_addr* a) const { nl_addr_put(a); }
};
struct LinkDeleter {
    void operator()(rtnl_link* l) const { rtnl_link_put(l); }
};
using NlSockPtr = std::unique_ptr<nl_sock, NlSockDeleter>;
using NlAddrPtr = std::unique_ptr<nl_addr, NlAddrDeleter>;
using LinkPtr = std::unique_ptr<rtnl_link, LinkDeleter>;

inline int af(Family f) { return f == Family::V4 ? AF_INET : AF_INET6; }

// prefix < 0: the address's full length.
inline NlAddrPtr to_nl(const IpAddress& ip, int prefix = -1) {
    NlAddrPtr a(nl_addr_build(af(ip.family()), ip.bytes(), ip.size()));
    if (a && prefix >= 0) nl_addr_set_prefixlen(a.get(), prefix);
    return a;
}

inline NlAddrPtr to_nl(const Prefix& p) { return to_nl(p.address, p.length); }

// A socket connected to NETLINK_ROUTE, for synchronous requests.
inline core::Result<NlSockPtr> open_route_socket() {
    NlSockPtr sock(nl_socket_alloc());
    if (!sock) return core::Error{ENOMEM, "rtnetlink: cannot allocate a socket"};
    if (int e = nl_connect(sock.get(), NETLINK_ROUTE); e < 0) return nl_error("rtnetlink: connect", e);
    return sock;
}

// The interface named ifname, asked of the kernel.
inline core::Result<LinkPtr> get_link(nl_sock* sock, const std::string& ifname) {
    rtnl_link* raw = nullptr;
    if (int e = rtnl_link_get_kernel(sock, 0, ifname.c_str(), &raw); e < 0)
        return core::Error{ENODEV, "interface " + ifname + ": " + nl_geterror(e)};
    return LinkPtr(raw);
}

inline core::Result<int> ifindex(nl_sock* sock, const std::string& ifname) {
    auto l = get_link(sock, ifname);
    if (!l) return l.error();
    return rtnl_link_get_ifindex(l->get());
}

}  // namespace halbd::net::rtnl
