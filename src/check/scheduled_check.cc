// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/scheduled_check.cc: keepalived's checker timing (check_tcp.c
// tcp_epilog and friends), written once for every checker kind:
//  - success: the checker is up at once; next attempt after delay_loop;
//  - failure of an up checker: retried `retry` times, delay_before_retry
//    apart; when the last retry fails too it is down; next after delay_loop;
//  - failure of a down checker: no retries; next attempt after delay_loop;
//  - no probe made (bindto not local...): state kept, next after delay_loop.
// Every delay runs from the end of the previous attempt, as in keepalived.
// Event-driven kinds (FILE_CHECK) start in the state they read at once and
// are woken when their target changes.
#include "check/scheduled_check.hh"

#include <random>

#include "core/log.hh"
#include "core/random.hh"

namespace halbd::check {

Schedule Schedule::from_config(const config::Checker& c) {
    Schedule s;
    if (c.delay_loop) s.delay_loop = *c.delay_loop;
    s.delay_before_retry = c.delay_before_retry.value_or(std::chrono::seconds(1));
    s.warmup = c.warmup.value_or(s.delay_loop);
    s.retry = c.retry.value_or(1);
    s.alpha = c.alpha.value_or(false);
    s.log_all_failures = c.log_all_failures.value_or(false);
    if (c.kind() == config::CheckerKind::FILE_CHECK) {
        // keepalived's check_file.c: the file's value is known at once (no
        // alpha, no warmup) and a fault is immediate (no retry). Its
        // delay_loop here only re-reads the file as a safety net.
        s.warmup = Duration::zero();
        s.retry = 0;
        s.alpha = false;
    }
    return s;
}

Jitter random_jitter() {
    auto gen = std::make_shared<std::mt19937_64>(core::random_seed());
    return [gen](Duration max) {
        if (max <= Duration::zero()) return Duration::zero();
        std::uniform_int_distribution<Duration::rep> dist(0, max.count());
        return Duration(dist(*gen));
    };
}

ScheduledCheck::ScheduledCheck(core::EventLoop& loop, std::unique_ptr<Checker> checker, Schedule schedule,
                               Listener listener, core::LatenessHistogram* stats)
    : loop_(loop),
      checker_(std::move(checker)),
      description_(std::make_shared<const std::string>(checker_->describe())),
      schedule_(schedule),
      listener_(std::move(listener)),
      stats_(stats),
      timer_(loop_.create_bulk_timer([this] { attempt(); })),
      // check_api.c: in alpha mode a checker that has not run counts as failed.
      up_(!schedule.alpha) {
    if (auto r = checker_->initial()) {
        up_ = r->ok;
        weight_ = r->ok ? r->weight : std::nullopt;
        has_run_ = true;
    }
    checker_->set_wake([this] { wake(); });
}

void ScheduledCheck::start(const Jitter& jitter) {
    const Duration first = schedule_.warmup > Duration::zero() && jitter ? jitter(schedule_.warmup) : Duration::zero();
    plan(first);
}

void ScheduledCheck::plan(Duration after) {
    planned_ = loop_.now() + after;
    timer_->arm(after);
}

void ScheduledCheck::wake() {
    if (checker_->running()) rerun_ = true;
    else plan(Duration::zero());
}

std::optional<MonoTime> ScheduledCheck::next_attempt() const {
    if (!timer_->armed()) return std::nullopt;
    return timer_->deadline();
}

void ScheduledCheck::attempt() {
    ++attempts_;
    if (stats_) stats_->record(loop_.now() - planned_);
    checker_->start([this](const CheckResult& r) { on_result(r); });
}

void ScheduledCheck::on_result(const CheckResult& r) {
    decide(r);
    if (rerun_) {
        rerun_ = false;
        plan(Duration::zero());
    }
}

void ScheduledCheck::decide(const CheckResult& r) {
    const bool first = !has_run_;
    has_run_ = true;
    if (r.ok) {
        retries_ = 0;
        plan(schedule_.delay_loop);
        const std::optional<DynamicWeight> old_weight = weight_;
        weight_ = r.weight;  // a success without a weight returns to the configured one
        if (!up_ || old_weight != weight_) transition(true, r, 0, old_weight);
        else if (log::enabled(log::Level::debug)) log::debug(checker_->describe(), " succeeded");
        return;
    }
    ++failures_[static_cast<size_t>(r.reason)];
    const bool repeated = last_failure_ && last_failure_->detail == r.detail;
    last_failure_ = Failure{r.reason, r.detail, loop_.now()};
    if (!r.verdict) {
        // No probe was made (bindto not local, ...): keepalived reschedules
        // after delay_loop and keeps the state; logged once per new cause.
        plan(schedule_.delay_loop);
        const auto line = log::concat(checker_->describe(), " ", r.detail, "; state kept (", up_ ? "up" : "down",
                                      "), next attempt in ", human_duration(schedule_.delay_loop));
        if (!repeated || schedule_.log_all_failures) log::warning(line);
        else if (log::enabled(log::Level::debug)) log::debug(line);
        return;
    }
    if (!up_) {
        plan(schedule_.delay_loop);
        // An alpha checker's first failure says why its server stays out.
        if (first || schedule_.log_all_failures)
            log::info(checker_->describe(), " ", r.detail, "; still down");
        else if (log::enabled(log::Level::debug))
            log::debug(checker_->describe(), " ", r.detail, "; still down");
        return;
    }
    if (retries_ < schedule_.retry) {
        ++retries_;
        plan(schedule_.delay_before_retry);
        if (!schedule_.log_all_failures && !log::enabled(log::Level::debug)) return;
        const auto line = log::concat(checker_->describe(), " ", r.detail, "; retry ", retries_, "/",
                                      schedule_.retry, " in ", human_duration(schedule_.delay_before_retry));
        if (schedule_.log_all_failures) log::info(line);
        else log::debug(line);
        return;
    }
    const uint32_t retries = retries_;
    retries_ = 0;
    plan(schedule_.delay_loop);
    transition(false, r, retries, weight_);
}

// The one door of the checker's state (up/down, and the dynamic weight it
// asks for): the listener logs it with the servers it affects.
void ScheduledCheck::transition(bool up, const CheckResult& r, uint32_t retries,
                                std::optional<DynamicWeight> old_weight) {
    const bool up_changed = up_ != up;
    up_ = up;
    if (listener_) listener_(Transition{up, &r, retries, up_changed, old_weight != weight_, old_weight});
}

}  // namespace halbd::check
