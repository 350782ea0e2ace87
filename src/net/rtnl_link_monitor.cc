// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// net/rtnl_link_monitor.cc: see rtnl_link_monitor.hh. Plain rtnetlink (no
// libnl): the messages needed are ifinfomsg + IFLA_IFNAME, short enough to
// parse by hand, and a socket of our own keeps the event stream apart from
// the request/reply socket of RtnlAddressBackend.
#include "net/rtnl_link_monitor.hh"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "core/log.hh"
#include "net/rtnl_events.hh"

namespace halbd::net {

RtnlLinkMonitor::RtnlLinkMonitor(core::EventLoop& loop, core::UniqueFd fd) : loop_(loop), fd_(std::move(fd)) {}

RtnlLinkMonitor::~RtnlLinkMonitor() { watch_.reset(); }

core::Result<std::unique_ptr<RtnlLinkMonitor>> RtnlLinkMonitor::open(core::EventLoop& loop) {
    auto fd = open_rtnl_events(RTMGRP_LINK, "link monitor", "RTMGRP_LINK");
    if (!fd) return fd.error();
    std::unique_ptr<RtnlLinkMonitor> m(new RtnlLinkMonitor(loop, std::move(fd.value())));
    if (!m->request_dump()) return core::system_error("link monitor: RTM_GETLINK dump");
    // The first dump is read here, at start, so instances start knowing their links.
    for (int rounds = 0; m->dumping_ && rounds < 1000; ++rounds) {
        pollfd p{m->fd_.get(), POLLIN, 0};
        if (::poll(&p, 1, 1000) <= 0) break;
        m->on_readable();
    }
    m->watch_ = loop.watch_fd(m->fd_.get(), core::fd_events::readable, [raw = m.get()](uint32_t) { raw->on_readable(); });
    if (!m->watch_) return core::system_error("link monitor: watch socket");
    return m;
}

bool RtnlLinkMonitor::request_dump() {
    struct {
        nlmsghdr h;
        ifinfomsg i;
    } req{};
    req.h.nlmsg_len = sizeof req;
    req.h.nlmsg_type = RTM_GETLINK;
    req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.h.nlmsg_seq = ++seq_;
    req.i.ifi_family = AF_UNSPEC;
    sockaddr_nl dst{};
    dst.nl_family = AF_NETLINK;
    if (::sendto(fd_.get(), &req, sizeof req, 0, reinterpret_cast<sockaddr*>(&dst), sizeof dst) < 0) return false;
    dumping_ = true;
    seen_in_dump_.clear();
    return true;
}

std::optional<bool> RtnlLinkMonitor::up(const std::string& ifname) const {
    for (const auto& [idx, l] : links_)
        if (l.name == ifname) return l.up;
    return std::nullopt;
}

void RtnlLinkMonitor::on_readable() {
    alignas(nlmsghdr) char buf[32768];
    for (int i = 0; i < 64; ++i) {  // bounded: the loop gets control back
        ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == ENOBUFS) {
                ++stats_.overruns;
                log::warning("link monitor: link events lost (socket overrun); reading all links again");
                if (!dumping_ && !request_dump()) log::error("link monitor: cannot request a link dump: ", std::strerror(errno));
                continue;
            }
            return;  // EAGAIN: drained
        }
        parse(buf, static_cast<size_t>(n));
    }
}

void RtnlLinkMonitor::parse(const char* buf, size_t len) {
    for (auto* h = reinterpret_cast<const nlmsghdr*>(buf); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
        if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
            if (dumping_) {
                dumping_ = false;
                // A link absent from a full dump is gone (its DELLINK was lost).
                std::vector<int> gone;
                for (const auto& [idx, l] : links_)
                    if (!seen_in_dump_.count(idx)) gone.push_back(idx);
                for (int idx : gone) del_link(idx);
            }
            continue;
        }
        if (h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK) continue;
        if (h->nlmsg_len < NLMSG_LENGTH(sizeof(ifinfomsg))) continue;
        ++stats_.events;
        const auto* ifi = static_cast<const ifinfomsg*>(NLMSG_DATA(h));
        std::string name;
        int alen = static_cast<int>(IFLA_PAYLOAD(h));
        for (auto* a = IFLA_RTA(ifi); RTA_OK(a, alen); a = RTA_NEXT(a, alen))
            if (a->rta_type == IFLA_IFNAME)
                name.assign(static_cast<const char*>(RTA_DATA(a)), strnlen(static_cast<const char*>(RTA_DATA(a)), RTA_PAYLOAD(a)));
        if (h->nlmsg_type == RTM_DELLINK) {
            del_link(ifi->ifi_index);
            continue;
        }
        if (dumping_) seen_in_dump_.insert(ifi->ifi_index);
        const bool is_up = (ifi->ifi_flags & IFF_UP) && (ifi->ifi_flags & IFF_RUNNING);
        if (!name.empty()) set_link(ifi->ifi_index, name, is_up);
    }
}

void RtnlLinkMonitor::set_link(int ifindex, const std::string& name, bool is_up) {
    auto it = links_.find(ifindex);
    if (it != links_.end() && it->second.name == name && it->second.up == is_up) return;
    std::string old_name = it != links_.end() ? it->second.name : std::string();
    links_[ifindex] = Link{name, is_up};
    log::debug("link monitor: ", name, " (index ", ifindex, ") ", is_up ? "up" : "down");
    if (!old_name.empty() && old_name != name) changed(old_name);  // renamed
    changed(name);
}

void RtnlLinkMonitor::del_link(int ifindex) {
    auto it = links_.find(ifindex);
    if (it == links_.end()) return;
    std::string name = it->second.name;
    links_.erase(it);
    log::debug("link monitor: ", name, " (index ", ifindex, ") removed");
    changed(name);
}

}  // namespace halbd::net
