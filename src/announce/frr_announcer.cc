// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// announce/frr_announcer.cc: see frr_announcer.hh.
#include "announce/frr_announcer.hh"

#include "core/log.hh"

namespace halbd::announce {

namespace {

std::string endpoint(const FrrTarget& t) {
    std::string e = t.vtysh + " (bgpd";
    if (!t.vty_socket.empty()) e += " at " + t.vty_socket;
    e += t.asn ? ", router bgp " + std::to_string(*t.asn) : std::string(", default instance");
    return e + ")";
}

}  // namespace

FrrAnnouncer::FrrAnnouncer(core::EventLoop& loop, FrrTarget target, std::unique_ptr<VtyshRunner> runner,
                           Duration retry, Duration verify, Duration bound)
    : loop_(loop),
      target_(std::move(target)),
      runner_(std::move(runner)),
      retry_(retry),
      verify_(verify),
      bound_(bound),
      timer_(loop.create_timer([this] {
          need_read_ = true;
          kick();
      })) {
    status_.daemon = "FRR";
    status_.unit = "network";
    status_.endpoint = endpoint(target_);
    status_.last_error = "not reached yet";
}

FrrAnnouncer::~FrrAnnouncer() { runner_->cancel(); }

void FrrAnnouncer::want(const std::map<std::string, bool>& enabled) {
    for (auto& [name, p] : status_.protocols)
        if (!enabled.count(name)) {
            forget_[name] = false;
            p.wanted = false;
        }
    for (const auto& [name, on] : enabled) {
        forget_.erase(name);
        ProtocolStatus& p = status_.protocols[name];
        p.refused.clear();  // each decision tries a refused command again
        p.wanted = on;
    }
    kick();
}

void FrrAnnouncer::kick() {
    if (busy_ || stopped_) return;
    if (need_read_) {
        if (timer_->armed() && !status_.connected) return;  // waiting to retry
        if (status_.protocols.empty()) return;               // nothing managed: nothing to check
        timer_->cancel();
        busy_ = true;
        runner_->start(vtysh_show_argv(target_), bound_, [this](VtyshRun run) {
            busy_ = false;
            on_read(run);
        });
        return;
    }
    for (auto& [name, p] : status_.protocols) {
        if (p.enabled == p.wanted || !p.refused.empty()) continue;
        const std::string prefix = name;
        const bool present = p.wanted;
        busy_ = true;
        runner_->start(vtysh_network_argv(target_, prefix, present), bound_, [this, prefix, present](VtyshRun run) {
            busy_ = false;
            on_changed(prefix, present, run);
        });
        return;
    }
    // In agreement: look again later (bgpd may restart from frr.conf).
    if (!status_.protocols.empty() && !timer_->armed()) timer_->arm(verify_);
}

void FrrAnnouncer::on_read(const VtyshRun& run) {
    const VtyshJudgement j = judge_vtysh(run.exit_code, run.output, run.why);
    if (j.verdict != VtyshVerdict::Ok) {
        lost("show running-config: " + j.message);
        return;
    }
    const RunningNetworks rn = parse_running_networks(run.output, target_.asn);
    if (!rn.error.empty()) {
        lost(rn.error);
        return;
    }
    reached();
    need_read_ = false;
    for (auto it = status_.protocols.begin(); it != status_.protocols.end();) {
        const bool present = rn.prefixes.count(it->first) > 0;
        if (it->second.enabled == true && !present)
            log::notice("FRR: network ", it->first, " is gone from bgpd (restarted?); adding it again");
        it->second.enabled = present;
        if (forget_.count(it->first) && !present) {
            forget_.erase(it->first);
            it = status_.protocols.erase(it);
        } else {
            ++it;
        }
    }
    kick();
}

void FrrAnnouncer::on_changed(const std::string& prefix, bool present, const VtyshRun& run) {
    VtyshJudgement j = judge_vtysh(run.exit_code, run.output, run.why);
    if (j.verdict == VtyshVerdict::Refused && !present && vtysh_says_absent(run.output)) j = {};
    if (j.verdict == VtyshVerdict::Unreachable) {
        lost(j.message);
        return;
    }
    reached();
    ++status_.commands;
    auto it = status_.protocols.find(prefix);
    if (j.verdict == VtyshVerdict::Refused) {
        ++status_.refusals;
        log::error("FRR: ", present ? "network " : "no network ", prefix, " refused: ", j.message);
        if (it != status_.protocols.end()) it->second.refused = j.message;
    } else {
        settle(prefix, present);
    }
    kick();
}

// prefix is now present (announced) or not in bgpd.
void FrrAnnouncer::settle(const std::string& prefix, bool present) {
    auto it = status_.protocols.find(prefix);
    if (it == status_.protocols.end()) return;
    it->second.refused.clear();
    if (it->second.enabled != present) log::info("FRR: network ", prefix, present ? " added" : " removed");
    it->second.enabled = present;
    if (forget_.count(prefix) && !present) {
        forget_.erase(prefix);
        status_.protocols.erase(it);
    }
}

void FrrAnnouncer::reached() {
    if (!status_.connected) {
        ++status_.connects;
        log::notice("FRR: bgpd answers through ", target_.vtysh);
    }
    status_.connected = true;
    status_.last_error.clear();
}

void FrrAnnouncer::lost(const std::string& why) {
    // One line per change of cause (or lost contact), not one per retry.
    if (status_.connected || status_.last_error != why) log::error("FRR: ", why, "; retrying every ", log::secs(retry_));
    ++status_.failures;
    status_.connected = false;
    status_.last_error = why;
    need_read_ = true;
    for (auto& [name, p] : status_.protocols) {
        p.enabled.reset();
        p.refused.clear();
    }
    timer_->arm(retry_);
}

namespace {

MonoTime steady_now() { return MonoTime(std::chrono::steady_clock::now().time_since_epoch()); }

}  // namespace

std::vector<std::string> FrrAnnouncer::stop_managing() {
    stopped_ = true;
    runner_->cancel();
    busy_ = false;
    timer_->cancel();
    // Everything bgpd may have: added, not known, or being added by the run
    // just cancelled.
    std::vector<std::string> maybe;
    for (auto& [name, p] : status_.protocols) {
        if (p.enabled != false || p.wanted) maybe.push_back(name);
        p.wanted = false;
    }
    return maybe;
}

bool FrrAnnouncer::removed_all(const std::vector<std::string>& maybe, const VtyshRun& run, std::string& why) {
    const VtyshJudgement j = judge_vtysh(run.exit_code, run.output, run.why);
    if (j.verdict == VtyshVerdict::Ok) {
        for (const std::string& name : maybe) {
            status_.protocols[name].enabled = false;
            log::info("FRR: network ", name, " removed (stopping)");
        }
        status_.connected = false;
        return true;
    }
    // Refused: one of them absent (vtysh stops there); the slow way reads first.
    if (j.verdict == VtyshVerdict::Unreachable) why = j.message;
    return false;
}

// One vtysh run removes everything: each run costs 0.1-0.4 s, and this is
// the time between TERM and the withdrawal.
void FrrAnnouncer::withdraw_now(Duration bound) {
    const MonoTime deadline = steady_now() + bound;
    const std::vector<std::string> maybe = stop_managing();
    if (maybe.empty()) return;
    std::string why;
    if (removed_all(maybe, runner_->run_now(vtysh_remove_all_argv(target_, maybe), bound), why)) return;
    remove_each(deadline, bound, why);
}

void FrrAnnouncer::withdraw(Duration bound, std::function<void()> done) {
    const MonoTime deadline = steady_now() + bound;
    const std::vector<std::string> maybe = stop_managing();
    if (maybe.empty()) return done();
    runner_->start(vtysh_remove_all_argv(target_, maybe), bound,
                   [this, maybe, deadline, bound, done = std::move(done)](VtyshRun run) {
                       std::string why;
                       if (!removed_all(maybe, run, why)) remove_each(deadline, bound, why);
                       done();
                   });
}

void FrrAnnouncer::remove_each(MonoTime deadline, Duration bound, std::string why) {
    auto left = [&] { return deadline - steady_now(); };
    // A `no network` of an absent prefix is an error: read what is there.
    RunningNetworks rn;
    if (why.empty()) {
        const VtyshRun read = runner_->run_now(vtysh_show_argv(target_), left());
        const VtyshJudgement j = judge_vtysh(read.exit_code, read.output, read.why);
        if (j.verdict != VtyshVerdict::Ok) why = j.message;
        else rn = parse_running_networks(read.output, target_.asn);
        if (why.empty() && !rn.error.empty()) why = rn.error;
    }
    for (auto& [name, p] : status_.protocols) {
        if (!why.empty()) continue;
        if (!rn.prefixes.count(name)) {
            p.enabled = false;
            continue;
        }
        if (left() <= Duration::zero()) {
            why = "no time left within " + log::secs(bound);
            continue;
        }
        const VtyshRun run = runner_->run_now(vtysh_network_argv(target_, name, false), left());
        const VtyshJudgement r = judge_vtysh(run.exit_code, run.output, run.why);
        if (r.verdict == VtyshVerdict::Ok || vtysh_says_absent(run.output)) {
            p.enabled = false;
            log::info("FRR: network ", name, " removed (stopping)");
        } else {
            log::error("FRR: no network ", name, " failed: ", r.message);
        }
    }
    for (const auto& [name, p] : status_.protocols)
        if (p.enabled != false) log::error("FRR: network ", name, " may still be announced", why.empty() ? "" : ": " + why);
    status_.connected = false;
}

}  // namespace halbd::announce
