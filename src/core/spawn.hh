// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// core/spawn.hh: running scripts (notify, track_script, MISC_CHECK) without a
// shell and without ever blocking the loop. split_command() turns a keepalived
// script string into argv; spawn() starts it with clean credentials, env and
// fds, in its own process group (and cgroup when it can), checked again for
// enable_script_security; KillAfter owns a running child, enforces its
// timeout, kills what it leaves behind and reports its exit once. Called by
// vrrp/ (notify, track scripts) and check/ (MISC_CHECK, notify scripts).
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/event_loop.hh"
#include "core/fd.hh"
#include "core/result.hh"
#include "core/script_cgroup.hh"

namespace halbd::core {

// Splits a script line as keepalived does: words separated by blanks; '...'
// keeps everything literally; "..." keeps blanks, and a backslash in it
// escapes " and \; outside quotes a backslash escapes the next character.
// Adjacent quoted and plain parts join into one word (a"b c"d -> ab cd).
// nullopt for an unterminated quote or a trailing backslash. No variable,
// glob or operator (; | &&) is interpreted: they are ordinary characters.
std::optional<std::vector<std::string>> split_command(std::string_view command);

struct SpawnOptions {
    std::vector<std::string> argv{};  // argv[0]: a path, or a name looked up in kSafePath
    std::optional<uid_t> uid{};     // run as this user (with gid and groups)
    std::optional<gid_t> gid{};
    std::vector<gid_t> groups{};    // supplementary groups when changing user (default none)
    std::vector<std::string> env{}; // "NAME=value", added to the clean environment
    int stdout_fd = -1;             // -1: /dev/null
    int stderr_fd = -1;             // -1: /dev/null
    // enable_script_security, checked at this very run: argv[0], each
    // directory and symlink leading to it (secure_script_path, for the user
    // it runs as). Insecure: refused (an error, logged); else the verified,
    // symlink-free path is what runs, so a link re-pointed later cannot
    // change what is executed.
    bool secure = false;
    // Where the run gets its own cgroup (null: none, the process group only).
    CgroupParent* cgroups = nullptr;
    // false (checks): whatever the script left running dies when it ends.
    // true (notify scripts): a daemon it started lives on (keepalived does
    // so); the timeout still kills everything.
    bool leftovers_survive = false;
};

// PATH of the clean environment and of the argv[0] lookup.
inline constexpr const char* kSafePath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Child exit codes when the program could not be started (as a shell does).
inline constexpr int kExitCannotExec = 127;
inline constexpr int kExitSetupFailed = 126;  // credentials or fds could not be set

struct Spawned {
    pid_t pid = -1;
    UniqueFd pidfd;
    std::unique_ptr<ScriptCgroup> cgroup{};  // null: no cgroup of its own
    bool leftovers_survive = false;        // SpawnOptions::leftovers_survive
};

// KillAfter's timeout meaning "none" (a FIFO reader runs as long as halbd).
inline constexpr Duration kNoTimeout = Duration::max();

// Resolves argv[0] to an executable path (nullopt if not found).
std::optional<std::string> find_executable(std::string_view name);

// Starts the program: no shell (execve), stdin /dev/null, every other fd
// closed, its own process group (and options.cgroups' cgroup), signals reset
// to default and unblocked, environment = PATH + options.env, credentials
// dropped when uid/gid are given, and SIGKILL when halbd dies
// (PR_SET_PDEATHSIG: it fires when the *thread* that forked exits, so only
// the loop thread may call this). Returns the pid and a pidfd; the caller
// must reap the child (watch it with EventLoop::watch_child, or hand it to
// a KillAfter).
Result<Spawned> spawn(const SpawnOptions& options);

// The exit of a child as KillAfter reports it.
struct ExitStatus {
    int wait_status = 0;    // waitpid() style
    bool timed_out = false;  // we sent SIGTERM/SIGKILL because of the timeout

    bool exited() const;
    int exit_code() const;  // valid when exited()
    bool signaled() const;
    int signal() const;     // valid when signaled()
    bool success() const { return !timed_out && exited() && exit_code() == 0; }
    std::string describe() const;  // "exit status 1", "killed by signal 9 (timed out)"
};

// Owns a running child: reports its exit once through completion, sends
// SIGTERM to its process group at the timeout (kNoTimeout: never) and
// SIGKILL grace later (with its cgroup's cgroup.kill), and if destroyed
// early kills the group and leaves the reaping to the loop. When the child
// ends, what it left in its group and cgroup is killed (a `sleep &` must not
// pile up run after run) unless leftovers_survive and it ended in time.
// The completion always runs from the loop (never from the constructor) and
// may destroy this object.
class KillAfter {
public:
    using Completion = std::function<void(const ExitStatus&)>;

    KillAfter(EventLoop& loop, Spawned child, Duration timeout, Completion completion,
              Duration grace = std::chrono::seconds(1));
    ~KillAfter();
    KillAfter(const KillAfter&) = delete;
    KillAfter& operator=(const KillAfter&) = delete;

    pid_t pid() const { return pid_; }
    bool running() const { return running_; }

    // Starts a program and owns it (spawn() + KillAfter).
    static Result<std::unique_ptr<KillAfter>> start(EventLoop& loop, const SpawnOptions& options,
                                                    Duration timeout, Completion completion,
                                                    Duration grace = std::chrono::seconds(1));

private:
    void on_timeout();
    void on_exit(int wait_status);
    void signal_group(int signo);
    void end_leftovers();

    EventLoop& loop_;
    pid_t pid_;
    UniqueFd pidfd_;
    std::unique_ptr<ScriptCgroup> cgroup_;
    bool leftovers_survive_;
    Duration grace_;
    Completion completion_;
    bool running_ = true;
    bool timed_out_ = false;
    bool killed_ = false;  // SIGKILL sent
    TimerPtr timer_;
    ChildWatchPtr watch_;
};

}  // namespace halbd::core
