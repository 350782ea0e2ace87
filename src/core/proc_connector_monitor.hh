// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// core/proc_connector_monitor.hh: the real ProcessMonitor. Events come from
// the kernel's proc connector (a NETLINK_CONNECTOR socket joined to
// CN_IDX_PROC, PROC_CN_MCAST_LISTEN), opened only while a listener is set
// and read on the event loop; processes are read from /proc/PID/stat and
// /proc/PID/cmdline. The connector exists in the initial network namespace
// only (elsewhere listen() fails and the caller polls). Created by halbd.cc,
// lent to the VRRP subsystem; owns the socket and its watch.
#pragma once

#include "core/event_loop.hh"
#include "core/fd.hh"
#include "core/process_monitor.hh"

namespace halbd::core {

class ProcConnectorMonitor final : public ProcessMonitor {
public:
    explicit ProcConnectorMonitor(EventLoop& loop) : loop_(loop) {}
    ~ProcConnectorMonitor() override;

    std::vector<int> list() override;
    std::optional<ProcessInfo> read(int pid, bool cmdline) override;
    Status listen(Listener l) override;

private:
    void on_readable();

    EventLoop& loop_;
    UniqueFd fd_;
    FdWatchPtr watch_;
    Listener listener_;
};

}  // namespace halbd::core
