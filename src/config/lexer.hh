// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/lexer.hh: turns keepalived-grammar text into tokens.
// Owns the preprocessing keepalived does before parsing: `#`/`!` comments,
// quoted strings with shell-like escapes, `include` (globs, braces, relative
// to the including file, loop detection), `@id`/`@^id` conditional lines,
// `$NAME=value` definitions with `${NAME}`/`$NAME` expansion and multi-line
// definitions, and `~SEQ`/`~LST` generator lines. Called by config::load().
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/diagnostics.hh"
#include "config/token.hh"

namespace halbd::config {

struct LexerOptions {
    std::string config_id;            // for @id lines; default: first label of the hostname
    bool allow_include = true;        // false: `include` is an error (fuzzing)
    bool all_includes_required = false;  // -e: an include pattern matching nothing is an error
    size_t max_include_depth = 64;    // deeper nesting is an error (guards include loops too)
    size_t max_expansion = 1u << 24;  // bytes a single macro expansion may produce
    size_t max_generated_lines = 1u << 20;  // lines all ~SEQ/~LST of one load may generate
    size_t max_file_size = 256u << 20;      // bigger configuration files are refused
    uint64_t max_read_bytes = UINT64_MAX;   // bytes all files of one load may hold together
    size_t max_read_files = SIZE_MAX;       // files (top and includes) one load may read
    uint32_t random_seed = 0;               // for ${_RANDOM}; 0: seeded from the clock
};

class Lexer final : public TokenSource {
public:
    Lexer(SourceManager& sources, Diagnostics& diags, LexerOptions opts);
    ~Lexer() override;
    // Starts reading a file from disk. A missing or unreadable file is an error
    // reported without a location (it is the top-level file); returns false.
    bool open_file(const std::string& path);
    // Starts reading text held in memory (tests, fuzzing); `name` is used in locations.
    void open_text(std::string name, std::string text);
    Token next() override;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace halbd::config
