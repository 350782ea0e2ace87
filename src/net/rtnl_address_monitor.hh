// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// net/rtnl_address_monitor.hh: the real AddressMonitor. One NETLINK_ROUTE
// socket subscribed to RTMGRP_IPV4_IFADDR and RTMGRP_IPV6_IFADDR, read on the
// event loop (never blocks, a bounded number of reads per wake-up); each
// RTM_NEWADDR / RTM_DELADDR becomes an AddressEvent, a socket overrun
// (ENOBUFS) an AddressEvent::Kind::Lost. Keeps no table: the listener asks
// the AddressBackend what it needs to know. Created by halbd.cc, lent to the
// VRRP subsystem; owns the socket and its watch.
#pragma once

#include <cstdint>
#include <memory>

#include "core/event_loop.hh"
#include "core/fd.hh"
#include "core/result.hh"
#include "net/address_monitor.hh"

namespace halbd::net {

struct AddressMonitorStats {
    uint64_t events = 0;    // RTM_NEWADDR / RTM_DELADDR messages read
    uint64_t overruns = 0;  // ENOBUFS: events lost
};

class RtnlAddressMonitor final : public AddressMonitor {
public:
    static core::Result<std::unique_ptr<RtnlAddressMonitor>> open(core::EventLoop& loop);
    ~RtnlAddressMonitor() override;

    const AddressMonitorStats& stats() const { return stats_; }

private:
    explicit RtnlAddressMonitor(core::UniqueFd fd) : fd_(std::move(fd)) {}
    void on_readable();
    void parse(const char* buf, size_t len);

    core::UniqueFd fd_;
    core::FdWatchPtr watch_;
    AddressMonitorStats stats_;
};

}  // namespace halbd::net
