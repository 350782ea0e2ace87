// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// core/process_monitor.hh: ProcessMonitor, the kernel's processes as
// vrrp_track_process sees them: a list of the running ones, the name and
// command line of one, and events (fork, exec, comm change, exit) while a
// listener is set. ProcConnectorMonitor (the netlink proc connector plus
// /proc) is the real one, FakeProcessMonitor (tests/support) the one of
// tests. The VRRP TrackerSet is the only listener; it fans events out to its
// trackers.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hh"

namespace halbd::core {

struct ProcessInfo {
    int pid = 0;
    std::string comm;                  // /proc/PID/comm (at most 15 characters)
    std::vector<std::string> cmdline;  // argv, read only when asked for
};

struct ProcessEvent {
    // Lost: events were dropped (socket overrun); the listener scans again.
    enum class Kind : uint8_t { Fork, Exec, Comm, Exit, Lost };
    Kind kind;
    int pid;         // the new child for Fork
    int parent = 0;  // Fork only
};

class ProcessMonitor {
public:
    using Listener = std::function<void(const ProcessEvent&)>;
    virtual ~ProcessMonitor() = default;
    // The pids in /proc (zombies included: read() leaves them out), in no order.
    virtual std::vector<int> list() = 0;
    // One process (cmdline filled when `cmdline`); nullopt when gone or a zombie.
    virtual std::optional<ProcessInfo> read(int pid, bool cmdline) = 0;
    // Starts event delivery to `l` (null: stops it). An error means no events
    // will come: the caller polls list() instead.
    virtual Status listen(Listener l) = 0;
};

}  // namespace halbd::core
