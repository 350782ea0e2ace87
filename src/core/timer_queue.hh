// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// core/timer_queue.hh: TimerQueue, the indexed min-heap of timers shared by
// EpollLoop and SimLoop. Owns the ordering (deadline, then arming order), the
// O(log n) arm/cancel, safe dispatch (a callback may destroy its own or any
// timer) and the lateness statistics. Loops own one and drive fire_due().
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <vector>

#include "core/event_loop.hh"

namespace halbd::core {

class TimerQueue {
public:
    // now() is read from loop for arm() and for lateness.
    explicit TimerQueue(const EventLoop& loop) : loop_(loop) {}
    ~TimerQueue();
    TimerQueue(const TimerQueue&) = delete;
    TimerQueue& operator=(const TimerQueue&) = delete;

    TimerPtr create(TimerCallback cb);

    std::optional<MonoTime> next_deadline() const;
    size_t armed_count() const { return heap_.size(); }
    // Arming sequence number the next arm() will get: fire_due() with this as
    // seq_limit ignores timers (re-)armed by the callbacks it runs.
    uint64_t next_seq() const { return seq_; }

    // Fires, in order, the timers with deadline <= limit and arming sequence
    // < seq_limit. before_fire (may be empty) runs before each callback with
    // the timer's deadline (SimLoop sets its clock there). Stops early once
    // the loop's clock reaches stop_at (checked after each callback, so at
    // least one fires). Returns the count.
    size_t fire_due(MonoTime limit, uint64_t seq_limit = std::numeric_limits<uint64_t>::max(),
                    const std::function<void(MonoTime)>& before_fire = {},
                    MonoTime stop_at = MonoTime::max());

    const TimerStats& stats() const { return stats_; }
    void set_lateness_threshold(Duration d) { stats_.threshold = d; }
    void reset_stats() { stats_ = TimerStats{.threshold = stats_.threshold}; }

private:
    class Impl;
    static constexpr size_t npos = std::numeric_limits<size_t>::max();

    bool less(const Impl* a, const Impl* b) const;
    void place(Impl* t, size_t i);
    void sift_up(size_t i);
    void sift_down(size_t i);
    void push(Impl* t);
    void remove(Impl* t);

    const EventLoop& loop_;
    std::vector<Impl*> heap_;
    uint64_t seq_ = 0;
    Impl* firing_ = nullptr;  // the timer whose callback runs; nulled if it is destroyed
    TimerStats stats_;
};

}  // namespace halbd::core
