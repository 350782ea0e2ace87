// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/misc_check.hh: MISC_CHECK, keepalived's "run a program" checker.
// misc_path is split into argv (keepalived's quoting, no shell) and run with
// core::spawn as the checker's user (else global script_user; resolved by
// script_command.hh, shared with the notify scripts) under a
// KillAfter: SIGTERM at misc_timeout, SIGKILL a grace later. Exit 0 = up,
// 1 = down; with misc_dynamic, 2..255 = up with weight (status - 2). Built by
// make_checker(); owns the running child of the attempt in flight.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "check/attempt.hh"
#include "config/model_check.hh"
#include "core/spawn.hh"

namespace halbd::check {

struct MiscTarget {
    std::string command;             // misc_path as configured (for logs)
    std::vector<std::string> argv;   // split; empty when refused
    Duration timeout = std::chrono::seconds(60);
    bool dynamic = false;
    std::optional<uid_t> uid;        // nullopt: our own credentials
    std::optional<gid_t> gid;
    std::vector<gid_t> groups;
    bool secure = false;             // enable_script_security: checked again at every run
    // Non-empty: the script must not run (insecure, unknown user, bad
    // quoting); every attempt fails with this as a LocalSetup failure.
    std::string refused;
    // Non-empty: the script does not exist or is not executable. keepalived
    // then removes the checker at start ("not found/accessible") and its real
    // server stays in the pool; make_checker() turns this into a disabled
    // checker (counted as up) with this reason.
    std::string disabled;

    // From a validated MISC_CHECK and the global section (script_user,
    // enable_script_security; null = defaults). Resolves the user and, with
    // enable_script_security, checks the script: refusals are logged once,
    // here (at load).
    static MiscTarget from_config(const config::Checker& c, const config::GlobalDefs* global);
};

class MiscChecker final : public AttemptChecker {
public:
    MiscChecker(core::EventLoop& loop, MiscTarget target);
    ~MiscChecker() override { release_io(); }

    std::string describe() const override { return "MISC_CHECK " + target_.command; }
    const MiscTarget& target() const { return target_; }

    // The result of a script exit (pure: keepalived's misc_check_child_thread rules).
    static CheckResult result_of(const core::ExitStatus& st, bool dynamic, Duration timeout);

private:
    std::optional<CheckResult> begin() override;
    void on_deadline() override {}  // KillAfter enforces misc_timeout
    void release_io() override { child_.reset(); }

    MiscTarget target_;
    std::unique_ptr<core::KillAfter> child_;
};

}  // namespace halbd::check
