// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/lexer_seq.hh: keepalived's generator lines, split out of the lexer.
// Parses the head of `~SEQ(var, start, step, end)`, `~SEQx(...)` and
// `~LST(var, v1, ...)` / `~LST({a, b}, {1, 2}, ...)` and steps through the
// values. Used only by config/lexer.cc, which re-reads the rest of the line once
// per value; owns nothing but the parsed values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/lexer_macros.hh"

namespace halbd::config::detail {

struct Generator {
    std::vector<std::string> vars;
    bool list = false;
    bool hex = false;
    long start = 0;
    long step = 1;
    std::vector<std::vector<std::string>> values;  // ~LST: one row per iteration
    uint64_t count = 0;                            // iterations in all
    uint64_t done = 0;
    size_t body_off = 0;  // where the repeated text starts in the line

    // Sets the variables for the next iteration; false when all are done.
    bool advance(Macros& macros);
};

// `line` starts with "~SEQ" or "~LST". Fills `gen` and returns true, or
// reports the problem at `origin` and returns false.
bool parse_generator(std::string_view line, const Origin& origin, Macros& macros,
                     const std::string& pwd, Diagnostics& diags, Generator& gen);

}  // namespace halbd::config::detail
