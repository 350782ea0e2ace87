// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/lexer.cc: the keepalived-compatible lexer (see lexer.hh). Cuts the
// input into lines and runs keepalived's line pipeline (comments, @id, $NAME=,
// ~SEQ/~LST, $expansion, include) before tokenizing; the files themselves are
// read by lexer_include.cc. Called by the parser through TokenSource::next().
#include <sys/utsname.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <ctime>

#include "config/lexer_impl.hh"

namespace halbd::config {

using detail::excerpt;
using detail::Expansion;
using detail::Generator;
using detail::Origin;

namespace {

// Byte classes for the scanners.
enum : uint8_t { kPlain = 0, kSpace = 1, kBrace = 2, kQuote = 3, kEscape = 4 };
constexpr std::array<uint8_t, 256> make_classes() {
    std::array<uint8_t, 256> t{};
    for (unsigned char c : {' ', '\t', '\f', '\n', '\r', '\v', '\0'})
        t[c] = kSpace;
    t['{'] = t['}'] = kBrace;
    t['"'] = t['\''] = kQuote;
    t['\\'] = kEscape;
    return t;
}
constexpr std::array<uint8_t, 256> kClass = make_classes();

// Bytes the comment scanner must look at.
constexpr std::array<bool, 256> make_comment_specials() {
    std::array<bool, 256> t{};
    for (unsigned char c : {'#', '!', '"', '\\', '\0'})
        t[c] = true;
    return t;
}
constexpr std::array<bool, 256> kCommentSpecial = make_comment_specials();

inline uint8_t cls(char c) { return kClass[static_cast<unsigned char>(c)]; }

int hex_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

std::string default_config_id() {
    struct utsname u;
    if (uname(&u) != 0)
        return {};
    std::string id = u.nodename;
    return id.substr(0, id.find('.'));
}

}  // namespace

Lexer::Impl::Impl(SourceManager& s, Diagnostics& d, LexerOptions o)
    : sources(s), diags(d), opts(std::move(o)),
      macros(d, opts.config_id.empty() ? default_config_id() : opts.config_id,
             opts.max_expansion,
             opts.random_seed ? opts.random_seed : static_cast<uint32_t>(std::time(nullptr))) {
    if (opts.config_id.empty()) {
        opts.config_id = default_config_id();
        id_from_host = true;
    }
}

void Lexer::Impl::report_unmatched_id() {
    if (id_lines == 0 || id_matched > 0) return;
    id_lines = 0;  // once
    std::string who = "'" + opts.config_id + "'";
    who += id_from_host ? " (the host name; choose another with -i)" : " (from -i)";
    diags.warning(first_id_line, "config id " + who + " matches none of the '@' lines; every one of them is skipped");
}

const Lexer::Impl::Frame* Lexer::Impl::current_file() const {
    for (size_t i = frames.size(); i-- > 0;)
        if (frames[i].kind == Frame::Kind::File && frames[i].started)
            return &frames[i];
    return nullptr;
}

const std::string& Lexer::Impl::current_pwd() const {
    static const std::string none;
    const Frame* f = current_file();
    return f ? f->pwd : none;
}

void Lexer::Impl::push_frame(Frame&& f, Location loc) {
    if (frames.size() >= kMaxFrames) {
        diags.error(loc, "too many nested includes, parameters and ~SEQ/~LST blocks (limit " +
                             std::to_string(kMaxFrames) + ")");
        return;
    }
    frames.push_back(std::move(f));
}

// Reads one line from the top frame and processes it; false when all input is done.
bool Lexer::Impl::fill() {
    if (frames.empty())
        return false;
    Frame& f = frames.back();
    size_t idx = frames.size() - 1;
    switch (f.kind) {
    case Frame::Kind::File: {
        if (!f.started) {
            f.started = true;
            if (!f.open_path.empty() && !start_stream(f)) {
                frames.pop_back();
                return true;
            }
        }
        // Make sure a whole line (or the rest of the file) is in content.
        const std::string& text = *f.content;
        size_t scan = f.pos;
        while (!std::memchr(text.data() + scan, '\n', text.size() - scan)) {
            size_t keep = text.size() - f.pos;  // unprocessed bytes, moved to 0 by more_input
            if (!more_input(f))
                break;
            scan = keep;
        }
        if (f.pos >= text.size()) {
            if (in_def && def_frame == idx) {
                macros.end_multiline(def_name);
                in_def = false;
            }
            frames.pop_back();
            return true;
        }
        const char* b = text.data() + f.pos;
        size_t rem = text.size() - f.pos;
        const void* nl = std::memchr(b, '\n', rem);
        size_t len = nl ? static_cast<size_t>(static_cast<const char*>(nl) - b) : rem;
        f.pos += nl ? len + 1 : len;
        uint32_t lineno = ++f.line;
        while (len && b[len - 1] == '\r')
            --len;

        // keepalived's decomment(): a comment starts at '#' or '!' anywhere outside
        // double quotes ('\' escapes it); a final unescaped '\' continues a definition.
        size_t s = 0;
        while (s < len && is_blank(b[s]))
            ++s;
        size_t cut = len;
        bool quote = false, in_comment = false, cont = false, nul = false;
        for (size_t i = s; i < len; ++i) {
            while (i < len && !kCommentSpecial[static_cast<unsigned char>(b[i])])
                ++i;
            if (i >= len)
                break;
            switch (b[i]) {
            case '"':
                if (!in_comment)
                    quote = !quote;
                break;
            case '\\':
                if (i + 1 < len) {
                    ++i;
                } else {
                    cont = true;
                    if (!in_comment)
                        cut = i;
                }
                break;
            case '\0':
                if (!nul && !in_comment)
                    diags.error({f.file, lineno, static_cast<uint32_t>(i + 1)},
                                "NUL byte in configuration text (treated as a blank)");
                nul = true;
                break;
            default:  // '#', '!'
                if (!quote && !in_comment) {
                    in_comment = true;
                    cut = i;
                }
                break;
            }
        }
        while (cut > s && is_blank(b[cut - 1]))
            --cut;
        origin.set_identity(f.file, lineno, static_cast<uint32_t>(s + 1));
        handle_line(std::string_view(b + s, cut > s ? cut - s : 0), cont, origin);
        return true;
    }
    case Frame::Kind::Text: {
        if (f.pos >= f.text.size()) {
            frames.pop_back();
            return true;
        }
        size_t nl = f.text.find('\n', f.pos);
        size_t end = nl == std::string::npos ? f.text.size() : nl;
        line_buf.assign(f.text, f.pos, end - f.pos);
        f.pos = nl == std::string::npos ? f.text.size() : nl + 1;
        origin.set_fixed(f.loc);
        handle_line(line_buf, false, origin);
        return true;
    }
    case Frame::Kind::Gen: {
        if (!f.gen->advance(macros)) {
            frames.pop_back();
            return true;
        }
        if (++generated > opts.max_generated_lines) {
            if (!generated_capped)
                diags.error(f.body_origin.at(0),
                            "~SEQ/~LST blocks generate more than " +
                                std::to_string(opts.max_generated_lines) + " lines; stopping");
            generated_capped = true;
            while (!frames.empty() && frames.back().kind == Frame::Kind::Gen)
                frames.pop_back();
            return true;
        }
        line_buf = f.body;
        origin = f.body_origin;
        handle_line(line_buf, false, origin);
        return true;
    }
    }
    return true;
}

void Lexer::Impl::handle_line(std::string_view text, bool cont, Origin& org) {
    if (in_def) {
        // Lines of a multi-line definition are stored, not processed. A blank
        // (or comment-only) line ends it, as does a line without a final '\'.
        if (text.empty() && !cont) {
            macros.end_multiline(def_name);
            in_def = false;
            return;
        }
        macros.append_line(def_name, text, cont);
        if (!cont)
            in_def = false;
        return;
    }
    if (text.empty())
        return;
    process(text, cont, org);
}

void Lexer::Impl::process(std::string_view cur, bool cont, Origin& org) {
    Origin* o = &org;
    int buf = 0;
    for (int pass = 0;; ++pass) {
        if (!cur.empty() && cur[0] == '@') {
            // @id / @^id: keep the rest of the line only if config_id matches (or not).
            bool negate = cur.size() > 1 && cur[1] == '^';
            size_t ofs = negate ? 2 : 1;
            size_t sp = cur.find_first_of(" \t", ofs);
            if (sp == std::string_view::npos)
                return;
            bool match = cur.substr(ofs, sp - ofs) == opts.config_id;
            if (!negate) {
                if (id_lines++ == 0) first_id_line = o->at(0);
                if (match) ++id_matched;
            }
            if (match == negate)
                return;
            size_t start = cur.find_first_not_of(" \t", sp);
            if (start == std::string_view::npos)
                return;
            o->shift(start);
            cur = cur.substr(start);
        }
        if (cur[0] == '$') {
            bool multiline = cont;
            std::string name;
            if (macros.try_define(cur, &multiline, &name)) {
                if (multiline) {
                    in_def = true;
                    def_name = std::move(name);
                    def_frame = frames.size() - 1;
                }
                return;
            }
        }
        if (cont) {
            diags.error(o->at(cur.size()),
                        "'\\' at end of line: continuation lines are only allowed in $NAME= "
                        "definitions");
            cont = false;
        }
        if (cur.size() >= 4 && (cur.substr(0, 4) == "~SEQ" || cur.substr(0, 4) == "~LST")) {
            auto gen = std::make_unique<Generator>();
            if (!detail::parse_generator(cur, *o, macros, current_pwd(), diags, *gen))
                return;
            if (generated_capped)
                return;
            if (gen->count > opts.max_generated_lines - std::min<uint64_t>(
                                                            generated, opts.max_generated_lines)) {
                diags.error(o->at(0), "~SEQ/~LST block would generate " +
                                          std::to_string(gen->count) + " lines, more than the limit of " +
                                          std::to_string(opts.max_generated_lines));
                return;
            }
            Frame f;
            f.kind = Frame::Kind::Gen;
            f.body.assign(cur.substr(gen->body_off));
            f.body_origin = *o;
            f.body_origin.shift(gen->body_off);
            f.gen = std::move(gen);
            push_frame(std::move(f), o->at(0));
            return;
        }
        if (cur[0] == '~' || cur.find('$') == std::string_view::npos)
            break;
        if (pass >= 16) {
            diags.error(o->at(0), "parameter expansion does not settle after 16 rounds");
            break;
        }
        Expansion& ex = exp[buf];
        macros.expand(cur, *o, current_pwd(), pass == 0, ex);
        if (!ex.changed)
            break;
        // The rest of a multi-line value is read after this line, innermost first.
        for (size_t i = ex.pending.size(); i-- > 0;) {
            detail::PendingText& p = ex.pending[i];
            bool recursive = false;
            for (const Frame& fr : frames)
                if (fr.kind == Frame::Kind::Text && fr.def_name == p.def_name)
                    recursive = true;
            if (recursive) {
                diags.error(p.loc, "parameter '" + excerpt(p.def_name) +
                                       "' is defined in terms of itself");
                continue;
            }
            Frame f;
            f.kind = Frame::Kind::Text;
            f.text = std::move(p.text);
            f.def_name = std::move(p.def_name);
            f.loc = p.loc;
            push_frame(std::move(f), p.loc);
        }
        cur = ex.out;
        o = &ex.origin;
        buf ^= 1;
        if (cur.empty())
            return;
        size_t lead = cur.find_first_not_of(" \t");
        if (lead == std::string_view::npos)
            return;
        if (lead) {
            o->shift(lead);
            cur = cur.substr(lead);
        }
        if (ex.failed ||
            (cur[0] != '@' && cur[0] != '~' && cur.find('$') == std::string_view::npos))
            break;
    }

    size_t first = queue.size();
    if (!tokenize(cur, *o))
        return;
    include_line(first, cur);
}

size_t Lexer::Impl::escape(std::string_view s, size_t i, std::string& out, const Origin& org) {
    // s[i] == '\\'. keepalived's escapes: \a \b \E \f \n \r \t \v \nnn \xXX.. \cC, \C -> C.
    if (i + 1 >= s.size()) {
        diags.error(org.at(i), "'\\' at end of line has nothing to escape");
        return s.size();
    }
    char e = s[i + 1];
    size_t p = i + 2;
    if (e == 'x' && p < s.size() && hex_value(s[p]) >= 0) {
        unsigned v = 0;
        while (p < s.size() && hex_value(s[p]) >= 0)
            v = ((v << 4) | static_cast<unsigned>(hex_value(s[p++]))) & 0xff;
        out += static_cast<char>(v);
        return p;
    }
    if (e == 'c' && p < s.size()) {
        out += static_cast<char>(s[p] & 0x1f);
        return p + 1;
    }
    if (e >= '0' && e <= '7') {
        unsigned v = static_cast<unsigned>(e - '0');
        for (int k = 0; k < 2 && p < s.size() && s[p] >= '0' && s[p] <= '7'; ++k)
            v = (v << 3) + static_cast<unsigned>(s[p++] - '0');
        out += static_cast<char>(v & 0xff);
        return p;
    }
    switch (e) {
    case 'a': out += '\a'; break;
    case 'b': out += '\b'; break;
    case 'E': out += '\x1b'; break;
    case 'f': out += '\f'; break;
    case 'n': out += '\n'; break;
    case 'r': out += '\r'; break;
    case 't': out += '\t'; break;
    case 'v': out += '\v'; break;
    default: out += e; break;
    }
    return p;
}

// Splits a processed line into words and braces; false if it produced none.
bool Lexer::Impl::tokenize(std::string_view s, const Origin& org) {
    size_t first = queue.size();
    tok_offs.clear();
    size_t i = 0, n = s.size();
    const char* d = s.data();
    for (;;) {
        while (i < n && cls(d[i]) == kSpace)
            ++i;
        if (i >= n)
            break;
        tok_offs.push_back(i);
        Token& t = queue.emplace_back();
        t.loc = org.at(i);
        if (cls(d[i]) == kBrace) {
            t.kind = d[i] == '{' ? TokenKind::LBrace : TokenKind::RBrace;
            t.text.assign(1, d[i]);
            ++i;
            continue;
        }
        t.kind = TokenKind::Word;
        size_t st = i;
        while (i < n && cls(d[i]) == kPlain)
            ++i;
        t.text.assign(d + st, i - st);
        while (i < n) {
            uint8_t c = cls(d[i]);
            if (c == kSpace || c == kBrace)
                break;
            if (c == kEscape) {
                i = escape(s, i, t.text, org);
            } else if (c == kQuote) {
                // Quoted part: joined to the word; blanks and braces kept.
                char q = d[i];
                size_t qpos = i++;
                t.quoted = true;
                for (;;) {
                    size_t run = i;
                    while (i < n && d[i] != q && d[i] != '\\')
                        ++i;
                    t.text.append(d + run, i - run);
                    if (i >= n) {
                        diags.error(org.at(qpos), std::string("missing closing ") + q +
                                                      " quote; the string runs to the end of the line");
                        break;
                    }
                    if (d[i] == q) {
                        ++i;
                        break;
                    }
                    i = escape(s, i, t.text, org);
                }
            } else {
                size_t run = i;
                while (i < n && cls(d[i]) == kPlain)
                    ++i;
                t.text.append(d + run, i - run);
            }
        }
    }
    if (queue.size() == first)
        return false;
    Token& eol = queue.emplace_back();
    eol.kind = TokenKind::EndOfLine;
    eol.loc = org.at(n);
    return true;
}

Lexer::Lexer(SourceManager& sources, Diagnostics& diags, LexerOptions opts)
    : impl_(std::make_unique<Impl>(sources, diags, std::move(opts))) {}

Lexer::~Lexer() = default;

Token Lexer::next() {
    Impl& m = *impl_;
    while (m.queue_pos >= m.queue.size()) {
        m.queue.clear();
        m.queue_pos = 0;
        if (!m.fill()) {
            m.report_unmatched_id();
            Token end;
            end.kind = TokenKind::End;
            end.loc = m.last_loc;
            return end;
        }
    }
    Token t = std::move(m.queue[m.queue_pos++]);
    m.last_loc = t.loc;
    return t;
}

}  // namespace halbd::config
