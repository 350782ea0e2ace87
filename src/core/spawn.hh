// core/spawn.hh: running scripts (notify, track_script, MISC_CHECK) without a
// shell and without ever blocking the loop. split_command() turns a keepalived
// script string into argv; spawn() starts it with clean credentials, env and
// fds; KillAfter owns a running child, enforces its timeout and reports its
// exit once. Called by vrrp/ (notify, track scripts) and check/ (MISC_CHECK).
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/event_loop.hh"
#include "core/fd.hh"
#include "core/result.hh"

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
};

// PATH of the clean environment and of the argv[0] lookup.
inline constexpr const char* kSafePath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Child exit codes when the program could not be started (as a shell does).
inline constexpr int kExitCannotExec = 127;
inline constexpr int kExitSetupFailed = 126;  // credentials or fds could not be set

struct Spawned {
    pid_t pid = -1;
    UniqueFd pidfd;
};

// Resolves argv[0] to an executable path (nullopt if not found).
std::optional<std::string> find_executable(std::string_view name);

// Starts the program: no shell (execve), stdin /dev/null, every other fd
// closed, its own process group, signals reset to default and unblocked,
// environment = PATH + options.env, credentials dropped when uid/gid are
// given. Returns the pid and a pidfd; the caller must reap the child (watch
// it with EventLoop::watch_child, or hand it to a KillAfter).
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
// SIGTERM to its process group at the timeout and SIGKILL grace later, and if
// destroyed early kills the group and leaves the reaping to the loop. The
// completion always runs from the loop (never from the constructor) and may
// destroy this object.
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

    EventLoop& loop_;
    pid_t pid_;
    UniqueFd pidfd_;
    Duration grace_;
    Completion completion_;
    bool running_ = true;
    bool timed_out_ = false;
    bool killed_ = false;  // SIGKILL sent
    TimerPtr timer_;
    ChildWatchPtr watch_;
};

}  // namespace halbd::core
