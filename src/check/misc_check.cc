// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/misc_check.cc: MISC_CHECK (see misc_check.hh). keepalived's
// check_misc.c semantics: exit 0 up (weight back to the configured one),
// 1 down, 2..255 up with weight status - 2 when misc_dynamic (down without),
// killed (timeout or signal) down. Every outcome leaves through finish().
#include "check/misc_check.hh"

#include "check/script_command.hh"

namespace halbd::check {

MiscTarget MiscTarget::from_config(const config::Checker& c, const config::GlobalDefs* global) {
    const auto& m = std::get<config::MiscCheck>(c.params);
    MiscTarget t;
    t.command = m.misc_path;
    t.dynamic = m.misc_dynamic;
    if (m.misc_timeout > Duration::zero()) t.timeout = m.misc_timeout;
    else if (c.delay_loop) t.timeout = *c.delay_loop;
    ScriptUserCache users;
    ScriptCommand cmd = prepare_script("MISC_CHECK " + m.misc_path, m.misc_path, m.user.get(), global, users,
                                       " (its real server stays down)");
    // keepalived checks this first ("not found/accessible"), whoever would run it.
    if (auto words = core::split_command(m.misc_path); words && !words->empty() && !core::find_executable(words->front()))
        t.disabled = words->front() + " not found or not executable";
    t.argv = std::move(cmd.argv);
    t.uid = cmd.uid;
    t.gid = cmd.gid;
    t.groups = std::move(cmd.groups);
    t.secure = cmd.secure;
    t.refused = std::move(cmd.refused);
    return t;
}

MiscChecker::MiscChecker(core::EventLoop& loop, MiscTarget target) : AttemptChecker(loop), target_(std::move(target)) {}

CheckResult MiscChecker::result_of(const core::ExitStatus& st, bool dynamic, Duration timeout) {
    if (st.timed_out)
        return CheckResult::failure(FailReason::Timeout,
                                    "timed out after " + human_duration(timeout) + " (" + st.describe() + ")");
    if (st.signaled()) return CheckResult::failure(FailReason::Error, st.describe());
    if (!st.exited()) return CheckResult::failure(FailReason::Error, st.describe());
    const int code = st.exit_code();
    if (code == 0) return CheckResult::success();
    if (dynamic && code >= 2)
        return CheckResult::success(DynamicWeight{true, code - 2},
                                    "exited " + std::to_string(code) + ": weight " + std::to_string(code - 2));
    std::string detail = "exited " + std::to_string(code);
    if (code == core::kExitCannotExec) detail += " (cannot execute)";
    else if (code == core::kExitSetupFailed) detail += " (cannot set credentials)";
    return CheckResult::failure(FailReason::Error, std::move(detail));
}

std::optional<CheckResult> MiscChecker::begin() {
    if (!target_.refused.empty()) return CheckResult::failure(FailReason::LocalSetup, "not run: " + target_.refused);
    core::SpawnOptions o;
    o.argv = target_.argv;
    o.uid = target_.uid;
    o.gid = target_.gid;
    o.groups = target_.groups;
    o.secure = target_.secure;
    o.cgroups = core::CgroupParent::process();  // what it leaves running dies with it
    auto started = core::KillAfter::start(loop(), o, target_.timeout, [this](const core::ExitStatus& st) {
        finish(result_of(st, target_.dynamic, target_.timeout));
    });
    if (!started) return CheckResult::failure(FailReason::LocalSetup, "not run: " + started.error().message);
    child_ = std::move(started.value());
    return std::nullopt;
}

}  // namespace halbd::check
