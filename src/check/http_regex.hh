// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/http_regex.hh: BodyRegex, the url `regex` of HTTP_GET/SSL_GET matched
// against a response body as it streams in (PCRE2 partial matching), so a
// match that spans two reads is found and a body of any size is searched in
// bounded memory. Pure (no I/O, no logging); fed by http::ResponseParser with
// the same body bytes as the digest, owned by HttpChecker (one per checker,
// reused by every attempt). The compiled pattern is config::Regex.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "config/regex.hh"

struct pcre2_real_match_data_8;

namespace halbd::check::http {

class BodyRegex {
public:
    // The longest partial match kept between reads. A partial match that
    // grows past it (`a.*z` over a large page without z) is dropped, as
    // keepalived drops it, and the search goes on after it.
    static constexpr size_t kMaxRetained = 64 * 1024;

    BodyRegex() = default;
    ~BodyRegex();
    BodyRegex(const BodyRegex&) = delete;
    BodyRegex& operator=(const BodyRegex&) = delete;

    // Starts a new body. min_offset/max_offset (regex_min_offset/_max_offset)
    // bound where in the body a match may start, both inclusive; re must
    // outlive the matching (the checker's HttpSpec holds it).
    void reset(const config::Regex& re, uint64_t min_offset = 0, std::optional<uint64_t> max_offset = {});

    // The next bytes of the body.
    void feed(const char* data, size_t size);
    // The body ended: a match that needed to know the end ($, \z, a greedy
    // tail) is decided now.
    void finish();

    bool matched() const { return state_ == State::Matched; }
    // The body offset where the match starts; meaningful when matched().
    uint64_t match_offset() const { return match_offset_; }
    // Why the search stopped without a verdict (a PCRE2 match error such as
    // its heap limit); empty otherwise. The body then counts as not matching.
    const std::string& error() const { return error_; }
    // Bytes held between reads (for tests of the memory bound).
    size_t retained() const { return buf_.size(); }

private:
    enum class State : uint8_t { Searching, Matched, NotMatched };
    void search(bool at_end);
    void keep_from(size_t index);  // drops buf_[0, index)
    void stop(State s);

    const config::Regex* re_ = nullptr;
    pcre2_real_match_data_8* md_ = nullptr;  // room for the whole match only
    State state_ = State::NotMatched;
    uint64_t min_offset_ = 0;
    std::optional<uint64_t> max_offset_;
    std::string buf_;      // the body's bytes [base_, base_ + buf_.size()) still needed
    uint64_t base_ = 0;
    size_t from_ = 0;      // index in buf_ where the next search starts; bytes before it are context
    uint64_t match_offset_ = 0;
    std::string error_;
};

}  // namespace halbd::check::http
