// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/track_script.cc: see track_script.hh. keepalived's
// vrrp_script_child_thread rules, written as two consecutive counters.
#include "vrrp/track_script.hh"

#include "core/log.hh"

namespace halbd::vrrp {

const char* to_string(TrackStatus s) {
    switch (s) {
        case TrackStatus::Unknown: return "unknown";
        case TrackStatus::Up: return "up";
        case TrackStatus::Down: return "down";
    }
    return "?";
}

ScriptTracker::ScriptTracker(core::EventLoop& loop, ScriptRunner& runner, const config::VrrpScript& cfg,
                             ScriptSpec spec)
    : loop_(loop),
      runner_(runner),
      name_(cfg.name),
      spec_(std::move(spec)),
      interval_(cfg.interval),
      timeout_(cfg.timeout.value_or(cfg.interval)),
      rise_(std::max<uint32_t>(cfg.rise, 1)),
      fall_(std::max<uint32_t>(cfg.fall, 1)),
      signature_(signature_of(cfg)),
      status_(cfg.init_fail ? TrackStatus::Down : TrackStatus::Unknown),
      timer_(loop.create_timer([this] { on_timer(); })) {}

ScriptTracker::~ScriptTracker() = default;

std::string ScriptTracker::signature_of(const config::VrrpScript& c) {
    return log::concat(c.script, '|', log::secs(c.interval), '|', log::secs(c.timeout.value_or(c.interval)), '|',
                       c.rise, '|', c.fall, '|', c.init_fail, '|', c.user ? c.user->user + ":" + c.user->group : "");
}

void ScriptTracker::start() {
    if (started_ || disabled()) return;
    started_ = true;
    on_timer();
}

void ScriptTracker::on_timer() {
    timer_->arm(interval_);
    if (child_) {
        ++stats_.overruns;
        log::warning("vrrp_script ", name_, ": still running after ", log::secs(interval_), "; this run skipped");
        return;
    }
    ++stats_.runs;
    auto r = runner_.run(spec_, {}, timeout_, [this](const core::ExitStatus& st) { on_exit(st); });
    if (!r) {
        ++stats_.spawn_errors;
        // Loud (an insecure script is refused at every run), once per new reason.
        if (r.error().message != last_spawn_error_)
            log::error("vrrp_script ", name_, ": cannot start: ", r.error().message);
        last_spawn_error_ = r.error().message;
        record(false, "cannot start: " + r.error().message);
        return;
    }
    last_spawn_error_.clear();
    child_ = std::move(r.value());
}

void ScriptTracker::on_exit(const core::ExitStatus& st) {
    auto keep = std::move(child_);  // destroyed at return; the child has exited
    if (st.timed_out) {
        ++stats_.timeouts;
        log::warning("vrrp_script ", name_, ": timed out after ", log::secs(timeout_), ", killed (", st.describe(),
                     ")");
        record(false, "timed out after " + log::secs(timeout_));
        return;
    }
    record(st.success(), st.describe());
}

void ScriptTracker::record(bool success, const std::string& detail) {
    if (success) {
        ++stats_.successes;
        bad_ = 0;
        ++good_;
        if (status_ == TrackStatus::Unknown || (status_ == TrackStatus::Down && good_ >= rise_))
            set_status(TrackStatus::Up, log::concat(good_, " consecutive success", good_ > 1 ? "es" : ""));
    } else {
        ++stats_.failures;
        good_ = 0;
        ++bad_;
        if (status_ == TrackStatus::Unknown || (status_ == TrackStatus::Up && bad_ >= fall_))
            set_status(TrackStatus::Down, log::concat(bad_, " consecutive failure", bad_ > 1 ? "s" : "", ", last: ", detail));
    }
}

void ScriptTracker::set_status(TrackStatus to, const std::string& why) {
    const TrackStatus from = status_;
    status_ = to;
    log::info("vrrp_script ", name_, ": ", to_string(from), " -> ", to_string(to), " (", why, ")");
    listeners_.notify();
}

}  // namespace halbd::vrrp
