// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/check_notify_test.cc: the notify scripts for real (scripts in a
// temporary directory writing marker files, on EpollLoop, waiting on child
// exit events, never sleeping): NotifyRunner's bound and queue, and
// CheckSubsystem running notify_up/notify_down when a real server changes
// (driven by FILE_CHECK through inotify), quorum_up/quorum_down when a
// quorum changes, and omega's down notifiers at stop.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "check/notify_runner.hh"
#include "check/subsystem.hh"
#include "check_kinds_util.hh"
#include "core/log.hh"
#include "forward_test_util.hh"

namespace halbd::check {
namespace {

using namespace test_util;
using forward::test_util::load;

struct NotifyTest : EpollTest {
    TempDir dir;
    // A script appending its arguments to dir/log.
    std::string marker() const { return dir.path + "/log"; }
    std::string logger() {
        return dir.script("note.sh", "#!/bin/sh\necho \"$*\" >> " + marker() + "\n");
    }
    template <class Pred>
    bool turn_until(Pred pred, int turns = 200) {
        for (int i = 0; i < turns && !pred(); ++i) loop->run_once(50ms);
        return pred();
    }
    std::shared_ptr<const ScriptCommand> command(const std::string& line) {
        ScriptUserCache users;
        return std::make_shared<const ScriptCommand>(prepare_script("test", line, nullptr, nullptr, users));
    }
};

TEST_F(NotifyTest, RunnerRunsWithoutBlockingAndBoundsAHungScript) {
    const std::string note = logger();
    const std::string hang = dir.script("hang.sh", "#!/bin/sh\ntrap '' TERM\nexec sleep 30\n");
    NotifyRunner::Limits lim;
    lim.timeout = 200ms;
    lim.grace = 100ms;
    lim.max_running = 1;  // the second run waits for the first
    NotifyRunner runner(*loop, lim);
    log::ScopedCapture cap(log::Level::info);
    runner.run(command(hang), "hung one");
    runner.run(command(note + " second"), "second one");
    EXPECT_EQ(runner.running(), 1u);
    EXPECT_EQ(runner.queued(), 1u);
    ASSERT_TRUE(turn_until([&] { return runner.idle(); }));
    EXPECT_EQ(slurp(marker()), "second\n");
    EXPECT_EQ(runner.started(), 2u);
    EXPECT_EQ(runner.failed(), 1u);
    EXPECT_TRUE(cap.contains("hung one: killed after 0.20s")) << cap.lines().size();
}

TEST_F(NotifyTest, RefusedScriptIsNotRun) {
    NotifyRunner runner(*loop);
    log::ScopedCapture cap(log::Level::info);
    runner.run(command("'unbalanced"), "bad one");
    EXPECT_TRUE(runner.idle());
    EXPECT_EQ(runner.failed(), 1u);
    EXPECT_EQ(runner.started(), 0u);
}

// Two real servers driven by two track files; the VS has quorum 2.
struct SubsystemNotifyTest : NotifyTest {
    std::string f1() const { return dir.path + "/f1"; }
    std::string f2() const { return dir.path + "/f2"; }
    std::shared_ptr<const config::Model> model(bool omega) {
        const std::string n = logger();
        std::ofstream(f1()) << "0\n";
        std::ofstream(f2()) << "0\n";
        auto m = load(R"(
track_file t1 {
    file ")" + f1() + R"("
    weight 0
}
track_file t2 {
    file ")" + f2() + R"("
    weight 0
}
virtual_server 192.0.2.10 80 {
    protocol TCP
    quorum 2
)" + (omega ? "    omega\n" : "") + R"(    quorum_up ")" + n + R"( quorum up"
    quorum_down ")" + n + R"( quorum down"
    real_server 192.0.2.21 80 {
        notify_up ")" + n + R"( 21 up"
        notify_down ")" + n + R"( 21 down"
        FILE_CHECK {
            track_file t1
        }
    }
    real_server 192.0.2.22 80 {
        FILE_CHECK {
            track_file t2
        }
    }
}
)");
        EXPECT_TRUE(m);
        return m;
    }
    // The marker's lines once `n` of them are there.
    std::string lines_when(CheckSubsystem& checks, size_t n) {
        EXPECT_TRUE(turn_until([&] {
            const std::string s = slurp(marker());
            return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')) >= n && checks.scripts_idle();
        })) << slurp(marker());
        // Scripts run concurrently: their lines come in any order.
        std::istringstream in(slurp(marker()));
        std::vector<std::string> v;
        for (std::string l; std::getline(in, l);) v.push_back(l);
        std::sort(v.begin(), v.end());
        std::string out;
        for (const auto& l : v) out += l + "\n";
        return out;
    }
};

TEST_F(SubsystemNotifyTest, NotifyAndQuorumScriptsRunOnChanges) {
    auto m = model(false);
    CheckSubsystem checks(*loop);
    checks.apply(nullptr, *m);
    const auto& vs = m->lvs.virtual_servers[0];
    EXPECT_EQ(checks.quorum_was_up(vs), std::nullopt);
    loop->run_once(0ms);  // first reads; the quorum is decided on the first change
    std::ofstream(f1()) << "1\n";  // .21 down: notify_down, quorum lost
    EXPECT_EQ(lines_when(checks, 2), "21 down\nquorum down\n");
    std::ofstream(f1()) << "0\n";  // back: notify_up, quorum gained
    EXPECT_EQ(lines_when(checks, 4), "21 down\n21 up\nquorum down\nquorum up\n");
    std::ofstream(f2()) << "1\n";  // .22 has no scripts: only the quorum's
    EXPECT_EQ(lines_when(checks, 5), "21 down\n21 up\nquorum down\nquorum down\nquorum up\n");
    EXPECT_EQ(checks.scripts().started(), 5u);
    EXPECT_EQ(checks.scripts().failed(), 0u);
}

TEST_F(SubsystemNotifyTest, OmegaRunsTheDownNotifiersAtStop) {
    auto m = model(true);
    CheckSubsystem checks(*loop);
    checks.apply(nullptr, *m);
    loop->run_once(0ms);
    config::StopOptions opts;
    checks.stop(opts);
    EXPECT_FALSE(checks.scripts_idle());
    EXPECT_EQ(lines_when(checks, 2), "21 down\nquorum down\n");
}

TEST_F(SubsystemNotifyTest, WithoutOmegaStopRunsNothing) {
    auto m = model(false);
    CheckSubsystem checks(*loop);
    checks.apply(nullptr, *m);
    config::StopOptions opts;
    checks.stop(opts);
    EXPECT_TRUE(checks.scripts_idle());
    EXPECT_FALSE(std::filesystem::exists(marker()));
}

}  // namespace
}  // namespace halbd::check
