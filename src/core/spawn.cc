// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// core/spawn.cc: argv splitting, the fork/exec of scripts and KillAfter.
// Everything the child needs is prepared before the clone: between clone and
// execve the child only makes async-signal-safe system calls.
#include "core/spawn.hh"

#include <fcntl.h>
#include <grp.h>
#include <linux/sched.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "core/log.hh"
#include "core/script_user.hh"

namespace halbd::core {

// ---------------------------------------------------------------- split

std::optional<std::vector<std::string>> split_command(std::string_view s) {
    std::vector<std::string> out;
    std::string word;
    bool in_word = false;
    size_t i = 0;
    while (i < s.size()) {
        const char c = s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            if (in_word) out.push_back(std::move(word));
            word.clear();
            in_word = false;
            ++i;
        } else if (c == '\'') {
            const size_t end = s.find('\'', i + 1);
            if (end == std::string_view::npos) return std::nullopt;
            word.append(s.substr(i + 1, end - i - 1));
            in_word = true;
            i = end + 1;
        } else if (c == '"') {
            in_word = true;
            ++i;
            for (;;) {
                if (i >= s.size()) return std::nullopt;
                if (s[i] == '"') {
                    ++i;
                    break;
                }
                if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == '"' || s[i + 1] == '\\')) {
                    word += s[i + 1];
                    i += 2;
                } else {
                    word += s[i++];
                }
            }
        } else if (c == '\\') {
            if (i + 1 >= s.size()) return std::nullopt;
            word += s[i + 1];
            in_word = true;
            i += 2;
        } else {
            word += c;
            in_word = true;
            ++i;
        }
    }
    if (in_word) out.push_back(std::move(word));
    return out;
}

// ---------------------------------------------------------------- spawn

std::optional<std::string> find_executable(std::string_view name) {
    if (name.empty()) return std::nullopt;
    if (name.find('/') != std::string_view::npos) {
        std::string p(name);
        if (::access(p.c_str(), X_OK) == 0) return p;
        return std::nullopt;
    }
    std::string_view path = kSafePath;
    while (!path.empty()) {
        const size_t colon = path.find(':');
        std::string candidate(path.substr(0, colon));
        candidate += '/';
        candidate += name;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
        if (colon == std::string_view::npos) break;
        path.remove_prefix(colon + 1);
    }
    return std::nullopt;
}

namespace {

struct ChildPlan {
    const char* path;
    char* const* argv;
    char* const* envp;
    int in, out, err;
    bool change_creds;
    uid_t uid;
    gid_t gid;
    const gid_t* groups;
    size_t ngroups;
    pid_t parent;          // halbd: the child dies with it
    int cgroup_procs = -1; // cgroup.procs to join (when clone3 could not place it)
};

// The fork fallback's child joins its cgroup itself, before anything else.
void join_cgroup(const ChildPlan& p) {
    if (p.cgroup_procs >= 0 && ::write(p.cgroup_procs, "0", 1) != 1) ::_exit(kExitSetupFailed);
}

// SIGKILL when halbd dies, even by SIGKILL. Set after the credentials
// change (which clears it); if halbd died before, it never fires: check.
void die_with_parent(const ChildPlan& p) {
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || ::getppid() != p.parent) ::_exit(kExitSetupFailed);
}

// Runs in the child, between clone and execve: async-signal-safe calls only.
[[noreturn]] void exec_child(const ChildPlan& p) {
    join_cgroup(p);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int s = 1; s < NSIG; ++s)
        if (s != SIGKILL && s != SIGSTOP) ::sigaction(s, &dfl, nullptr);

    ::setpgid(0, 0);

    // Move the sources above 2 first, so dup2 onto 0..2 cannot clobber one.
    const int in = ::fcntl(p.in, F_DUPFD, 10);
    const int out = ::fcntl(p.out, F_DUPFD, 10);
    const int err = ::fcntl(p.err, F_DUPFD, 10);
    if (in < 0 || out < 0 || err < 0) ::_exit(kExitSetupFailed);
    if (::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) ::_exit(kExitSetupFailed);
    ::close_range(3, UINT_MAX, 0);

    if (p.change_creds) {
        if (::setgroups(p.ngroups, p.groups) < 0) ::_exit(kExitSetupFailed);
        if (::setgid(p.gid) < 0) ::_exit(kExitSetupFailed);
        if (::setuid(p.uid) < 0) ::_exit(kExitSetupFailed);
    }
    die_with_parent(p);
    ::execve(p.path, p.argv, p.envp);
    ::_exit(kExitCannotExec);
}

// clone3(CLONE_PIDFD), straight into the cgroup (cgroup_fd >= 0) with
// CLONE_INTO_CGROUP; falls back to fork + pidfd_open where clone3 is
// unavailable (old kernels, seccomp filters): *placed then says whether the
// child is already in its cgroup. Returns the pid (0 in the child).
pid_t clone_with_pidfd(int* pidfd, int cgroup_fd, bool* placed) {
    clone_args args{};
    args.flags = CLONE_PIDFD;
    args.pidfd = reinterpret_cast<uint64_t>(pidfd);
    args.exit_signal = SIGCHLD;
    if (cgroup_fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = static_cast<uint64_t>(cgroup_fd);
    }
    long r = ::syscall(SYS_clone3, &args, sizeof args);
    if (r < 0 && cgroup_fd >= 0 && errno != ENOSYS && errno != EPERM) {
        args.flags &= ~static_cast<uint64_t>(CLONE_INTO_CGROUP);  // kernel < 5.7: the child joins itself
        r = ::syscall(SYS_clone3, &args, sizeof args);
    } else {
        *placed = cgroup_fd >= 0;
    }
    if (r >= 0) return static_cast<pid_t>(r);
    *placed = false;
    if (errno != ENOSYS && errno != EPERM) return -1;
    pid_t pid = ::fork();
    if (pid <= 0) return pid;
    // The unreaped child keeps its pid: no reuse race before pidfd_open.
    *pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (*pidfd < 0) {
        const int e = errno;
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        errno = e;
        return -1;
    }
    return pid;
}

}  // namespace

Result<Spawned> spawn(const SpawnOptions& o) {
    if (o.argv.empty() || o.argv[0].empty()) return Error{EINVAL, "spawn: empty command"};
    auto path = find_executable(o.argv[0]);
    if (!path) {
        if (o.argv[0].find('/') != std::string::npos) return system_error(o.argv[0]);
        return Error{ENOENT, o.argv[0] + ": command not found"};
    }

    ChildPlan plan{};
    if (o.uid || o.gid) {
        plan.uid = o.uid.value_or(::geteuid());
        plan.gid = o.gid.value_or(::getegid());
        if (o.uid && !o.gid) {
            // The user's primary group, looked up here (not in the child).
            passwd pw{}, *res = nullptr;
            char buf[4096];
            if (::getpwuid_r(*o.uid, &pw, buf, sizeof buf, &res) == 0 && res) plan.gid = pw.pw_gid;
        }
        plan.groups = o.groups.data();
        plan.ngroups = o.groups.size();
        // Unprivileged and already that user: there is nothing to drop.
        plan.change_creds =
            ::geteuid() == 0 || plan.uid != ::geteuid() || plan.gid != ::getegid();
    }
    if (o.secure) {
        auto safe = secure_script_path(*path, o.uid || o.gid ? plan.uid : ::geteuid(),
                                       o.uid || o.gid ? plan.gid : ::getegid());
        if (!safe) {
            log::error("refusing to run ", o.argv[0], ": insecure script (enable_script_security): ",
                       safe.error().message);
            return Error{safe.error().code, "insecure script (enable_script_security): " + safe.error().message};
        }
        path = std::move(safe.value());  // what was checked is what runs
    }

    std::vector<char*> argv;
    for (const auto& a : o.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const std::string default_path = std::string("PATH=") + kSafePath;
    std::vector<char*> envp;
    bool has_path = false;
    for (const auto& e : o.env) has_path |= e.rfind("PATH=", 0) == 0;
    if (!has_path) envp.push_back(const_cast<char*>(default_path.c_str()));
    for (const auto& e : o.env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);

    UniqueFd devnull(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (!devnull) return system_error("open /dev/null");

    std::unique_ptr<ScriptCgroup> cgroup;
    if (o.cgroups) {
        auto c = o.cgroups->create();
        if (c) cgroup = std::move(c.value());
        else log::warning("spawn ", o.argv[0], ": no cgroup of its own (", c.error().message, ")");
    }

    plan.path = path->c_str();
    plan.argv = argv.data();
    plan.envp = envp.data();
    plan.in = devnull.get();
    plan.out = o.stdout_fd >= 0 ? o.stdout_fd : devnull.get();
    plan.err = o.stderr_fd >= 0 ? o.stderr_fd : devnull.get();
    plan.parent = ::getpid();

    int pidfd = -1;
    bool placed = false;
    const pid_t pid = clone_with_pidfd(&pidfd, cgroup ? cgroup->dir_fd() : -1, &placed);
    if (pid < 0) return system_error("spawn " + o.argv[0]);
    if (pid == 0) {
        if (cgroup && !placed) plan.cgroup_procs = cgroup->procs_fd();
        exec_child(plan);
    }
    ::setpgid(pid, pid);  // also from the parent, so the group exists before we may kill it
    return Spawned{pid, UniqueFd(pidfd), std::move(cgroup), o.leftovers_survive};
}

// ---------------------------------------------------------------- exit status

bool ExitStatus::exited() const { return WIFEXITED(wait_status); }
int ExitStatus::exit_code() const { return WEXITSTATUS(wait_status); }
bool ExitStatus::signaled() const { return WIFSIGNALED(wait_status); }
int ExitStatus::signal() const { return WTERMSIG(wait_status); }

std::string ExitStatus::describe() const {
    std::string s;
    if (exited()) {
        s = "exit status " + std::to_string(exit_code());
    } else if (signaled()) {
        s = "killed by signal " + std::to_string(signal());
        if (const char* abbrev = ::sigabbrev_np(signal())) s += std::string(" (SIG") + abbrev + ")";
    } else {
        s = "wait status " + std::to_string(wait_status);
    }
    if (timed_out) s += ", timed out";
    return s;
}

// ---------------------------------------------------------------- KillAfter

KillAfter::KillAfter(EventLoop& loop, Spawned child, Duration timeout, Completion completion,
                     Duration grace)
    : loop_(loop),
      pid_(child.pid),
      pidfd_(std::move(child.pidfd)),
      cgroup_(std::move(child.cgroup)),
      leftovers_survive_(child.leftovers_survive),
      grace_(grace),
      completion_(std::move(completion)) {
    timer_ = loop_.create_timer([this] { on_timeout(); });
    watch_ = loop_.watch_child(pid_, pidfd_.get(), [this](int status) { on_exit(status); });
    if (!watch_) {
        log::error("spawn: cannot watch child ", pid_, ": ", std::strerror(errno));
        signal_group(SIGKILL);
        loop_.reap_in_background(pid_, std::move(pidfd_));
        // Report from the loop, as a child killed by SIGKILL.
        timer_ = loop_.create_timer([this] { on_exit(SIGKILL); });
        timer_->arm(Duration::zero());
        return;
    }
    if (timeout != kNoTimeout) timer_->arm(timeout);
}

KillAfter::~KillAfter() {
    timer_.reset();
    if (!running_) return;
    signal_group(SIGKILL);
    watch_.reset();  // borrows pidfd_: drop it before handing pidfd_ over
    loop_.reap_in_background(pid_, std::move(pidfd_));
}

Result<std::unique_ptr<KillAfter>> KillAfter::start(EventLoop& loop, const SpawnOptions& options,
                                                    Duration timeout, Completion completion,
                                                    Duration grace) {
    auto child = spawn(options);
    if (!child) return child.error();
    return std::make_unique<KillAfter>(loop, std::move(child.value()), timeout,
                                       std::move(completion), grace);
}

void KillAfter::signal_group(int signo) {
    if (signo == SIGKILL && cgroup_) cgroup_->kill();
    // Without a pidfd there is no real child to signal (a test's fake one).
    if (pid_ <= 0 || !pidfd_) return;
    // The group id is the child's pid and cannot be reused while the child
    // is unreaped; fall back to the pidfd if the group is not set up yet.
    if (::kill(-pid_, signo) < 0 && errno == ESRCH)
        ::syscall(SYS_pidfd_send_signal, pidfd_.get(), signo, nullptr, 0);
}

void KillAfter::on_timeout() {
    if (!running_) return;
    if (!timed_out_) {
        timed_out_ = true;
        signal_group(SIGTERM);
        timer_->arm(grace_);
    } else if (!killed_) {
        killed_ = true;
        signal_group(SIGKILL);
    }
}

// What the script left running when it ended: killed (its process group,
// whose id stays taken while any member lives, and its cgroup, which holds
// even those that left the group), or for a notify script that ended in
// time released to live on.
void KillAfter::end_leftovers() {
    if (leftovers_survive_ && !timed_out_) {
        if (cgroup_) cgroup_->release();
    } else {
        if (pidfd_) ::kill(-pid_, SIGKILL);
        if (cgroup_) cgroup_->kill();
    }
    cgroup_.reset();  // rmdir, or later once the killed have left
}

void KillAfter::on_exit(int wait_status) {
    running_ = false;
    timer_->cancel();
    end_leftovers();
    Completion done = std::move(completion_);
    const ExitStatus status{wait_status, timed_out_};
    if (done) done(status);  // may destroy *this: touch nothing after
}

}  // namespace halbd::core
