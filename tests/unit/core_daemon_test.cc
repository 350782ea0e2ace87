// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/core_daemon_test.cc: the pid file refuses a second instance with
// a clear error and is removed on exit; daemonize() detaches (checked in a
// forked child, so the test binary itself is untouched).
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <string>

#include <gtest/gtest.h>

#include "core/daemon.hh"

namespace halbd::core {
namespace {

std::string temp_path(const char* name) {
    return std::string("/tmp/halbd-daemon-test-") + std::to_string(::getpid()) + "-" + name;
}

bool exists(const std::string& path) {
    struct stat sb;
    return ::stat(path.c_str(), &sb) == 0;
}

TEST(DaemonTest, PidFileLocksOutSecondInstance) {
    const std::string path = temp_path("pid");
    ::unlink(path.c_str());
    {
        auto first = PidFile::acquire(path);
        ASSERT_TRUE(first.ok()) << first.error().message;
        ASSERT_TRUE(first.value()->write_pid(::getpid()).ok());
        EXPECT_EQ(PidFile::read_pid(path), ::getpid());

        auto second = PidFile::acquire(path);
        ASSERT_FALSE(second.ok());
        EXPECT_EQ(second.error().code, EWOULDBLOCK);
        EXPECT_NE(second.error().message.find("another instance is running (pid " +
                                              std::to_string(::getpid()) + ")"),
                  std::string::npos)
            << second.error().message;
        EXPECT_NE(second.error().message.find(path), std::string::npos);
        // The refused attempt left the running instance's file intact.
        EXPECT_EQ(PidFile::read_pid(path), ::getpid());
    }
    EXPECT_FALSE(exists(path)) << "pid file not removed on exit";
    auto again = PidFile::acquire(path);
    EXPECT_TRUE(again.ok());
}

TEST(DaemonTest, LockHeldByAnotherProcess) {
    const std::string path = temp_path("pid2");
    ::unlink(path.c_str());
    int ready[2], go[2];
    ASSERT_EQ(::pipe(ready), 0);
    ASSERT_EQ(::pipe(go), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        auto pf = PidFile::acquire(path);
        if (!pf.ok() || !pf.value()->write_pid(::getpid()).ok()) ::_exit(1);
        char c = 'r';
        if (::write(ready[1], &c, 1) != 1) ::_exit(1);
        if (::read(go[0], &c, 1) != 1) ::_exit(1);  // hold the lock until told
        ::_exit(0);  // no destructor: a crashed daemon leaves a stale file
    }
    char c;
    ASSERT_EQ(::read(ready[0], &c, 1), 1);
    auto refused = PidFile::acquire(path);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("pid " + std::to_string(child)), std::string::npos);
    ASSERT_EQ(::write(go[1], "g", 1), 1);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_EQ(status, 0);
    // The stale file of a dead instance is not locked: a new one takes over.
    auto taken = PidFile::acquire(path);
    ASSERT_TRUE(taken.ok());
    ASSERT_TRUE(taken.value()->write_pid(::getpid()).ok());
    EXPECT_EQ(PidFile::read_pid(path), ::getpid());
    for (int fd : {ready[0], ready[1], go[0], go[1]}) ::close(fd);
}

TEST(DaemonTest, ReadPidRejectsGarbage) {
    const std::string path = temp_path("garbage");
    EXPECT_EQ(PidFile::read_pid(path + ".missing"), -1);
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, "12abc\n", 6), 6);
    ::close(fd);
    EXPECT_EQ(PidFile::read_pid(path), -1);
    ::unlink(path.c_str());
}

TEST(DaemonTest, DaemonizeDetaches) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t test_sid = ::getsid(0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::close(fds[0]);
        if (!daemonize().ok()) ::_exit(1);
        char cwd[PATH_MAX] = {};
        char in[PATH_MAX] = {}, out[PATH_MAX] = {};
        if (!::getcwd(cwd, sizeof cwd)) ::_exit(1);
        if (::readlink("/proc/self/fd/0", in, sizeof in - 1) < 0) ::_exit(1);
        if (::readlink("/proc/self/fd/1", out, sizeof out - 1) < 0) ::_exit(1);
        const mode_t mask = ::umask(0);
        const std::string report = std::to_string(::getsid(0)) + " " + std::to_string(::getpid()) +
                                   " " + cwd + " " + std::to_string(mask) + " " + in + " " + out;
        if (::write(fds[1], report.data(), report.size()) < 0) ::_exit(1);
        ::_exit(0);
    }
    ::close(fds[1]);
    int status = -1;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);  // first parent exits 0
    std::string report;
    char buf[512];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0) report.append(buf, static_cast<size_t>(n));
    ::close(fds[0]);
    long sid = 0, pid = 0;
    unsigned mask = 0;
    char cwd[256] = {}, in[256] = {}, out[256] = {};
    ASSERT_EQ(std::sscanf(report.c_str(), "%ld %ld %255s %u %255s %255s", &sid, &pid, cwd, &mask,
                          in, out),
              6)
        << report;
    EXPECT_NE(sid, test_sid);  // a new session
    EXPECT_NE(sid, pid);       // but not its leader: cannot regain a terminal
    EXPECT_NE(pid, child);
    EXPECT_STREQ(cwd, "/");
    EXPECT_EQ(mask, 022u);
    EXPECT_STREQ(in, "/dev/null");
    EXPECT_STREQ(out, "/dev/null");
}

}  // namespace
}  // namespace halbd::core
