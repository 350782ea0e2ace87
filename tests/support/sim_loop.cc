// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/support/sim_loop.cc: the simulated loop. It dispatches through LoopBase as
// EpollLoop does (a callback may destroy any handle), so code tested here
// behaves the same on the real loop.
#include "support/sim_loop.hh"

#include <cassert>
#include <cerrno>
#include <utility>

namespace halbd::core {

class SimLoop::FdWatchImpl final : public FdWatch {
public:
    FdWatchImpl(SimLoop& loop, uint64_t id, int fd, uint32_t events, FdCallback cb)
        : loop_(loop), id_(id), fd_(fd), events_(events), cb_(std::move(cb)) {}
    ~FdWatchImpl() override {
        loop_.fds_.erase(id_);
        loop_.forget(this);
    }
    int fd() const override { return fd_; }
    uint32_t events() const override { return events_; }
    void set_events(uint32_t events) override { events_ = events; }

    SimLoop& loop_;
    const uint64_t id_;
    const int fd_;
    uint32_t events_;
    FdCallback cb_;
};

class SimLoop::SignalWatchImpl final : public SignalWatch {
public:
    SignalWatchImpl(SimLoop& loop, uint64_t id, int signo, SignalCallback cb)
        : loop_(loop), id_(id), signo_(signo), cb_(std::move(cb)) {}
    ~SignalWatchImpl() override {
        loop_.signals_.erase(id_);
        loop_.forget(this);
    }
    int signo() const override { return signo_; }

    SimLoop& loop_;
    const uint64_t id_;
    const int signo_;
    SignalCallback cb_;
};

class SimLoop::ChildWatchImpl final : public ChildWatch {
public:
    ChildWatchImpl(SimLoop& loop, uint64_t id, pid_t pid, ChildCallback cb)
        : loop_(loop), id_(id), pid_(pid), cb_(std::move(cb)) {}
    ~ChildWatchImpl() override { loop_.children_.erase(id_); }
    pid_t pid() const override { return pid_; }
    bool exited() const override { return exited_; }

    SimLoop& loop_;
    const uint64_t id_;
    const pid_t pid_;
    ChildCallback cb_;
    bool exited_ = false;
};

SimLoop::SimLoop(MonoTime start) : now_(start) {}

SimLoop::~SimLoop() {
    assert(fds_.empty() && signals_.empty() && children_.empty() &&
           "watches must be destroyed before their loop");
}

FdWatchPtr SimLoop::watch_fd(int fd, uint32_t events, FdCallback cb) {
    if (fd < 0 || watching_fd(fd)) {
        errno = fd < 0 ? EBADF : EEXIST;
        return nullptr;
    }
    const uint64_t id = next_id_++;
    auto w = std::make_unique<FdWatchImpl>(*this, id, fd, events, std::move(cb));
    fds_[id] = w.get();
    return w;
}

SignalWatchPtr SimLoop::watch_signal(int signo, SignalCallback cb) {
    const uint64_t id = next_id_++;
    auto w = std::make_unique<SignalWatchImpl>(*this, id, signo, std::move(cb));
    signals_[id] = w.get();
    return w;
}

ChildWatchPtr SimLoop::watch_child(pid_t pid, int /*pidfd*/, ChildCallback cb) {
    const uint64_t id = next_id_++;
    auto w = std::make_unique<ChildWatchImpl>(*this, id, pid, std::move(cb));
    children_[id] = w.get();
    return w;
}

void SimLoop::reap_in_background(pid_t pid, UniqueFd /*pidfd*/) { orphans_.push_back(pid); }

size_t SimLoop::advance_to(MonoTime t) {
    size_t fired = 0;
    if (t > now_) {
        fired = timers_.fire_due(t, std::numeric_limits<uint64_t>::max(),
                                 [this](MonoTime deadline) {
                                     if (deadline > now_) now_ = deadline;
                                 });
        now_ = t;
    } else {
        // Time does not go back, but timers armed in the past are due now.
        fired = timers_.fire_due(now_);
    }
    return fired;
}

size_t SimLoop::advance(Duration d) { return advance_to(now_ + d); }

size_t SimLoop::run_once(Duration timeout) {
    const auto next = timers_.next_deadline();
    if (next && (timeout < Duration::zero() || *next <= now_ + timeout)) {
        if (*next > now_) now_ = *next;
        // Only the timers due at that instant and already armed.
        return timers_.fire_due(now_, timers_.next_seq());
    }
    if (timeout > Duration::zero()) now_ += timeout;
    return 0;
}

void SimLoop::run() {
    while (!stopped_ && timers_.next_deadline()) run_once(Duration(-1));
    stopped_ = false;
}

bool SimLoop::fire_fd(int fd, uint32_t events) {
    for (auto& [id, w] : fds_) {
        if (w->fd_ != fd) continue;
        const uint32_t got = events & (w->events_ | fd_events::error | fd_events::hangup);
        return got != 0 && run_guarded(w, got);
    }
    return false;
}

size_t SimLoop::fire_signal(int signo) {
    return run_matching(
        signals_, [signo](const SignalWatchImpl& w) { return w.signo_ == signo; }, signo);
}

bool SimLoop::fire_child(pid_t pid, int wait_status) {
    for (auto& [id, w] : children_) {
        if (w->pid_ != pid || w->exited_) continue;
        w->exited_ = true;
        run_last(w, wait_status);  // may destroy the watch: touch nothing after
        return true;
    }
    return false;
}

bool SimLoop::watching_fd(int fd) const {
    for (const auto& [id, w] : fds_)
        if (w->fd_ == fd) return true;
    return false;
}

uint32_t SimLoop::fd_events(int fd) const {
    for (const auto& [id, w] : fds_)
        if (w->fd_ == fd) return w->events_;
    return 0;
}

bool SimLoop::watching_signal(int signo) const {
    for (const auto& [id, w] : signals_)
        if (w->signo_ == signo) return true;
    return false;
}

bool SimLoop::watching_child(pid_t pid) const {
    for (const auto& [id, w] : children_)
        if (w->pid_ == pid && !w->exited_) return true;
    return false;
}

}  // namespace halbd::core
