// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/lexer_include.cc: every byte the lexer reads from disk comes through
// here: the top-level file (open_file), include statements (globs, paths
// relative to the including file, loops, depth) and chunked streaming.
// check_file() is the one place a file is admitted, more_input() the one place
// its bytes are read: per-load limits on files and bytes belong there.
#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "config/lexer_impl.hh"

namespace halbd::config {

using detail::excerpt;

namespace {

std::string dir_of(const std::string& path) {
    size_t slash = path.rfind('/');
    if (slash == std::string::npos)
        return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

std::string absolute_dir(const std::string& dir) {
    char buf[PATH_MAX];
    if (realpath(dir.c_str(), buf))
        return buf;
    return dir;
}

// Escapes glob metacharacters so a directory name is taken literally.
std::string glob_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (std::strchr("*?[]{}\\", c))
            out += '\\';
        out += c;
    }
    return out;
}

bool include_keyword(const std::string& w, IncludeKind* kind) {
    static constexpr std::pair<std::string_view, IncludeKind> kKeywords[] = {
        {"include", IncludeKind::Plain},     {"includer", IncludeKind::Readable},
        {"includem", IncludeKind::Match},    {"includew", IncludeKind::Wildcard},
        {"includeb", IncludeKind::Brace},    {"includea", IncludeKind::All},
    };
    for (const auto& [name, k] : kKeywords)
        if (w == name) {
            *kind = k;
            return true;
        }
    return false;
}

}  // namespace

bool Lexer::Impl::check_file(const std::string& path, Location loc, struct stat& st,
                             bool top_level) {
    // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below).
    core::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (!fd) {
        diags.error(loc, "cannot open " + std::string(top_level ? "configuration" : "include") +
                             " file '" + excerpt(path, 4096) + "': " + std::strerror(errno));
        return false;
    }
    if (fstat(fd.get(), &st) != 0) {
        diags.error(loc, "cannot stat '" + excerpt(path, 4096) + "': " + std::strerror(errno));
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        diags.error(loc, "'" + excerpt(path, 4096) + "' is not a regular file");
        return false;
    }
    if (static_cast<uint64_t>(st.st_size) > opts.max_file_size) {
        diags.error(loc, "'" + excerpt(path, 4096) + "' is larger than " +
                             std::to_string(opts.max_file_size) + " bytes");
        return false;
    }
    return true;
}

bool Lexer::Impl::start_stream(Frame& f) {
    if (auto over = budget.charge_file()) diags.error(f.open_loc, *over);
    if (budget.exhausted()) return false;
    // Checked again: the path may name something else since check_file().
    f.fd.reset(::open(f.open_path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    struct stat st;
    if (f.fd && (::fstat(f.fd.get(), &st) != 0 || !S_ISREG(st.st_mode))) {
        diags.error(f.open_loc, "'" + excerpt(f.open_path, 4096) + "' is not a regular file");
        f.fd.reset();
        return false;
    }
    if (!f.fd) {
        diags.error(f.open_loc, "cannot open file '" + excerpt(f.open_path, 4096) +
                                    "': " + std::strerror(errno));
        return false;
    }
    return true;
}

// Appends the next chunk of f's file to its content; false at end of file.
bool Lexer::Impl::more_input(Frame& f) {
    constexpr size_t kChunk = 256 * 1024;
    if (!f.fd || budget.exhausted()) return false;
    std::string& c = *f.content;
    if (f.pos > 0) {  // drop the lines already processed
        c.erase(0, f.pos);
        f.pos = 0;
    }
    size_t old = c.size();
    c.resize(old + kChunk);
    ssize_t n;
    do {
        n = ::read(f.fd.get(), c.data() + old, kChunk);
    } while (n < 0 && errno == EINTR);
    c.resize(old + static_cast<size_t>(n > 0 ? n : 0));
    if (n < 0)
        diags.error(f.open_loc, "cannot read '" + excerpt(f.open_path, 4096) + "': " +
                                    std::strerror(errno));
    if (n > 0) {
        if (auto over = budget.charge_bytes(static_cast<uint64_t>(n))) {
            diags.error(f.open_loc, *over);
            c.resize(old);
            f.fd.reset();
            return false;
        }
        f.bytes_read += static_cast<uint64_t>(n);
        if (f.bytes_read <= opts.max_file_size) return true;
        diags.error(f.open_loc, "'" + excerpt(f.open_path, 4096) + "' is larger than " +
                                    std::to_string(opts.max_file_size) + " bytes");
    }
    f.fd.reset();
    return false;
}

bool Lexer::Impl::push_file(std::string path, std::string text, const struct stat* st,
                            bool top_level, bool stream, Location loc) {
    Frame f;
    f.kind = Frame::Kind::File;
    if (stream) {
        f.open_path = path;
        f.open_loc = loc;
    }
    f.content = std::make_unique<std::string>(std::move(text));
    f.dir = dir_of(path);
    f.pwd = absolute_dir(f.dir);
    if (st) {
        f.has_id = true;
        f.dev = st->st_dev;
        f.ino = st->st_ino;
    }
    f.file = sources.add(std::move(path));
    if (top_level) {
        // Top-level sources are read one after the other, after what is already open.
        frames.insert(frames.begin(), std::move(f));
        if (in_def)
            ++def_frame;
    } else {
        push_frame(std::move(f), Location{});
    }
    return true;
}

// include PATH: recognised as the first word of a processed line.
void Lexer::Impl::include_line(size_t first, std::string_view cur) {
    const Token& w = queue[first];
    IncludeKind kind;
    if (w.kind != TokenKind::Word || w.quoted || !include_keyword(w.text, &kind))
        return;
    size_t words = queue.size() - first - 1;  // without EndOfLine
    Location loc = w.loc;
    std::string keyword = w.text;
    std::string path;
    if (words == 2) {
        path = queue[first + 1].text;
    } else if (words > 2) {
        // keepalived takes the rest of the line as the file name.
        std::string_view rest = cur.substr(tok_offs[1]);
        while (!rest.empty() && is_blank(rest.back()))
            rest.remove_suffix(1);
        path.assign(rest);
    }
    queue.resize(first);
    if (path.empty()) {
        diags.error(loc, "'" + keyword + "' without a file name");
        return;
    }
    include(path, kind, loc);
}

void Lexer::Impl::include(const std::string& pattern, IncludeKind kind, Location loc) {
    if (!opts.allow_include) {
        diags.error(loc, "include is disabled here");
        return;
    }
    const Frame* cur = current_file();
    std::string full = pattern;
    if (pattern[0] != '/' && cur && cur->dir != ".")
        full = glob_escape(cur->dir) + "/" + pattern;
    bool wildcard = pattern.find_first_of("*?[{") != std::string::npos;

    glob_t g{};
    int rc = glob(full.c_str(), GLOB_MARK | GLOB_BRACE, nullptr, &g);
    std::vector<std::string> matches;
    if (rc == 0) {
        for (size_t i = 0; i < g.gl_pathc; ++i) {
            std::string m = g.gl_pathv[i];
            if (!m.empty() && m.back() != '/')  // directories are skipped
                matches.push_back(std::move(m));
        }
    }
    globfree(&g);
    if (rc != 0 && rc != GLOB_NOMATCH) {
        diags.error(loc, "include '" + excerpt(pattern, 4096) + "': cannot read the directory");
        return;
    }
    if (matches.empty()) {
        bool strict = opts.all_includes_required || kind == IncludeKind::Wildcard ||
                      kind == IncludeKind::Brace || kind == IncludeKind::All;
        if (!wildcard) {
            struct stat st;
            std::string why = ::stat(full.c_str(), &st) == 0 ? "is a directory"
                                                             : std::strerror(ENOENT);
            diags.error(loc, "cannot open include file '" + excerpt(full, 4096) + "': " + why);
        } else if (strict) {
            diags.error(loc, "no file matches include '" + excerpt(pattern, 4096) + "'");
        } else {
            diags.warning(loc, "no file matches include '" + excerpt(pattern, 4096) + "'");
        }
        return;
    }

    // The chain of files being read: every started File frame is an ancestor.
    std::vector<const Frame*> chain;
    for (const Frame& f : frames)
        if (f.kind == Frame::Kind::File && f.started)
            chain.push_back(&f);
    if (chain.size() >= opts.max_include_depth) {
        diags.error(loc, "includes nested deeper than " +
                             std::to_string(opts.max_include_depth) + " files");
        return;
    }

    std::vector<std::string> loaded;
    std::vector<struct stat> stats;
    for (const std::string& m : matches) {
        struct stat st;
        if (::stat(m.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
            (st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH))) {
            // keepalived refuses executable configuration files.
            diags.warning(loc, "skipping executable include file '" + excerpt(m, 4096) + "'");
            continue;
        }
        if (!check_file(m, loc, st, false))
            continue;
        size_t loop_at = chain.size();
        for (size_t k = 0; k < chain.size(); ++k)
            if (chain[k]->has_id && chain[k]->dev == st.st_dev && chain[k]->ino == st.st_ino) {
                loop_at = k;
                break;
            }
        if (loop_at < chain.size()) {
            std::string msg = "include loop: ";
            for (size_t k = loop_at; k < chain.size(); ++k)
                msg += sources.path(chain[k]->file) + " -> ";
            msg += m;
            diags.error(loc, msg);
            continue;
        }
        loaded.push_back(m);
        stats.push_back(st);
    }
    // Pushed in reverse so the first match is read first.
    for (size_t k = loaded.size(); k-- > 0;)
        push_file(std::move(loaded[k]), std::string(), &stats[k], false, true, loc);
}

bool Lexer::open_file(const std::string& path) {
    struct stat st;
    if (!impl_->check_file(path, Location{}, st, true))
        return false;
    if (st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)) {
        impl_->diags.error(Location{}, "configuration file '" + excerpt(path, 4096) +
                                           "' is executable; refusing it as keepalived does");
        return false;
    }
    return impl_->push_file(path, std::string(), &st, true, true);
}

void Lexer::open_text(std::string name, std::string text) {
    struct stat st;
    bool on_disk = ::stat(name.c_str(), &st) == 0 && S_ISREG(st.st_mode);
    impl_->push_file(std::move(name), std::move(text), on_disk ? &st : nullptr, true);
}

}  // namespace halbd::config
