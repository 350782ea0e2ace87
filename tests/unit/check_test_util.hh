// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/check_test_util.hh: helpers for the check_*_test.cc unit tests:
// FakeWorld, a scripted network in which FakeChecker attempts succeed or fail
// after a chosen simulated delay, recording when each attempt started.
// Header-only; the world owns the scripts and the records, not the checkers.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "check/checker.hh"
#include "check/tcp_check.hh"
#include "config/model_check.hh"
#include "core/result.hh"
#include "support/sim_loop.hh"

namespace halbd::check::test_util {

using namespace std::chrono_literals;

// What the attempts against one target do: answer with result after delay.
struct Outcome {
    CheckResult result = CheckResult::success();
    Duration after{};
};

inline Outcome ok(Duration after = {}) { return Outcome{CheckResult::success(), after}; }
inline Outcome refused(Duration after = {}) {
    return Outcome{CheckResult::failure(FailReason::Refused, "refused"), after};
}
inline Outcome timeout(Duration after) {
    return Outcome{CheckResult::failure(FailReason::Timeout, "timed out after " + human_duration(after)), after};
}

struct FakeWorld {
    core::SimLoop& loop;
    std::map<std::string, Outcome> outcomes;                  // by target; default ok()
    std::map<std::string, std::vector<MonoTime>> attempts;    // start time of every attempt
    int alive = 0;                                            // FakeCheckers in existence
    int created = 0;

    explicit FakeWorld(core::SimLoop& l) : loop(l) {}
    void set(const std::string& target, Outcome o) { outcomes[target] = std::move(o); }
    // Attempt start times as offsets from t0, for compact assertions.
    std::vector<Duration> offsets(const std::string& target, MonoTime t0) const {
        std::vector<Duration> v;
        if (auto it = attempts.find(target); it != attempts.end())
            for (auto t : it->second) v.push_back(t - t0);
        return v;
    }
};

// Describes itself as TCP_CHECK does, so log lines read as in production.
class FakeChecker final : public Checker {
public:
    FakeChecker(FakeWorld& w, std::string target)
        : w_(w), target_(std::move(target)), timer_(w.loop.create_timer([this] { fire(); })) {
        ++w_.alive;
        ++w_.created;
    }
    ~FakeChecker() override { --w_.alive; }

    void start(Completion done) override {
        EXPECT_FALSE(running()) << "start() while an attempt runs";
        done_ = std::move(done);
        w_.attempts[target_].push_back(w_.loop.now());
        auto it = w_.outcomes.find(target_);
        pending_ = it == w_.outcomes.end() ? ok() : it->second;
        timer_->arm(pending_.after);
    }
    void cancel() override {
        timer_->cancel();
        done_ = nullptr;
    }
    bool running() const override { return static_cast<bool>(done_); }
    std::string describe() const override { return "TCP connect to " + target_; }

private:
    void fire() {
        auto done = std::move(done_);
        done_ = nullptr;
        if (done) done(pending_.result);
    }

    FakeWorld& w_;
    std::string target_;
    core::TimerPtr timer_;
    Completion done_;
    Outcome pending_;
};

// A CheckSubsystem factory building FakeCheckers for TCP_CHECK (named by the
// effective connect address) and refusing other kinds, as make_checker() does.
inline auto fake_factory(FakeWorld& w) {
    return [&w](const config::Checker& c) -> core::Result<std::unique_ptr<Checker>> {
        if (c.kind() != config::CheckerKind::TCP_CHECK)
            return core::Error{0, std::string(config::checker_kind_name(c.kind())) + " is not implemented yet"};
        const TcpTarget t = TcpTarget::from_config(c);
        return std::unique_ptr<Checker>(std::make_unique<FakeChecker>(w, endpoint_text(t.address, t.port)));
    };
}

}  // namespace halbd::check::test_util
