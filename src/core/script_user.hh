// core/script_user.hh: who a script runs as and whether it is safe to run:
// resolving `user [group]` (script_user, MISC_CHECK user, ...) to ids once,
// at load, and keepalived's enable_script_security test (no one but root and
// the user it runs as may change the script or a directory on its path).
// Called by check/ (MISC_CHECK) and, later, vrrp/ scripts; owns nothing.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hh"

namespace halbd::core {

struct ScriptCredentials {
    std::string user;          // for log lines
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups; // supplementary groups of the user
};

// Looks up user (and group; empty = the user's primary group). Blocking NSS
// lookups: call at load, never per run.
Result<ScriptCredentials> resolve_script_user(std::string_view user, std::string_view group);

// keepalived's default script user: keepalived_script if it exists, else root.
ScriptCredentials default_script_user();

// Why running `path` as uid/gid would be insecure ("/srv/x.sh is writable by
// uid 1000"), or nullopt when it is safe: the resolved file and every
// directory above it must be writable only by root or uid (group-writable
// only for group 0 or gid; world-writable only for sticky directories).
// A path that does not resolve is insecure too ("not found").
std::optional<std::string> script_insecurity(const std::string& path, uid_t uid, gid_t gid);

}  // namespace halbd::core
