// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// announce/bird_reply.hh: BIRD's control-socket replies, read from a byte
// stream (pure; no socket here, so every case is a unit test). BIRD writes
// one reply per command: lines "NNNN-text" (more follows), " text" (a
// continuation of the previous code) and a last line "NNNN text". Codes
// 0xxx report actions ("0011-vip1: enabled", "0008 already disabled"),
// 1xxx/2xxx table rows and headers, 8xxx run-time errors, 9xxx parse errors.
// The greeting on connect ("0001 BIRD 2.0.12 ready.") is a reply too.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace halbd::announce {

struct BirdLine {
    int code = 0;  // of this line (a continuation inherits the one before)
    std::string text;
};

struct BirdReply {
    std::vector<BirdLine> lines;  // the last one is the final "NNNN text" line
    int final_code() const { return lines.empty() ? 0 : lines.back().code; }
    // An error reply (a code 8000-9999 on any line).
    bool failed() const;
    // The first error line's text, else the first line's ("vip1: enabled").
    std::string summary() const;
};

// Splits the stream into replies. Lines longer than max_line, or lines
// that are not BIRD's format, make the reader broken() for good: the
// connection is then out of step and must be dropped.
class BirdReplyReader {
public:
    explicit BirdReplyReader(size_t max_line = 4096) : max_line_(max_line) {}

    void feed(std::string_view bytes);
    // The next complete reply, oldest first.
    std::optional<BirdReply> next();
    bool broken() const { return !broken_.empty(); }
    const std::string& why_broken() const { return broken_; }

private:
    void line(std::string_view l);

    size_t max_line_;
    std::string partial_;
    BirdReply building_;
    std::vector<BirdReply> done_;
    size_t taken_ = 0;
    std::string broken_;
};

}  // namespace halbd::announce
