// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// core/service_notify.cc: see service_notify.hh. The only file that talks to
// libsystemd.
#include "core/service_notify.hh"

#include <systemd/sd-daemon.h>

#include <cstdlib>
#include <cstring>

#include "core/log.hh"

namespace halbd::core {

std::optional<Supervisor> supervisor_from_environment() {
    const char* sock = std::getenv("NOTIFY_SOCKET");
    if (!sock || !*sock) return std::nullopt;
    Supervisor s;
    s.send = [](const std::string& msg) {
        if (int r = sd_notify(0, msg.c_str()); r < 0) log::warning("sd_notify: ", std::strerror(-r));
    };
    // Also checks WATCHDOG_PID against our pid (a forked helper must not ping).
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) s.watchdog = std::chrono::microseconds(usec);
    return s;
}

ServiceNotifier::ServiceNotifier(EventLoop& loop, Supervisor sup, std::function<std::string()> status)
    : loop_(loop), sup_(std::move(sup)), status_(std::move(status)), timer_(loop.create_timer([this] { tick(); })) {}

Duration ServiceNotifier::period() const { return sup_.watchdog > Duration::zero() ? sup_.watchdog / 2 : kStatusPeriod; }

std::string ServiceNotifier::status_line() {
    std::string s = status_ ? status_() : std::string();
    if (s == last_status_) return {};
    last_status_ = s;
    return "STATUS=" + s;
}

void ServiceNotifier::ready() {
    last_status_.clear();
    std::string msg = "READY=1";
    if (std::string st = status_line(); !st.empty()) msg += "\n" + st;
    sup_.send(msg);
    if (sup_.watchdog > Duration::zero()) {
        log::info("systemd watchdog: pinging every ", log::secs(period()), " while the event loop is on time");
        sup_.send("WATCHDOG=1");
        ++watchdog_sent_;
    }
    arm();
}

void ServiceNotifier::arm() {
    due_ = loop_.now() + period();
    timer_->arm_at(due_);
}

void ServiceNotifier::reloading() {
    const auto usec = std::chrono::duration_cast<std::chrono::microseconds>(loop_.now().time_since_epoch()).count();
    sup_.send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

void ServiceNotifier::reloaded() {
    if (stopping_) return;
    last_status_.clear();
    sup_.send("READY=1\n" + status_line());
}

void ServiceNotifier::stopping() {
    stopping_ = true;
    timer_->cancel();
    sup_.send("STOPPING=1\nSTATUS=stopping");
}

// A tick later than half the watchdog interval means systemd's deadline has
// passed or nearly has: the loop was not on time, so it is not vouched for.
// The next tick on time pings again.
void ServiceNotifier::tick() {
    const Duration late = loop_.now() - due_;
    std::string msg;
    if (sup_.watchdog > Duration::zero()) {
        if (late <= sup_.watchdog / 2) {
            msg = "WATCHDOG=1";
            ++watchdog_sent_;
        } else {
            ++watchdog_withheld_;
            log::warning("systemd watchdog: event loop ", log::secs(late), " late; not pinging");
        }
    }
    if (std::string st = status_line(); !st.empty()) msg += (msg.empty() ? "" : "\n") + st;
    if (!msg.empty()) sup_.send(msg);
    arm();
}

}  // namespace halbd::core
