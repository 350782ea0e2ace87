// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/script_runner.cc: see script_runner.hh. The resolution rules are
// MISC_CHECK's (core::prepare_script): the script's user, else script_user,
// else keepalived_script/root; enable_script_security through core/script_user.
#include "vrrp/script_runner.hh"

#include <unistd.h>

#include <csignal>

#include "core/log.hh"
#include "core/script_user.hh"

namespace halbd::vrrp {

ScriptSpec ScriptSpec::resolve(const std::string& what, const std::string& command,
                               const std::optional<config::ScriptUser>& user, const config::GlobalDefs& g) {
    const config::ScriptUser* su = user ? &*user : g.script_user ? &*g.script_user : nullptr;
    core::Result<core::ScriptCredentials> cred = core::default_script_user();
    if (su) {
        cred = core::resolve_script_user(su->user, su->group);
        if (!cred) cred = core::Error{cred.error().code, "cannot run as " + su->user + ": " + cred.error().message};
    }
    ScriptSpec s;
    static_cast<core::PreparedScript&>(s) = core::prepare_script(command, cred, g.enable_script_security);
    if (!s.refused.empty()) log::error(what, " ", command, ": ", s.refused, "; it will not run");
    return s;
}

namespace {

class KilledRun final : public RunningScript {
public:
    explicit KilledRun(std::unique_ptr<core::KillAfter> k) : k_(std::move(k)) {}
    void terminate() override {
        if (k_->running()) ::kill(-k_->pid(), SIGTERM);  // spawn() made it a process group leader
    }

private:
    std::unique_ptr<core::KillAfter> k_;
};

}  // namespace

core::Result<std::unique_ptr<RunningScript>> SpawnScriptRunner::run(const ScriptSpec& spec,
                                                                    const std::vector<std::string>& extra_args,
                                                                    std::optional<Duration> timeout,
                                                                    Completion done) {
    if (!spec.refused.empty()) return core::Error{0, "not run: " + spec.refused};
    core::SpawnOptions o;
    o.argv = spec.argv;
    o.argv.insert(o.argv.end(), extra_args.begin(), extra_args.end());
    o.uid = spec.uid;
    o.gid = spec.gid;
    o.groups = spec.groups;
    o.secure = spec.secure;
    o.cgroups = core::CgroupParent::process();
    o.leftovers_survive = spec.leftovers_survive;
    auto k = core::KillAfter::start(loop_, o, timeout.value_or(core::kNoTimeout), std::move(done));
    if (!k) return k.error();
    return std::unique_ptr<RunningScript>(std::make_unique<KilledRun>(std::move(k.value())));
}

}  // namespace halbd::vrrp
