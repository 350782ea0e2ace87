// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/script_command.cc: see script_command.hh. The rules are keepalived's
// (notify.c): split without a shell, run as the script's own user, else
// script_user, else keepalived_script (root when it does not exist), and
// with enable_script_security refuse a script others could modify.
#include "check/script_command.hh"

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
    static_cast<core::PreparedScript&>(t) =
        core::prepare_script(command, users.resolve(own, global), global && global->enable_script_security);
    if (!t.refused.empty()) log::error(head, ": ", t.refused, "; it will not run", consequence);
    return t;
}

}  // namespace halbd::check
