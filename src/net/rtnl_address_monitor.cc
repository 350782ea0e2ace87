// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// net/rtnl_address_monitor.cc: see rtnl_address_monitor.hh. Plain rtnetlink
// as in rtnl_link_monitor.cc: ifaddrmsg + IFA_LOCAL / IFA_ADDRESS is all we
// read. The interface name comes from if_indextoname(); an address whose
// interface is already gone is skipped (the link monitor reports that).
// No log line per event: another tool may make thousands (the VIP watch
// logs what matters, aggregated).
#include "net/rtnl_address_monitor.hh"

#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>

#include <cerrno>

#include "net/rtnl_events.hh"

namespace halbd::net {

RtnlAddressMonitor::~RtnlAddressMonitor() { watch_.reset(); }

core::Result<std::unique_ptr<RtnlAddressMonitor>> RtnlAddressMonitor::open(core::EventLoop& loop) {
    auto fd = open_rtnl_events(RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR, "address monitor",
                               "RTMGRP_IPV4_IFADDR|RTMGRP_IPV6_IFADDR");
    if (!fd) return fd.error();
    std::unique_ptr<RtnlAddressMonitor> m(new RtnlAddressMonitor(std::move(fd.value())));
    m->watch_ = loop.watch_fd(m->fd_.get(), core::fd_events::readable, [raw = m.get()](uint32_t) { raw->on_readable(); });
    if (!m->watch_) return core::system_error("address monitor: watch socket");
    return m;
}

void RtnlAddressMonitor::on_readable() {
    alignas(nlmsghdr) char buf[32768];
    for (int i = 0; i < 64; ++i) {  // bounded: the loop gets control back
        const ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == ENOBUFS) {
                ++stats_.overruns;
                changed({AddressEvent::Kind::Lost, {}, {}});
                continue;
            }
            return;  // EAGAIN: drained
        }
        parse(buf, static_cast<size_t>(n));
    }
}

void RtnlAddressMonitor::parse(const char* buf, size_t len) {
    for (auto* h = reinterpret_cast<const nlmsghdr*>(buf); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
        if (h->nlmsg_type != RTM_NEWADDR && h->nlmsg_type != RTM_DELADDR) continue;
        if (h->nlmsg_len < NLMSG_LENGTH(sizeof(ifaddrmsg))) continue;
        ++stats_.events;
        const auto* ifa = static_cast<const ifaddrmsg*>(NLMSG_DATA(h));
        if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6) continue;
        const Family family = ifa->ifa_family == AF_INET ? Family::V4 : Family::V6;
        const size_t want = family == Family::V4 ? 4 : 16;
        const void* local = nullptr;
        const void* address = nullptr;
        int alen = static_cast<int>(IFA_PAYLOAD(h));
        for (auto* a = IFA_RTA(ifa); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
            if (RTA_PAYLOAD(a) != want) continue;
            if (a->rta_type == IFA_LOCAL) local = RTA_DATA(a);
            if (a->rta_type == IFA_ADDRESS) address = RTA_DATA(a);
        }
        // IPv4: IFA_LOCAL is the address (IFA_ADDRESS the peer on a
        // point-to-point link); IPv6 has only IFA_ADDRESS.
        const void* bytes = local ? local : address;
        if (!bytes) continue;
        char name[IF_NAMESIZE] = {};
        if (!::if_indextoname(ifa->ifa_index, name)) continue;
        AddressEvent e;
        e.kind = h->nlmsg_type == RTM_NEWADDR ? AddressEvent::Kind::Added : AddressEvent::Kind::Removed;
        e.ifname = name;
        e.address = Prefix{IpAddress::from_bytes(family, static_cast<const uint8_t*>(bytes)), ifa->ifa_prefixlen};
        changed(e);
    }
}

}  // namespace halbd::net
