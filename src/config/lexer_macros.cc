// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/lexer_macros.cc: see lexer_macros.hh. Parameter definitions and the
// keepalived-compatible expansion of `$NAME`, `${NAME}` and `${_RANDOM MIN MAX}`
// on one line, bounded so that recursive or explosive definitions cannot hang.
#include "config/lexer_macros.hh"

#include <algorithm>
#include <deque>

namespace halbd::config::detail {

bool is_name_start(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

std::string excerpt(std::string_view text, size_t max) {
    if (text.size() <= max)
        return std::string(text);
    return std::string(text.substr(0, max)) + "...";
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

uint32_t Origin::col_at_slow(size_t off) const {
    if (segs.empty())
        return 0;
    auto it = std::upper_bound(segs.begin(), segs.end(), off,
                               [](size_t o, const ColSeg& s) { return o < s.off; });
    const ColSeg& s = *(it == segs.begin() ? it : it - 1);
    return s.step ? s.col + static_cast<uint32_t>(off - s.off) : s.col;
}

void Origin::shift(size_t by) {
    if (by == 0 || segs.empty())
        return;
    std::vector<ColSeg> out;
    out.push_back({0, col_at(by), true});
    for (const ColSeg& s : segs) {
        if (s.off <= by) {
            out[0].step = s.step;
            continue;
        }
        out.push_back({static_cast<uint32_t>(s.off - by), s.col, s.step});
    }
    segs = std::move(out);
}

Macros::Macros(Diagnostics& diags, std::string config_id, size_t max_expansion, uint32_t seed)
    : diags_(diags), config_id_(std::move(config_id)), max_expansion_(max_expansion), rng_(seed) {
    defs_["_PWD"].builtin = Builtin::Pwd;
    defs_["_INSTANCE"].builtin = Builtin::Instance;
    Definition& r = defs_["_RANDOM"];
    r.builtin = Builtin::Random;
    r.max_params = 2;
    defs_["_HASH"].builtin = Builtin::Hash;
    defs_["_BANG"].builtin = Builtin::Bang;
}

bool Macros::try_define(std::string_view line, bool* multiline, std::string* name_out) {
    // keepalived: `$NAME=` with no blank before '=' (a blank makes it an ordinary line).
    if (line.size() < 3 || line[0] != '$' || !is_name_start(line[1]))
        return false;
    size_t p = 2;
    while (p < line.size() && line[p] != '=') {
        if (!is_name_char(line[p]))
            return false;
        ++p;
    }
    if (p >= line.size())
        return false;
    std::string name(line.substr(1, p - 1));
    ++p;
    while (p < line.size() && (line[p] == ' ' || line[p] == '\t'))
        ++p;
    Definition& d = defs_[name];
    d.builtin = Builtin::None;  // a pre-defined name may be overridden
    d.max_params = 0;
    d.value.assign(line.substr(p));
    d.multiline = *multiline;
    if (*multiline && !d.value.empty())
        d.value += '\n';
    *name_out = std::move(name);
    return true;
}

void Macros::append_line(const std::string& name, std::string_view text, bool more) {
    auto it = defs_.find(name);
    if (it == defs_.end())
        return;
    Definition& d = it->second;
    if (!text.empty()) {  // blank continuation lines are not added
        d.value.append(text);
        if (more)
            d.value += '\n';
    }
    if (!more && d.value.empty())
        d.multiline = false;
}

void Macros::end_multiline(const std::string& name) {
    auto it = defs_.find(name);
    if (it != defs_.end() && it->second.value.empty())
        it->second.multiline = false;
}

void Macros::set(const std::string& name, std::string value) {
    Definition& d = defs_[name];
    d.builtin = Builtin::None;
    d.max_params = 0;
    d.multiline = false;
    d.value = std::move(value);
}

std::string Macros::random_value(std::string_view params, Location loc) {
    unsigned long vals[2] = {0, 32767};
    size_t n = 0, p = 0;
    bool extra = false;
    while (p < params.size()) {
        while (p < params.size() && params[p] == ' ')
            ++p;
        if (p >= params.size())
            break;
        unsigned long v = 0;
        while (p < params.size() && is_digit(params[p])) {
            v = std::min<unsigned long>(v * 10 + static_cast<unsigned long>(params[p] - '0'),
                                        1ul << 40);
            ++p;
        }
        if (n < 2)
            vals[n++] = v;
        else
            extra = true;
    }
    if (extra)
        diags_.warning(loc, "too many parameters for ${_RANDOM " + excerpt(params) + "}");
    if (vals[0] > vals[1]) {
        diags_.warning(loc, "${_RANDOM " + excerpt(params) + "}: MIN is greater than MAX");
        std::swap(vals[0], vals[1]);
    }
    std::uniform_int_distribution<unsigned long> dist(vals[0], vals[1]);
    return std::to_string(dist(rng_));
}

namespace {

// Appends a column segment, merging it with the previous one when it continues it.
void push_seg(std::vector<ColSeg>& segs, size_t off, uint32_t col, bool step) {
    if (!segs.empty()) {
        const ColSeg& b = segs.back();
        if (b.off == off) {
            segs.back() = {static_cast<uint32_t>(off), col, step};
            return;
        }
        if (b.step == step && (step ? b.col + (off - b.off) == col : b.col == col))
            return;
    }
    segs.push_back({static_cast<uint32_t>(off), col, step});
}

}  // namespace

void Macros::expand(std::string_view in, const Origin& origin, const std::string& pwd,
                    bool warn_undefined, Expansion& r) {
    r.out.clear();
    r.origin.file = origin.file;
    r.origin.line = origin.line;
    r.origin.segs.clear();
    r.pending.clear();
    r.changed = false;
    r.failed = false;

    struct Src {
        std::string_view text;
        size_t pos;
        const std::string* name;  // the parameter this text is the value of; null: the line
        uint32_t col;             // use-site column of that parameter
    };
    std::vector<Src> st;
    st.push_back({in, 0, nullptr, 0});
    std::deque<std::string> store;  // values computed by pre-defined parameters
    bool raw = false;               // a value started with '~': copy the rest unchanged
    bool reported_loop = false;
    size_t budget = 0;              // bytes produced + replacements made

    // Copies text[s, e) of stack level `lvl` to the output with its column map.
    auto emit = [&](size_t lvl, size_t s, size_t e) {
        if (s >= e)
            return;
        size_t o = r.out.size();
        r.out.append(st[lvl].text.substr(s, e - s));
        if (lvl != 0) {
            push_seg(r.origin.segs, o, st[lvl].col, false);
            return;
        }
        const auto& segs = origin.segs;
        if (segs.empty()) {
            push_seg(r.origin.segs, o, 0, false);
            return;
        }
        size_t i = 0;
        while (i + 1 < segs.size() && segs[i + 1].off <= s)
            ++i;
        for (size_t pos = s;;) {
            const ColSeg& g = segs[i];
            uint32_t col = g.step ? g.col + static_cast<uint32_t>(pos - g.off) : g.col;
            push_seg(r.origin.segs, o + (pos - s), col, g.step);
            if (i + 1 >= segs.size() || segs[i + 1].off >= e)
                break;
            pos = segs[++i].off;
        }
    };
    // The character after offset `pos` of level `lvl`, looking through the
    // levels below when this one is exhausted ('\0' at the end of the line).
    auto follow = [&](size_t lvl, size_t pos) -> char {
        for (size_t k = lvl + 1; k-- > 0;) {
            if (pos < st[k].text.size())
                return st[k].text[pos];
            if (k > 0)
                pos = st[k - 1].pos;
        }
        return '\0';
    };

    while (!st.empty()) {
        size_t lvl = st.size() - 1;
        std::string_view t = st[lvl].text;
        size_t pos = st[lvl].pos;
        if (pos >= t.size()) {
            st.pop_back();
            continue;
        }
        size_t d = raw ? std::string_view::npos : t.find('$', pos);
        size_t stop = d == std::string_view::npos ? t.size() : d;
        emit(lvl, pos, stop);
        st[lvl].pos = stop;
        budget += stop - pos;
        if (d == std::string_view::npos)
            continue;
        if (budget > max_expansion_)
            goto overflow;

        {
            // Parse the reference at d.
            size_t q = d + 1;
            bool braces = q < t.size() && t[q] == '{';
            if (braces)
                ++q;
            if (q >= t.size() || !is_name_start(t[q])) {
                emit(lvl, d, d + 1);
                st[lvl].pos = d + 1;
                ++budget;
                continue;
            }
            size_t ne = q + 1;
            while (ne < t.size() && is_name_char(t[ne]))
                ++ne;
            std::string_view name = t.substr(q, ne - q);
            std::string_view params;
            size_t ref_end;
            bool is_ref = true;
            if (braces) {
                size_t pe = ne, ps = std::string_view::npos, plast = 0;
                while (pe < t.size() && (t[pe] == ' ' || is_digit(t[pe]))) {
                    if (t[pe] != ' ') {
                        if (ps == std::string_view::npos)
                            ps = pe;
                        plast = pe;
                    }
                    ++pe;
                }
                if (ps != std::string_view::npos) {
                    if (plast + 1 != pe)
                        is_ref = false;  // parameters may not end with a blank
                    params = t.substr(ps, plast + 1 - ps);
                }
                if (pe >= t.size() || t[pe] != '}')
                    is_ref = false;
                ref_end = pe + 1;
            } else {
                char f = ne < t.size() ? t[ne] : follow(lvl, ne);
                if (f != ' ' && f != '\t' && f != ',' && f != ')' && f != '\0')
                    is_ref = false;
                ref_end = ne;
            }
            if (!is_ref) {
                emit(lvl, d, d + 1);
                st[lvl].pos = d + 1;
                ++budget;
                continue;
            }
            uint32_t col = lvl == 0 ? origin.col_at(d) : st[lvl].col;
            Location loc{origin.file, origin.line, col};
            bool at_end = ref_end >= t.size() && follow(lvl, ref_end) == '\0';
            auto it = defs_.find(name);
            std::string_view ref_text = t.substr(d, ref_end - d);
            const char* why = nullptr;
            if (it == defs_.end())
                why = "undefined parameter '";
            else if (it->second.multiline && !at_end)
                why = "multi-line parameter may only end a line, left unexpanded: '";
            else if (!params.empty() && it->second.max_params == 0)
                why = "parameter takes no arguments, left unexpanded: '";
            if (!why) {
                for (const Src& s : st) {
                    if (s.name && *s.name == name) {
                        if (!reported_loop)
                            diags_.error(loc, "parameter '" + excerpt(name) +
                                                  "' is defined in terms of itself");
                        reported_loop = true;
                        r.failed = true;
                        why = "";
                        break;
                    }
                }
            } else if (!warn_undefined) {
            } else if (it == defs_.end()) {
                diags_.warning(loc, std::string(why) + excerpt(ref_text) + "' left as is");
            } else {
                diags_.warning(loc, std::string(why) + excerpt(ref_text) + "'");
            }
            if (why) {
                emit(lvl, d, ref_end);
                st[lvl].pos = ref_end;
                budget += ref_end - d;
                continue;
            }

            const Definition& def = it->second;
            std::string_view value;
            switch (def.builtin) {
            case Builtin::None: value = def.value; break;
            case Builtin::Pwd: value = pwd; break;
            case Builtin::Instance: value = config_id_; break;
            case Builtin::Random: value = store.emplace_back(random_value(params, loc)); break;
            case Builtin::Hash: value = "#"; break;
            case Builtin::Bang: value = "!"; break;
            }
            if (def.multiline) {
                size_t nl = value.find('\n');
                if (nl != std::string_view::npos) {
                    std::string_view rest = value.substr(nl + 1);
                    if (!rest.empty())
                        r.pending.insert(r.pending.begin(),
                                         PendingText{std::string(rest), it->first, loc});
                    value = value.substr(0, nl);
                }
            }
            r.changed = true;
            st[lvl].pos = ref_end;
            budget += 1 + value.size();
            if (budget > max_expansion_)
                goto overflow;
            size_t lead = value.find_first_not_of(" \t");
            if (lead != std::string_view::npos && value[lead] == '~')
                raw = true;  // keepalived stops replacing: the ~SEQ/~LST line does it later
            st.push_back({value, 0, &it->first, col});
        }
    }
    return;

overflow:
    diags_.error(origin.at(0),
                 "parameter expansion of this line exceeds " + std::to_string(max_expansion_) +
                     " bytes (recursive definition?)");
    r.pending.clear();
    r.failed = true;
}

}  // namespace halbd::config::detail
