// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/script_command.cc: see script_command.hh. The rules are keepalived's
// (notify.c): split without a shell, run as the script's own user, else
// script_user, else keepalived_script (root when it does not exist), and
// with enable_script_security refuse a script others could modify.
#include "check/script_command.hh"

#include <unistd.h>

#include "core/log.hh"

namespace halbd::check {

core::SpawnOptions ScriptCommand::spawn_options() const {
    core::SpawnOptions o;
    o.argv = argv;
    o.uid = uid;
    o.gid = gid;
    o.groups = groups;
    o.secure = secure;
    o.cgroups = core::CgroupParent::process();
    o.leftovers_survive = true;
    return o;
}

core::Result<core::ScriptCredentials> ScriptUserCache::resolve(const config::ScriptUser* own,
                                                              const config::GlobalDefs* global) {
    const config::ScriptUser* su = own ? own : global && global->script_user ? &*global->script_user : nullptr;
    if (!su) {
        if (!default_) default_ = core::default_script_user();
        return *default_;
    }
    auto key = std::make_pair(su->user, su->group);
    auto it = users_.find(key);
    if (it == users_.end()) it = users_.emplace(key, core::resolve_script_user(su->user, su->group)).first;
    if (!it->second) return core::Error{it->second.error().code, "cannot run as " + su->user + ": " + it->second.error().message};
    return it->second;
}

ScriptCommand prepare_script(const std::string& head, const std::string& command, const config::ScriptUser* own,
                             const config::GlobalDefs* global, ScriptUserCache& users,
                             const std::string& consequence) {
    ScriptCommand t;
    t.command = command;
    auto refuse = [&](std::string why) {
        t.refused = std::move(why);
        log::error(head, ": ", t.refused, "; it will not run", consequence);
        return t;
    };
    auto argv = core::split_command(command);
    if (!argv || argv->empty()) return refuse("unbalanced quotes or trailing backslash in the command");
    auto cred = users.resolve(own, global);
    if (!cred) return refuse(cred.error().message);
    if (global && global->enable_script_security) {
        const auto path = core::find_executable((*argv)[0]);
        auto why = path ? core::script_insecurity(*path, cred.value().uid, cred.value().gid)
                        : std::optional<std::string>((*argv)[0] + " not found");
        if (why) return refuse("insecure script (enable_script_security): " + *why);
        t.secure = true;
    }
    if (cred.value().uid != ::geteuid() || cred.value().gid != ::getegid()) {
        t.uid = cred.value().uid;
        t.gid = cred.value().gid;
        t.groups = cred.value().groups;
    }
    t.argv = std::move(*argv);
    return t;
}

}  // namespace halbd::check
