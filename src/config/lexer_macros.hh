// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/lexer_macros.hh: keepalived's `$NAME` parameters, split out of the lexer.
// Owns the definition table of one load (with the pre-defined _PWD, _INSTANCE,
// _RANDOM, _HASH, _BANG), expansion of one line, and column maps that let tokens
// of rewritten text point back at their source. Used only by config/lexer.cc.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostics.hh"

namespace halbd::config::detail {

// Maps byte offsets of a (possibly rewritten) line to source columns. From
// offset `off` on, the column is `col + (o - off)` when `step`, else `col`
// (text produced by a macro: every byte points at the use site).
struct ColSeg {
    uint32_t off;
    uint32_t col;
    bool step;
};

struct Origin {
    uint32_t file = 0;
    uint32_t line = 0;
    std::vector<ColSeg> segs;  // sorted by off; segs[0].off == 0

    void set_identity(uint32_t f, uint32_t l, uint32_t col) {
        file = f;
        line = l;
        segs.assign(1, ColSeg{0, col, true});
    }
    void set_fixed(Location loc) {
        file = loc.file;
        line = loc.line;
        segs.assign(1, ColSeg{0, loc.col, false});
    }
    uint32_t col_at(size_t off) const {
        if (segs.size() == 1)  // the common case: text straight from a file
            return segs[0].step ? segs[0].col + static_cast<uint32_t>(off) : segs[0].col;
        return col_at_slow(off);
    }
    uint32_t col_at_slow(size_t off) const;
    Location at(size_t off) const { return {file, line, col_at(off)}; }
    // The same map for the text starting at `by` (after a prefix was cut).
    void shift(size_t by);
};

// The rest of a multi-line parameter after its first line: read as further
// lines, at the use site.
struct PendingText {
    std::string text;
    std::string def_name;
    Location loc;
};

struct Expansion {
    std::string out;
    Origin origin;
    std::vector<PendingText> pending;  // in reading order
    bool changed = false;
    bool failed = false;  // a recursive definition or the size cap was hit
};

class Macros {
public:
    Macros(Diagnostics& diags, std::string config_id, size_t max_expansion, uint32_t seed);

    // `line` starts with '$'. If it is `$NAME=VALUE`, records it and returns
    // true; *multiline is set when VALUE ends with a continuation '\'.
    bool try_define(std::string_view line, bool* multiline, std::string* name);
    // Adds one continuation line to the multi-line definition `name`; `more`
    // says whether the line ended with '\'. Empty `text` ends nothing by itself.
    void append_line(const std::string& name, std::string_view text, bool more);
    // Ends a multi-line definition (blank line, end of file).
    void end_multiline(const std::string& name);
    // Sets a plain single-line definition (~SEQ/~LST variables).
    void set(const std::string& name, std::string value);
    bool is_defined(std::string_view name) const { return defs_.count(name) != 0; }

    // Replaces $NAME / ${NAME} / ${NAME params} in `in` (whose columns are
    // described by `origin`) as keepalived does: the replacement is rescanned,
    // `$NAME` needs a following blank, ',', ')' or end of line, undefined
    // names are left alone (with a warning), and a value starting with '~'
    // stops further replacement on the line. `pwd` is the value of ${_PWD}.
    // Undefined names are reported only when `warn_undefined` is set.
    void expand(std::string_view in, const Origin& origin, const std::string& pwd,
                bool warn_undefined, Expansion& result);

private:
    enum class Builtin { None, Pwd, Instance, Random, Hash, Bang };
    struct Definition {
        std::string value;  // multi-line: lines separated by '\n'
        bool multiline = false;
        Builtin builtin = Builtin::None;
        unsigned max_params = 0;
    };

    std::string random_value(std::string_view params, Location loc);

    Diagnostics& diags_;
    std::string config_id_;
    size_t max_expansion_;
    std::mt19937 rng_;
    std::map<std::string, Definition, std::less<>> defs_;
};

bool is_name_start(char c);
bool is_name_char(char c);
// User text for a message, cut to `max` bytes ("..." appended when cut).
std::string excerpt(std::string_view text, size_t max = 80);

}  // namespace halbd::config::detail
