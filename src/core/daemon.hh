// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// core/daemon.hh: becoming a daemon and holding the pid file. halbd.cc takes
// the pid file first (so "already running" is reported on the terminal),
// then daemonizes and writes its pid. PidFile owns the locked file and removes
// it when destroyed.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "core/fd.hh"
#include "core/result.hh"

namespace halbd::core {

// Detaches from the terminal: fork, setsid, fork again (so the daemon can
// never reacquire a controlling terminal), chdir /, umask 022, stdin/stdout/
// stderr to /dev/null. Returns in the daemon; the intermediate processes
// _exit(0). Other fds (a locked PidFile) are kept and stay locked.
Status daemonize();

// The signals halbd reads through its loop (TERM, INT, HUP, USR1, USR2 and
// keepalived's STATS_CLEAR and JSON, SIGRTMIN+1 and +2): blocked from the
// first instruction, so that one sent early waits instead of killing.
std::vector<int> handled_signals();
// Every other signal whose default action would end (or stop) the process
// while it holds addresses: PIPE, ALRM, VTALRM, PROF, XCPU, XFSZ, IO, PWR,
// STKFLT, QUIT, TSTP, TTIN, TTOU and the unused real-time ones. Ignored.
// Faults (SEGV, BUS, ILL, FPE, ABRT, TRAP, SYS) keep their default: the
// process cannot go on. Listed in halbd(8) SIGNALS.
std::vector<int> ignored_signals();
// Blocks handled_signals() and ignores ignored_signals(), for the process
// and every thread it starts later. Children get an empty mask and default
// dispositions back (core::spawn).
Status set_daemon_signals();

class PidFile {
public:
    // Opens (creating) path and takes an exclusive flock on it. Fails with
    // EWOULDBLOCK and a message naming the running pid if another instance
    // holds it. Nothing is written yet: call write_pid() once the pid is final.
    static Result<std::unique_ptr<PidFile>> acquire(const std::string& path);
    ~PidFile();  // removes the file (if it is still ours) and unlocks
    PidFile(const PidFile&) = delete;
    PidFile& operator=(const PidFile&) = delete;

    Status write_pid(pid_t pid);
    const std::string& path() const { return path_; }

    // The pid recorded in a pid file, or -1.
    static pid_t read_pid(const std::string& path);

private:
    PidFile(std::string path, UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}
    std::string path_;
    UniqueFd fd_;
};

}  // namespace halbd::core
