// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// core/log.hh: process-wide logging. halbd.cc configures the sinks once from
// the command line (-S facility, -l console, -g file, -D detail); every
// subsystem then writes one line per state change with halbd::log::info(...),
// whose arguments are streamed (type-safe, no format strings). Owns the sinks.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hh"
#include "core/time.hh"

namespace halbd::core::log {

enum class Level : uint8_t { error, warning, notice, info, debug };

const char* level_name(Level level);  // "error", "warning", ...

// Where lines go. write() gets the bare message; each sink adds its own
// prefix (syslog adds none, the console and file add time and ident).
class Sink {
public:
    virtual ~Sink() = default;
    virtual void write(Level level, std::string_view message) = 0;
    virtual void reopen() {}
};

struct Options {
    std::string ident = "halbd";
    bool syslog = true;
    int facility = -1;  // a LOG_* facility value; -1 = LOG_DAEMON
    bool console = false;  // -l: also write to stderr
    std::string file{};    // -g FILE: also append to FILE
    bool detail = false;   // -D: emit debug-level detail lines
};

// keepalived's `-S n`: n in 0..7 selects LOCAL0..LOCAL7.
std::optional<int> facility_from_flag(int n);

// Replaces the sinks. Fails (keeping the previous sinks) only if the log file
// cannot be opened. Before the first call, lines at info and above go to stderr.
Status configure(const Options& options);

// Reopens the log file, e.g. on SIGHUP after logrotate moved it.
void reopen();

// Test and embedding hooks: add or remove a sink, and set the level limit.
void add_sink(std::shared_ptr<Sink> sink);
void remove_sink(const Sink* sink);
void set_max_level(Level level);
Level max_level();

inline bool enabled(Level level);
void write(Level level, std::string_view message);

// "2024-05-01 12:00:00.123 halbd[42]: warning: message": the console/file line.
std::string format_line(Level level, std::string_view message,
                        std::chrono::system_clock::time_point when, std::string_view ident,
                        long pid);

// 3.61s, 0.25s: a duration as seconds with two decimals, for log lines.
std::string secs(Duration d);

template <class... Args>
std::string concat(const Args&... args) {
    std::ostringstream os;
    (os << ... << args);
    return os.str();
}

namespace detail {
extern Level g_max_level;
}
inline bool enabled(Level level) { return level <= detail::g_max_level; }

template <class... Args>
void error(const Args&... args) {
    if (enabled(Level::error)) write(Level::error, concat(args...));
}
template <class... Args>
void warning(const Args&... args) {
    if (enabled(Level::warning)) write(Level::warning, concat(args...));
}
template <class... Args>
void notice(const Args&... args) {
    if (enabled(Level::notice)) write(Level::notice, concat(args...));
}
template <class... Args>
void info(const Args&... args) {
    if (enabled(Level::info)) write(Level::info, concat(args...));
}
// Detail lines: only with -D.
template <class... Args>
void debug(const Args&... args) {
    if (enabled(Level::debug)) write(Level::debug, concat(args...));
}

// For tests: while alive, it is the only sink and records every line up to
// max (default debug); the previous sinks and level come back on destruction.
class ScopedCapture {
public:
    struct Line {
        Level level;
        std::string text;
    };
    explicit ScopedCapture(Level max = Level::debug);
    ~ScopedCapture();
    ScopedCapture(const ScopedCapture&) = delete;
    ScopedCapture& operator=(const ScopedCapture&) = delete;

    const std::vector<Line>& lines() const;
    bool contains(std::string_view needle) const;  // any line contains needle
    void clear();

private:
    class Recorder;
    std::shared_ptr<Recorder> recorder_;
    std::vector<std::shared_ptr<Sink>> saved_sinks_;
    Level saved_level_;
};

}  // namespace halbd::core::log

namespace halbd {
namespace log = core::log;  // halbd::log::info("...")
}
