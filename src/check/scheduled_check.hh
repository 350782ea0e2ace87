// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/scheduled_check.hh: ScheduledCheck runs one Checker on keepalived's
// schedule (warmup, delay_loop, retry, delay_before_retry, alpha) and keeps
// the checker's up/down state, changed in one place and reported to one
// listener. Owned by CheckSubsystem (one per distinct probe, shared by every
// virtual server using it); owns the checker and its schedule timer.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/lateness_histogram.hh"
#include "check/checker.hh"
#include "config/model_check.hh"
#include "core/event_loop.hh"

namespace halbd::check {

// The effective scheduling keywords of one checker.
struct Schedule {
    Duration delay_loop = std::chrono::seconds(60);
    Duration delay_before_retry = std::chrono::seconds(1);
    Duration warmup{};            // first attempt after a random delay in [0, warmup]
    uint32_t retry = 1;           // extra attempts before an up checker is declared down
    bool alpha = false;           // start down instead of up
    bool log_all_failures = false;

    static Schedule from_config(const config::Checker& c);  // validated checker
};

// A random delay in [0, max] (warmup). Injected so tests choose it.
using Jitter = std::function<Duration(Duration max)>;
// Uniform, from a generator seeded once by core::random_seed() (never blocks).
Jitter random_jitter();

class ScheduledCheck {
public:
    // A change of the checker's state, with the attempt that caused it.
    // A change of the checker's state or of the dynamic weight it asks for
    // (MISC_CHECK misc_dynamic, FILE_CHECK), with the attempt that caused it.
    struct Transition {
        bool up = false;
        const CheckResult* result = nullptr;
        uint32_t retries = 0;  // retries made before declaring it down (0..retry)
        bool up_changed = true;      // false: only the weight changed (the checker stays up)
        bool weight_changed = false;
        std::optional<DynamicWeight> old_weight{};  // before the change (weight() is the new one)
    };
    using Listener = std::function<void(const Transition&)>;

    // The listener must not destroy this object. stats (optional, outliving
    // this) counts every attempt and how late it started.
    ScheduledCheck(core::EventLoop& loop, std::unique_ptr<Checker> checker, Schedule schedule, Listener listener,
                   core::LatenessHistogram* stats = nullptr);
    ScheduledCheck(const ScheduledCheck&) = delete;
    ScheduledCheck& operator=(const ScheduledCheck&) = delete;

    // Arms the first attempt after jitter(warmup) (keepalived: a random warmup
    // so that checks of many servers spread out). Call once.
    void start(const Jitter& jitter);

    bool up() const { return up_; }
    const Checker& checker() const { return *checker_; }
    // checker().describe(), made once; shared so that a state dump can take
    // it to its worker thread without copying.
    const std::shared_ptr<const std::string>& description() const { return description_; }
    const Schedule& schedule() const { return schedule_; }
    std::optional<MonoTime> next_attempt() const;  // nullopt while an attempt runs
    uint32_t retries() const { return retries_; }  // retries made in the current failure streak
    // The dynamic weight of the last success (nullopt: none).
    const std::optional<DynamicWeight>& weight() const { return weight_; }
    uint64_t attempts() const { return attempts_; }
    uint64_t failures(FailReason r) const { return failures_[static_cast<size_t>(r)]; }
    // The most recent failed attempt (halbctl checks), whatever the state now.
    struct Failure {
        FailReason reason = FailReason::Error;
        std::string detail;  // completes describe(): "refused", "timed out after 3s"
        MonoTime at{};
    };
    const std::optional<Failure>& last_failure() const { return last_failure_; }

private:
    void plan(Duration after);  // the next attempt, after `after`
    void wake();                // the checker saw its target change: attempt now
    void attempt();
    void on_result(const CheckResult& r);
    void decide(const CheckResult& r);  // the state and next attempt after r
    void transition(bool up, const CheckResult& r, uint32_t retries, std::optional<DynamicWeight> old_weight);

    core::EventLoop& loop_;
    std::unique_ptr<Checker> checker_;
    std::shared_ptr<const std::string> description_;
    Schedule schedule_;
    Listener listener_;
    core::LatenessHistogram* stats_;
    core::TimerPtr timer_;
    MonoTime planned_{};   // when the armed attempt should start
    bool rerun_ = false;   // woken while an attempt ran: attempt again at once
    bool up_;
    bool has_run_ = false;
    uint32_t retries_ = 0;
    std::optional<DynamicWeight> weight_;
    uint64_t attempts_ = 0;
    uint64_t failures_[kFailReasonCount] = {};
    std::optional<Failure> last_failure_;
};

}  // namespace halbd::check
