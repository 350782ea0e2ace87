// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// core/loop_base.hh: LoopBase, what EpollLoop and SimLoop share so that the
// re-entrancy rules of event_loop.hh are written once: the TimerQueue behind
// create_timer(), the stop flag, and the guarded dispatch of watch callbacks.
// Only the two loops derive from it; each keeps its own watch tables.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "core/event_loop.hh"
#include "core/timer_queue.hh"

namespace halbd::core {

class LoopBase : public EventLoop {
public:
    TimerPtr create_timer(TimerCallback cb) final { return timers_.create(std::move(cb)); }
    // Bulk timers are plain timers unless a loop schedules them apart.
    TimerPtr create_bulk_timer(TimerCallback cb) override { return timers_.create(std::move(cb)); }
    void stop() final { stopped_ = true; }
    TimerStats timer_stats() const final { return timers_.stats(); }

protected:
    LoopBase() : timers_(*this) {}

    // Guarded dispatch. The callback (member cb_ of a watch) is moved out of
    // its watch while it runs, and put back only if the watch still exists:
    // a watch's destructor calls forget(this), so a callback may destroy its
    // own watch. Runs w->cb_(args...) unless it is empty; returns whether it ran.
    template <typename Watch, typename... Args>
    bool run_guarded(Watch* w, Args... args) {
        if (!w->cb_) return false;
        auto cb = std::move(w->cb_);
        current_ = w;
        cb(args...);
        if (current_ == w) w->cb_ = std::move(cb);
        current_ = nullptr;
        return true;
    }

    // run_guarded() for every watch of table (id -> watch pointer) that match
    // accepts. The ids are collected first and each is looked up again before
    // it runs, so a callback may destroy or create any watch. Returns how many ran.
    template <typename Table, typename Match, typename... Args>
    size_t run_matching(Table& table, Match match, Args... args) {
        std::vector<uint64_t> ids;
        for (const auto& [id, w] : table)
            if (match(*w)) ids.push_back(id);
        size_t ran = 0;
        for (uint64_t id : ids) {
            auto it = table.find(id);
            if (it != table.end() && run_guarded(it->second, args...)) ++ran;
        }
        return ran;
    }

    // A one-shot callback (child exit): taken out of w for good, then run.
    // It may destroy w: the caller must touch nothing of w afterwards.
    template <typename Watch, typename... Args>
    static void run_last(Watch* w, Args... args) {
        auto cb = std::move(w->cb_);
        if (cb) cb(args...);
    }

    void forget(const void* watch) {
        if (current_ == watch) current_ = nullptr;
    }

    TimerQueue timers_;
    bool stopped_ = false;

private:
    const void* current_ = nullptr;  // watch whose callback runs; nulled if it dies
};

}  // namespace halbd::core
