// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/script_command.hh: a configured script made ready to run: its argv
// (keepalived's quoting, no shell), the credentials it runs as (its own
// user, else global script_user, else keepalived_script/root) and, with
// enable_script_security, the refusal of an insecure one. Resolved once, at
// load (NSS lookups block); used by MISC_CHECK and the notify scripts
// (notify_up/notify_down, quorum_up/quorum_down). Owns nothing.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/model_global.hh"
#include "core/script_user.hh"
#include "core/spawn.hh"

namespace halbd::check {

struct ScriptCommand : core::PreparedScript {
    // The spawn options of one run (argv, credentials, the security check
    // and the script's own cgroup; a daemon it starts lives on).
    core::SpawnOptions spawn_options() const;
};

// Resolves users once per load: several scripts of one user cost one lookup.
class ScriptUserCache {
public:
    // The credentials of `user` (own, else global script_user, else the default).
    core::Result<core::ScriptCredentials> resolve(const config::ScriptUser* own, const config::GlobalDefs* global);

private:
    std::map<std::pair<std::string, std::string>, core::Result<core::ScriptCredentials>> users_;
    std::optional<core::ScriptCredentials> default_;
};

// Prepares `command` run as `own` (else script_user, else the default). A
// refusal is logged here, once, as "HEAD: why; it will not run" + consequence.
ScriptCommand prepare_script(const std::string& head, const std::string& command, const config::ScriptUser* own,
                             const config::GlobalDefs* global, ScriptUserCache& users,
                             const std::string& consequence = {});

}  // namespace halbd::check
