// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/script_runner.hh: how VRRP runs its scripts (vrrp_script checks, notify
// scripts). ScriptSpec is a script resolved once at load: argv split without
// a shell, the user it runs as, or why it must never run (bad quoting,
// unknown user, enable_script_security). ScriptRunner starts one run without
// blocking; SpawnScriptRunner is the real one (core::spawn + KillAfter), tests
// use a fake. Used by ScriptTracker and Notifier; owns the running children.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/model_global.hh"
#include "core/event_loop.hh"
#include "core/result.hh"
#include "core/script_user.hh"
#include "core/spawn.hh"

namespace halbd::vrrp {

struct ScriptSpec : core::PreparedScript {
    // A notify script's daemon lives on after it ended in time; what a
    // vrrp_script leaves running is killed with it.
    bool leftovers_survive = false;

    // Resolves `command [user [group]]` (user unset: global script_user, else
    // keepalived_script/root) through core::prepare_script. Blocking NSS and
    // stat calls: at load only. A refusal is logged once, here, by `what`.
    static ScriptSpec resolve(const std::string& what, const std::string& command,
                              const std::optional<config::ScriptUser>& user, const config::GlobalDefs& g);
};

// A run in flight. Destroying it kills the run (its process group and cgroup).
class RunningScript {
public:
    virtual ~RunningScript() = default;
    // SIGTERM to the run's process group (a FIFO reader script at stop).
    virtual void terminate() = 0;
};

class ScriptRunner {
public:
    using Completion = std::function<void(const core::ExitStatus&)>;
    virtual ~ScriptRunner() = default;
    // Starts spec.argv + extra_args. With a timeout, SIGTERM at the timeout and
    // SIGKILL a second later (ExitStatus::timed_out); without, it runs until
    // it ends or the handle goes. done runs from the loop, once, and may
    // destroy the handle.
    virtual core::Result<std::unique_ptr<RunningScript>> run(const ScriptSpec& spec,
                                                             const std::vector<std::string>& extra_args,
                                                             std::optional<Duration> timeout, Completion done) = 0;
};

class SpawnScriptRunner final : public ScriptRunner {
public:
    explicit SpawnScriptRunner(core::EventLoop& loop) : loop_(loop) {}
    core::Result<std::unique_ptr<RunningScript>> run(const ScriptSpec& spec, const std::vector<std::string>& extra_args,
                                                     std::optional<Duration> timeout, Completion done) override;

private:
    core::EventLoop& loop_;
};

}  // namespace halbd::vrrp
