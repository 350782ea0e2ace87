// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/file_check.cc: FILE_CHECK (see file_check.hh). Reading is a small
// non-blocking read of a local file, as keepalived does; it happens at
// construction (the state is known before the first attempt: no alpha, no
// warmup), on every inotify event naming the file (through the scheduler's
// wake, so the result takes the one completion path) and every delay_loop
// as a safety net against a missed event.
#include "check/file_check.hh"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "core/log.hh"

namespace halbd::check {

FileTarget FileTarget::from_config(const config::Checker& c, const config::Model* model) {
    const auto& f = std::get<config::FileCheck>(c.params);
    FileTarget t;
    t.name = f.track_file;
    const config::TrackFile* tf = nullptr;
    if (model)
        for (const auto& x : model->vrrp.track_file)
            if (x.name == f.track_file) tf = &x;
    if (!tf) {
        t.refused = "no track_file block '" + f.track_file + "'";
        return t;
    }
    t.path = tf->file;
    // check_file.c file_end_handler: a FILE_CHECK without a weight (or with
    // weight 0) takes the track_file's weight and reverse.
    if (f.weight != 0) {
        t.weight = f.weight;
        t.reverse = f.reverse;
    } else {
        t.weight = tf->weight;
        t.reverse = tf->weight_reverse;
    }
    return t;
}

std::optional<int64_t> FileChecker::parse_value(std::string_view text) {
    char buf[128];
    const size_t n = std::min(text.size(), sizeof buf - 1);
    std::memcpy(buf, text.data(), n);
    buf[n] = '\0';
    errno = 0;
    const long long v = std::strtoll(buf, nullptr, 0);
    if (errno || v < static_cast<long long>(INT32_MIN) || v > static_cast<long long>(INT32_MAX) + 1)
        return std::nullopt;
    return static_cast<int64_t>(v);
}

CheckResult FileChecker::result_of(int64_t value, int32_t weight, bool reverse) {
    const std::string v = "value " + std::to_string(value);
    if (weight == 0) {
        // track_file.c update_track_file_status: !value != (multiplier == 1).
        const bool fault = (value != 0) != reverse;
        if (fault)
            return CheckResult::failure(FailReason::Error,
                                        v + (reverse ? " (weight 0 reverse: 0 is a failure)"
                                                     : " (weight 0: non-zero is a failure)"));
        return CheckResult{true, FailReason::Error, v, std::nullopt};
    }
    int64_t status = value * weight * (reverse ? -1 : 1);
    status = std::clamp<int64_t>(status, INT32_MIN, INT32_MAX);
    if (status == INT32_MIN)
        return CheckResult::failure(FailReason::Error,
                                    v + " x weight " + (reverse ? "-" : "") + std::to_string(weight) +
                                        " reaches the fault weight -2147483648");
    if (status == 0) return CheckResult{true, FailReason::Error, v, std::nullopt};
    return CheckResult::success(DynamicWeight{false, status},
                                v + ": weight " + (status > 0 ? "+" : "") + std::to_string(status));
}

FileChecker::FileChecker(core::EventLoop& loop, FileTarget target) : AttemptChecker(loop), target_(std::move(target)) {
    if (!target_.refused.empty()) return;
    // track_file.c init_track_files: the file's real path, else its
    // directory's real path and its name (the file may appear later).
    file_ = target_.path;
    if (char* rp = ::realpath(target_.path.c_str(), nullptr)) {
        file_ = rp;
        ::free(rp);
    } else {
        const auto slash = target_.path.rfind('/');
        const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : target_.path.substr(0, slash);
        if (char* rd = ::realpath(dir.c_str(), nullptr)) {
            file_ = std::string(rd) + (std::string(rd) == "/" ? "" : "/") + target_.path.substr(slash + 1);
            ::free(rd);
        }
    }
    base_ = file_.substr(file_.rfind('/') + 1);
    watch_directory();
    value_ = read_value();
    initial_ = result_of(value_, target_.weight, target_.reverse);
}

void FileChecker::watch_directory() {
    const std::string dir = file_.substr(0, std::max<size_t>(file_.rfind('/'), 1));
    inotify_ = core::UniqueFd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    if (!inotify_) {
        log::error(describe(), ": inotify: ", std::strerror(errno), "; re-read every delay_loop only");
        return;
    }
    if (::inotify_add_watch(inotify_.get(), dir.c_str(),
                            IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE) < 0) {
        log::error(describe(), ": cannot watch ", dir, ": ", std::strerror(errno),
                   "; re-read every delay_loop only");
        inotify_.reset();
        return;
    }
    watch_ = loop().watch_fd(inotify_.get(), core::fd_events::readable, [this](uint32_t) { on_events(); });
}

void FileChecker::on_events() {
    alignas(inotify_event) char buf[4096];
    bool ours = false;
    for (;;) {
        const ssize_t n = ::read(inotify_.get(), buf, sizeof buf);
        if (n <= 0) break;  // EAGAIN: drained
        for (char* p = buf; p < buf + n;) {
            const auto* ev = reinterpret_cast<const inotify_event*>(p);
            if (ev->mask & IN_Q_OVERFLOW) ours = true;  // events lost: read anyway
            else if (!(ev->mask & IN_ISDIR) && ev->len && base_ == ev->name) ours = true;
            p += sizeof(inotify_event) + ev->len;
        }
    }
    if (ours && wake_) wake_();
}

int64_t FileChecker::read_value() {
    core::UniqueFd fd(::open(file_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (!fd) return 0;  // missing: keepalived reads 0
    char buf[128];
    const ssize_t n = ::read(fd.get(), buf, sizeof buf - 1);
    if (n <= 0) return 0;
    if (auto v = parse_value(std::string_view(buf, static_cast<size_t>(n)))) return *v;
    log::warning(describe(), ": invalid number '", std::string_view(buf, static_cast<size_t>(n)).substr(0, 32),
                 "'; keeping value ", value_);
    return value_;
}

std::optional<CheckResult> FileChecker::begin() {
    if (!target_.refused.empty()) return CheckResult::failure(FailReason::LocalSetup, "not read: " + target_.refused);
    value_ = read_value();
    return result_of(value_, target_.weight, target_.reverse);
}

}  // namespace halbd::check
