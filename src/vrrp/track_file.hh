// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/track_file.hh: FileTracker, one track_file block: the integer in the
// file, re-read whenever inotify on its directory says it was written,
// created, moved or deleted (a missing or unreadable file reads as 0, as in
// keepalived). `init_file` writes the initial value at start. Owned by the
// TrackerSet; instances subscribe and weigh the value (see tracking.hh).
#pragma once

#include <cstdint>
#include <string>

#include "config/model_vrrp.hh"
#include "core/event_loop.hh"
#include "core/fd.hh"
#include "vrrp/subscribers.hh"

namespace halbd::vrrp {

class FileTracker {
public:
    FileTracker(core::EventLoop& loop, const config::TrackFile& cfg);
    ~FileTracker();
    FileTracker(const FileTracker&) = delete;
    FileTracker& operator=(const FileTracker&) = delete;

    const std::string& name() const { return name_; }
    const std::string& path() const { return path_; }
    int64_t value() const { return value_; }
    int inotify_fd() const { return ino_.get(); }
    const std::string& signature() const { return signature_; }
    static std::string signature_of(const config::TrackFile& cfg);
    [[nodiscard]] Subscription subscribe(std::function<void()> cb) { return listeners_.add(std::move(cb)); }

    // Reads the file again; notifies when the value changed.
    void reread(const char* why);
    // keepalived's reading: leading blanks, an optional sign, digits; anything else 0.
    static int64_t parse(const std::string& text);

private:
    void on_inotify();

    core::EventLoop& loop_;
    std::string name_;
    std::string path_;
    std::string dir_;
    std::string base_;
    std::string signature_;
    int64_t value_ = 0;
    SubscriberList<> listeners_;
    core::UniqueFd ino_;
    core::FdWatchPtr watch_;
};

}  // namespace halbd::vrrp
