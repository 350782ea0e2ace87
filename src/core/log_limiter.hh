// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// core/log_limiter.hh: log::Limiter, the one rule for log lines that
// something outside halbd can trigger at will (a received packet, a kernel
// event): per kind of line, the first in a window is written, the others of
// that window are only counted, and when the window closes one line says how
// many there were ("<first line> (repeated 4211 times in the last 10.00s)").
// A continuous flood thus writes one line per kind per window. Each owner (a
// VRRP instance, the VRRP subsystem, an InstanceIo) holds one on its loop;
// its timer writes the summary even when no further line comes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/event_loop.hh"
#include "core/log.hh"

namespace halbd::core::log {

class Limiter {
public:
    // At most max_kinds kinds are tracked at once; lines of further kinds
    // share one ("other").
    explicit Limiter(EventLoop& loop, Duration window = std::chrono::seconds(10), size_t max_kinds = 64);
    ~Limiter();
    Limiter(const Limiter&) = delete;
    Limiter& operator=(const Limiter&) = delete;

    // Writes the line, or counts it when a line of this kind was written in
    // the current window. The text is built only when it is written.
    template <class... Args>
    void line(Level level, std::string_view kind, const Args&... args) {
        if (!enabled(level)) return;
        if (admit(level, kind)) wrote(level, kind, concat(args...));
    }
    template <class... Args>
    void warning(std::string_view kind, const Args&... args) { line(Level::warning, kind, args...); }
    template <class... Args>
    void info(std::string_view kind, const Args&... args) { line(Level::info, kind, args...); }
    template <class... Args>
    void debug(std::string_view kind, const Args&... args) { line(Level::debug, kind, args...); }

    uint64_t suppressed() const { return suppressed_; }  // lines counted, not written, since creation

private:
    struct Entry {
        Level level = Level::info;
        MonoTime since{};      // start of the current window
        std::string text;      // the line written in it
        uint64_t repeats = 0;  // counted since
    };
    bool admit(Level level, std::string_view kind);
    void wrote(Level level, std::string_view kind, std::string text);
    void on_timer();
    void summarize(Entry& e, MonoTime now);
    void arm();

    EventLoop& loop_;
    Duration window_;
    size_t max_kinds_;
    std::map<std::string, Entry, std::less<>> entries_;
    uint64_t suppressed_ = 0;
    TimerPtr timer_;
};

}  // namespace halbd::core::log
