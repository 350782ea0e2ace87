// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/notify_runner.hh: NotifyRunner runs the health-check notify scripts
// (real server notify_up/notify_down, virtual server quorum_up/quorum_down)
// without ever blocking the loop: each run is a core::KillAfter child,
// SIGTERM at its timeout and SIGKILL a grace later; at most max_running run
// at once and the rest wait in a bounded FIFO (a flapping pool of 50,000
// servers must not fork 50,000 shells at once; overflow is dropped, logged
// and counted). Owned by CheckSubsystem; owns the running children.
#pragma once

#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <string>

#include "check/script_command.hh"
#include "core/event_loop.hh"
#include "core/spawn.hh"

namespace halbd::check {

class NotifyRunner {
public:
    struct Limits {
        // keepalived has no timeout for notify scripts (notify_exec forks and
        // forgets); a hung script would then stay forever. Ours: 30 s.
        Duration timeout = std::chrono::seconds(30);
        Duration grace = std::chrono::seconds(1);  // SIGTERM -> SIGKILL
        size_t max_running = 64;
        size_t max_queued = 100000;
    };

    explicit NotifyRunner(core::EventLoop& loop) : NotifyRunner(loop, Limits{}) {}
    NotifyRunner(core::EventLoop& loop, Limits limits) : loop_(loop), limits_(limits) {}
    NotifyRunner(const NotifyRunner&) = delete;
    NotifyRunner& operator=(const NotifyRunner&) = delete;
    // Destroying kills the scripts still running (their process groups).
    ~NotifyRunner() = default;

    // Runs cmd now, or when a slot frees. `what` names the run in log lines
    // ("notify_down of [10.0.0.2]:80 in VS [192.0.2.1]:80"); timeout
    // overrides the limit (0 = the limit's).
    void run(std::shared_ptr<const ScriptCommand> cmd, std::string what, Duration timeout = Duration::zero());

    bool idle() const { return running_.empty() && queue_.empty(); }
    size_t running() const { return running_.size(); }
    size_t queued() const { return queue_.size(); }
    uint64_t started() const { return started_; }
    uint64_t failed() const { return failed_; }    // non-zero exit, signal, timeout, could not start
    uint64_t dropped() const { return dropped_; }  // queue full

private:
    struct Job {
        std::shared_ptr<const ScriptCommand> cmd;
        std::string what;
        Duration timeout;
    };
    struct Running {
        std::string what;
        std::unique_ptr<core::KillAfter> child;
    };
    void start(Job job);
    void start_queued();

    core::EventLoop& loop_;
    Limits limits_;
    std::deque<Job> queue_;
    std::list<Running> running_;
    uint64_t started_ = 0, failed_ = 0, dropped_ = 0;
};

}  // namespace halbd::check
