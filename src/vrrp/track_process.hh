// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/track_process.hh: ProcessTracker, one vrrp_track_process: the set of
// running processes matching `process` (the name, or with parameters /
// full_command the command line, as param_match says), and Up while their
// count is within [quorum, quorum_max]. A change caused by a fork waits
// fork_delay, one caused by an exit terminate_delay, before the status
// follows (and is dropped if the count comes back meanwhile). Owned by the
// TrackerSet, which scans /proc and feeds it process events; instances
// subscribe and weigh the status (see tracking.hh).
#pragma once

#include <set>
#include <string>

#include "config/model_vrrp.hh"
#include "core/event_loop.hh"
#include "core/process_monitor.hh"
#include "vrrp/subscribers.hh"

namespace halbd::vrrp {

// Does this process match the vrrp_track_process? (keepalived's rules: the
// name against /proc/PID/comm, whose 15 characters bound the comparison, or
// with full_command argv[0]; parameters against the rest of argv.)
bool process_matches(const config::TrackProcess& cfg, const core::ProcessInfo& p);

class ProcessTracker {
public:
    ProcessTracker(core::EventLoop& loop, const config::TrackProcess& cfg);  // not copyable: owns a timer

    const std::string& name() const { return cfg_.name; }
    bool up() const { return up_; }
    size_t count() const { return pids_.size(); }
    // Whether matching needs /proc/PID/cmdline (parameters or full_command).
    bool needs_cmdline() const;
    const std::string& signature() const { return signature_; }
    static std::string signature_of(const config::TrackProcess& cfg);
    [[nodiscard]] Subscription subscribe(std::function<void()> cb) { return listeners_.add(std::move(cb)); }

    // A full scan: the matching set is replaced and the status follows at once.
    void load(const std::vector<core::ProcessInfo>& all, const char* why);
    // One event; `info` is the process as read after it (null: gone or not read).
    void on_event(const core::ProcessEvent& e, const core::ProcessInfo* info);

private:
    bool in_quorum() const;
    void follow(Duration delay, const std::string& why);
    void set(bool up, const std::string& why);

    config::TrackProcess cfg_;
    std::string signature_;
    std::set<int> pids_;
    bool up_ = false;
    bool loaded_ = false;
    std::string pending_why_;
    SubscriberList<> listeners_;
    core::TimerPtr delay_;
};

}  // namespace halbd::vrrp
