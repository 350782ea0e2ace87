// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/core_log_test.cc: log levels and the -D detail switch, the
// type-safe streaming API, syslog facility flags, line format, duration
// printing and the reopenable log file.
#include <syslog.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "core/log.hh"

namespace halbd::core {
namespace {

using namespace std::chrono_literals;

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

TEST(LogTest, StreamsArgumentsIntoOneLine) {
    log::ScopedCapture cap;
    halbd::log::notice("VI_1: ", "BACKUP", " -> ", "MASTER", " (peer 192.0.2.1 silent for ",
                       log::secs(3610ms), ")");
    log::info("count=", 42, " ratio=", 0.5, " flag=", true);
    ASSERT_EQ(cap.lines().size(), 2u);
    EXPECT_EQ(cap.lines()[0].level, log::Level::notice);
    EXPECT_EQ(cap.lines()[0].text, "VI_1: BACKUP -> MASTER (peer 192.0.2.1 silent for 3.61s)");
    EXPECT_EQ(cap.lines()[1].text, "count=42 ratio=0.5 flag=1");
    EXPECT_TRUE(cap.contains("silent for"));
    EXPECT_FALSE(cap.contains("FAULT"));
}

TEST(LogTest, DebugOnlyWithDetail) {
    log::ScopedCapture cap(log::Level::info);
    EXPECT_FALSE(log::enabled(log::Level::debug));
    log::debug("hidden");
    log::error("shown");
    log::warning("shown too");
    ASSERT_EQ(cap.lines().size(), 2u);
    EXPECT_EQ(cap.lines()[0].level, log::Level::error);
    EXPECT_EQ(cap.lines()[1].level, log::Level::warning);
    cap.clear();
    log::set_max_level(log::Level::debug);
    log::debug("detail");
    ASSERT_EQ(cap.lines().size(), 1u);
    EXPECT_EQ(cap.lines()[0].text, "detail");
}

TEST(LogTest, CaptureRestoresPreviousSinksAndLevel) {
    log::ScopedCapture outer;
    {
        log::ScopedCapture inner(log::Level::error);
        log::info("to nobody");
        log::error("to inner");
        EXPECT_EQ(inner.lines().size(), 1u);
    }
    log::info("to outer");
    ASSERT_EQ(outer.lines().size(), 1u);
    EXPECT_EQ(outer.lines()[0].text, "to outer");
    EXPECT_EQ(log::max_level(), log::Level::debug);
}

// Counts how often it is streamed.
struct Streamed {
    int* n;
    friend std::ostream& operator<<(std::ostream& os, const Streamed& s) {
        ++*s.n;
        return os << "streamed";
    }
};

TEST(LogTest, ArgumentsAreNotFormattedWhenDisabled) {
    log::ScopedCapture cap(log::Level::info);
    int evaluations = 0;
    log::debug(Streamed{&evaluations});
    EXPECT_EQ(evaluations, 0);
    log::info(Streamed{&evaluations});
    EXPECT_EQ(evaluations, 1);
    ASSERT_EQ(cap.lines().size(), 1u);
    EXPECT_EQ(cap.lines()[0].text, "streamed");
}

TEST(LogTest, SyslogFacilityFromFlag) {
    EXPECT_EQ(log::facility_from_flag(0), LOG_LOCAL0);
    EXPECT_EQ(log::facility_from_flag(5), LOG_LOCAL5);
    EXPECT_EQ(log::facility_from_flag(7), LOG_LOCAL7);
    EXPECT_EQ(log::facility_from_flag(8), std::nullopt);
    EXPECT_EQ(log::facility_from_flag(-1), std::nullopt);
}

TEST(LogTest, LineFormat) {
    std::tm tm{};
    tm.tm_year = 2024 - 1900;
    tm.tm_mon = 4;
    tm.tm_mday = 1;
    tm.tm_hour = 12;
    tm.tm_min = 34;
    tm.tm_sec = 56;
    tm.tm_isdst = -1;
    const auto when = std::chrono::system_clock::from_time_t(std::mktime(&tm)) + 789ms;
    EXPECT_EQ(log::format_line(log::Level::notice, "VI_1: BACKUP -> MASTER", when, "halbd", 42),
              "2024-05-01 12:34:56.789 halbd[42]: VI_1: BACKUP -> MASTER\n");
    EXPECT_EQ(log::format_line(log::Level::warning, "old keyword", when, "halbd", 7),
              "2024-05-01 12:34:56.789 halbd[7]: warning: old keyword\n");
    EXPECT_EQ(log::format_line(log::Level::error, "x", when, "halbd", 7),
              "2024-05-01 12:34:56.789 halbd[7]: error: x\n");
}

TEST(LogTest, Seconds) {
    EXPECT_EQ(log::secs(3610ms), "3.61s");
    EXPECT_EQ(log::secs(3614ms), "3.61s");
    EXPECT_EQ(log::secs(3615ms), "3.62s");
    EXPECT_EQ(log::secs(0ms), "0.00s");
    EXPECT_EQ(log::secs(250ms), "0.25s");
    EXPECT_EQ(log::secs(120s), "120.00s");
    EXPECT_EQ(log::secs(-1500ms), "-1.50s");
}

TEST(LogTest, FileSinkAppendsAndReopens) {
    const std::string path = "/tmp/halbd-log-test-" + std::to_string(::getpid()) + ".log";
    const std::string rotated = path + ".1";
    ::unlink(path.c_str());
    ::unlink(rotated.c_str());
    ASSERT_TRUE(log::configure({.syslog = false, .file = path, .detail = true}).ok());
    EXPECT_TRUE(log::enabled(log::Level::debug));
    log::info("first line");
    log::debug("detail line");
    ASSERT_EQ(::rename(path.c_str(), rotated.c_str()), 0);  // logrotate
    log::info("still to the old file");
    log::reopen();
    log::info("to the new file");
    const std::string old_text = slurp(rotated), new_text = slurp(path);
    EXPECT_NE(old_text.find("halbd[" + std::to_string(::getpid()) + "]: first line\n"), std::string::npos);
    EXPECT_NE(old_text.find("debug: detail line\n"), std::string::npos);
    EXPECT_NE(old_text.find("still to the old file"), std::string::npos);
    EXPECT_EQ(old_text.find("to the new file"), std::string::npos);
    EXPECT_NE(new_text.find("to the new file"), std::string::npos);

    // A file that cannot be opened is an error and keeps the current sinks.
    auto bad = log::configure({.syslog = false, .file = "/nonexistent-dir/x.log"});
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("/nonexistent-dir/x.log"), std::string::npos);
    log::info("after failed configure");
    EXPECT_NE(slurp(path).find("after failed configure"), std::string::npos);

    ASSERT_TRUE(log::configure({.syslog = false, .console = true}).ok());
    EXPECT_FALSE(log::enabled(log::Level::debug));
    ::unlink(path.c_str());
    ::unlink(rotated.c_str());
}

}  // namespace
}  // namespace halbd::core
