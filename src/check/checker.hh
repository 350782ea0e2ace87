// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/checker.hh: the Checker interface every checker kind implements (one
// kind per file: tcp_check.cc, ...) and the typed result of one attempt.
// ScheduledCheck drives a Checker; it owns nothing but the attempt in flight.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/time.hh"

namespace halbd::check {

// Why an attempt failed (DESIGN principle 9: every failure has a typed reason).
enum class FailReason : uint8_t {
    Refused,         // the peer answered with a reset (ECONNREFUSED)
    Timeout,         // no answer within connect_timeout
    Unreachable,     // EHOSTUNREACH, ENETUNREACH, EADDRNOTAVAIL...
    LocalSetup,      // our side could not be set up: socket, SO_MARK, bind_if, bindto
    Error,           // any other error reported by the kernel or the protocol
};
inline constexpr size_t kFailReasonCount = 5;

const char* fail_reason_name(FailReason r);  // "refused", "timeout", ...

// A weight a successful attempt asks for (keepalived's checker cur_weight):
// MISC_CHECK misc_dynamic sets the real server's weight (exit status - 2),
// FILE_CHECK adds to it. The real server's effective weight is its configured
// weight plus the offsets of its checkers (forward::PoolView::effective_weight).
struct DynamicWeight {
    bool absolute = false;  // value is the weight to set, else an offset to add
    int64_t value = 0;

    // The offset this asks for, for a real server configured with weight iweight.
    int64_t offset(int64_t iweight) const { return absolute ? value - iweight : value; }
    friend bool operator==(const DynamicWeight&, const DynamicWeight&) = default;
};

// The outcome of one attempt: success, or a reason and a human detail that
// completes the checker's description ("refused", "timed out after 3s").
// A success may carry a dynamic weight (nullopt: none, the configured weight).
struct CheckResult {
    bool ok = true;
    FailReason reason = FailReason::Error;
    std::string detail;
    std::optional<DynamicWeight> weight{};
    // false: no probe was made (our socket, SO_MARK, bind_if or bindto could
    // not be set up). keepalived 2.2.7 then logs "socket bind failed.
    // Rescheduling." and tries again after delay_loop without changing the
    // checker's state (layer4.c connect_error); the scheduler does the same.
    bool verdict = true;

    static CheckResult success() { return CheckResult{}; }
    static CheckResult success(DynamicWeight w, std::string detail) {
        return CheckResult{true, FailReason::Error, std::move(detail), w};
    }
    static CheckResult failure(FailReason r, std::string detail) { return CheckResult{false, r, std::move(detail), std::nullopt}; }
    static CheckResult not_attempted(std::string detail) {
        return CheckResult{false, FailReason::LocalSetup, std::move(detail), std::nullopt, false};
    }
};

// One checker of one target. start() begins an attempt; the completion is
// called exactly once per attempt, always from the loop (never from inside
// start()), unless the attempt is cancelled first: by cancel() or by
// destroying the checker. The completion may destroy the checker.
class Checker {
public:
    using Completion = std::function<void(const CheckResult&)>;

    virtual ~Checker() = default;
    // Precondition: !running().
    virtual void start(Completion done) = 0;
    virtual void cancel() = 0;
    virtual bool running() const = 0;
    // What is being checked, as the head of a log line: "TCP connect to 10.0.0.2:80".
    virtual std::string describe() const = 0;

    // Event-driven kinds (FILE_CHECK: inotify) know their outcome before
    // any attempt and learn of changes between attempts. initial(): the
    // outcome known at construction (nullopt: unknown until an attempt,
    // the polling kinds). set_wake(): the scheduler's "attempt now", which
    // such a checker calls, from the loop, when its target changed.
    virtual std::optional<CheckResult> initial() const { return std::nullopt; }
    virtual void set_wake(std::function<void()> /*wake*/) {}
};

// "3s", "1.5s", "250ms": a timeout as people write it, for details and logs.
std::string human_duration(Duration d);

}  // namespace halbd::check
