// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/track_file.cc: see track_file.hh. One inotify fd per tracked file,
// watching the directory so that editors replacing the file by rename and
// files created later are both seen.
#include "vrrp/track_file.hh"

#include <fcntl.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/log.hh"

namespace halbd::vrrp {

FileTracker::FileTracker(core::EventLoop& loop, const config::TrackFile& cfg)
    : loop_(loop), name_(cfg.name), path_(cfg.file), signature_(signature_of(cfg)) {
    const auto slash = path_.rfind('/');
    dir_ = slash == std::string::npos ? "." : slash == 0 ? "/" : path_.substr(0, slash);
    base_ = slash == std::string::npos ? path_ : path_.substr(slash + 1);
    if (cfg.init_file && (cfg.init_file_overwrite || ::access(path_.c_str(), F_OK) != 0)) {
        std::ofstream out(path_, std::ios::trunc);
        out << cfg.init_file_value << "\n";
        if (!out) log::error("track_file ", name_, ": cannot write initial value to ", path_);
    }
    ino_ = core::UniqueFd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    if (ino_.get() < 0 ||
        ::inotify_add_watch(ino_.get(), dir_.c_str(),
                            IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_MODIFY) < 0) {
        log::error("track_file ", name_, ": cannot watch ", dir_, ": ", std::strerror(errno),
                   "; the value is read at start only");
    } else {
        watch_ = loop.watch_fd(ino_.get(), core::fd_events::readable, [this](uint32_t) { on_inotify(); });
    }
    std::string text;
    std::ifstream in(path_);
    if (in) std::getline(in, text);
    value_ = parse(text);
    log::info("track_file ", name_, ": ", path_, " reads ", value_, in ? "" : " (cannot read it)");
}

FileTracker::~FileTracker() { watch_.reset(); }

std::string FileTracker::signature_of(const config::TrackFile& c) { return c.file; }

int64_t FileTracker::parse(const std::string& text) {
    const char* p = text.c_str();
    char* end = nullptr;
    errno = 0;
    long long v = std::strtoll(p, &end, 10);
    if (end == p || errno) return 0;
    return v;
}

void FileTracker::on_inotify() {
    alignas(inotify_event) char buf[4096];
    bool ours = false;
    for (;;) {
        ssize_t n = ::read(ino_.get(), buf, sizeof buf);
        if (n <= 0) break;
        for (ssize_t off = 0; off < n;) {
            const auto* e = reinterpret_cast<const inotify_event*>(buf + off);
            if (e->len && base_ == e->name) ours = true;
            if (e->mask & IN_Q_OVERFLOW) ours = true;
            off += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
        }
    }
    if (ours) reread("file changed");
}

void FileTracker::reread(const char* why) {
    std::string text;
    std::ifstream in(path_);
    if (in) std::getline(in, text);
    const int64_t v = parse(text);
    if (v == value_) return;
    log::info("track_file ", name_, ": ", value_, " -> ", v, " (", why, ", ", path_, ")");
    value_ = v;
    listeners_.notify();
}

}  // namespace halbd::vrrp
