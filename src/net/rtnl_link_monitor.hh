// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// net/rtnl_link_monitor.hh: the real LinkMonitor. One NETLINK_ROUTE socket
// subscribed to RTMGRP_LINK, read on the event loop (never blocks); the
// link table is filled by a dump at open() and kept by RTM_NEWLINK /
// RTM_DELLINK. On a lost event (ENOBUFS) it asks for a new dump. Created by
// halbd.cc, lent to the VRRP subsystem; owns the socket and its watch.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>

#include "core/event_loop.hh"
#include "core/fd.hh"
#include "core/result.hh"
#include "net/link_monitor.hh"

namespace halbd::net {

struct LinkMonitorStats {
    uint64_t events = 0;    // RTM_NEWLINK / RTM_DELLINK messages read
    uint64_t overruns = 0;  // ENOBUFS: events lost, table re-dumped
};

class RtnlLinkMonitor final : public LinkMonitor {
public:
    // Opens the socket and reads the current links (a dump, at start only).
    static core::Result<std::unique_ptr<RtnlLinkMonitor>> open(core::EventLoop& loop);
    ~RtnlLinkMonitor() override;

    std::optional<bool> up(const std::string& ifname) const override;
    const LinkMonitorStats& stats() const { return stats_; }

private:
    struct Link {
        std::string name;
        bool up = false;
    };
    RtnlLinkMonitor(core::EventLoop& loop, core::UniqueFd fd);
    bool request_dump();
    void on_readable();
    // Parses one datagram (events, or a part of the dump up to NLMSG_DONE).
    void parse(const char* buf, size_t len);
    void set_link(int ifindex, const std::string& name, bool is_up);
    void del_link(int ifindex);

    core::EventLoop& loop_;
    core::UniqueFd fd_;
    core::FdWatchPtr watch_;
    std::map<int, Link> links_;  // by ifindex
    bool dumping_ = false;
    std::set<int> seen_in_dump_;
    uint32_t seq_ = 1;
    LinkMonitorStats stats_;
};

}  // namespace halbd::net
