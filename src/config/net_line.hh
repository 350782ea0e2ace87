// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/net_line.hh: what the address, route and rule line grammars
// (keywords_address.cc, keywords_route.cc, keywords_rule.cc) share: the words
// of one line, the option table (option word -> handler) and the readers of
// option values, with iproute2 names. Not used outside those files.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "config/vrrp_internal.hh"

namespace halbd::config::vrrp_detail {

// Word j of a line: 0 is the line's first word (Args::keyword), j>0 its arguments.
struct Words {
    Args& a;
    size_t size() const { return a.size() + 1; }
    const std::string& at(size_t j) const { return j == 0 ? a.keyword() : a.str(j - 1); }
    void error(size_t j, std::string m) {
        if (j == 0) a.error(std::move(m));
        else a.error(j - 1, std::move(m));
    }
    void warning(size_t j, std::string m) {
        if (j == 0) a.warning(std::move(m));
        else a.warning(j - 1, std::move(m));
    }
    // The value after option word j; reports and returns nullptr when missing.
    const std::string* value(size_t j) {
        if (j + 1 < size()) return &at(j + 1);
        error(j, "'" + at(j) + "' needs a value");
        return nullptr;
    }
};

// Which lines an option belongs to: virtual_* blocks, static_* blocks or both.
enum class LineUse : uint8_t { Both, VirtualOnly, StaticOnly };

// One option of a line grammar. `parse` reads option word j of the line into
// the grammar's state S, moves j onto the last word it used, and returns
// false after reporting an error that ends the line.
template <class S>
struct LineOption {
    std::string_view name;
    bool (*parse)(S&, Words&, size_t& j) = nullptr;
    LineUse use = LineUse::Both;
};

// A decimal or 0x-hexadecimal number no greater than max.
std::optional<uint64_t> number(std::string_view s, uint64_t max);

// iproute2 name files (rt_tables, rt_protos, ...) with their built-in names.
enum class RtFile { Tables, Protos, Scopes, Realms, Dsfield };
std::optional<uint32_t> rt_lookup(RtFile f, std::string_view s, uint32_t max);

// Readers of the value after option word j: each reports its error and
// returns nullopt on a missing or bad value.
std::optional<uint32_t> rt_value(Words& w, size_t j, RtFile f, uint32_t max, const char* what);
std::optional<uint32_t> uint_value(Words& w, size_t j, uint32_t max);
std::optional<uint32_t> realms_value(Words& w, size_t j);  // [FROM/]TO -> (from << 16) | to
std::optional<net::IpAddress> ip_value(Words& w, size_t j);
// Word j itself as an address/prefix.
std::optional<net::Prefix> prefix_word(Words& w, size_t j);

// Handlers for the common option shapes, for a state S whose line is S::out:
// a bare word setting a bool (`onlink`), a word whose value is kept as
// written (`dev IF`), a number, realms, and an iproute2 name of one byte.
template <class S, auto Flag>
bool flag_option(S& s, Words&, size_t&) {
    s.out.*Flag = true;
    return true;
}
// Value j+1 stored in `out`; moves j onto it.
bool string_value(Words& w, size_t& j, std::string& out);
template <class S, auto Field>
bool string_option(S& s, Words& w, size_t& j) {
    return string_value(w, j, s.out.*Field);
}

template <class S, uint32_t Max, auto Field>
bool uint_option(S& s, Words& w, size_t& j) {
    auto n = uint_value(w, j, Max);
    if (!n) return false;
    s.out.*Field = *n;
    ++j;
    return true;
}
template <class S, auto Field>
bool realms_option(S& s, Words& w, size_t& j) {
    auto r = realms_value(w, j);
    if (!r) return false;
    s.out.*Field = *r;
    ++j;
    return true;
}
template <class S, RtFile F, auto Field>
bool rt_byte_option(S& s, Words& w, size_t& j) {
    static_assert(F == RtFile::Protos || F == RtFile::Scopes || F == RtFile::Dsfield);
    auto n = rt_value(w, j, F, 255, F == RtFile::Protos ? "protocol" : F == RtFile::Scopes ? "scope" : "tos");
    if (!n) return false;
    s.out.*Field = static_cast<uint8_t>(*n);
    ++j;
    return true;
}

// The options of one line grammar, looked up in O(1) (the line-level
// counterpart of KeywordTable).
template <class S>
class LineOptions {
public:
    LineOptions(std::initializer_list<LineOption<S>> options) {
        for (const auto& o : options) add(o);
    }
    void add(const LineOption<S>& o) { map_.emplace(o.name, o); }

    // The handlers of the common shapes above, for this grammar's state.
    template <auto Flag>
    static constexpr auto flag = &flag_option<S, Flag>;
    template <auto Field>
    static constexpr auto text = &string_option<S, Field>;
    template <uint32_t Max, auto Field>
    static constexpr auto u32 = &uint_option<S, Max, Field>;
    template <auto Field>
    static constexpr auto realms = &realms_option<S, Field>;
    template <RtFile F, auto Field>
    static constexpr auto rt_byte = &rt_byte_option<S, F, Field>;

    // The option `word` names on a static_* (is_static) or virtual_* line.
    const LineOption<S>* find(std::string_view word, bool is_static) const {
        auto it = map_.find(word);
        if (it == map_.end()) return nullptr;
        const LineUse use = it->second.use;
        if (use == (is_static ? LineUse::VirtualOnly : LineUse::StaticOnly)) return nullptr;
        return &it->second;
    }

private:
    std::unordered_map<std::string_view, LineOption<S>> map_;
};

// Printing back: a scope by name, realms as [FROM/]TO.
std::string scope_name(uint8_t s);
std::string realms_text(uint32_t r);

// Tracks the family a line's addresses imply; reports a mismatch.
struct FamilyCheck {
    std::optional<net::Family> fam;
    bool check(Words& w, size_t j, net::Family f);
};

net::IpAddress zero(net::Family f);

}  // namespace halbd::config::vrrp_detail
