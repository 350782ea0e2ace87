// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// core/log.cc: the sinks (syslog, stderr, a reopenable file) and the
// process-wide sink list. Each line is written with one write(2), so lines
// from halbd and its children never interleave inside a line.
#include "core/log.hh"

#include <fcntl.h>
#include <syslog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <ctime>

#include "core/fd.hh"

namespace halbd::core::log {

namespace detail {
Level g_max_level = Level::info;
}

namespace {

int syslog_priority(Level level) {
    switch (level) {
    case Level::error: return LOG_ERR;
    case Level::warning: return LOG_WARNING;
    case Level::notice: return LOG_NOTICE;
    case Level::info: return LOG_INFO;
    case Level::debug: return LOG_DEBUG;
    }
    return LOG_INFO;
}

void write_all(int fd, std::string_view s) {
    while (!s.empty()) {
        ssize_t n = ::write(fd, s.data(), s.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return;  // nowhere to report a failing log
        }
        s.remove_prefix(static_cast<size_t>(n));
    }
}

class SyslogSink final : public Sink {
public:
    SyslogSink(std::string ident, int facility) : ident_(std::move(ident)) {
        // openlog keeps the pointer: ident_ lives as long as the sink.
        ::openlog(ident_.c_str(), LOG_PID | LOG_NDELAY, facility);
    }
    ~SyslogSink() override { ::closelog(); }
    void write(Level level, std::string_view message) override {
        ::syslog(syslog_priority(level), "%.*s", static_cast<int>(message.size()),
                 message.data());
    }

private:
    std::string ident_;
};

class FdSink : public Sink {
public:
    explicit FdSink(std::string ident) : ident_(std::move(ident)) {}
    void write(Level level, std::string_view message) override {
        write_all(fd(), format_line(level, message, std::chrono::system_clock::now(), ident_,
                                    static_cast<long>(::getpid())));
    }

protected:
    virtual int fd() const = 0;

private:
    std::string ident_;
};

class ConsoleSink final : public FdSink {
public:
    using FdSink::FdSink;

private:
    int fd() const override { return STDERR_FILENO; }
};

class FileSink final : public FdSink {
public:
    FileSink(std::string ident, std::string path, UniqueFd fd)
        : FdSink(std::move(ident)), path_(std::move(path)), fd_(std::move(fd)) {}
    static int open_file(const std::string& path) {
        return ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    }
    void reopen() override {
        int fd = open_file(path_);
        if (fd >= 0) fd_.reset(fd);  // keep the old file if the new one fails
    }

private:
    int fd() const override { return fd_.get(); }
    std::string path_;
    UniqueFd fd_;
};

std::vector<std::shared_ptr<Sink>>& sinks() {
    static std::vector<std::shared_ptr<Sink>> s{std::make_shared<ConsoleSink>("halbd")};
    return s;
}

}  // namespace

const char* level_name(Level level) {
    switch (level) {
    case Level::error: return "error";
    case Level::warning: return "warning";
    case Level::notice: return "notice";
    case Level::info: return "info";
    case Level::debug: return "debug";
    }
    return "?";
}

std::optional<int> facility_from_flag(int n) {
    static constexpr int local[] = {LOG_LOCAL0, LOG_LOCAL1, LOG_LOCAL2, LOG_LOCAL3,
                                    LOG_LOCAL4, LOG_LOCAL5, LOG_LOCAL6, LOG_LOCAL7};
    if (n < 0 || n > 7) return std::nullopt;
    return local[n];
}

Status configure(const Options& options) {
    std::vector<std::shared_ptr<Sink>> next;
    if (!options.file.empty()) {
        UniqueFd fd(FileSink::open_file(options.file));
        if (!fd) return system_error("open log file " + options.file);
        next.push_back(std::make_shared<FileSink>(options.ident, options.file, std::move(fd)));
    }
    if (options.console) next.push_back(std::make_shared<ConsoleSink>(options.ident));
    // Drop the old syslog sink (closelog) before the new one calls openlog.
    sinks().clear();
    if (options.syslog)
        next.push_back(std::make_shared<SyslogSink>(
            options.ident, options.facility < 0 ? LOG_DAEMON : options.facility));
    sinks() = std::move(next);
    detail::g_max_level = options.detail ? Level::debug : Level::info;
    return Ok{};
}

void reopen() {
    for (auto& s : sinks()) s->reopen();
}

void add_sink(std::shared_ptr<Sink> sink) { sinks().push_back(std::move(sink)); }

void remove_sink(const Sink* sink) {
    auto& s = sinks();
    s.erase(std::remove_if(s.begin(), s.end(), [sink](const auto& p) { return p.get() == sink; }),
            s.end());
}

void set_max_level(Level level) { detail::g_max_level = level; }
Level max_level() { return detail::g_max_level; }

void write(Level level, std::string_view message) {
    if (!enabled(level)) return;
    for (auto& s : sinks()) s->write(level, message);
}

std::string format_line(Level level, std::string_view message,
                        std::chrono::system_clock::time_point when, std::string_view ident,
                        long pid) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
        when.time_since_epoch());
    const time_t t = static_cast<time_t>(ms.count() / 1000);
    tm tmv{};
    ::localtime_r(&t, &tmv);
    char stamp[64];
    std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02d %02d:%02d:%02d.%03d", tmv.tm_year + 1900,
                  tmv.tm_mon + 1, tmv.tm_mday, tmv.tm_hour, tmv.tm_min, tmv.tm_sec,
                  static_cast<int>(ms.count() % 1000));
    std::string line = stamp;
    line += ' ';
    line += ident;
    line += '[';
    line += std::to_string(pid);
    line += "]: ";
    if (level == Level::error || level == Level::warning || level == Level::debug) {
        line += level_name(level);
        line += ": ";
    }
    line += message;
    line += '\n';
    return line;
}

std::string secs(Duration d) {
    const long long ns = d.count();
    // Round to the nearest hundredth of a second.
    long long hundredths = (ns >= 0 ? ns + 5'000'000 : ns - 5'000'000) / 10'000'000;
    char buf[48];
    const char* sign = hundredths < 0 ? "-" : "";
    if (hundredths < 0) hundredths = -hundredths;
    std::snprintf(buf, sizeof buf, "%s%lld.%02llds", sign, hundredths / 100, hundredths % 100);
    return buf;
}

// ---------------------------------------------------------------- capture

class ScopedCapture::Recorder final : public Sink {
public:
    void write(Level level, std::string_view message) override {
        lines.push_back({level, std::string(message)});
    }
    std::vector<Line> lines;
};

ScopedCapture::ScopedCapture(Level max)
    : recorder_(std::make_shared<Recorder>()),
      saved_sinks_(std::move(sinks())),
      saved_level_(detail::g_max_level) {
    sinks() = {recorder_};
    detail::g_max_level = max;
}

ScopedCapture::~ScopedCapture() {
    sinks() = std::move(saved_sinks_);
    detail::g_max_level = saved_level_;
}

const std::vector<ScopedCapture::Line>& ScopedCapture::lines() const { return recorder_->lines; }

bool ScopedCapture::contains(std::string_view needle) const {
    return std::any_of(recorder_->lines.begin(), recorder_->lines.end(),
                       [&](const Line& l) { return l.text.find(needle) != std::string::npos; });
}

void ScopedCapture::clear() { recorder_->lines.clear(); }

}  // namespace halbd::core::log
