// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// core/log_limiter.cc: see log_limiter.hh. A kind whose window closes with
// nothing counted is forgotten, so the table holds only the kinds being
// repeated now.
#include "core/log_limiter.hh"

#include <algorithm>

namespace halbd::core::log {

namespace {
constexpr std::string_view kOther = "other";
}

Limiter::Limiter(EventLoop& loop, Duration window, size_t max_kinds)
    : loop_(loop), window_(window), max_kinds_(std::max<size_t>(max_kinds, 2)) {
    timer_ = loop_.create_timer([this] { on_timer(); });
}

Limiter::~Limiter() = default;

// True: write the line (wrote() follows). False: counted in its window.
bool Limiter::admit(Level level, std::string_view kind) {
    auto it = entries_.find(kind);
    if (it == entries_.end() && entries_.size() >= max_kinds_ - 1) it = entries_.find(kOther);
    if (it == entries_.end()) return true;
    Entry& e = it->second;
    const MonoTime now = loop_.now();
    if (now - e.since >= window_) {
        if (e.repeats == 0) {
            entries_.erase(it);
            return true;
        }
        summarize(e, now);  // the timer is due at this very instant: do its work
    }
    ++e.repeats;
    ++suppressed_;
    e.level = std::min(e.level, level);  // the most severe line of the window
    return false;
}

void Limiter::wrote(Level level, std::string_view kind, std::string text) {
    write(level, text);
    const bool known = entries_.count(kind) || entries_.size() < max_kinds_ - 1;
    Entry& e = entries_[std::string(known ? kind : kOther)];
    e.level = level;
    e.since = loop_.now();
    e.text = std::move(text);
    e.repeats = 0;
    arm();
}

// The window of e closed: say how many lines it held; with some, a new
// window starts now (a flood goes on writing one line per window).
void Limiter::summarize(Entry& e, MonoTime now) {
    if (e.repeats == 0) return;
    write(e.level, concat(e.text, " (repeated ", e.repeats, e.repeats == 1 ? " time" : " times", " in the last ",
                          secs(now - e.since), ")"));
    // The next window counts from here; an entry left with nothing is
    // dropped when that window closes.
    e.since = now;
    e.repeats = 0;
}

void Limiter::on_timer() {
    const MonoTime now = loop_.now();
    for (auto it = entries_.begin(); it != entries_.end();) {
        Entry& e = it->second;
        if (now - e.since < window_) {
            ++it;
            continue;
        }
        if (e.repeats == 0) {
            it = entries_.erase(it);
            continue;
        }
        summarize(e, now);
        ++it;
    }
    arm();
}

void Limiter::arm() {
    if (entries_.empty()) {
        timer_->cancel();
        return;
    }
    MonoTime first = entries_.begin()->second.since;
    for (const auto& [k, e] : entries_) first = std::min(first, e.since);
    timer_->arm_at(first + window_);
}

}  // namespace halbd::core::log
