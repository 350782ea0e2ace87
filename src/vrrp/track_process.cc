// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/track_process.cc: see track_process.hh. Deviations from keepalived:
// a fork counts when its parent is counted (the child runs the same program
// until it execs), and a process renamed or exec'ing into something else
// stops counting at once; delays apply to forks and exits only.
#include "vrrp/track_process.hh"

#include "core/log.hh"

namespace halbd::vrrp {

namespace {
constexpr size_t kCommLen = 15;  // TASK_COMM_LEN - 1
}

bool process_matches(const config::TrackProcess& cfg, const core::ProcessInfo& p) {
    if (cfg.process.empty()) return false;
    const std::string& want = cfg.process[0];
    if (cfg.full_command) {
        if (p.cmdline.empty() || p.cmdline[0] != want) return false;
    } else if (p.comm != want.substr(0, kCommLen)) {
        return false;
    }
    if (cfg.param_match == config::ParamMatch::None) return true;
    const size_t n = cfg.process.size() - 1;  // configured parameters
    const size_t have = p.cmdline.empty() ? 0 : p.cmdline.size() - 1;
    if (have < n || (cfg.param_match == config::ParamMatch::Exact && have != n)) return false;
    for (size_t i = 0; i < n; ++i) {
        const std::string& c = cfg.process[i + 1];
        const std::string& a = p.cmdline[i + 1];
        const bool last_initial = cfg.param_match == config::ParamMatch::Initial && i + 1 == n;
        if (last_initial ? a.compare(0, c.size(), c) != 0 : a != c) return false;
    }
    return true;
}

ProcessTracker::ProcessTracker(core::EventLoop& loop, const config::TrackProcess& cfg)
    : cfg_(cfg), signature_(signature_of(cfg)) {
    delay_ = loop.create_timer([this] {
        if (in_quorum() != up_) set(in_quorum(), pending_why_);
    });
}

std::string ProcessTracker::signature_of(const config::TrackProcess& c) {
    std::string s;
    for (const auto& p : c.process) s += p + '\0';
    return log::concat(s, int(c.param_match), '/', c.quorum, '/', c.quorum_max, '/', c.fork_delay.count(), '/',
                       c.terminate_delay.count(), '/', c.full_command);
}

bool ProcessTracker::needs_cmdline() const {
    return cfg_.full_command || cfg_.param_match != config::ParamMatch::None;
}

bool ProcessTracker::in_quorum() const { return pids_.size() >= cfg_.quorum && pids_.size() <= cfg_.quorum_max; }

void ProcessTracker::load(const std::vector<core::ProcessInfo>& all, const char* why) {
    pids_.clear();
    for (const auto& p : all)
        if (process_matches(cfg_, p)) pids_.insert(p.pid);
    delay_->cancel();
    if (!loaded_)
        log::info("track_process ", cfg_.name, ": ", pids_.size(), " matching process(es) at start");
    loaded_ = true;
    follow(Duration::zero(), why);
}

void ProcessTracker::on_event(const core::ProcessEvent& e, const core::ProcessInfo* info) {
    using K = core::ProcessEvent::Kind;
    const size_t before = pids_.size();
    Duration delay{};
    switch (e.kind) {
    case K::Fork:
        if (pids_.count(e.parent)) pids_.insert(e.pid);
        delay = cfg_.fork_delay;
        break;
    case K::Exec:
    case K::Comm:
        if (info && process_matches(cfg_, *info))
            pids_.insert(e.pid);
        else
            pids_.erase(e.pid);
        break;
    case K::Exit:
        pids_.erase(e.pid);
        delay = cfg_.terminate_delay;
        break;
    case K::Lost:
        return;  // the TrackerSet scans again
    }
    if (pids_.size() == before) return;
    static const char* what[] = {"fork", "exec", "name change", "exit"};
    follow(delay, log::concat(what[static_cast<int>(e.kind)], " of pid ", e.pid));
}

void ProcessTracker::follow(Duration delay, const std::string& why) {
    if (in_quorum() == up_) {
        delay_->cancel();
        return;
    }
    if (delay > Duration::zero()) {
        if (!delay_->armed()) {
            pending_why_ = log::concat(why, ", after ", log::secs(delay));
            delay_->arm(delay);
        }
        return;
    }
    set(in_quorum(), why);
}

void ProcessTracker::set(bool up, const std::string& why) {
    delay_->cancel();
    log::info("track_process ", cfg_.name, ": ", up_ ? "up" : "down", " -> ", up ? "up" : "down", " (", pids_.size(),
              " process(es), quorum ", cfg_.quorum, "..", cfg_.quorum_max, ": ", why, ")");
    up_ = up;
    listeners_.notify();
}

}  // namespace halbd::vrrp
