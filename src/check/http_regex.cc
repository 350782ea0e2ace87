// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/http_regex.cc: see http_regex.hh. Each read is appended to what the
// previous search left and searched with PCRE2_PARTIAL_HARD: a complete
// match ends the search; a partial one (the pattern ran into the end of the
// bytes so far) keeps the bytes from its start, so the next read completes
// it; no match keeps only the few bytes a lookbehind or \b of the next
// search may inspect. At the end of the body one last search without
// partial matching decides what needed the end ($, greedy tails).
#define PCRE2_CODE_UNIT_WIDTH 8
#include "check/http_regex.hh"

#include <pcre2.h>

#include <algorithm>

namespace halbd::check::http {

namespace {

std::string match_error_text(int code) {
    PCRE2_UCHAR buf[256];
    if (pcre2_get_error_message(code, buf, sizeof buf) < 0) return "PCRE2 error " + std::to_string(code);
    return "regex match error: " + std::string(reinterpret_cast<const char*>(buf));
}

}  // namespace

BodyRegex::~BodyRegex() {
    if (md_) pcre2_match_data_free(md_);
}

void BodyRegex::reset(const config::Regex& re, uint64_t min_offset, std::optional<uint64_t> max_offset) {
    re_ = &re;
    if (!md_) md_ = pcre2_match_data_create(1, nullptr);
    state_ = md_ ? State::Searching : State::NotMatched;
    error_ = md_ ? "" : "regex match error: out of memory";
    min_offset_ = min_offset;
    max_offset_ = max_offset;
    if (buf_.capacity() > 2 * kMaxRetained) std::string().swap(buf_);  // one odd body keeps no memory
    buf_.clear();
    base_ = 0;
    from_ = 0;
    match_offset_ = 0;
}

void BodyRegex::feed(const char* data, size_t size) {
    if (state_ != State::Searching || size == 0) return;
    buf_.append(data, size);
    search(false);
}

void BodyRegex::finish() {
    if (state_ == State::Searching) search(true);
}

void BodyRegex::stop(State s) {
    state_ = s;
    buf_.clear();
}

void BodyRegex::keep_from(size_t index) {
    buf_.erase(0, index);
    base_ += index;
}

void BodyRegex::search(bool at_end) {
    // Bytes kept before the next search's start: what it may look back at
    // (at least one, so that ^ in multiline mode sees the preceding newline).
    const size_t context = std::max<size_t>(re_->max_lookbehind(), 1);
    const uint64_t end = base_ + buf_.size();
    const uint64_t start = std::max<uint64_t>(base_ + from_, min_offset_);
    if (max_offset_ && start > *max_offset_) return stop(State::NotMatched);
    if (start > end) {  // regex_min_offset is further on
        if (at_end) return stop(State::NotMatched);
        keep_from(buf_.size() > context ? buf_.size() - context : 0);
        from_ = buf_.size();
        return;
    }
    // The subject starts inside the body once bytes were dropped: ^ must
    // not match there.
    const uint32_t options = (at_end ? 0 : PCRE2_PARTIAL_HARD) | (base_ > 0 ? PCRE2_NOTBOL : 0);
    const int rc = pcre2_match(re_->code(), reinterpret_cast<PCRE2_SPTR>(buf_.data()), buf_.size(),
                               static_cast<PCRE2_SIZE>(start - base_), options, md_, re_->match_context());
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md_);
    if (rc >= 0) {  // 0: more groups than the match data holds; the match itself is in ov[0]
        const uint64_t at = base_ + ov[0];
        if (max_offset_ && at > *max_offset_) return stop(State::NotMatched);  // the leftmost match is too far
        match_offset_ = at;
        return stop(State::Matched);
    }
    if (rc == PCRE2_ERROR_NOMATCH) {
        if (at_end) return stop(State::NotMatched);
        // Nothing that starts before the end can match: keep only context.
        keep_from(buf_.size() > context ? buf_.size() - context : 0);
        from_ = buf_.size();
        return;
    }
    if (rc == PCRE2_ERROR_PARTIAL) {
        if (max_offset_ && base_ + ov[0] > *max_offset_) return stop(State::NotMatched);
        const size_t keep = ov[0] > context ? ov[0] - context : 0;
        keep_from(keep);
        from_ = ov[0] - keep;
        if (buf_.size() - from_ > kMaxRetained) {
            // Too long a partial match: give it up, search on after these bytes.
            keep_from(buf_.size() - context);
            from_ = buf_.size();
        }
        return;
    }
    error_ = match_error_text(rc);
    stop(State::NotMatched);
}

}  // namespace halbd::check::http
