// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// announce/vtysh_runner.cc: see vtysh_runner.hh.
#include "announce/vtysh_runner.hh"

#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/log.hh"

namespace halbd::announce {

namespace {

constexpr size_t kMaxOutput = 1 << 20;  // a running configuration is far smaller

core::UniqueFd output_file() { return core::UniqueFd(::memfd_create("halbd-vtysh", MFD_CLOEXEC)); }

std::string read_all(int fd) {
    std::string out;
    char buf[8192];
    off_t at = 0;
    while (out.size() < kMaxOutput) {
        const ssize_t n = ::pread(fd, buf, sizeof buf, at);
        if (n <= 0) break;
        out.append(buf, static_cast<size_t>(n));
        at += n;
    }
    return out;
}

core::SpawnOptions options(const std::vector<std::string>& argv, int out) {
    core::SpawnOptions o;
    o.argv = argv;
    o.stdout_fd = out;
    o.stderr_fd = out;
    return o;
}

}  // namespace

SpawnVtyshRunner::SpawnVtyshRunner(core::EventLoop& loop)
    : loop_(loop), failed_(loop.create_timer([this] {
          Done d = std::move(done_);
          done_ = nullptr;
          if (d) d(failure_);
      })) {}

SpawnVtyshRunner::~SpawnVtyshRunner() { cancel(); }

void SpawnVtyshRunner::cancel() {
    child_.reset();  // kills the group; the loop reaps it
    failed_->cancel();
    done_ = nullptr;
    out_.reset();
}

void SpawnVtyshRunner::start(const std::vector<std::string>& argv, Duration bound, Done done) {
    cancel();
    done_ = std::move(done);
    out_ = output_file();
    if (!out_) {
        failure_ = VtyshRun{std::nullopt, "", std::string("could not start: memfd: ") + std::strerror(errno)};
        failed_->arm(Duration::zero());
        return;
    }
    auto c = core::KillAfter::start(
        loop_, options(argv, out_.get()), bound,
        [this, bound](const core::ExitStatus& st) {
            VtyshRun run;
            run.output = read_all(out_.get());
            if (st.timed_out) run.why = "did not answer within " + log::secs(bound);
            else if (st.exited()) run.exit_code = st.exit_code();
            else run.why = st.describe();
            Done d = std::move(done_);
            done_ = nullptr;
            out_.reset();
            if (d) d(std::move(run));  // may start the next run (and replace child_)
        },
        std::chrono::milliseconds(200));
    if (!c) {
        failure_ = VtyshRun{std::nullopt, "", "could not start: " + c.error().message};
        failed_->arm(Duration::zero());
        return;
    }
    child_ = std::move(c.value());
}

VtyshRun SpawnVtyshRunner::run_now(const std::vector<std::string>& argv, Duration bound) {
    VtyshRun run;
    core::UniqueFd out = output_file();
    if (!out) {
        run.why = std::string("could not start: memfd: ") + std::strerror(errno);
        return run;
    }
    auto s = core::spawn(options(argv, out.get()));
    if (!s) {
        run.why = "could not start: " + s.error().message;
        return run;
    }
    const core::Spawned& child = s.value();
    const long ms = std::max<long>(0, std::chrono::duration_cast<std::chrono::milliseconds>(bound).count());
    pollfd p{child.pidfd.get(), POLLIN, 0};
    int r;
    do r = ::poll(&p, 1, static_cast<int>(std::min<long>(ms, 60000)));
    while (r < 0 && errno == EINTR);
    if (r != 1) {
        ::kill(-child.pid, SIGKILL);
        run.why = "did not answer within " + log::secs(bound);
    }
    int status = 0;
    while (::waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (run.why.empty()) {
        if (WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
        else run.why = "killed by signal " + std::to_string(WTERMSIG(status));
    }
    run.output = read_all(out.get());
    return run;
}

}  // namespace halbd::announce
