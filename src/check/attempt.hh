// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/attempt.hh: AttemptChecker, the plumbing every checker kind after
// TCP_CHECK shares: the completion of the attempt in flight, its deadline
// timer, "report from the loop, never from start()", and the one completion
// path finish(). A kind implements begin(), on_deadline() and release_io().
#pragma once

#include <optional>
#include <utility>

#include "check/checker.hh"
#include "core/event_loop.hh"

namespace halbd::check {

class AttemptChecker : public Checker {
public:
    explicit AttemptChecker(core::EventLoop& loop)
        : loop_(loop), timer_(loop_.create_bulk_timer([this] { fire(); })) {}
    AttemptChecker(const AttemptChecker&) = delete;
    AttemptChecker& operator=(const AttemptChecker&) = delete;

    void start(Completion done) final {
        release();
        done_ = std::move(done);
        if (auto immediate = begin()) report_soon(std::move(*immediate));
    }
    void cancel() final {
        release();
        done_ = nullptr;
    }
    bool running() const final { return static_cast<bool>(done_); }

protected:
    // Derived destructors must call release_io() themselves (it is virtual).
    ~AttemptChecker() override = default;

    // Starts the attempt's I/O; a result when it already ended (it is then
    // reported from the loop), nullopt when in progress. Arm the deadline
    // with arm_deadline().
    virtual std::optional<CheckResult> begin() = 0;
    // The deadline armed by arm_deadline() passed.
    virtual void on_deadline() = 0;
    // Closes the attempt's fds, watches and children (idempotent).
    virtual void release_io() = 0;

    void arm_deadline(Duration d) { timer_->arm(d); }
    // The one completion path: releases the attempt, then reports. May
    // destroy this (through the completion).
    void finish(CheckResult result) {
        release();
        Completion done = std::move(done_);
        done_ = nullptr;
        if (done) done(result);
    }
    // Ends the attempt with r, from the loop (for outcomes found inside a
    // call that must not report synchronously).
    void report_soon(CheckResult r) {
        release_io();
        pending_ = std::move(r);
        timer_->arm(Duration::zero());
    }
    core::EventLoop& loop() { return loop_; }

private:
    void fire() {
        if (pending_) {
            CheckResult r = std::move(*pending_);
            finish(std::move(r));
            return;
        }
        on_deadline();
    }
    void release() {
        release_io();
        timer_->cancel();
        pending_.reset();
    }

    core::EventLoop& loop_;
    core::TimerPtr timer_;
    Completion done_;
    std::optional<CheckResult> pending_;
};

}  // namespace halbd::check
