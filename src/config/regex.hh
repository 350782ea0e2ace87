// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/regex.hh: the url `regex` of HTTP_GET/SSL_GET, compiled with PCRE2
// (8-bit) once, when the configuration loads: validate_lvs() compiles it (a
// bad pattern is a config error at the pattern's file:line:col, so a reload
// with one is refused), the Model holds it, and every checker built from that
// Model matches with it (check/http_regex.hh). Immutable once built, so one
// compiled pattern is shared by every url with the same pattern and options.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hh"

struct pcre2_real_code_8;
struct pcre2_real_match_context_8;
struct pcre2_real_jit_stack_8;

namespace halbd::config {

// Whether name is one of keepalived's `regex_options` (pcre2api compile
// options by their lowercase names: caseless, multiline, dotall, ...).
bool regex_option_known(std::string_view name);

class Regex {
public:
    // options: names accepted by regex_option_known(); stack_start/stack_max:
    // `regex_stack` (bytes of the JIT stack; 0 = PCRE2's default stack).
    // The error reads "missing closing parenthesis at offset 4 of the pattern".
    static core::Result<std::shared_ptr<const Regex>> compile(std::string_view pattern,
                                                              const std::vector<std::string>& options,
                                                              uint32_t stack_start = 0, uint32_t stack_max = 0);
    ~Regex();
    Regex(const Regex&) = delete;
    Regex& operator=(const Regex&) = delete;

    const std::string& pattern() const { return pattern_; }
    const pcre2_real_code_8* code() const { return code_; }
    // The match context carrying the `regex_stack` JIT stack; null = PCRE2's
    // defaults. Not const: PCRE2 takes it mutable, though matching only reads it.
    pcre2_real_match_context_8* match_context() const { return context_; }
    // How many bytes before a match's start it may inspect (lookbehind, \b):
    // what a streaming matcher keeps of the text it has already searched.
    uint32_t max_lookbehind() const { return max_lookbehind_; }

private:
    Regex() = default;
    std::string pattern_;
    pcre2_real_code_8* code_ = nullptr;
    pcre2_real_match_context_8* context_ = nullptr;
    pcre2_real_jit_stack_8* stack_ = nullptr;
    uint32_t max_lookbehind_ = 0;
};

}  // namespace halbd::config
