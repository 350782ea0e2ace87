// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/support/sim_loop.hh: SimLoop, the EventLoop of unit tests (DESIGN principle 6).
// Time moves only when the test calls advance(); timers then fire in deadline
// order with now() equal to each deadline. Fd, signal and child watches are
// recorded and fired by the test. Owns the simulated clock and the watch tables.
#pragma once

#include <map>
#include <optional>
#include <vector>

#include "core/loop_base.hh"

namespace halbd::core {

class SimLoop final : public LoopBase {
public:
    // Starts at an arbitrary non-zero instant, so code never mistakes the
    // epoch for "unset".
    explicit SimLoop(MonoTime start = MonoTime(std::chrono::seconds(1000)));
    ~SimLoop() override;

    MonoTime now() const override { return now_; }
    FdWatchPtr watch_fd(int fd, uint32_t events, FdCallback cb) override;
    SignalWatchPtr watch_signal(int signo, SignalCallback cb) override;
    ChildWatchPtr watch_child(pid_t pid, int pidfd, ChildCallback cb) override;
    void reap_in_background(pid_t pid, UniqueFd pidfd) override;
    // Repeatedly jumps to the next deadline and fires it, until stop() or no
    // timer is armed.
    void run() override;
    // Jumps to the next deadline if it is within timeout and fires the timers
    // due then; otherwise just moves the clock by timeout.
    size_t run_once(Duration timeout) override;

    // Moves the clock by d, firing every timer due on the way (including
    // timers armed by those callbacks, if due before now() + d). Returns the
    // number of timers fired.
    size_t advance(Duration d);
    size_t advance_to(MonoTime t);

    // Runs the callback of the watch on fd if it asked for any of events
    // (error and hangup always count). Returns whether a callback ran.
    bool fire_fd(int fd, uint32_t events);
    // Runs every watch of signo; returns how many ran.
    size_t fire_signal(int signo);
    // Reports the exit of pid with a waitpid()-style status, once. Returns
    // whether a watch was told.
    bool fire_child(pid_t pid, int wait_status);

    // Inspection.
    bool watching_fd(int fd) const;
    uint32_t fd_events(int fd) const;  // 0 if not watched
    bool watching_signal(int signo) const;
    bool watching_child(pid_t pid) const;
    size_t armed_timers() const { return timers_.armed_count(); }
    std::optional<MonoTime> next_deadline() const { return timers_.next_deadline(); }
    const std::vector<pid_t>& background_children() const { return orphans_; }

private:
    class FdWatchImpl;
    class SignalWatchImpl;
    class ChildWatchImpl;

    MonoTime now_;
    uint64_t next_id_ = 1;
    std::map<uint64_t, FdWatchImpl*> fds_;
    std::map<uint64_t, SignalWatchImpl*> signals_;
    std::map<uint64_t, ChildWatchImpl*> children_;
    std::vector<pid_t> orphans_;
};

}  // namespace halbd::core
