// net/rtnl_util.cc: see rtnl_util.hh.
#include "net/rtnl_util.hh"

#include <netlink/addr.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>

#include <cerrno>

namespace halbd::net {

void NlSockDeleter::operator()(nl_sock* s) const { nl_socket_free(s); }
void NlAddrDeleter::operator()(nl_addr* a) const { nl_addr_put(a); }
void RtnlLinkDeleter::operator()(rtnl_link* l) const { rtnl_link_put(l); }

core::Error nl_error(const std::string& what, int nlerr) {
    return core::Error{EPROTO, what + ": " + nl_geterror(nlerr)};
}

core::Result<NlSockPtr> open_route_socket() {
    NlSockPtr sock(nl_socket_alloc());
    if (!sock) return core::Error{ENOMEM, "rtnetlink: cannot allocate a socket"};
    if (int e = nl_connect(sock.get(), NETLINK_ROUTE); e < 0) return nl_error("rtnetlink: connect", e);
    return sock;
}

}  // namespace halbd::net
