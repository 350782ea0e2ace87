// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// net/rtnl_link_backend.cc: see rtnl_link_backend.hh. Requests are
// synchronous netlink round trips, as in RtnlAddressBackend. Sysctl keys are
// paths under /proc/sys, so interface names with dots ("vrrp.51") need no
// escaping.
#include "net/rtnl_link_backend.hh"

#include <linux/if_link.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/macvlan.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace halbd::net {

using rtnl::nl_error;
using rtnl::NlAddrPtr;
using RtnlLinkPtr = rtnl::LinkPtr;

namespace {

bool no_such_link(int e) { return e == -NLE_NODEV || e == -NLE_OBJ_NOTFOUND; }

}  // namespace

core::Result<std::unique_ptr<RtnlLinkBackend>> RtnlLinkBackend::open() {
    auto sock = rtnl::open_route_socket();
    if (!sock) return sock.error();
    return std::unique_ptr<RtnlLinkBackend>(new RtnlLinkBackend(std::move(sock.value())));
}

RtnlLinkBackend::~RtnlLinkBackend() = default;

core::Result<std::optional<LinkDetails>> RtnlLinkBackend::details(const std::string& ifname) {
    rtnl_link* raw = nullptr;
    int e = rtnl_link_get_kernel(sock_.get(), 0, ifname.c_str(), &raw);
    if (no_such_link(e)) return std::optional<LinkDetails>{};
    if (e < 0) return nl_error("interface " + ifname, e);
    RtnlLinkPtr l(raw);
    LinkDetails d;
    d.ifindex = rtnl_link_get_ifindex(l.get());
    if (const char* kind = rtnl_link_get_type(l.get())) d.kind = kind;
    d.lower_ifindex = rtnl_link_get_link(l.get());
    if (nl_addr* mac = rtnl_link_get_addr(l.get()); mac && nl_addr_get_len(mac) == 6)
        std::memcpy(d.mac.data(), nl_addr_get_binary_addr(mac), 6);
    d.private_mode = rtnl_link_is_macvlan(l.get()) && rtnl_link_macvlan_get_mode(l.get()) == MACVLAN_MODE_PRIVATE;
    d.up = rtnl_link_get_flags(l.get()) & IFF_UP;
    return std::optional<LinkDetails>(d);
}

core::Status RtnlLinkBackend::create_macvlan(const MacvlanSpec& spec) {
    const std::string what = "create macvlan " + spec.name + " on " + spec.lower;
    rtnl_link* raw = nullptr;
    if (int e = rtnl_link_get_kernel(sock_.get(), 0, spec.lower.c_str(), &raw); e < 0) return nl_error(what, e);
    RtnlLinkPtr lower(raw);
    RtnlLinkPtr l(rtnl_link_macvlan_alloc());
    if (!l) return core::Error{ENOMEM, what + ": out of memory"};
    rtnl_link_set_name(l.get(), spec.name.c_str());
    rtnl_link_set_link(l.get(), rtnl_link_get_ifindex(lower.get()));
    NlAddrPtr mac(nl_addr_build(AF_LLC, spec.mac.data(), spec.mac.size()));
    if (!mac) return core::Error{ENOMEM, what + ": out of memory"};
    rtnl_link_set_addr(l.get(), mac.get());
    if (int e = rtnl_link_macvlan_set_mode(l.get(), MACVLAN_MODE_PRIVATE); e < 0) return nl_error(what, e);
    if (int e = rtnl_link_add(sock_.get(), l.get(), NLM_F_CREATE | NLM_F_EXCL); e < 0) return nl_error(what, e);
    return core::Ok{};
}

core::Status RtnlLinkBackend::set_up(const std::string& ifname) {
    rtnl_link* raw = nullptr;
    if (int e = rtnl_link_get_kernel(sock_.get(), 0, ifname.c_str(), &raw); e < 0)
        return nl_error("set " + ifname + " up", e);
    RtnlLinkPtr orig(raw);
    RtnlLinkPtr change(rtnl_link_alloc());
    if (!change) return core::Error{ENOMEM, "set " + ifname + " up: out of memory"};
    rtnl_link_set_flags(change.get(), IFF_UP);
    if (int e = rtnl_link_change(sock_.get(), orig.get(), change.get(), 0); e < 0)
        return nl_error("set " + ifname + " up", e);
    return core::Ok{};
}

core::Status RtnlLinkBackend::delete_link(const std::string& ifname) {
    RtnlLinkPtr l(rtnl_link_alloc());
    if (!l) return core::Error{ENOMEM, "delete " + ifname + ": out of memory"};
    rtnl_link_set_name(l.get(), ifname.c_str());
    int e = rtnl_link_delete(sock_.get(), l.get());
    if (no_such_link(e)) return core::Ok{};
    if (e < 0) return nl_error("delete " + ifname, e);
    return core::Ok{};
}

core::Result<int> RtnlLinkBackend::read_sysctl(const std::string& key) {
    std::ifstream in("/proc/sys/" + key);
    int v = 0;
    if (!(in >> v)) return core::Error{errno ? errno : EIO, "read sysctl " + key};
    return v;
}

core::Status RtnlLinkBackend::write_sysctl(const std::string& key, int value) {
    std::ofstream out("/proc/sys/" + key);
    if (!out) return core::system_error("write sysctl " + key);
    out << value << '\n';
    out.flush();
    if (!out) return core::system_error("write sysctl " + key + " = " + std::to_string(value));
    return core::Ok{};
}

}  // namespace halbd::net
