// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/lexer_seq.cc: see lexer_seq.hh. The number rules are keepalived's:
// strtol with base 0 (so 0x90 works), step defaulting to +1/-1 by direction,
// start defaulting to 1 or -1 when only the end is given.
#include "config/lexer_seq.hh"

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace halbd::config::detail {

namespace {

bool blank(char c) { return c == ' ' || c == '\t'; }

size_t skip_blanks(std::string_view s, size_t p) {
    while (p < s.size() && blank(s[p]))
        ++p;
    return p;
}

std::string_view trim(std::string_view s) {
    size_t b = skip_blanks(s, 0);
    size_t e = s.size();
    while (e > b && blank(s[e - 1]))
        --e;
    return s.substr(b, e - b);
}

bool valid_name(std::string_view s) {
    if (s.empty() || !is_name_start(s[0]))
        return false;
    for (char c : s)
        if (!is_name_char(c))
            return false;
    return true;
}

// Splits at commas outside {...}.
std::vector<std::string_view> split_top(std::string_view s) {
    std::vector<std::string_view> out;
    int depth = 0;
    size_t b = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '{')
            ++depth;
        else if (s[i] == '}' && depth > 0)
            --depth;
        else if (s[i] == ',' && depth == 0) {
            out.push_back(trim(s.substr(b, i - b)));
            b = i + 1;
        }
    }
    out.push_back(trim(s.substr(b)));
    return out;
}

bool braced(std::string_view s) { return s.size() >= 2 && s.front() == '{' && s.back() == '}'; }

// Expands parameters in a generator's argument list; false if that needs a multi-line value.
bool expand_args(std::string_view args, const Origin& origin, Macros& macros,
                 const std::string& pwd, std::string& out) {
    Expansion ex;
    macros.expand(args, origin, pwd, true, ex);
    if (!ex.pending.empty())
        return false;
    out = ex.changed ? ex.out : std::string(args);
    return true;
}

bool parse_seq(std::string_view line, const Origin& origin, Macros& macros,
               const std::string& pwd, Diagnostics& diags, Generator& g) {
    Location loc = origin.at(0);
    auto fail = [&](const char* what) {
        diags.error(loc, std::string(what) + " '" + excerpt(line) + "'");
        return false;
    };
    size_t p = 4;
    if (p < line.size() && line[p] == 'x') {
        g.hex = true;
        ++p;
    }
    p = skip_blanks(line, p);
    if (p >= line.size() || line[p] != '(')
        return fail("invalid ~SEQ specification");
    p = skip_blanks(line, p + 1);
    size_t vs = p;
    while (p < line.size() && !blank(line[p]) && line[p] != ',' && line[p] != ')')
        ++p;
    std::string_view var = line.substr(vs, p - vs);
    p = skip_blanks(line, p);
    if (p >= line.size() || line[p] != ',' || var.empty())
        return fail("invalid ~SEQ definition");
    if (!valid_name(var))
        return fail("invalid ~SEQ variable name in");
    size_t close = line.find(')', p + 1);
    if (close == std::string_view::npos)
        return fail("missing ')' in ~SEQ definition");
    std::string args;
    if (!expand_args(line.substr(p + 1, close - p - 1), origin, macros, pwd, args))
        return fail("~SEQ parameter is a multi-line definition");

    long num[3];
    size_t n = 0;
    const char* c = args.c_str();
    errno = 0;
    for (;;) {
        char* e;
        num[n++] = std::strtol(c, &e, 0);
        while (blank(*e))
            ++e;
        if (*e == '\0')
            break;
        if (*e != ',' || n == 3)
            return fail("invalid ~SEQ definition");
        c = e + 1;
    }
    if (errno == ERANGE)
        return fail("~SEQ value out of range");
    long start, step, end;
    if (n == 1) {
        end = num[0];
        step = end < 1 ? -1 : 1;
        start = end < 0 ? -1 : 1;
    } else if (n == 2) {
        start = num[0];
        end = num[1];
        step = start <= end ? 1 : -1;
    } else {
        start = num[0];
        step = num[1];
        end = num[2];
        if (step == 0 || (start < end && step < 0) || (start > end && step > 0))
            return fail("invalid ~SEQ values");
    }
    if (g.hex && (start < 0 || end < 0))
        return fail("~SEQx is only valid for non-negative numbers");
    __int128 span = static_cast<__int128>(end) - start;
    g.count = static_cast<uint64_t>(span / step + 1);
    g.vars.emplace_back(var);
    g.start = start;
    g.step = step;
    g.body_off = skip_blanks(line, close + 1);
    return true;
}

bool parse_lst(std::string_view line, const Origin& origin, Macros& macros,
               const std::string& pwd, Diagnostics& diags, Generator& g) {
    Location loc = origin.at(0);
    auto fail = [&](const std::string& what) {
        diags.error(loc, what + " '" + excerpt(line) + "'");
        return false;
    };
    g.list = true;
    size_t p = skip_blanks(line, 4);
    if (p >= line.size() || line[p] != '(')
        return fail("invalid ~LST specification");
    ++p;
    size_t close = std::string_view::npos;
    int depth = 0;
    for (size_t i = p; i < line.size(); ++i) {
        if (line[i] == '{')
            ++depth;
        else if (line[i] == '}' && depth > 0)
            --depth;
        else if (line[i] == ')' && depth == 0) {
            close = i;
            break;
        }
    }
    if (close == std::string_view::npos)
        return fail("missing ')' in ~LST definition");
    std::string args;
    if (!expand_args(line.substr(p, close - p), origin, macros, pwd, args))
        return fail("~LST parameter is a multi-line definition");
    std::vector<std::string_view> items = split_top(args);
    if (items.size() < 2)
        return fail("~LST needs a variable and at least one value");
    std::vector<std::string_view> vars;
    if (braced(items[0])) {
        std::string_view inner = items[0].substr(1, items[0].size() - 2);
        vars = split_top(inner);
    } else {
        vars.push_back(items[0]);
    }
    for (std::string_view v : vars) {
        if (!valid_name(v))
            return fail("invalid ~LST variable name '" + excerpt(v) + "' in");
        g.vars.emplace_back(v);
    }
    for (size_t i = 1; i < items.size(); ++i) {
        std::vector<std::string_view> row;
        if (braced(items[i]))
            row = split_top(items[i].substr(1, items[i].size() - 2));
        else
            row.push_back(items[i]);
        if (row.size() != vars.size())
            return fail("~LST value '" + excerpt(items[i]) + "' does not have " +
                        std::to_string(vars.size()) + " element(s) in");
        std::vector<std::string> r;
        r.reserve(row.size());
        for (std::string_view v : row)
            r.emplace_back(v);
        g.values.push_back(std::move(r));
    }
    g.count = g.values.size();
    g.body_off = skip_blanks(line, close + 1);
    return true;
}

}  // namespace

bool Generator::advance(Macros& macros) {
    if (done >= count)
        return false;
    if (list) {
        for (size_t j = 0; j < vars.size(); ++j)
            macros.set(vars[j], values[done][j]);
    } else {
        long v = static_cast<long>(static_cast<__int128>(start) +
                                   static_cast<__int128>(done) * step);
        char buf[32];
        if (hex)
            std::snprintf(buf, sizeof buf, "%lx", static_cast<unsigned long>(v));
        else
            std::snprintf(buf, sizeof buf, "%ld", v);
        macros.set(vars[0], buf);
    }
    ++done;
    return true;
}

bool parse_generator(std::string_view line, const Origin& origin, Macros& macros,
                     const std::string& pwd, Diagnostics& diags, Generator& gen) {
    if (line.substr(0, 4) == "~SEQ")
        return parse_seq(line, origin, macros, pwd, diags, gen);
    return parse_lst(line, origin, macros, pwd, diags, gen);
}

}  // namespace halbd::config::detail
