// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/core_spawn_test.cc: split_command (quotes, escapes, no shell
// operators) and real children through spawn() and KillAfter on EpollLoop:
// exit statuses, timeout kill, no shell, clean env and fds, own group; and
// no escape: what a script leaves behind (`sleep &`, a setsid child with
// cgroups) dies with it, and a script dies with a daemon killed by SIGKILL.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "core/epoll_loop.hh"
#include "core/spawn.hh"

namespace halbd::core {
namespace {

using namespace std::chrono_literals;
using Words = std::vector<std::string>;

TEST(SpawnSplitTest, PlainWords) {
    EXPECT_EQ(split_command("/usr/bin/check  -a\tb "), (Words{"/usr/bin/check", "-a", "b"}));
    EXPECT_EQ(split_command(""), Words{});
    EXPECT_EQ(split_command("   "), Words{});
}

TEST(SpawnSplitTest, Quotes) {
    EXPECT_EQ(split_command("/bin/notify \"VI 1\" 'a b' c"), (Words{"/bin/notify", "VI 1", "a b", "c"}));
    EXPECT_EQ(split_command("a\"b c\"d"), (Words{"ab cd"}));
    EXPECT_EQ(split_command("'it\"s' \"it's\""), (Words{"it\"s", "it's"}));
    EXPECT_EQ(split_command("x '' \"\""), (Words{"x", "", ""}));
    EXPECT_EQ(split_command(R"("say \"hi\" \\ \n")"), (Words{R"(say "hi" \ \n)"}));
    EXPECT_EQ(split_command(R"('no \escape')"), (Words{R"(no \escape)"}));
    EXPECT_EQ(split_command(R"(a\ b c)"), (Words{"a b", "c"}));
}

TEST(SpawnSplitTest, Errors) {
    EXPECT_EQ(split_command("a 'b"), std::nullopt);
    EXPECT_EQ(split_command("a \"b"), std::nullopt);
    EXPECT_EQ(split_command("a \"b\\\""), std::nullopt);
    EXPECT_EQ(split_command("a\\"), std::nullopt);
}

TEST(SpawnSplitTest, ShellOperatorsAreOrdinaryCharacters) {
    EXPECT_EQ(split_command("/bin/echo a; rm -rf / | x && $HOME `id` *"),
              (Words{"/bin/echo", "a;", "rm", "-rf", "/", "|", "x", "&&", "$HOME", "`id`", "*"}));
}

class SpawnTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto r = EpollLoop::create();
        ASSERT_TRUE(r.ok());
        loop = std::move(r.value());
    }

    // Runs argv to completion and returns its status.
    ExitStatus run(SpawnOptions opts, Duration timeout = 10s, Duration grace = 1s) {
        std::optional<ExitStatus> result;
        auto k = KillAfter::start(*loop, opts, timeout,
                                  [&](const ExitStatus& st) { result = st; }, grace);
        EXPECT_TRUE(k.ok()) << (k.ok() ? "" : k.error().message);
        if (!k.ok()) return {};
        const MonoTime end = loop->now() + 20s;
        while (!result && loop->now() < end) loop->run_once(100ms);
        EXPECT_TRUE(result.has_value());
        EXPECT_FALSE(k.value()->running());
        return result.value_or(ExitStatus{});
    }

    // Runs argv with stdout captured in a pipe; returns the output.
    std::string output_of(SpawnOptions opts, ExitStatus* status = nullptr) {
        int fds[2];
        EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
        UniqueFd r(fds[0]), w(fds[1]);
        opts.stdout_fd = w.get();
        ExitStatus st = run(opts);
        if (status) *status = st;
        w.reset();
        std::string out;
        char buf[4096];
        ssize_t n;
        while ((n = ::read(r.get(), buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
        return out;
    }

    std::unique_ptr<EpollLoop> loop;
};

// True when pid is gone (or goes within `within`): waits on a pidfd.
bool gone(pid_t pid, Duration within = 5s) {
    UniqueFd fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (!fd) return errno == ESRCH;
    pollfd p{fd.get(), POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(within).count())) == 1;
}

// Kills what a failed test left running.
void reap_leftover(pid_t pid) {
    if (pid > 0 && !gone(pid, 0s)) ::kill(pid, SIGKILL);
}

// A script whose child leaves its process group and session (setsid) and
// prints the child's pid once it has.
const std::string kEscape =
    "/usr/bin/setsid /bin/sleep 1000 >/dev/null 2>&1 & "
    "while [ \"$(cut -d' ' -f6 /proc/$!/stat)\" != $! ]; do :; done; echo $!";

std::vector<pid_t> pids_in(const std::string& text) {
    std::vector<pid_t> out;
    std::istringstream in(text);
    for (pid_t p; in >> p;) out.push_back(p);
    return out;
}

// A cgroup of the test's own under its cgroup v2, for script cgroups; the
// test is skipped where there is none (not root, cgroup v1, old kernel).
struct TestCgroups {
    std::string dir;
    std::unique_ptr<CgroupParent> parent;
    std::string why_not;
    TestCgroups() {
        auto own = CgroupParent::detect();
        if (!own) {
            why_not = own.error().message;
            return;
        }
        dir = own.value()->dir() + "/halbd-test." + std::to_string(::getpid());
        if (::mkdir(dir.c_str(), 0755) != 0) {
            why_not = "mkdir " + dir + ": " + std::strerror(errno);
            return;
        }
        parent = std::make_unique<CgroupParent>(dir);
    }
    ~TestCgroups() {
        if (!parent) return;
        // Killed processes leave their cgroups a moment later (cleanup only:
        // no assertion waits on this).
        auto populated = [this] {
            std::ifstream in(dir + "/cgroup.events");
            std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            return all.find("populated 1") != std::string::npos;
        };
        for (int i = 0; i < 500 && (parent->pending_removals() > 0 || populated()); ++i) {
            parent->retry_removals();
            ::usleep(10000);
        }
        parent->retry_removals();
        EXPECT_EQ(parent->pending_removals(), 0u);
        EXPECT_EQ(::rmdir(dir.c_str()), 0) << dir << ": " << std::strerror(errno);
    }
};

TEST_F(SpawnTest, TrueAndFalse) {
    ExitStatus t = run({.argv = {"/bin/true"}});
    EXPECT_TRUE(t.exited());
    EXPECT_EQ(t.exit_code(), 0);
    EXPECT_TRUE(t.success());
    EXPECT_EQ(t.describe(), "exit status 0");

    ExitStatus f = run({.argv = {"/bin/false"}});
    EXPECT_TRUE(f.exited());
    EXPECT_EQ(f.exit_code(), 1);
    EXPECT_FALSE(f.success());
    EXPECT_FALSE(f.timed_out);
}

TEST_F(SpawnTest, BareNameIsLookedUpInSafePath) {
    EXPECT_TRUE(run({.argv = {"true"}}).success());
    EXPECT_EQ(run({.argv = {"sh", "-c", "exit 3"}}).exit_code(), 3);
}

TEST_F(SpawnTest, MissingProgramIsAnError) {
    auto r = spawn({.argv = {"/nonexistent/halbd-script"}});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ENOENT);
    EXPECT_NE(r.error().message.find("/nonexistent/halbd-script"), std::string::npos);
    auto r2 = spawn({.argv = {"halbd-no-such-command"}});
    ASSERT_FALSE(r2.ok());
    EXPECT_NE(r2.error().message.find("command not found"), std::string::npos);
    EXPECT_FALSE(spawn({}).ok());
}

TEST_F(SpawnTest, TimeoutKillsSleep) {
    const MonoTime start = loop->now();
    ExitStatus st = run({.argv = {"/bin/sleep", "100"}}, 50ms);
    EXPECT_TRUE(st.timed_out);
    EXPECT_TRUE(st.signaled());
    EXPECT_EQ(st.signal(), SIGTERM);
    EXPECT_FALSE(st.success());
    EXPECT_NE(st.describe().find("timed out"), std::string::npos);
    EXPECT_LT(loop->now() - start, 5s);
}

TEST_F(SpawnTest, TermIgnoredThenKilled) {
    // An ignored SIGTERM is inherited by sleep too: only SIGKILL ends them.
    // The timeout starts only once the shell says its trap is set: a SIGTERM
    // before that (a slow start on a loaded machine) would end it by TERM.
    int fds[2];
    ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    UniqueFd r(fds[0]), w(fds[1]);
    auto child = spawn({.argv = {"/bin/sh", "-c", "trap '' TERM; echo ready; exec /bin/sleep 100"},
                        .stdout_fd = w.get()});
    ASSERT_TRUE(child.ok());
    w.reset();
    char buf[6] = {};
    ASSERT_EQ(::read(r.get(), buf, sizeof buf), 6);
    std::optional<ExitStatus> result;
    KillAfter k(*loop, std::move(child.value()), 50ms, [&](const ExitStatus& s) { result = s; }, 50ms);
    const MonoTime end = loop->now() + 20s;
    while (!result && loop->now() < end) loop->run_once(100ms);
    ASSERT_TRUE(result.has_value());
    const ExitStatus st = *result;
    EXPECT_TRUE(st.timed_out);
    ASSERT_TRUE(st.signaled());
    EXPECT_EQ(st.signal(), SIGKILL);
}

TEST_F(SpawnTest, ChildSignalsAreUnblockedEvenWhenTheLoopWatchesThem) {
    auto watch = loop->watch_signal(SIGTERM, [](int) {});
    ASSERT_NE(watch, nullptr);
    ExitStatus st = run({.argv = {"/bin/sleep", "100"}}, 50ms, 10s);
    EXPECT_TRUE(st.signaled());
    EXPECT_EQ(st.signal(), SIGTERM);  // not SIGKILL after the 10s grace
}

TEST_F(SpawnTest, NoShellInterpretation) {
    const std::string marker = "/tmp/halbd-spawn-test-" + std::to_string(::getpid());
    ::unlink(marker.c_str());
    auto argv = split_command("/bin/echo a; /usr/bin/touch " + marker + " $HOME");
    ASSERT_TRUE(argv.has_value());
    EXPECT_EQ(output_of({.argv = *argv}), "a; /usr/bin/touch " + marker + " $HOME\n");
    struct stat sb;
    EXPECT_NE(::stat(marker.c_str(), &sb), 0) << "a shell ran the command after ';'";
}

TEST_F(SpawnTest, CleanEnvironmentPlusGivenVariables) {
    ::setenv("HALBD_LEAK_CHECK", "1", 1);
    std::string out = output_of({.argv = {"/usr/bin/env"}, .env = {"HALBD_STATE=MASTER"}});
    ::unsetenv("HALBD_LEAK_CHECK");
    EXPECT_EQ(out, std::string("PATH=") + kSafePath + "\nHALBD_STATE=MASTER\n");
}

TEST_F(SpawnTest, StdinIsDevNullAndOtherFdsAreClosed) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);  // not close-on-exec: would leak without close_range
    UniqueFd a(fds[0]), b(fds[1]);
    const std::string script = "readlink /proc/self/fd/0; test -e /proc/$$/fd/" +
                               std::to_string(a.get()) + " && echo leaked; exit 0";
    ExitStatus st;
    EXPECT_EQ(output_of({.argv = {"/bin/sh", "-c", script}}, &st), "/dev/null\n");
    EXPECT_TRUE(st.success());
}

TEST_F(SpawnTest, OwnProcessGroup) {
    int fds[2];
    ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    UniqueFd r(fds[0]), w(fds[1]);
    auto child = spawn({.argv = {"/bin/cat", "/proc/self/stat"}, .stdout_fd = w.get()});
    ASSERT_TRUE(child.ok());
    const pid_t pid = child->pid;
    EXPECT_TRUE(child->pidfd.valid());
    std::optional<ExitStatus> st;
    KillAfter k(*loop, std::move(child.value()), 10s, [&](const ExitStatus& s) { st = s; });
    while (!st) loop->run_once(100ms);
    w.reset();
    char buf[1024] = {};
    ASSERT_GT(::read(r.get(), buf, sizeof buf - 1), 0);
    // "pid (comm) state ppid pgrp ...": pgrp is the child's own pid.
    std::string stat(buf);
    const size_t close_paren = stat.rfind(')');
    int spid = 0, ppid = 0, pgrp = 0;
    char state = 0;
    ASSERT_EQ(std::sscanf(stat.c_str(), "%d", &spid), 1);
    ASSERT_EQ(std::sscanf(stat.c_str() + close_paren + 1, " %c %d %d", &state, &ppid, &pgrp), 3);
    EXPECT_EQ(spid, pid);
    EXPECT_EQ(pgrp, pid);
    EXPECT_NE(pgrp, ::getpgrp());
}

TEST_F(SpawnTest, RunsAsGivenUser) {
    if (::geteuid() != 0) {
        // Unprivileged: asking for another user fails in the child, visibly.
        ExitStatus st = run({.argv = {"/bin/true"}, .uid = 0, .gid = 0});
        EXPECT_EQ(st.exit_code(), kExitSetupFailed);
        GTEST_SKIP() << "dropping to another user needs root";
    }
    EXPECT_EQ(output_of({.argv = {"/usr/bin/id", "-u"}, .uid = 65534, .gid = 65534}), "65534\n");
    EXPECT_EQ(output_of({.argv = {"/usr/bin/id", "-G"}, .uid = 65534, .gid = 65534}), "65534\n");
    EXPECT_EQ(output_of({.argv = {"/usr/bin/id", "-g"}, .uid = 65534, .gid = 65534,
                         .groups = {65534}}),
              "65534\n");
}

TEST_F(SpawnTest, DestroyedEarlyKillsAndReapsChild) {
    bool reported = false;
    auto k = KillAfter::start(*loop, {.argv = {"/bin/sleep", "100"}}, 1h,
                              [&](const ExitStatus&) { reported = true; });
    ASSERT_TRUE(k.ok());
    const pid_t pid = k.value()->pid();
    ASSERT_EQ(::kill(pid, 0), 0);
    k.value().reset();
    const MonoTime end = loop->now() + 10s;
    while (loop->background_children() > 0 && loop->now() < end) loop->run_once(100ms);
    EXPECT_EQ(loop->background_children(), 0u);
    EXPECT_EQ(::kill(pid, 0), -1);  // gone and reaped: no such process
    EXPECT_EQ(errno, ESRCH);
    EXPECT_FALSE(reported);
}

// Issue 11: a check script forking `sleep &` leaked one process per run.
TEST_F(SpawnTest, WhatAScriptLeavesBehindDiesWithIt) {
    std::vector<pid_t> left;
    for (int run_no = 0; run_no < 10; ++run_no) {
        auto out = output_of({.argv = {"/bin/sh", "-c", "/bin/sleep 1000 >/dev/null 2>&1 & echo $!"}});
        for (pid_t p : pids_in(out)) left.push_back(p);
    }
    ASSERT_EQ(left.size(), 10u);
    size_t alive = 0;
    for (pid_t p : left) alive += !gone(p);
    EXPECT_EQ(alive, 0u) << "background children outlived their script";
    for (pid_t p : left) reap_leftover(p);
}

TEST_F(SpawnTest, SetsidChildLeavesTheGroupButNotTheCgroup) {
    TestCgroups cg;
    if (!cg.parent) GTEST_SKIP() << "no cgroup v2 to write: " << cg.why_not;
    const std::string& script = kEscape;
    // Without a cgroup the process group cannot hold it (what remains possible).
    auto free_pids = pids_in(output_of({.argv = {"/bin/sh", "-c", script}}));
    ASSERT_EQ(free_pids.size(), 1u);
    EXPECT_FALSE(gone(free_pids[0], 200ms)) << "expected to escape the group kill";
    reap_leftover(free_pids[0]);
    // With one it dies with its script, which ended normally...
    auto ended = pids_in(output_of({.argv = {"/bin/sh", "-c", script}, .cgroups = cg.parent.get()}));
    ASSERT_EQ(ended.size(), 1u);
    EXPECT_TRUE(gone(ended[0])) << "setsid child escaped its script's cgroup";
    reap_leftover(ended[0]);
    // ... or was killed at its timeout.
    int fds[2];
    ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    UniqueFd r(fds[0]), w(fds[1]);
    ExitStatus st = run({.argv = {"/bin/sh", "-c", script + "; exec /bin/sleep 1000"}, .stdout_fd = w.get(),
                         .cgroups = cg.parent.get()},
                        2s);
    EXPECT_TRUE(st.timed_out);
    w.reset();
    char buf[64] = {};
    ASSERT_GT(::read(r.get(), buf, sizeof buf - 1), 0);
    auto timed_out = pids_in(buf);
    ASSERT_EQ(timed_out.size(), 1u);
    EXPECT_TRUE(gone(timed_out[0])) << "setsid child survived the timeout kill";
    reap_leftover(timed_out[0]);
}

TEST_F(SpawnTest, NotifyScriptDaemonLivesOnOutsideItsCgroup) {
    TestCgroups cg;
    if (!cg.parent) GTEST_SKIP() << "no cgroup v2 to write: " << cg.why_not;
    auto pids = pids_in(output_of({.argv = {"/bin/sh", "-c", kEscape},
                                   .cgroups = cg.parent.get(),
                                   .leftovers_survive = true}));
    ASSERT_EQ(pids.size(), 1u);
    EXPECT_FALSE(gone(pids[0], 200ms)) << "a daemon started by a notify script was killed";
    reap_leftover(pids[0]);
}

// A daemon killed with SIGKILL cannot clean up: its scripts die by
// PR_SET_PDEATHSIG, and with cgroups what they left is swept at the next start.
TEST(SpawnDaemonDeath, KillNineLeavesNoScriptBehind) {
    TestCgroups cg;
    int fds[2];
    ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    UniqueFd r(fds[0]), w(fds[1]);
    const pid_t daemon = ::fork();
    ASSERT_GE(daemon, 0);
    if (daemon == 0) {
        auto l = EpollLoop::create();
        if (!l) ::_exit(1);
        // The leader prints its setsid child's pid and its own, then waits.
        auto k = KillAfter::start(
            *l.value(),
            {.argv = {"/bin/sh", "-c", kEscape + "; echo $$; exec /bin/sleep 1000"},
             .stdout_fd = w.get(),
             .cgroups = cg.parent.get()},
            1h, [](const ExitStatus&) {});
        if (!k) ::_exit(2);
        for (;;) l.value()->run_once(1h);
    }
    w.reset();
    std::string out;
    char buf[64];
    while (pids_in(out).size() < 2) {
        const ssize_t n = ::read(r.get(), buf, sizeof buf);
        if (n <= 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    auto pids = pids_in(out);
    ASSERT_EQ(pids.size(), 2u) << out;
    const pid_t escaped = pids[0], script = pids[1];
    ASSERT_EQ(::kill(daemon, SIGKILL), 0);
    ASSERT_EQ(::waitpid(daemon, nullptr, 0), daemon);
    EXPECT_TRUE(gone(script)) << "the script outlived the daemon";
    reap_leftover(script);
    if (!cg.parent) {
        reap_leftover(escaped);
        GTEST_SKIP() << "no cgroup v2 to write (" << cg.why_not << "): the setsid child is not swept";
    }
    // The next halbd finds the dead one's script cgroup and kills what is left.
    EXPECT_FALSE(gone(escaped, 0s));
    EXPECT_EQ(cg.parent->sweep_stale(), 1u);
    EXPECT_TRUE(gone(escaped)) << "the setsid child survived the sweep";
    reap_leftover(escaped);
}

TEST_F(SpawnTest, ExitStatusDescribe) {
    EXPECT_EQ((ExitStatus{2 << 8, false}).describe(), "exit status 2");
    EXPECT_EQ((ExitStatus{SIGKILL, true}).describe(), "killed by signal 9 (SIGKILL), timed out");
}

}  // namespace
}  // namespace halbd::core
