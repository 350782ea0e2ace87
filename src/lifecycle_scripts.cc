// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// lifecycle_scripts.cc: see lifecycle_scripts.hh. The script is resolved and
// started as VRRP's scripts are (vrrp::ScriptSpec: user, quoting,
// enable_script_security; core::spawn: own process group and cgroup).
#include "lifecycle_scripts.hh"

#include "core/log.hh"
#include "vrrp/script_runner.hh"

namespace halbd {

std::optional<core::ExitStatus> run_lifecycle_script(core::EventLoop& loop, const std::string& what,
                                                     const config::Script& script, Duration timeout,
                                                     const config::GlobalDefs& g) {
    const auto spec = vrrp::ScriptSpec::resolve(what, script.command, script.user, g);
    if (!spec.refused.empty()) return std::nullopt;  // resolve() logged why
    vrrp::SpawnScriptRunner runner(loop);
    std::optional<core::ExitStatus> status;
    auto run = runner.run(spec, {}, timeout, [&status](const core::ExitStatus& st) { status = st; });
    if (!run) {
        log::error(what, " ", spec.command, ": ", run.error().message);
        return std::nullopt;
    }
    log::info(what, " ", spec.command, " started (timeout ", log::secs(timeout), ")");
    // The timeout's SIGTERM, SIGKILL a second later, then the reaping.
    const MonoTime until = loop.now() + timeout + std::chrono::seconds(3);
    while (!status && loop.now() < until) loop.run_once(until - loop.now());
    if (!status) {
        log::error(what, " ", spec.command, " did not end; going on");
        return std::nullopt;
    }
    if (status->success())
        log::info(what, " ", spec.command, " ended: ", status->describe());
    else
        log::warning(what, " ", spec.command, " ended: ", status->describe());
    return status;
}

}  // namespace halbd
