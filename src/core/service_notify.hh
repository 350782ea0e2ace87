// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// core/service_notify.hh: ServiceNotifier, what halbd tells its supervisor
// (systemd's sd_notify protocol): READY=1 once the subsystems are up,
// RELOADING=1 + MONOTONIC_USEC and READY=1 around a reload, STOPPING=1, a
// one-line STATUS=, and WATCHDOG=1 from a loop timer only while that timer
// fires on time, so a wedged loop is restarted by systemd instead of keeping
// its VIPs. Created by src/wiring.cc when NOTIFY_SOCKET is set; the datagram
// sender is injected (sd_notify in the daemon, a recorder in unit tests).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/event_loop.hh"

namespace halbd::core {

// Sends one notification: lines of VAR=value separated by '\n'.
using NotifySend = std::function<void(const std::string&)>;

// What the environment says about supervision (NOTIFY_SOCKET, WATCHDOG_USEC,
// WATCHDOG_PID, read by libsystemd): nothing when no supervisor listens.
struct Supervisor {
    NotifySend send;
    Duration watchdog{0};  // 0: no watchdog asked for
};
std::optional<Supervisor> supervisor_from_environment();

class ServiceNotifier {
public:
    // status: the STATUS= text, read on each tick; sent when it changed.
    ServiceNotifier(EventLoop& loop, Supervisor sup, std::function<std::string()> status);
    ServiceNotifier(const ServiceNotifier&) = delete;
    ServiceNotifier& operator=(const ServiceNotifier&) = delete;

    void ready();      // READY=1 and STATUS=; starts the tick (watchdog, status)
    void reloading();  // RELOADING=1 and MONOTONIC_USEC= (the loop's clock)
    void reloaded();   // READY=1 and STATUS= (after an accepted or a refused reload)
    void stopping();   // STOPPING=1; no more watchdog pings

    // How often the tick runs: half the watchdog interval, else kStatusPeriod.
    Duration period() const;
    static constexpr Duration kStatusPeriod = std::chrono::seconds(5);
    uint64_t watchdog_sent() const { return watchdog_sent_; }
    uint64_t watchdog_withheld() const { return watchdog_withheld_; }

private:
    void tick();
    void arm();
    std::string status_line();  // "STATUS=..." when it changed since last sent, else ""

    EventLoop& loop_;
    Supervisor sup_;
    std::function<std::string()> status_;
    std::string last_status_;
    TimerPtr timer_;
    MonoTime due_{};
    bool stopping_ = false;
    uint64_t watchdog_sent_ = 0, watchdog_withheld_ = 0;
};

}  // namespace halbd::core
