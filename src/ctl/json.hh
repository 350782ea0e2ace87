// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// ctl/json.hh: JsonWriter, the small streaming JSON writer behind every
// `--json` reply of the control socket (ctl/views_*.cc). Strings are escaped
// per RFC 8259 (invalid UTF-8 becomes U+FFFD, so the output is always valid);
// commas are placed by the writer. Owns only the text it builds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace halbd::ctl {

// `s` as a JSON string literal, quotes included.
std::string json_quote(std::string_view s);

class JsonWriter {
public:
    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    // The member name of the next value (inside an object only).
    JsonWriter& key(std::string_view k);

    JsonWriter& value(std::string_view s);
    JsonWriter& value(const char* s) { return value(std::string_view(s)); }
    JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
    JsonWriter& value(bool b);
    JsonWriter& value(int64_t n);
    JsonWriter& value(uint64_t n);
    JsonWriter& value(int n) { return value(static_cast<int64_t>(n)); }
    JsonWriter& value(unsigned n) { return value(static_cast<uint64_t>(n)); }
    JsonWriter& value(double d);  // non-finite values become null
    JsonWriter& null();
    // A value already written as JSON by another writer (trailing newlines
    // dropped), e.g. one view inside `dump --json`.
    JsonWriter& raw(std::string_view json);

    // key(k).value(v) in one call.
    template <typename T>
    JsonWriter& member(std::string_view k, const T& v) {
        key(k);
        return value(v);
    }

    // The text so far; complete once every begin_* has its end_*.
    const std::string& str() const { return out_; }
    bool complete() const { return stack_.empty() && !out_.empty(); }

private:
    void separate();  // a comma before the second and later elements
    std::string out_;
    std::vector<bool> stack_;  // per open container: has it an element yet
    bool after_key_ = false;
};

}  // namespace halbd::ctl
