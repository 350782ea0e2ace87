// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/lexer_impl.hh: the lexer's state, shared by its two files:
// lexer.cc (lines, $macros, @conditionals, ~SEQ/~LST, tokens) and
// lexer_include.cc (every file read from disk: the top-level file, include
// statements, chunked streaming). Not used outside those files.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/lexer.hh"
#include "config/lexer_macros.hh"
#include "config/lexer_seq.hh"
#include "config/read_budget.hh"
#include "core/fd.hh"

namespace halbd::config {

// include, includer, includem, includew, includeb, includea.
enum class IncludeKind { Plain, Readable, Match, Wildcard, Brace, All };

inline bool is_blank(char c) { return c == ' ' || c == '\t'; }

struct Lexer::Impl {
    struct Frame {
        enum class Kind { File, Text, Gen } kind = Kind::File;
        // File: a source text being read line by line. Files on disk are
        // streamed in chunks through `content` (opened when the frame starts,
        // so only the chain of files being read holds an fd), so a large
        // configuration never sits in memory whole next to its model.
        uint32_t file = 0;
        std::unique_ptr<std::string> content;  // stable across Frame moves
        core::UniqueFd fd;                      // valid while more may be read
        std::string open_path;                  // opened when the frame starts
        Location open_loc;
        uint64_t bytes_read = 0;
        size_t pos = 0;
        uint32_t line = 0;
        std::string dir;  // for relative includes; "." if none
        std::string pwd;  // ${_PWD}
        bool started = false;
        bool has_id = false;
        dev_t dev = 0;
        ino_t ino = 0;
        // Text: the remaining lines of a multi-line parameter.
        std::string text;
        std::string def_name;
        Location loc;
        // Gen: a ~SEQ/~LST line repeated once per value.
        std::unique_ptr<detail::Generator> gen;
        std::string body;
        detail::Origin body_origin;
    };

    Impl(SourceManager& s, Diagnostics& d, LexerOptions o);

    SourceManager& sources;
    Diagnostics& diags;
    LexerOptions opts;
    detail::Macros macros;
    std::vector<Frame> frames;
    std::vector<Token> queue;
    size_t queue_pos = 0;
    Location last_loc;

    // A multi-line $NAME= definition being collected.
    bool in_def = false;
    std::string def_name;
    size_t def_frame = 0;

    ReadBudget budget{opts.max_read_bytes, opts.max_read_files};  // of the whole load
    uint64_t generated = 0;  // ~SEQ/~LST iterations so far
    bool generated_capped = false;

    // @ID lines seen and matched: when none matched, the End token says so
    // once (a file written for lb1/lb2 loaded on a host named otherwise).
    bool id_from_host = false;
    uint64_t id_lines = 0, id_matched = 0;
    Location first_id_line;
    void report_unmatched_id();

    detail::Origin origin;    // of the line being processed
    std::string line_buf;     // generated lines are copied here (frames may move)
    detail::Expansion exp[2];
    std::vector<size_t> tok_offs;  // start offsets of the tokens of the current line

    static constexpr size_t kMaxFrames = 4096;

    // Lines and tokens (lexer.cc).
    bool fill();
    void handle_line(std::string_view text, bool cont, detail::Origin& org);
    void process(std::string_view text, bool cont, detail::Origin& org);
    bool tokenize(std::string_view text, const detail::Origin& org);
    size_t escape(std::string_view s, size_t i, std::string& out, const detail::Origin& org);
    const std::string& current_pwd() const;
    const Frame* current_file() const;
    void push_frame(Frame&& f, Location loc);

    // Files and includes (lexer_include.cc): everything read from disk.
    bool check_file(const std::string& path, Location loc, struct stat& st, bool top_level);
    bool push_file(std::string path, std::string text, const struct stat* st, bool top_level,
                   bool stream = false, Location loc = {});
    bool start_stream(Frame& f);
    bool more_input(Frame& f);
    // The tokens queue[first..] of processed line `cur`: an include statement
    // is replaced by the files it names.
    void include_line(size_t first, std::string_view cur);
    void include(const std::string& pattern, IncludeKind kind, Location loc);
};

}  // namespace halbd::config
