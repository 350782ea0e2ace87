// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/track_script.hh: ScriptTracker, one vrrp_script: runs it every
// `interval` through a ScriptRunner (never blocking the loop), kills it at
// `timeout` (a timeout is a failure), and turns exit codes into Up/Down with
// keepalived's rise/fall rules: the first result decides at once, then `rise`
// consecutive successes bring it Up and `fall` consecutive failures Down;
// `init_fail` starts Down. Owned by the TrackerSet; instances subscribe.
#pragma once

#include <memory>
#include <string>

#include "config/model_vrrp.hh"
#include "core/event_loop.hh"
#include "vrrp/script_runner.hh"
#include "vrrp/subscribers.hh"

namespace halbd::vrrp {

enum class TrackStatus : uint8_t { Unknown, Up, Down };
const char* to_string(TrackStatus s);

struct ScriptTrackerStats {
    uint64_t runs = 0;
    uint64_t successes = 0;
    uint64_t failures = 0;      // non-zero exit, signal, timeout, cannot start
    uint64_t timeouts = 0;
    uint64_t overruns = 0;      // still running at the next interval: that run skipped
    uint64_t spawn_errors = 0;
};

class ScriptTracker {
public:
    ScriptTracker(core::EventLoop& loop, ScriptRunner& runner, const config::VrrpScript& cfg, ScriptSpec spec);
    ~ScriptTracker();
    ScriptTracker(const ScriptTracker&) = delete;
    ScriptTracker& operator=(const ScriptTracker&) = delete;

    void start();  // first run now; no-op when already started or refused
    const std::string& name() const { return name_; }
    TrackStatus status() const { return status_; }
    // A refused script (insecure, unknown user) is not tracked at all, as keepalived does.
    bool disabled() const { return !spec_.refused.empty(); }
    bool running() const { return static_cast<bool>(child_); }
    const ScriptTrackerStats& stats() const { return stats_; }
    // What identifies the configuration: a reload keeps the tracker when equal.
    const std::string& signature() const { return signature_; }
    static std::string signature_of(const config::VrrpScript& cfg);
    [[nodiscard]] Subscription subscribe(std::function<void()> cb) { return listeners_.add(std::move(cb)); }

    // The result of one run, also the unit tests' entry point.
    void record(bool success, const std::string& detail);

private:
    void on_timer();
    void on_exit(const core::ExitStatus& st);
    void set_status(TrackStatus to, const std::string& why);

    core::EventLoop& loop_;
    ScriptRunner& runner_;
    std::string name_;
    ScriptSpec spec_;
    Duration interval_;
    Duration timeout_;
    uint32_t rise_;
    uint32_t fall_;
    std::string signature_;
    TrackStatus status_ = TrackStatus::Unknown;
    uint32_t good_ = 0;  // consecutive successes
    uint32_t bad_ = 0;   // consecutive failures
    bool started_ = false;
    ScriptTrackerStats stats_;
    SubscriberList<> listeners_;
    std::string last_spawn_error_;  // logged once until it changes
    std::unique_ptr<RunningScript> child_;
    core::TimerPtr timer_;
};

}  // namespace halbd::vrrp
