// core/spawn.cc: argv splitting, the fork/exec of scripts and KillAfter.
// Everything the child needs is prepared before the clone: between clone and
// execve the child only makes async-signal-safe system calls.
#include "core/spawn.hh"

#include <fcntl.h>
#include <grp.h>
#include <linux/sched.h>
#include <pwd.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "core/log.hh"

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
};

// Runs in the child, between clone and execve: async-signal-safe calls only.
[[noreturn]] void exec_child(const ChildPlan& p) {
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
    ::execve(p.path, p.argv, p.envp);
    ::_exit(kExitCannotExec);
}

// clone3(CLONE_PIDFD); falls back to fork + pidfd_open where clone3 is
// unavailable (old kernels, seccomp filters). Returns the pid (0 in the child).
pid_t clone_with_pidfd(int* pidfd) {
    clone_args args{};
    args.flags = CLONE_PIDFD;
    args.pidfd = reinterpret_cast<uint64_t>(pidfd);
    args.exit_signal = SIGCHLD;
    long r = ::syscall(SYS_clone3, &args, sizeof args);
    if (r >= 0) return static_cast<pid_t>(r);
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
    const auto path = find_executable(o.argv[0]);
    if (!path) {
        if (o.argv[0].find('/') != std::string::npos) return system_error(o.argv[0]);
        return Error{ENOENT, o.argv[0] + ": command not found"};
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

    ChildPlan plan{};
    plan.path = path->c_str();
    plan.argv = argv.data();
    plan.envp = envp.data();
    plan.in = devnull.get();
    plan.out = o.stdout_fd >= 0 ? o.stdout_fd : devnull.get();
    plan.err = o.stderr_fd >= 0 ? o.stderr_fd : devnull.get();
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

    int pidfd = -1;
    const pid_t pid = clone_with_pidfd(&pidfd);
    if (pid < 0) return system_error("spawn " + o.argv[0]);
    if (pid == 0) exec_child(plan);
    ::setpgid(pid, pid);  // also from the parent, so the group exists before we may kill it
    return Spawned{pid, UniqueFd(pidfd)};
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
    timer_->arm(timeout);
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

void KillAfter::on_exit(int wait_status) {
    running_ = false;
    timer_->cancel();
    // Grandchildren left behind by a script that timed out go with it (the
    // group id stays taken while any member lives).
    if (timed_out_ && pidfd_) ::kill(-pid_, SIGKILL);
    Completion done = std::move(completion_);
    const ExitStatus status{wait_status, timed_out_};
    if (done) done(status);  // may destroy *this: touch nothing after
}

}  // namespace halbd::core
