// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// core/event_loop.hh: the EventLoop interface every subsystem is written
// against (DESIGN principles 5 and 6). EpollLoop implements it for the daemon,
// SimLoop for tests with a manual clock. Each watch or timer is returned as an
// owned handle: destroying the handle cancels it, so no callback outlives its
// owner. Handles must be destroyed before the loop that created them.
//
// Re-entrancy rules, common to every implementation:
//  - a callback may destroy its own handle or any other handle, or create new
//    ones; a destroyed handle's pending events of the current batch are dropped;
//  - run(), run_once() and SimLoop::advance() must not be called from a callback.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>

#include "core/fd.hh"
#include "core/time.hh"

namespace halbd::core {

// Readiness bits for watch_fd (independent of epoll's values). Error and
// Hangup are always reported, whether asked for or not.
namespace fd_events {
inline constexpr uint32_t readable = 1u << 0;
inline constexpr uint32_t writable = 1u << 1;
inline constexpr uint32_t priority = 1u << 2;
inline constexpr uint32_t error = 1u << 3;
inline constexpr uint32_t hangup = 1u << 4;
}  // namespace fd_events

// A one-shot timer. Re-arming an armed timer moves its deadline. Timers due at
// the same instant fire in the order they were (last) armed.
class Timer {
public:
    virtual ~Timer() = default;  // destroying cancels
    virtual void arm(Duration after) = 0;  // deadline = now() + after (negative = now)
    virtual void arm_at(MonoTime deadline) = 0;
    virtual void cancel() = 0;
    virtual bool armed() const = 0;
    virtual MonoTime deadline() const = 0;  // meaningful while armed()
};

class FdWatch {
public:
    virtual ~FdWatch() = default;  // destroying unregisters (the fd is not closed)
    virtual int fd() const = 0;
    virtual uint32_t events() const = 0;
    virtual void set_events(uint32_t events) = 0;  // 0 = keep registered, report nothing asked
};

class SignalWatch {
public:
    virtual ~SignalWatch() = default;  // destroying unwatches (unblocks when last)
    virtual int signo() const = 0;
};

class ChildWatch {
public:
    // Destroying drops the callback; the child is then no longer reaped by
    // this watch (hand it to EventLoop::reap_in_background).
    virtual ~ChildWatch() = default;
    virtual pid_t pid() const = 0;
    virtual bool exited() const = 0;  // true once reaped and reported
};

using TimerPtr = std::unique_ptr<Timer>;
using FdWatchPtr = std::unique_ptr<FdWatch>;
using SignalWatchPtr = std::unique_ptr<SignalWatch>;
using ChildWatchPtr = std::unique_ptr<ChildWatch>;

using TimerCallback = std::function<void()>;
using FdCallback = std::function<void(uint32_t events)>;
using SignalCallback = std::function<void(int signo)>;
// wait_status is encoded as waitpid() does: use WIFEXITED, WEXITSTATUS, ...
using ChildCallback = std::function<void(int wait_status)>;

// How late timers fired compared to their deadlines (VRRP uses this to show
// that adverts are never late). A timer counts as late when it fires more
// than the loop's lateness threshold after its deadline.
struct TimerStats {
    uint64_t fired = 0;
    uint64_t late = 0;
    Duration max_lateness{0};
    Duration threshold{0};
};

class EventLoop {
public:
    virtual ~EventLoop() = default;

    // The loop's monotonic clock; the only clock subsystems may read.
    virtual MonoTime now() const = 0;

    virtual TimerPtr create_timer(TimerCallback cb) = 0;
    // A timer of a kind there may be tens of thousands of (one per health
    // check), whose work may wait a little behind urgent work: the daemon's
    // loop fires due bulk timers after each pass's fd events and only for a
    // bounded slice of time per pass, so a burst of them neither delays an
    // advert nor holds back the completions of attempts already in flight.
    // Otherwise a Timer like any other (deadline order, arming order).
    virtual TimerPtr create_bulk_timer(TimerCallback cb) = 0;

    // Watches fd (level-triggered) for fd_events bits. Returns nullptr if the
    // fd cannot be watched (bad, not pollable, or already watched), with errno
    // set. Destroy the watch before closing the fd.
    virtual FdWatchPtr watch_fd(int fd, uint32_t events, FdCallback cb) = 0;

    // Delivers signo through the loop instead of a handler (signalfd): the
    // signal is blocked while at least one watch for it exists. Several
    // watches of one signal are all called.
    virtual SignalWatchPtr watch_signal(int signo, SignalCallback cb) = 0;

    // Reports once when child pid exits, after reaping it. pidfd is borrowed
    // (its owner keeps it open while the watch lives); pass -1 to have the
    // loop open one itself. Returns nullptr if no pidfd could be opened.
    virtual ChildWatchPtr watch_child(pid_t pid, int pidfd, ChildCallback cb) = 0;

    // Takes over a child nobody waits for any more (e.g. killed by an owner
    // being destroyed) and reaps it silently when it exits, so no zombie stays.
    virtual void reap_in_background(pid_t pid, UniqueFd pidfd) = 0;

    // Runs until stop() is called (from a callback).
    virtual void run() = 0;
    virtual void stop() = 0;
    // Waits at most timeout for events, dispatches one batch of them and the
    // timers that are due; returns the number of callbacks run.
    virtual size_t run_once(Duration timeout) = 0;

    virtual TimerStats timer_stats() const = 0;
};

}  // namespace halbd::core
