// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// core/daemon.cc: the classic double fork, and the flock-protected pid file.
#include "core/daemon.hh"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cerrno>
#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace halbd::core {

Status daemonize() {
    UniqueFd devnull(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (!devnull) return system_error("open /dev/null");

    pid_t pid = ::fork();
    if (pid < 0) return system_error("fork");
    if (pid > 0) ::_exit(0);
    if (::setsid() < 0) return system_error("setsid");
    pid = ::fork();
    if (pid < 0) return system_error("fork");
    if (pid > 0) ::_exit(0);

    if (::chdir("/") < 0) return system_error("chdir /");
    ::umask(022);
    for (int fd = 0; fd <= 2; ++fd)
        if (::dup2(devnull.get(), fd) < 0) return system_error("redirect stdio to /dev/null");
    return Ok{};
}

std::vector<int> handled_signals() {
    return {SIGHUP, SIGINT, SIGTERM, SIGUSR1, SIGUSR2, SIGRTMIN + 1, SIGRTMIN + 2};
}

std::vector<int> ignored_signals() {
    std::vector<int> v = {SIGPIPE, SIGALRM, SIGVTALRM, SIGPROF, SIGXCPU, SIGXFSZ, SIGIO,  SIGPWR,
                          SIGSTKFLT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU};
    const std::vector<int> handled = handled_signals();
    for (int s = SIGRTMIN; s <= SIGRTMAX; ++s)
        if (std::find(handled.begin(), handled.end(), s) == handled.end()) v.push_back(s);
    return v;
}

Status set_daemon_signals() {
    sigset_t set;
    sigemptyset(&set);
    for (int s : handled_signals()) sigaddset(&set, s);
    if (::sigprocmask(SIG_BLOCK, &set, nullptr) < 0) return system_error("block signals");
    struct sigaction ign {};
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    for (int s : ignored_signals())
        if (::sigaction(s, &ign, nullptr) < 0) return system_error("ignore signal " + std::to_string(s));
    return Ok{};
}

Result<std::unique_ptr<PidFile>> PidFile::acquire(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
    if (!fd) return system_error("open pid file " + path);
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) < 0) {
        const int err = errno;
        if (err == EWOULDBLOCK) {
            const pid_t other = read_pid(path);
            std::string msg = "another instance is running";
            if (other > 0) msg += " (pid " + std::to_string(other) + ")";
            msg += ": pid file " + path + " is locked";
            return Error{err, msg};
        }
        return system_error("lock pid file " + path, err);
    }
    return std::unique_ptr<PidFile>(new PidFile(path, std::move(fd)));
}

Status PidFile::write_pid(pid_t pid) {
    const std::string text = std::to_string(pid) + "\n";
    if (::ftruncate(fd_.get(), 0) < 0) return system_error("truncate pid file " + path_);
    if (::pwrite(fd_.get(), text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()))
        return system_error("write pid file " + path_);
    return Ok{};
}

PidFile::~PidFile() {
    // Remove the path only if it still names our file (not one a later
    // instance created after someone deleted ours).
    struct stat mine {}, there {};
    if (::fstat(fd_.get(), &mine) == 0 && ::stat(path_.c_str(), &there) == 0 &&
        mine.st_dev == there.st_dev && mine.st_ino == there.st_ino)
        ::unlink(path_.c_str());
}

pid_t PidFile::read_pid(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return -1;
    char buf[32] = {};
    const ssize_t n = ::read(fd.get(), buf, sizeof buf - 1);
    if (n <= 0) return -1;
    char* end = nullptr;
    const long v = std::strtol(buf, &end, 10);
    if (end == buf || v <= 0 || (*end != '\n' && *end != '\0')) return -1;
    return static_cast<pid_t>(v);
}

}  // namespace halbd::core
