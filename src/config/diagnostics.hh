// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/diagnostics.hh: where a piece of configuration came from, and the
// errors and warnings found in it. Every stage (lexer, parser, validation)
// reports through one Diagnostics so a run prints all problems, each as
// `file:line:col: error|warning: message`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace halbd::config {

// A position in a configuration file. file indexes SourceManager's table;
// line and col are 1-based (col counts bytes). file == 0 means "no location".
struct Location {
    uint32_t file = 0;
    uint32_t line = 0;
    uint32_t col = 0;
};

// Owns the names of every file read for one configuration load, so a
// Location can stay three integers. (The texts themselves are streamed by
// the lexer and never held whole.)
class SourceManager {
public:
    SourceManager();
    // Registers a file; returns its id (>= 1).
    uint32_t add(std::string path);
    const std::string& path(uint32_t id) const;
    size_t size() const { return paths_.size() - 1; }

private:
    std::vector<std::string> paths_;
};

// A Note is detail for the curious (an old spelling keepalived itself takes
// silently, such as lb_algo): shown by `halbd -t` only with -D or -d and
// logged only with -D, so that warnings keep meaning something.
enum class Severity { Warning, Error, Note };

struct Diagnostic {
    Severity severity;
    Location loc;
    std::string message;
    uint32_t repeats = 0;  // later occurrences folded into this one (warning_once)
};

class Diagnostics {
public:
    void error(Location loc, std::string message);
    void warning(Location loc, std::string message);
    // A warning that would repeat for every use of something (a deprecated
    // keyword in each of 10,000 virtual servers): the first is recorded
    // with its location, later ones with the same key only counted
    // ("... (and 9999 more uses)").
    void warning_once(std::string_view key, Location loc, std::string message);
    // A Note, folded like warning_once().
    void note_once(std::string_view key, Location loc, std::string message);
    bool has_errors() const { return errors_ > 0; }
    size_t error_count() const { return errors_; }
    size_t warning_count() const { return items_.size() - errors_ - notes_; }
    const std::vector<Diagnostic>& items() const { return items_; }
    // Stops recording (but still counts) after this many, so a binary file
    // cannot make us allocate a message per byte.
    static constexpr size_t kMaxRecorded = 1000;
    // "file:line:col: error: message" (or "halbd: error: message" without a location).
    std::string format(const SourceManager& sources, const Diagnostic& d) const;
    // For the log, whose line already says the level and "halbd": as
    // format(), but a diagnostic without a location is its bare message (no
    // "error: halbd: error: ..." in the log).
    std::string format_for_log(const SourceManager& sources, const Diagnostic& d) const;

private:
    std::vector<Diagnostic> items_;
    std::unordered_map<std::string, size_t> once_;  // warning_once key -> index in items_
    size_t errors_ = 0;
    size_t notes_ = 0;
    size_t dropped_ = 0;
};

// The warning for a keyword halbd parses but does not act on: "SUBJECT is
// recognised but not implemented by halbd; ignored (NOTE)". subject is
// written as it should appear ("'track_bfd'", "bfd_instance 'B1'").
std::string not_implemented(std::string_view subject, std::string_view note = {});

}  // namespace halbd::config
