// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/parser.cc: statement reading, error recovery and typed argument
// conversion for the table-driven parser (see parser.hh).
#include "config/parser.hh"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace halbd::config {

namespace {

std::string quote(std::string_view s) { return "'" + std::string(s) + "'"; }

// Optimal string alignment distance (Levenshtein plus adjacent transposition).
size_t edit_distance(std::string_view a, std::string_view b) {
    const size_t n = a.size(), m = b.size();
    std::vector<size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
    for (size_t j = 0; j <= m; ++j) prev[j] = j;
    for (size_t i = 1; i <= n; ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= m; ++j) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                cur[j] = std::min(cur[j], prev2[j - 2] + 1);
        }
        std::swap(prev2, prev);
        std::swap(prev, cur);
    }
    return prev[m];
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace

std::optional<std::string_view> closest_match(std::string_view word,
                                              const std::vector<std::string_view>& candidates) {
    if (word.size() > 64) return std::nullopt;
    const std::string w = lower(word);
    std::optional<std::string_view> best;
    size_t best_d = std::max<size_t>(2, word.size() / 3) + 1;
    for (auto c : candidates) {
        size_t d = edit_distance(w, lower(c));
        if (d < best_d) {
            best_d = d;
            best = c;
        }
    }
    return best;
}

// ---- Args ----------------------------------------------------------------

const std::string& Args::str(size_t i) const {
    static const std::string empty;
    return i < st_.args.size() ? st_.args[i].text : empty;
}

bool Args::count(size_t min, size_t max) {
    const size_t n = size();
    if (n > max && n >= min) {
        warning(max, quote(keyword()) + " takes " +
                         (max == 0 ? std::string("no arguments")
                                   : (min == max ? "" : "at most ") + std::to_string(max) +
                                         (max == 1 ? " argument" : " arguments")) +
                         "; ignoring " + quote(rest(max)) + ", as keepalived does");
        limit_ = max;
        return true;
    }
    return exactly(min, max);
}

bool Args::exactly(size_t min, size_t max) {
    const size_t n = size();
    if (n >= min && n <= max) return true;
    std::string want;
    if (min == max)
        want = std::to_string(min) + (min == 1 ? " argument" : " arguments");
    else if (max == SIZE_MAX)
        want = "at least " + std::to_string(min) + (min == 1 ? " argument" : " arguments");
    else
        want = std::to_string(min) + " to " + std::to_string(max) + " arguments";
    if (n > max)
        error(max, quote(keyword()) + " takes " + want + ", got " + std::to_string(n) +
                       " (unexpected " + quote(str(max)) + ")");
    else
        error(quote(keyword()) + " takes " + want + ", got " + std::to_string(n));
    return false;
}

std::optional<uint64_t> Args::uint(size_t i, uint64_t min, uint64_t max) {
    if (!has(i)) {
        error(quote(keyword()) + " needs a number between " + std::to_string(min) + " and " +
              std::to_string(max));
        return std::nullopt;
    }
    const std::string& s = str(i);
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc::result_out_of_range || (ec == std::errc() && p == s.data() + s.size() &&
                                                 (v < min || v > max))) {
        error(i, quote(keyword()) + " value " + s + " is out of range " + std::to_string(min) +
                     "-" + std::to_string(max));
        return std::nullopt;
    }
    if (ec != std::errc() || p != s.data() + s.size()) {
        error(i, quote(keyword()) + " expects a number, got " + quote(s));
        return std::nullopt;
    }
    return v;
}

std::optional<uint64_t> Args::uint_or(size_t i, uint64_t min, uint64_t max, uint64_t fallback) {
    if (!has(i)) return uint(i, min, max);
    const std::string& s = str(i);
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    const bool digits = !s.empty() && p == s.data() + s.size();
    if (digits && (ec == std::errc::result_out_of_range || (ec == std::errc() && (v < min || v > max)))) {
        warning(i, quote(keyword()) + " value " + s + " is out of range " + std::to_string(min) + "-" +
                       std::to_string(max) + "; using " + std::to_string(fallback) + " as keepalived does");
        return fallback;
    }
    return uint(i, min, max);
}

std::optional<int64_t> Args::integer(size_t i, int64_t min, int64_t max) {
    if (!has(i)) {
        error(quote(keyword()) + " needs a number between " + std::to_string(min) + " and " +
              std::to_string(max));
        return std::nullopt;
    }
    const std::string& s = str(i);
    int64_t v = 0;
    const char* b = s.data();
    if (!s.empty() && s[0] == '+') ++b;
    auto [p, ec] = std::from_chars(b, s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || s.empty()) {
        if (ec == std::errc::result_out_of_range)
            error(i, quote(keyword()) + " value " + s + " is out of range " + std::to_string(min) +
                         "-" + std::to_string(max));
        else
            error(i, quote(keyword()) + " expects a number, got " + quote(s));
        return std::nullopt;
    }
    if (v < min || v > max) {
        error(i, quote(keyword()) + " value " + s + " is out of range " + std::to_string(min) +
                     "-" + std::to_string(max));
        return std::nullopt;
    }
    return v;
}

std::optional<Duration> Args::timer(size_t i, Duration min, Duration max) {
    if (!has(i)) {
        error(quote(keyword()) + " needs a time in seconds");
        return std::nullopt;
    }
    const std::string& s = str(i);
    // Parse digits[.digits] by hand: exact to the microsecond, no locale, no float rounding.
    uint64_t whole = 0, frac = 0;
    size_t pos = 0, frac_digits = 0;
    bool any = false, ok = true;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
        if (whole > 1'000'000'000ULL) ok = false;
        whole = whole * 10 + static_cast<uint64_t>(s[pos++] - '0');
        any = true;
    }
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
            if (frac_digits < 6) {
                frac = frac * 10 + static_cast<uint64_t>(s[pos] - '0');
                ++frac_digits;
            }
            ++pos;
            any = true;
        }
    }
    if (!any || pos != s.size()) {
        error(i, quote(keyword()) + " expects a time in seconds (e.g. 1 or 0.5), got " + quote(s));
        return std::nullopt;
    }
    while (frac_digits < 6) {
        frac *= 10;
        ++frac_digits;
    }
    auto us = std::chrono::microseconds(static_cast<int64_t>(whole) * 1'000'000 +
                                        static_cast<int64_t>(frac));
    Duration d = std::chrono::duration_cast<Duration>(us);
    if (!ok || d < min || d > max) {
        auto secs = [](Duration x) {
            double v = std::chrono::duration<double>(x).count();
            char buf[32];
            std::snprintf(buf, sizeof buf, "%g", v);
            return std::string(buf);
        };
        error(i, quote(keyword()) + " value " + s + " is out of range " + secs(min) + "-" +
                     secs(max) + " seconds");
        return std::nullopt;
    }
    return d;
}

std::optional<bool> Args::boolean(size_t i) {
    if (!has(i)) return true;
    const std::string s = lower(str(i));
    if (s == "on" || s == "true" || s == "yes") return true;
    if (s == "off" || s == "false" || s == "no") return false;
    error(i, quote(keyword()) + " expects on|off|true|false|yes|no, got " + quote(str(i)));
    return std::nullopt;
}

std::optional<net::IpAddress> Args::ip(size_t i) {
    if (!has(i)) {
        error(quote(keyword()) + " needs an IP address");
        return std::nullopt;
    }
    auto a = net::IpAddress::parse(str(i));
    if (!a) error(i, quote(str(i)) + " is not a valid IPv4 or IPv6 address");
    return a;
}

std::optional<net::Prefix> Args::prefix(size_t i) {
    if (!has(i)) {
        error(quote(keyword()) + " needs an address or prefix");
        return std::nullopt;
    }
    auto p = net::Prefix::parse(str(i));
    if (!p) error(i, quote(str(i)) + " is not a valid IPv4 or IPv6 address/prefix");
    return p;
}

std::optional<uint16_t> Args::port(size_t i, bool allow_zero) {
    auto v = uint(i, allow_zero ? 0 : 1, 65535);
    if (!v) return std::nullopt;
    return static_cast<uint16_t>(*v);
}

std::optional<std::string> Args::choice(size_t i, std::initializer_list<std::string_view> choices) {
    std::string valid;
    for (auto c : choices) {
        if (has(i) && str(i) == c) return std::string(c);
        if (!valid.empty()) valid += '|';
        valid += c;
    }
    if (has(i))
        error(i, quote(keyword()) + " expects " + valid + ", got " + quote(str(i)));
    else
        error(quote(keyword()) + " expects " + valid);
    return std::nullopt;
}

std::string Args::rest(size_t from) const {
    std::string out;
    for (size_t i = from; i < size(); ++i) {
        if (i > from) out += ' ';
        out += str(i);
    }
    return out;
}

std::vector<std::string> Args::strings(size_t from) const {
    std::vector<std::string> out;
    for (size_t i = from; i < size(); ++i) out.push_back(str(i));
    return out;
}

void Args::error(size_t i, std::string message) { parser_.diags().error(loc(i), std::move(message)); }
void Args::error(std::string message) { parser_.diags().error(loc(), std::move(message)); }
void Args::warning(size_t i, std::string message) {
    parser_.diags().warning(loc(i), std::move(message));
}
void Args::warning(std::string message) { parser_.diags().warning(loc(), std::move(message)); }

// ---- Parser --------------------------------------------------------------

Token Parser::next_token() {
    if (peeked_) {
        Token t = std::move(*peeked_);
        peeked_.reset();
        return t;
    }
    return source_.next();
}

Parser::Read Parser::read_statement(Statement& st) {
    st.args.clear();
    st.has_block = false;
    for (;;) {
        Token t = next_token();
        switch (t.kind) {
            case TokenKind::End: st.keyword = std::move(t); return Read::End;
            case TokenKind::EndOfLine: continue;
            case TokenKind::RBrace: st.keyword = std::move(t); return Read::Close;
            case TokenKind::LBrace:
                // A block with no keyword: report it and skip it whole.
                diags_.error(t.loc, "block without a keyword");
                skip_block();
                continue;
            case TokenKind::Word: st.keyword = std::move(t); break;
        }
        break;
    }
    for (;;) {
        Token t = next_token();
        switch (t.kind) {
            case TokenKind::Word: st.args.push_back(std::move(t)); continue;
            case TokenKind::LBrace: st.has_block = true; return Read::Statement;
            case TokenKind::RBrace:
            case TokenKind::End: peeked_ = std::move(t); return Read::Statement;
            case TokenKind::EndOfLine: {
                // keepalived accepts the '{' of a block on the following line.
                Token n = next_token();
                if (n.kind == TokenKind::LBrace)
                    st.has_block = true;
                else
                    peeked_ = std::move(n);
                return Read::Statement;
            }
        }
    }
}

void Parser::skip_block() {
    size_t depth = 1;
    while (depth > 0) {
        Token t = next_token();
        if (t.kind == TokenKind::LBrace) ++depth;
        else if (t.kind == TokenKind::RBrace) --depth;
        else if (t.kind == TokenKind::End) {
            peeked_ = std::move(t);
            return;
        }
    }
}

bool Parser::open_block(Args& a) {
    if (!a.has_block()) {
        a.error("expected '{' after " + quote(a.keyword()));
        return false;
    }
    a.block_consumed = true;
    ++depth_;
    return true;
}

void Parser::unterminated(Args& a) {
    a.error("unterminated block " + quote(a.keyword()) + ": missing '}'");
}

bool Parser::pre_dispatch(const Statement& st, std::string_view kw, std::string_view block,
                          uint8_t flags, std::string_view note, bool known,
                          const std::vector<std::string_view>& names) {
    if (!known) {
        std::string msg = "unknown keyword " + quote(kw);
        msg += block.empty() ? " at top level" : " in " + quote(block);
        if (auto m = closest_match(kw, names)) msg += "; did you mean " + quote(*m) + "?";
        diags_.error(st.keyword.loc, std::move(msg));
        if (st.has_block) skip_block();
        return false;
    }
    if (flags & kUnimplemented) {
        diags_.warning(st.keyword.loc, not_implemented(quote(kw), note));
        if (st.has_block) skip_block();
        return false;
    }
    if (flags & kObsolete) {
        std::string msg = quote(kw) + " is obsolete and ignored";
        if (!note.empty()) msg += ": " + std::string(note);
        diags_.warning(st.keyword.loc, std::move(msg));
        if (st.has_block) skip_block();
        return false;
    }
    if ((flags & kDeprecated) && (flags & kQuiet))
        diags_.note_once("deprecated " + std::string(kw), st.keyword.loc,
                         quote(kw) + " is an old spelling of " + quote(note) + " (keepalived takes both)");
    else if (flags & kDeprecated)
        diags_.warning_once("deprecated " + std::string(kw), st.keyword.loc,
                            quote(kw) + " is deprecated; use " + quote(note) + " instead");
    return true;
}

Statement Parser::flag_without_value(const Statement& st) {
    const std::string v = lower(st.args[0].text);
    const std::string kw = quote(st.keyword.text);
    if (st.args.size() == 1 && (v == "1" || v == "on" || v == "true" || v == "yes")) {
        // keepalived is silent here and so is halbd: the value says what it does.
    } else if (st.args.size() == 1 && (v == "0" || v == "off" || v == "false" || v == "no")) {
        diags_.warning(st.args[0].loc, kw + " is a flag: keepalived ignores " + quote(st.args[0].text) +
                                           " and turns it on, and so does halbd; remove the line to leave it off");
    } else {
        diags_.warning(st.args[0].loc, kw + " is a flag and takes no value; ignoring " +
                                           quote(st.args[0].text) + (st.args.size() > 1 ? " and what follows" : ""));
    }
    return Statement{st.keyword, {}, st.has_block};
}

void Parser::post_dispatch(const Statement& st, const Args& a) {
    if (st.has_block && !a.block_consumed) {
        diags_.error(st.keyword.loc, quote(st.keyword.text) + " does not take a block");
        skip_block();
    }
}

}  // namespace halbd::config
