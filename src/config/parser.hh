// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/parser.hh: the table-driven recursive-descent parser shared by every
// configuration section. A section declares a KeywordTable<T> (keyword ->
// handler filling a typed T); the Parser reads statements from the lexer and
// dispatches them, and owns the behaviour common to all blocks: unknown
// keywords with "did you mean", deprecated and not-yet-implemented keywords,
// unexpected or missing blocks, unterminated blocks and error recovery.
// Called by config::load() and, through handlers, by each section's keywords.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/diagnostics.hh"
#include "config/token.hh"
#include "core/time.hh"
#include "net/address.hh"

namespace halbd::config {

// One logical statement: a keyword, its arguments and whether a block follows.
struct Statement {
    Token keyword;
    std::vector<Token> args;
    bool has_block = false;
};

class Parser;

// The arguments of one statement, with typed accessors that report a precise
// error (at the argument's location) and return nullopt on bad input.
class Args {
public:
    Args(Parser& parser, const Statement& st) : parser_(parser), st_(st) {}

    const std::string& keyword() const { return st_.keyword.text; }
    Location loc() const { return st_.keyword.loc; }
    Location loc(size_t i) const { return i < st_.args.size() ? st_.args[i].loc : st_.keyword.loc; }
    // The arguments the handler reads: count() may cut off extra words.
    size_t size() const { return std::min(st_.args.size(), limit_); }
    bool has(size_t i) const { return i < size(); }
    const std::string& str(size_t i) const;
    bool has_block() const { return st_.has_block; }
    const Statement& statement() const { return st_; }
    Parser& parser() { return parser_; }

    // Reports an error when fewer than `min` arguments are given. Words beyond
    // `max` are what keepalived ignores (its handlers read the slots they
    // know: `virtual_server 192.0.2.1 53 dev eth0.53 {`): a warning naming
    // them, and the handler no longer sees them.
    bool count(size_t min, size_t max);
    bool count(size_t n) { return count(n, n); }
    // No more than `n` arguments (as count(0, n): extra words warned about).
    bool at_most(size_t n) { return count(0, n); }
    // As count(), but words beyond `max` are an error: for the keywords whose
    // meaning extra words would change, or that keepalived itself refuses
    // with extra words (`vrrp_instance NAME extra`: "must have a name").
    bool exactly(size_t min, size_t max);
    bool exactly(size_t n) { return exactly(n, n); }

    std::optional<uint64_t> uint(size_t i, uint64_t min, uint64_t max);
    std::optional<int64_t> integer(size_t i, int64_t min, int64_t max);
    // A number that keepalived replaces when out of range (`quorum 0`: "must
    // be in [1, 4294967295]. Setting to 1."): a warning and `fallback`, where
    // uint() would refuse; a word that is not a number is still an error.
    std::optional<uint64_t> uint_or(size_t i, uint64_t min, uint64_t max, uint64_t fallback);
    // Seconds with an optional fraction ("1", "0.01", "2.71828"), microsecond resolution.
    std::optional<Duration> timer(size_t i, Duration min, Duration max);
    // on|off|true|false|yes|no; a missing argument means true.
    std::optional<bool> boolean(size_t i);
    std::optional<net::IpAddress> ip(size_t i);
    std::optional<net::Prefix> prefix(size_t i);
    std::optional<uint16_t> port(size_t i, bool allow_zero = false);
    // One of `choices` (case-sensitive); reports the valid choices otherwise.
    std::optional<std::string> choice(size_t i, std::initializer_list<std::string_view> choices);
    // Arguments from `from` on, joined with single spaces / as a vector.
    std::string rest(size_t from) const;
    std::vector<std::string> strings(size_t from) const;

    void error(size_t i, std::string message);
    void error(std::string message);
    void warning(size_t i, std::string message);
    void warning(std::string message);

    // Set by Parser::block()/list() so the dispatcher knows the block was read.
    bool block_consumed = false;

private:
    Parser& parser_;
    const Statement& st_;
    size_t limit_ = SIZE_MAX;
};

enum KeywordFlags : uint8_t {
    kNone = 0,
    // Recognised keepalived keyword that halbd does not act on yet: a warning
    // saying so (with `note` as the reason), then ignored (its block skipped).
    kUnimplemented = 1,
    // Old spelling: a warning naming the modern form (`note`), then handled.
    kDeprecated = 2,
    // Old keyword with no effect any more: a warning (`note` says why), ignored.
    kObsolete = 4,
    // A keepalived flag whose handler never reads its arguments: keepalived
    // turns it on whatever follows (`vrrp_strict 1`, `vrrp_strict off`). The
    // parser drops the words before the handler runs, warning when they read
    // as "off" or as nothing boolean; the handler sees a bare flag.
    kFlag = 8,
    // With kDeprecated: an old spelling keepalived itself takes silently
    // (lb_algo, lb_kind): the deprecation is a note, shown with -D or -d only.
    kQuiet = 16,
};

template <class T>
struct Keyword {
    std::string_view name;
    void (*handler)(T&, Args&) = nullptr;
    uint8_t flags = kNone;
    std::string_view note = {};
};

// Keywords valid inside one kind of block, looked up in O(1).
template <class T>
class KeywordTable {
public:
    KeywordTable(std::string_view block_name, std::initializer_list<Keyword<T>> keywords)
        : block_name_(block_name) {
        add(keywords);
    }
    void add(std::initializer_list<Keyword<T>> keywords) {
        for (const auto& k : keywords) {
            if (map_.emplace(k.name, k).second) names_.push_back(k.name);
        }
    }
    const Keyword<T>* find(std::string_view name) const {
        auto it = map_.find(name);
        return it == map_.end() ? nullptr : &it->second;
    }
    std::string_view block_name() const { return block_name_; }
    const std::vector<std::string_view>& names() const { return names_; }

    // For blocks whose old grammar had bare lines (keepalived's first
    // vrrp_sync_group form lists members without `group { }`): called for a
    // keyword the table does not know; returns false to report it as unknown.
    using Fallback = bool (*)(T&, Args&);
    void set_fallback(Fallback fn) { fallback_ = fn; }
    Fallback fallback() const { return fallback_; }

private:
    std::string_view block_name_;
    Fallback fallback_ = nullptr;
    std::unordered_map<std::string_view, Keyword<T>> map_;
    std::vector<std::string_view> names_;
};

// The closest of `candidates` to `word`, if close enough to be a likely typo.
std::optional<std::string_view> closest_match(std::string_view word,
                                              const std::vector<std::string_view>& candidates);

class Parser {
public:
    Parser(TokenSource& source, Diagnostics& diags) : source_(source), diags_(diags) {}

    Diagnostics& diags() { return diags_; }

    // Parses statements until the end of input into `obj` (the top level).
    template <class T>
    void parse_top(const KeywordTable<T>& table, T& obj) {
        Statement st;
        for (;;) {
            switch (read_statement(st)) {
                case Read::End: return;
                case Read::Close: diags_.error(st.keyword.loc, "unmatched '}'"); continue;
                case Read::Statement: dispatch(table, obj, st); break;
            }
        }
    }

    // For a handler whose keyword opens a block: parses the block into `obj`.
    // Reports "expected '{'" and returns false when the statement has no block.
    template <class T>
    bool block(Args& a, const KeywordTable<T>& table, T& obj) {
        return each_statement(a, [&](const Statement& st) { dispatch(table, obj, st); });
    }

    // For a handler whose block is a list (each line an item, e.g.
    // virtual_ipaddress): calls fn(Args&) once per line, the line's first word
    // being Args::keyword(). Nested blocks inside a list are errors.
    template <class Fn>
    bool list(Args& a, Fn&& fn) {
        return each_statement(a, [&](const Statement& st) {
            Args item(*this, st);
            fn(item);
            if (st.has_block) {
                diags_.error(st.keyword.loc, "unexpected block in '" + a.keyword() + "' list");
                skip_block();
            }
        });
    }

private:
    enum class Read { Statement, Close, End };
    Read read_statement(Statement& st);
    Token next_token();
    // Reads the statements of the block `a` opens, calling fn for each, up to
    // its '}' (or the end of input, reported as an unterminated block).
    template <class Fn>
    bool each_statement(Args& a, Fn&& fn) {
        if (!open_block(a)) return false;
        Statement st;
        for (;;) {
            switch (read_statement(st)) {
                case Read::Close: --depth_; return true;
                case Read::End: unterminated(a); --depth_; return true;
                case Read::Statement: fn(st); break;
            }
        }
    }
    bool open_block(Args& a);
    void unterminated(Args& a);
    // Skips to the '}' matching an already consumed '{', without recursion.
    void skip_block();
    // Handles flags, unknown keywords and leftover blocks; true if the handler
    // should run. `name` is the keyword the messages speak of.
    bool pre_dispatch(const Statement& st, std::string_view name, std::string_view block, uint8_t flags,
                      std::string_view note, bool known, const std::vector<std::string_view>& names);
    void post_dispatch(const Statement& st, const Args& a);

    template <class T>
    void dispatch(const KeywordTable<T>& table, T& obj, const Statement& st) {
        const Keyword<T>* kw = table.find(st.keyword.text);
        if (!kw && table.fallback() && !st.has_block) {
            Args a(*this, st);
            if (table.fallback()(obj, a)) return;
        }
        if (!pre_dispatch(st, st.keyword.text, table.block_name(), kw ? kw->flags : 0,
                          kw ? kw->note : "", kw != nullptr, table.names()))
            return;
        if (!kw->handler) {
            // A deprecated name with no handler of its own: after the
            // deprecation warning, the modern keyword's treatment (e.g. an old
            // spelling of a keyword halbd does not implement).
            const Keyword<T>* modern = table.find(kw->note);
            if (!pre_dispatch(st, kw->note, table.block_name(),
                              static_cast<uint8_t>(modern ? modern->flags & ~kDeprecated : kUnimplemented),
                              modern ? modern->note : "", true, table.names()) ||
                !modern || !modern->handler)
                return;
            kw = modern;
        }
        if ((kw->flags & kFlag) && !st.args.empty()) {
            const Statement bare = flag_without_value(st);
            Args a(*this, bare);
            kw->handler(obj, a);
            post_dispatch(bare, a);
            return;
        }
        Args a(*this, st);
        kw->handler(obj, a);
        post_dispatch(st, a);
    }
    // For a kFlag keyword given words: warns as keepalived would not (it is
    // silent) only where the words suggest the operator meant something else.
    Statement flag_without_value(const Statement& st);

    TokenSource& source_;
    Diagnostics& diags_;
    std::optional<Token> peeked_;
    size_t depth_ = 0;
};

}  // namespace halbd::config
