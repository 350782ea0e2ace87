// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/core_hardening_test.cc: what keeps halbd alive and its files
// safe (issue 11): the signals a daemon holding addresses must not die of
// (checked by raising each in a forked child), a background job abandoned
// while its worker is stuck (no wait), and the state dump's temporary file
// (a random name made with O_EXCL: a planted file never gets the dump).
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/atomic_file.hh"
#include "core/background_job.hh"
#include "core/daemon.hh"
#include "core/epoll_loop.hh"

namespace halbd::core {
namespace {

std::string read_all(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct TempDir {
    std::string path;
    TempDir() {
        char t[] = "/tmp/halbd-hardening-XXXXXX";
        path = ::mkdtemp(t);
    }
    ~TempDir() { [[maybe_unused]] int rc = std::system(("rm -rf '" + path + "'").c_str()); }
};

// In a child: the dispositions set, then every handled and ignored signal
// raised at the process. The child must live to exit 0.
TEST(DaemonSignals, NoHandledOrIgnoredSignalEndsTheProcess) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        if (!set_daemon_signals()) ::_exit(3);
        for (int s : handled_signals()) ::kill(::getpid(), s);
        for (int s : ignored_signals())
            if (s != SIGTSTP && s != SIGTTIN && s != SIGTTOU) ::kill(::getpid(), s);
        // The stop signals: ignored, so the child is not stopped (the
        // parent's waitpid without WUNTRACED would hang otherwise; checked below).
        ::kill(::getpid(), SIGTSTP);
        ::kill(::getpid(), SIGTTIN);
        ::kill(::getpid(), SIGTTOU);
        ::_exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, WUNTRACED), pid);
    EXPECT_TRUE(WIFEXITED(status)) << "stopped: " << WIFSTOPPED(status) << ", killed by signal "
                                   << (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    if (WIFSTOPPED(status)) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
    } else {
        EXPECT_EQ(WEXITSTATUS(status), 0);
    }
}

// Every signal whose default ends the process is handled, ignored, or a
// fault (or uncatchable).
TEST(DaemonSignals, EveryTerminatingSignalIsAccountedFor) {
    const std::vector<int> handled = handled_signals(), ignored = ignored_signals();
    const std::vector<int> faults = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS, SIGKILL, SIGSTOP};
    const std::vector<int> harmless = {SIGCHLD, SIGCONT, SIGURG, SIGWINCH};  // default: ignore/continue
    auto in = [](const std::vector<int>& v, int s) { return std::find(v.begin(), v.end(), s) != v.end(); };
    for (int s = 1; s <= SIGRTMAX; ++s) {
        if (s == 32 || s == 33) continue;  // glibc's own, below SIGRTMIN
        EXPECT_TRUE(in(handled, s) || in(ignored, s) || in(faults, s) || in(harmless, s)) << "signal " << s;
        EXPECT_FALSE(in(handled, s) && in(ignored, s)) << "signal " << s;
    }
    EXPECT_TRUE(in(handled, SIGRTMIN + 1));  // keepalived's STATS_CLEAR
    EXPECT_TRUE(in(handled, SIGRTMIN + 2));  // keepalived's JSON
    EXPECT_TRUE(in(handled, SIGUSR2));       // keepalived's STATS
}

// A job whose worker is stuck (a reload reading a FIFO) is abandoned at
// once when destroyed; the worker ends later on its own.
TEST(BackgroundJobTest, DestroyingARunningJobDoesNotWaitForTheWorker) {
    auto loop = EpollLoop::create();
    ASSERT_TRUE(loop);
    int p[2];
    ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
    const int rd = p[0];
    bool done_called = false;
    const unsigned before = background_threads_running();
    auto job = BackgroundJob<int>::start(
        **loop,
        [rd] {
            pollfd pfd{rd, POLLIN, 0};
            return ::poll(&pfd, 1, 5000);  // stuck up to 5 s unless the pipe is written
        },
        [&done_called](int) { done_called = true; });
    ASSERT_TRUE(job);
    EXPECT_EQ(background_threads_running(), before + 1);
    const auto t0 = std::chrono::steady_clock::now();
    job.value().reset();
    const auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_LT(took, std::chrono::milliseconds(500)) << "the destructor waited for the worker";
    // Let it end: it counts as running until then, and never calls done.
    ASSERT_EQ(::write(p[1], "x", 1), 1);
    for (int i = 0; i < 500 && background_threads_running() > before; ++i) ::usleep(10000);
    EXPECT_EQ(background_threads_running(), before);
    (*loop)->run_once(std::chrono::milliseconds(10));
    EXPECT_FALSE(done_called);
    ::close(p[0]);
    ::close(p[1]);
}

TEST(BackgroundJobTest, ResultComesBackOnTheLoop) {
    auto loop = EpollLoop::create();
    ASSERT_TRUE(loop);
    int got = 0;
    auto job = BackgroundJob<int>::start(**loop, [] { return 42; }, [&got](int v) { got = v; });
    ASSERT_TRUE(job);
    for (int i = 0; i < 500 && got == 0; ++i) (*loop)->run_once(std::chrono::milliseconds(10));
    EXPECT_EQ(got, 42);
}

// The old dump wrote through the predictable halbd.data.tmp0 with O_TRUNC:
// a file planted there (and held open) received the dump, passwords included.
TEST(AtomicFile, PlantedTemporaryFileNeverReceivesTheText) {
    TempDir d;
    const std::string path = d.path + "/halbd.data";
    const std::string planted = path + ".tmp0";
    {
        std::ofstream(planted) << "";
    }
    ::chmod(planted.c_str(), 0666);
    const int held = ::open(planted.c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(held, 0);
    EXPECT_EQ(write_file_atomically(path, "auth_pass secret\n"), "");
    EXPECT_EQ(read_all(path), "auth_pass secret\n");
    char buf[64];
    EXPECT_EQ(::read(held, buf, sizeof buf), 0) << "the planted file got the text";
    ::close(held);
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    // Nothing left beside it but the planted file.
    EXPECT_EQ(std::system(("test $(ls '" + d.path + "' | wc -l) -eq 2").c_str()), 0);
}

TEST(AtomicFile, UnwritableDirectoryIsAnError) {
    const std::string err = write_file_atomically("/nonexistent-halbd-dir/halbd.data", "x");
    EXPECT_NE(err.find("/nonexistent-halbd-dir/halbd.data"), std::string::npos) << err;
}

}  // namespace
}  // namespace halbd::core
