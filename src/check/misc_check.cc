// check/misc_check.cc: MISC_CHECK (see misc_check.hh). keepalived's
// check_misc.c semantics: exit 0 up (weight back to the configured one),
// 1 down, 2..255 up with weight status - 2 when misc_dynamic (down without),
// killed (timeout or signal) down. Every outcome leaves through finish().
#include "check/misc_check.hh"

#include "core/log.hh"
#include "core/script_user.hh"

namespace halbd::check {

MiscTarget MiscTarget::from_config(const config::Checker& c, const config::GlobalDefs* global) {
    const auto& m = std::get<config::MiscCheck>(c.params);
    MiscTarget t;
    t.command = m.misc_path;
    t.dynamic = m.misc_dynamic;
    if (m.misc_timeout > Duration::zero()) t.timeout = m.misc_timeout;
    else if (c.delay_loop) t.timeout = *c.delay_loop;
    const std::string head = "MISC_CHECK " + m.misc_path;
    auto argv = core::split_command(m.misc_path);
    if (!argv || argv->empty()) {
        t.refused = "unbalanced quotes or trailing backslash in misc_path";
        log::error(head, ": ", t.refused, "; it will not run (its real server stays down)");
        return t;
    }
    // The user: the checker's, else script_user, else keepalived_script/root.
    const config::ScriptUser* su = m.user ? m.user.get() : global && global->script_user ? &*global->script_user : nullptr;
    core::ScriptCredentials cred;
    if (su) {
        auto r = core::resolve_script_user(su->user, su->group);
        if (!r) {
            t.refused = "cannot run as " + su->user + ": " + r.error().message;
            log::error(head, ": ", t.refused, "; it will not run (its real server stays down)");
            return t;
        }
        cred = r.value();
    } else {
        cred = core::default_script_user();
    }
    if (global && global->enable_script_security) {
        const auto path = core::find_executable((*argv)[0]);
        auto why = path ? core::script_insecurity(*path, cred.uid, cred.gid)
                        : std::optional<std::string>((*argv)[0] + " not found");
        if (why) {
            t.refused = "insecure script (enable_script_security): " + *why;
            log::error(head, ": ", t.refused, "; it will not run (its real server stays down)");
            return t;
        }
    }
    if (cred.uid != ::geteuid() || cred.gid != ::getegid()) {
        t.uid = cred.uid;
        t.gid = cred.gid;
        t.groups = cred.groups;
    }
    t.argv = std::move(*argv);
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
    auto started = core::KillAfter::start(loop(), o, target_.timeout, [this](const core::ExitStatus& st) {
        finish(result_of(st, target_.dynamic, target_.timeout));
    });
    if (!started) return CheckResult::failure(FailReason::LocalSetup, "not run: " + started.error().message);
    child_ = std::move(started.value());
    return std::nullopt;
}

}  // namespace halbd::check
