// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/regex.cc: see regex.hh. The option names are keepalived's
// (check_http.c), mapped to PCRE2's compile options.
#define PCRE2_CODE_UNIT_WIDTH 8
#include "config/regex.hh"

#include <pcre2.h>

#include <algorithm>
#include <iterator>

namespace halbd::config {

namespace {

struct RegexOption {
    std::string_view name;
    uint32_t bit;
};

constexpr RegexOption kOptions[] = {
    {"allow_empty_class", PCRE2_ALLOW_EMPTY_CLASS},
    {"alt_bsux", PCRE2_ALT_BSUX},
    {"auto_callout", PCRE2_AUTO_CALLOUT},
    {"caseless", PCRE2_CASELESS},
    {"dollar_endonly", PCRE2_DOLLAR_ENDONLY},
    {"dotall", PCRE2_DOTALL},
    {"dupnames", PCRE2_DUPNAMES},
    {"extended", PCRE2_EXTENDED},
    {"firstline", PCRE2_FIRSTLINE},
    {"match_unset_backref", PCRE2_MATCH_UNSET_BACKREF},
    {"multiline", PCRE2_MULTILINE},
    {"never_ucp", PCRE2_NEVER_UCP},
    {"never_utf", PCRE2_NEVER_UTF},
    {"no_auto_capture", PCRE2_NO_AUTO_CAPTURE},
    {"no_auto_possess", PCRE2_NO_AUTO_POSSESS},
    {"no_dotstar_anchor", PCRE2_NO_DOTSTAR_ANCHOR},
    {"no_start_optimize", PCRE2_NO_START_OPTIMIZE},
    {"ucp", PCRE2_UCP},
    {"ungreedy", PCRE2_UNGREEDY},
    {"utf", PCRE2_UTF},
    {"never_backslash_c", PCRE2_NEVER_BACKSLASH_C},
    {"alt_circumflex", PCRE2_ALT_CIRCUMFLEX},
    {"alt_verbnames", PCRE2_ALT_VERBNAMES},
    {"use_offset_limit", PCRE2_USE_OFFSET_LIMIT},
};

const RegexOption* find_option(std::string_view name) {
    auto it = std::find_if(std::begin(kOptions), std::end(kOptions),
                           [name](const RegexOption& o) { return o.name == name; });
    return it == std::end(kOptions) ? nullptr : it;
}

std::string error_text(int code) {
    PCRE2_UCHAR buf[256];
    if (pcre2_get_error_message(code, buf, sizeof buf) < 0) return "PCRE2 error " + std::to_string(code);
    return reinterpret_cast<const char*>(buf);
}

}  // namespace

bool regex_option_known(std::string_view name) { return find_option(name) != nullptr; }

core::Result<std::shared_ptr<const Regex>> Regex::compile(std::string_view pattern,
                                                          const std::vector<std::string>& options,
                                                          uint32_t stack_start, uint32_t stack_max) {
    uint32_t bits = 0;
    for (const auto& name : options) {
        const RegexOption* o = find_option(name);
        if (!o) return core::Error{0, "unknown regex option '" + name + "'"};
        bits |= o->bit;
    }
    std::shared_ptr<Regex> r(new Regex());
    r->pattern_ = std::string(pattern);
    int err = 0;
    PCRE2_SIZE offset = 0;
    r->code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), bits, &err, &offset,
                             nullptr);
    if (!r->code_) return core::Error{0, error_text(err) + " at offset " + std::to_string(offset) + " of the pattern"};
    pcre2_pattern_info(r->code_, PCRE2_INFO_MAXLOOKBEHIND, &r->max_lookbehind_);
    // Both modes: partial matching while the body streams in, a complete
    // match at its end. Without JIT (an unsupported CPU) PCRE2 interprets.
    (void)pcre2_jit_compile(r->code_, PCRE2_JIT_COMPLETE | PCRE2_JIT_PARTIAL_HARD);
    if (stack_max) {
        r->context_ = pcre2_match_context_create(nullptr);
        r->stack_ = pcre2_jit_stack_create(std::max<uint32_t>(stack_start, 1), stack_max, nullptr);
        if (!r->context_ || !r->stack_) return core::Error{0, "cannot allocate the regex_stack of " + std::to_string(stack_max) + " bytes"};
        pcre2_jit_stack_assign(r->context_, nullptr, r->stack_);
    }
    return std::shared_ptr<const Regex>(std::move(r));
}

Regex::~Regex() {
    if (context_) pcre2_match_context_free(context_);
    if (stack_) pcre2_jit_stack_free(stack_);
    if (code_) pcre2_code_free(code_);
}

}  // namespace halbd::config
