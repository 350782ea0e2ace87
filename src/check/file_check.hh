// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/file_check.hh: FILE_CHECK, keepalived's "the value in a file" checker
// (check_file.c, track_file.c). The file of a track_file block is read at
// construction and again whenever inotify on its directory reports it
// written (IN_CLOSE_WRITE), renamed in or out (IN_MOVED_TO/FROM: an atomic
// replace) or deleted; the value, times the weight, is added to the real
// server's weight (a DynamicWeight offset) or faults the checker. Built by
// make_checker(); owns the inotify fd and its watch.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "check/attempt.hh"
#include "config/model.hh"
#include "core/fd.hh"

namespace halbd::check {

struct FileTarget {
    std::string name;        // the track_file block
    std::string path;        // its file, as configured
    int32_t weight = 1;      // effective: FILE_CHECK's weight, else the track_file's (keepalived: 0 = unset)
    bool reverse = false;    // goes with the weight it came with
    std::string refused;     // non-empty: no such track_file (every attempt fails)

    static FileTarget from_config(const config::Checker& c, const config::Model* model);
};

class FileChecker final : public AttemptChecker {
public:
    FileChecker(core::EventLoop& loop, FileTarget target);
    ~FileChecker() override { release_io(); }

    std::string describe() const override { return "FILE_CHECK " + target_.name + " (" + target_.path + ")"; }
    std::optional<CheckResult> initial() const override { return initial_; }
    void set_wake(std::function<void()> wake) override { wake_ = std::move(wake); }
    const FileTarget& target() const { return target_; }
    int64_t value() const { return value_; }

    // The number in a file's text as keepalived reads it (strtol base 0:
    // "12", "-3", "0x10"; no digits = 0); nullopt when out of
    // [-2^31, 2^31] (keepalived ignores such a value: the last one stays).
    static std::optional<int64_t> parse_value(std::string_view text);
    // keepalived's rules for a value: with weight 0, non-zero is a failure
    // and 0 success (the other way round with reverse); otherwise value x
    // weight (negated with reverse), clamped to 32 bits, is the weight
    // offset, and -2^31 is a failure (IPVS_WEIGHT_FAULT).
    static CheckResult result_of(int64_t value, int32_t weight, bool reverse);

private:
    std::optional<CheckResult> begin() override;
    void on_deadline() override {}
    void release_io() override {}  // nothing per attempt: the watch lives with the checker
    void on_events();
    // Reads the file: its value, 0 when missing or empty, the previous
    // value when the text is out of range (logged).
    int64_t read_value();
    void watch_directory();

    FileTarget target_;
    std::string file_;   // resolved path (symlinks of the directory resolved)
    std::string base_;   // its last component, as inotify names it
    core::UniqueFd inotify_;
    core::FdWatchPtr watch_;
    std::function<void()> wake_;
    int64_t value_ = 0;
    std::optional<CheckResult> initial_;
};

}  // namespace halbd::check
