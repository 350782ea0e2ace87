// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// core/epoll_loop.hh: EpollLoop, the EventLoop the daemon runs on. One epoll
// set; one timerfd (CLOCK_MONOTONIC, absolute) programmed for the earliest
// timer of its two TimerQueues (urgent and bulk); one signalfd for the
// watched signals; one pidfd per watched child. Created once by halbd.cc; owns those descriptors. It is the
// only place that reads the monotonic clock.
#pragma once

#include <signal.h>
#include <sys/epoll.h>

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>

#include "core/fd.hh"
#include "core/loop_base.hh"
#include "core/result.hh"

namespace halbd::core {

class EpollLoop final : public LoopBase {
public:
    static Result<std::unique_ptr<EpollLoop>> create();
    ~EpollLoop() override;

    MonoTime now() const override;
    FdWatchPtr watch_fd(int fd, uint32_t events, FdCallback cb) override;
    SignalWatchPtr watch_signal(int signo, SignalCallback cb) override;
    ChildWatchPtr watch_child(pid_t pid, int pidfd, ChildCallback cb) override;
    void reap_in_background(pid_t pid, UniqueFd pidfd) override;
    void run() override;
    size_t run_once(Duration timeout) override;
    TimerPtr create_bulk_timer(TimerCallback cb) override { return bulk_.create(std::move(cb)); }

    // Timers firing later than this after their deadline count as late
    // (default 1ms). timer_stats() covers the urgent timers only: bulk
    // timers are late by design when there are more than a slice of them.
    void set_lateness_threshold(Duration d) { timers_.set_lateness_threshold(d); }
    void reset_timer_stats() { timers_.reset_stats(); }
    size_t background_children() const { return orphans_.size(); }

private:
    class FdWatchImpl;
    class SignalWatchImpl;
    class ChildWatchImpl;
    struct Orphan {
        pid_t pid;
        UniqueFd pidfd;
        FdWatchPtr watch;
    };

    EpollLoop(UniqueFd epfd, UniqueFd timerfd);
    void program_timerfd();
    void drain_timerfd();
    size_t dispatch_fd(uint64_t id, uint32_t epoll_events);
    size_t dispatch_signals();
    void unregister_fd(FdWatchImpl* w);
    void unregister_signal(SignalWatchImpl* w);
    bool update_signalfd();

    // How long one pass may spend firing due bulk timers.
    static constexpr Duration kBulkSlice = std::chrono::milliseconds(5);
    static constexpr uint64_t kTimerId = 0;
    static constexpr uint64_t kSignalId = 1;

    UniqueFd epfd_;
    UniqueFd timerfd_;
    UniqueFd signalfd_;
    std::optional<MonoTime> programmed_;  // what the timerfd is set to
    TimerQueue bulk_{*this};
    bool bulk_backlog_ = false;           // due bulk timers left for the next pass
    bool in_dispatch_ = false;
    uint64_t next_id_ = 16;

    std::unordered_map<uint64_t, FdWatchImpl*> fd_watches_;  // epoll data -> watch
    std::unordered_map<int, uint64_t> fd_owner_;             // fd -> id of its watch
    std::map<uint64_t, SignalWatchImpl*> signal_watches_;
    sigset_t signal_mask_;                                   // signals the signalfd reads
    std::array<int, NSIG> signal_refs_{};                    // watches per signal
    std::array<bool, NSIG> signal_was_blocked_{};            // blocked before we blocked it
    std::map<uint64_t, Orphan> orphans_;
};

// Converts a siginfo_t filled by waitid() into a waitpid()-style status.
int wait_status_from_siginfo(const siginfo_t& si);

}  // namespace halbd::core
