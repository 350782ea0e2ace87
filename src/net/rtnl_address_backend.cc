// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// net/rtnl_address_backend.cc: see rtnl_address_backend.hh. Requests are
// synchronous netlink round trips on a local socket: the kernel answers an
// address change at once, as keepalived's netlink_cmd socket relies on too.
// Address listing dumps the namespace's addresses and filters by link.
#include "net/rtnl_address_backend.hh"

#include <linux/if_addr.h>
#include <net/if.h>
#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "net/rtnl_util.hh"

namespace halbd::net {

namespace {

using rtnl::nl_error;
using rtnl::to_nl;

struct RtAddrDeleter {
    void operator()(rtnl_addr* a) const { rtnl_addr_put(a); }
};
struct CacheDeleter {
    void operator()(nl_cache* c) const { nl_cache_free(c); }
};

std::string describe(const std::string& ifname, const AddressSpec& a) {
    return a.address.to_string() + " dev " + ifname;
}

}  // namespace

core::Result<std::unique_ptr<RtnlAddressBackend>> RtnlAddressBackend::open() {
    auto sock = rtnl::open_route_socket();
    if (!sock) return sock.error();
    return std::unique_ptr<RtnlAddressBackend>(new RtnlAddressBackend(std::move(sock.value())));
}

RtnlAddressBackend::~RtnlAddressBackend() = default;

core::Result<LinkInfo> RtnlAddressBackend::link(const std::string& ifname) {
    auto got = rtnl::get_link(sock_.get(), ifname);
    if (!got) return got.error();
    rtnl_link* l = got->get();
    LinkInfo info;
    info.name = ifname;
    info.ifindex = rtnl_link_get_ifindex(l);
    if (nl_addr* mac = rtnl_link_get_addr(l); mac && nl_addr_get_len(mac) == 6)
        std::memcpy(info.mac.data(), nl_addr_get_binary_addr(mac), 6);
    const unsigned flags = rtnl_link_get_flags(l);
    info.up = flags & IFF_UP;
    info.running = flags & IFF_RUNNING;
    return info;
}

core::Result<int> RtnlAddressBackend::ifindex(const std::string& ifname) { return rtnl::ifindex(sock_.get(), ifname); }

core::Result<std::vector<InterfaceAddress>> RtnlAddressBackend::addresses(const std::string& ifname, Family family) {
    auto idx = ifindex(ifname);
    if (!idx) return idx.error();
    nl_cache* raw = nullptr;
    if (int e = rtnl_addr_alloc_cache(sock_.get(), &raw); e < 0) return nl_error("rtnetlink: dump addresses", e);
    std::unique_ptr<nl_cache, CacheDeleter> cache(raw);
    const int af = family == Family::V4 ? AF_INET : AF_INET6;
    std::vector<InterfaceAddress> out;
    for (nl_object* o = nl_cache_get_first(cache.get()); o; o = nl_cache_get_next(o)) {
        auto* a = reinterpret_cast<rtnl_addr*>(o);
        if (rtnl_addr_get_ifindex(a) != *idx || rtnl_addr_get_family(a) != af) continue;
        nl_addr* local = rtnl_addr_get_local(a);
        if (!local || nl_addr_get_len(local) != (af == AF_INET ? 4u : 16u)) continue;
        InterfaceAddress ia;
        ia.address.address = IpAddress::from_bytes(family, static_cast<const uint8_t*>(nl_addr_get_binary_addr(local)));
        ia.address.length = static_cast<uint8_t>(rtnl_addr_get_prefixlen(a));
        ia.scope = static_cast<uint8_t>(rtnl_addr_get_scope(a));
        const unsigned flags = rtnl_addr_get_flags(a);
        ia.secondary = flags & IFA_F_SECONDARY;
        ia.tentative = flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED);
        if (const char* label = rtnl_addr_get_label(a)) ia.label = label;
        out.push_back(std::move(ia));
    }
    return out;
}

core::Status RtnlAddressBackend::add_address(const std::string& ifname, const AddressSpec& a) {
    auto idx = ifindex(ifname);
    if (!idx) return idx.error();
    std::unique_ptr<rtnl_addr, RtAddrDeleter> ra(rtnl_addr_alloc());
    if (!ra) return core::Error{ENOMEM, "add " + describe(ifname, a) + ": out of memory"};
    rtnl_addr_set_ifindex(ra.get(), *idx);
    rtnl_addr_set_family(ra.get(), a.address.address.is_v4() ? AF_INET : AF_INET6);
    auto local = to_nl(a.address.address, a.address.length);
    rtnl_addr_set_local(ra.get(), local.get());
    if (a.peer) {
        auto peer = to_nl(*a.peer, a.address.length);
        rtnl_addr_set_peer(ra.get(), peer.get());
    }
    rtnl_addr_set_prefixlen(ra.get(), a.address.length);
    if (a.brd && a.address.address.is_v4()) {
        auto brd = to_nl(*a.brd);
        rtnl_addr_set_broadcast(ra.get(), brd.get());
    }
    rtnl_addr_set_scope(ra.get(), a.scope);
    if (!a.label.empty() && a.address.address.is_v4()) rtnl_addr_set_label(ra.get(), a.label.c_str());
    unsigned flags = 0;
    if (a.nodad) flags |= IFA_F_NODAD;
    if (a.noprefixroute) flags |= IFA_F_NOPREFIXROUTE;
    if (a.home) flags |= IFA_F_HOMEADDRESS;
    if (a.mngtmpaddr) flags |= IFA_F_MANAGETEMPADDR;
    if (a.autojoin) flags |= IFA_F_MCAUTOJOIN;
    if (flags) rtnl_addr_set_flags(ra.get(), flags);
    if (a.preferred_lft) {
        rtnl_addr_set_preferred_lifetime(ra.get(), *a.preferred_lft);
        rtnl_addr_set_valid_lifetime(ra.get(), 0xFFFFFFFFu);
    }
    int e = rtnl_addr_add(sock_.get(), ra.get(), 0);
    if (e == -NLE_EXIST) return core::Ok{};
    if (e < 0) return nl_error("add " + describe(ifname, a), e);
    return core::Ok{};
}

core::Status RtnlAddressBackend::remove_address(const std::string& ifname, const AddressSpec& a) {
    auto idx = ifindex(ifname);
    if (!idx) return idx.error();
    std::unique_ptr<rtnl_addr, RtAddrDeleter> ra(rtnl_addr_alloc());
    if (!ra) return core::Error{ENOMEM, "remove " + describe(ifname, a) + ": out of memory"};
    rtnl_addr_set_ifindex(ra.get(), *idx);
    rtnl_addr_set_family(ra.get(), a.address.address.is_v4() ? AF_INET : AF_INET6);
    auto local = to_nl(a.address.address, a.address.length);
    rtnl_addr_set_local(ra.get(), local.get());
    rtnl_addr_set_prefixlen(ra.get(), a.address.length);
    int e = rtnl_addr_delete(sock_.get(), ra.get(), 0);
    if (e == -NLE_NOADDR || e == -NLE_OBJ_NOTFOUND) return core::Ok{};
    if (e < 0) return nl_error("remove " + describe(ifname, a), e);
    return core::Ok{};
}

}  // namespace halbd::net
