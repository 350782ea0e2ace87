// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// core/epoll_loop.cc: the real event loop. Dispatch is written so a callback
// can destroy any handle: epoll carries a watch id (never a pointer) looked up
// per event, and callbacks run through LoopBase's guarded dispatch.
#include "core/epoll_loop.hh"

#include <sys/pidfd.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <climits>
#include <cstring>
#include <ctime>
#include <utility>

#include "core/log.hh"

namespace halbd::core {

namespace {

uint32_t to_epoll(uint32_t ev) {
    uint32_t out = 0;
    if (ev & fd_events::readable) out |= EPOLLIN;
    if (ev & fd_events::writable) out |= EPOLLOUT;
    if (ev & fd_events::priority) out |= EPOLLPRI;
    return out;
}

uint32_t from_epoll(uint32_t ev) {
    uint32_t out = 0;
    if (ev & EPOLLIN) out |= fd_events::readable;
    if (ev & EPOLLOUT) out |= fd_events::writable;
    if (ev & EPOLLPRI) out |= fd_events::priority;
    if (ev & EPOLLERR) out |= fd_events::error;
    if (ev & EPOLLHUP) out |= fd_events::hangup;
    return out;
}

int open_pidfd(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

}  // namespace

int wait_status_from_siginfo(const siginfo_t& si) {
    switch (si.si_code) {
    case CLD_EXITED: return (si.si_status & 0xff) << 8;
    case CLD_KILLED: return si.si_status & 0x7f;
    case CLD_DUMPED: return (si.si_status & 0x7f) | 0x80;
    default: return 0xff00;  // not an exit: report as exit status 255
    }
}

// ---------------------------------------------------------------- fd watch

class EpollLoop::FdWatchImpl final : public FdWatch {
public:
    FdWatchImpl(EpollLoop& loop, uint64_t id, int fd, uint32_t events, FdCallback cb)
        : loop_(loop), id_(id), fd_(fd), events_(events), cb_(std::move(cb)) {}
    ~FdWatchImpl() override { loop_.unregister_fd(this); }
    int fd() const override { return fd_; }
    uint32_t events() const override { return events_; }
    void set_events(uint32_t events) override {
        if (events == events_) return;
        epoll_event ev{};
        ev.events = to_epoll(events);
        ev.data.u64 = id_;
        if (::epoll_ctl(loop_.epfd_.get(), EPOLL_CTL_MOD, fd_, &ev) < 0)
            log::error("event loop: epoll_ctl(MOD, fd ", fd_, "): ", std::strerror(errno));
        events_ = events;
    }

    EpollLoop& loop_;
    const uint64_t id_;
    const int fd_;
    uint32_t events_;
    FdCallback cb_;
};

void EpollLoop::unregister_fd(FdWatchImpl* w) {
    fd_watches_.erase(w->id_);
    forget(w);
    auto it = fd_owner_.find(w->fd_);
    // Only remove the registration if it is still ours: if the fd was closed
    // and its number reused by a newer watch, that one must stay.
    if (it != fd_owner_.end() && it->second == w->id_) {
        fd_owner_.erase(it);
        ::epoll_ctl(epfd_.get(), EPOLL_CTL_DEL, w->fd_, nullptr);
    }
}

FdWatchPtr EpollLoop::watch_fd(int fd, uint32_t events, FdCallback cb) {
    const uint64_t id = next_id_++;
    epoll_event ev{};
    ev.events = to_epoll(events);
    ev.data.u64 = id;
    if (::epoll_ctl(epfd_.get(), EPOLL_CTL_ADD, fd, &ev) < 0) return nullptr;
    auto w = std::make_unique<FdWatchImpl>(*this, id, fd, events, std::move(cb));
    fd_watches_[id] = w.get();
    fd_owner_[fd] = id;
    return w;
}

size_t EpollLoop::dispatch_fd(uint64_t id, uint32_t epoll_events) {
    auto it = fd_watches_.find(id);
    if (it == fd_watches_.end()) return 0;  // destroyed earlier in this batch
    FdWatchImpl* w = it->second;
    const uint32_t got = from_epoll(epoll_events) &
                         (w->events_ | fd_events::error | fd_events::hangup);
    if (got == 0) return 0;
    return run_guarded(w, got) ? 1 : 0;
}

// ---------------------------------------------------------------- signals

class EpollLoop::SignalWatchImpl final : public SignalWatch {
public:
    SignalWatchImpl(EpollLoop& loop, uint64_t id, int signo, SignalCallback cb)
        : loop_(loop), id_(id), signo_(signo), cb_(std::move(cb)) {}
    ~SignalWatchImpl() override { loop_.unregister_signal(this); }
    int signo() const override { return signo_; }

    EpollLoop& loop_;
    const uint64_t id_;
    const int signo_;
    SignalCallback cb_;
};

bool EpollLoop::update_signalfd() {
    if (!signalfd_) {
        int fd = ::signalfd(-1, &signal_mask_, SFD_NONBLOCK | SFD_CLOEXEC);
        if (fd < 0) return false;
        signalfd_.reset(fd);
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = kSignalId;
        if (::epoll_ctl(epfd_.get(), EPOLL_CTL_ADD, fd, &ev) < 0) {
            signalfd_.reset();
            return false;
        }
        return true;
    }
    return ::signalfd(signalfd_.get(), &signal_mask_, 0) >= 0;
}

SignalWatchPtr EpollLoop::watch_signal(int signo, SignalCallback cb) {
    if (signo <= 0 || signo >= NSIG) {
        errno = EINVAL;
        return nullptr;
    }
    if (signal_refs_[signo] == 0) {
        sigset_t one, old;
        sigemptyset(&one);
        sigaddset(&one, signo);
        if (::sigprocmask(SIG_BLOCK, &one, &old) < 0) return nullptr;
        signal_was_blocked_[signo] = sigismember(&old, signo) == 1;
        sigaddset(&signal_mask_, signo);
        if (!update_signalfd()) {
            int err = errno;
            sigdelset(&signal_mask_, signo);
            if (!signal_was_blocked_[signo]) ::sigprocmask(SIG_UNBLOCK, &one, nullptr);
            errno = err;
            return nullptr;
        }
    }
    ++signal_refs_[signo];
    const uint64_t id = next_id_++;
    auto w = std::make_unique<SignalWatchImpl>(*this, id, signo, std::move(cb));
    signal_watches_[id] = w.get();
    return w;
}

void EpollLoop::unregister_signal(SignalWatchImpl* w) {
    signal_watches_.erase(w->id_);
    forget(w);
    const int signo = w->signo_;
    if (--signal_refs_[signo] > 0) return;
    sigdelset(&signal_mask_, signo);
    if (signalfd_) update_signalfd();
    if (!signal_was_blocked_[signo]) {
        // Consume an instance still pending, so unblocking it does not run
        // the default action (which for SIGTERM would end the process).
        sigset_t one;
        sigemptyset(&one);
        sigaddset(&one, signo);
        const timespec zero{0, 0};
        while (::sigtimedwait(&one, nullptr, &zero) == signo) {
        }
        ::sigprocmask(SIG_UNBLOCK, &one, nullptr);
    }
}

size_t EpollLoop::dispatch_signals() {
    size_t ran = 0;
    signalfd_siginfo si;
    for (;;) {
        ssize_t n = ::read(signalfd_.get(), &si, sizeof si);
        if (n != static_cast<ssize_t>(sizeof si)) break;
        const int signo = static_cast<int>(si.ssi_signo);
        ran += run_matching(
            signal_watches_, [signo](const SignalWatchImpl& w) { return w.signo_ == signo; },
            signo);
    }
    return ran;
}

// ---------------------------------------------------------------- children

class EpollLoop::ChildWatchImpl final : public ChildWatch {
public:
    ChildWatchImpl(pid_t pid, UniqueFd owned, ChildCallback cb)
        : pid_(pid), owned_(std::move(owned)), cb_(std::move(cb)) {}
    pid_t pid() const override { return pid_; }
    bool exited() const override { return exited_; }

    void on_ready(int pidfd) {
        siginfo_t si{};
        int status;
        if (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd), &si,
                     WEXITED | WNOHANG) == 0) {
            if (si.si_pid == 0) return;  // not exited yet
            status = wait_status_from_siginfo(si);
        } else if (errno == ECHILD) {
            log::warning("child ", pid_, " was reaped elsewhere: reporting exit status 255");
            status = 0xff00;
        } else {
            return;
        }
        exited_ = true;
        watch_.reset();  // safe: we are inside this watch's callback
        run_last(this, status);  // may destroy *this: touch nothing after
    }

    const pid_t pid_;
    UniqueFd owned_;  // the pidfd when the loop opened it itself
    FdWatchPtr watch_;
    ChildCallback cb_;
    bool exited_ = false;
};

ChildWatchPtr EpollLoop::watch_child(pid_t pid, int pidfd, ChildCallback cb) {
    UniqueFd owned;
    if (pidfd < 0) {
        owned.reset(open_pidfd(pid));
        if (!owned) return nullptr;
        pidfd = owned.get();
    }
    auto w = std::make_unique<ChildWatchImpl>(pid, std::move(owned), std::move(cb));
    ChildWatchImpl* raw = w.get();
    w->watch_ = watch_fd(pidfd, fd_events::readable,
                         [raw, pidfd](uint32_t) { raw->on_ready(pidfd); });
    if (!w->watch_) return nullptr;
    return w;
}

void EpollLoop::reap_in_background(pid_t pid, UniqueFd pidfd) {
    if (!pidfd) pidfd.reset(open_pidfd(pid));
    siginfo_t si{};
    if (!pidfd ||
        ::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd.get()), &si,
                 WEXITED | WNOHANG) < 0 ||
        si.si_pid != 0)
        return;  // reaped now (or cannot be)
    const uint64_t id = next_id_++;
    const int fd = pidfd.get();
    auto watch = watch_fd(fd, fd_events::readable, [this, id, fd](uint32_t) {
        siginfo_t info{};
        int rc = ::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(fd), &info,
                          WEXITED | WNOHANG);
        if (rc == 0 && info.si_pid == 0) return;
        orphans_.erase(id);  // destroys this watch: allowed from its callback
    });
    if (!watch) return;
    orphans_.emplace(id, Orphan{pid, std::move(pidfd), std::move(watch)});
}

// ---------------------------------------------------------------- loop

Result<std::unique_ptr<EpollLoop>> EpollLoop::create() {
    UniqueFd ep(::epoll_create1(EPOLL_CLOEXEC));
    if (!ep) return system_error("epoll_create1");
    UniqueFd tfd(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
    if (!tfd) return system_error("timerfd_create");
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kTimerId;
    if (::epoll_ctl(ep.get(), EPOLL_CTL_ADD, tfd.get(), &ev) < 0)
        return system_error("epoll_ctl(timerfd)");
    return std::unique_ptr<EpollLoop>(new EpollLoop(std::move(ep), std::move(tfd)));
}

EpollLoop::EpollLoop(UniqueFd epfd, UniqueFd timerfd)
    : epfd_(std::move(epfd)), timerfd_(std::move(timerfd)) {
    sigemptyset(&signal_mask_);
    timers_.set_lateness_threshold(std::chrono::milliseconds(1));
}

EpollLoop::~EpollLoop() {
    orphans_.clear();
    assert(bulk_.armed_count() == 0 && "timers must be destroyed before their loop");
    assert(fd_watches_.empty() && signal_watches_.empty() &&
           "watches must be destroyed before their loop");
}

MonoTime EpollLoop::now() const {
    timespec ts;
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return MonoTime(std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec));
}

void EpollLoop::program_timerfd() {
    std::optional<MonoTime> want = timers_.next_deadline();
    if (const auto bulk = bulk_.next_deadline(); bulk && (!want || *bulk < *want)) want = bulk;
    if (want == programmed_) return;
    itimerspec its{};
    if (want) {
        auto ns = want->time_since_epoch().count();
        if (ns <= 0) ns = 1;  // all-zero would disarm
        its.it_value.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
        its.it_value.tv_nsec = static_cast<long>(ns % 1'000'000'000);
    }
    if (::timerfd_settime(timerfd_.get(), TFD_TIMER_ABSTIME, &its, nullptr) < 0) {
        log::error("event loop: timerfd_settime: ", std::strerror(errno));
        return;
    }
    programmed_ = want;
}

void EpollLoop::drain_timerfd() {
    uint64_t ticks;
    while (::read(timerfd_.get(), &ticks, sizeof ticks) == static_cast<ssize_t>(sizeof ticks)) {
    }
    programmed_.reset();  // a one-shot timerfd is disarmed once expired
}

size_t EpollLoop::run_once(Duration timeout) {
    assert(!in_dispatch_ && "run_once called from a callback");
    int ms = -1;
    if (bulk_backlog_) {
        ms = 0;  // only polls: no need to program the timerfd
    } else {
        program_timerfd();
        if (timeout >= Duration::zero()) {
            auto c = std::chrono::ceil<std::chrono::milliseconds>(timeout).count();
            ms = c > INT_MAX ? INT_MAX : static_cast<int>(c);
        }
    }
    std::array<epoll_event, 64> evs;
    int n = ::epoll_wait(epfd_.get(), evs.data(), static_cast<int>(evs.size()), ms);
    if (n < 0) {
        if (errno != EINTR) log::error("event loop: epoll_wait: ", std::strerror(errno));
        n = 0;
    }
    in_dispatch_ = true;
    // Urgent timers first: an advert due now must not wait behind a batch of
    // packets. Timers armed by these callbacks wait for the next pass.
    size_t ran = timers_.fire_due(now(), timers_.next_seq());
    for (int i = 0; i < n; ++i) {
        const uint64_t id = evs[i].data.u64;
        if (id == kTimerId) {
            drain_timerfd();
        } else if (id == kSignalId) {
            if (signalfd_) ran += dispatch_signals();
        } else {
            ran += dispatch_fd(id, evs[i].events);
        }
    }
    // Bulk timers last, one slice per pass: thousands of health checks due
    // at once start a slice at a time, and the completions of one slice are
    // read before the next starts. Firing them all at once made a burst of
    // connects that delayed its own completions, and since each next attempt
    // is planned from a completion, the bursts fed themselves.
    const MonoTime start = now();
    ran += bulk_.fire_due(start, bulk_.next_seq(), {}, start + kBulkSlice);
    const auto next_bulk = bulk_.next_deadline();
    bulk_backlog_ = next_bulk && *next_bulk <= start;
    in_dispatch_ = false;
    return ran;
}

void EpollLoop::run() {
    while (!stopped_) run_once(Duration(-1));
    stopped_ = false;
}

}  // namespace halbd::core
