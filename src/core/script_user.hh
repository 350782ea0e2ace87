// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// core/script_user.hh: who a script runs as and whether it is safe to run:
// resolving `user [group]` (script_user, MISC_CHECK user, ...) to ids once,
// at load, and keepalived's enable_script_security test (no one but root and
// the user it runs as may change the script or a directory on its path).
// prepare_script() is the one resolution of a configured script, shared by
// check/ (MISC_CHECK, notify scripts) and vrrp/ (vrrp_script, notify); owns
// nothing.
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

// enable_script_security (keepalived.conf(5)): the path is resolved here one
// component at a time, never with realpath(), and everything that decides
// what runs is checked on the way: every directory walked through (those of
// the configured path and of each symlink's target), every symlink met and
// the file itself must be changeable only by root or uid (group-writable
// only for group 0 or gid; world-writable only for sticky directories). A
// writable directory holding a symlink is as bad as a writable script: its
// owner can re-point the link. Returns the resolved path (no symlinks, no
// "." or ".."), safe to execute while the check holds, or why it is not
// ("/tmp/u is owned by uid 65534"). Blocking stat calls, a few per
// component: spawn() runs it again before every run, so a later swap is caught.
Result<std::string> secure_script_path(const std::string& path, uid_t uid, gid_t gid);

// The reason of secure_script_path() alone (nullopt when secure).
std::optional<std::string> script_insecurity(const std::string& path, uid_t uid, gid_t gid);

// A configured script made ready to run, once, at load: its argv split
// without a shell (keepalived's quoting), the credentials it runs as (none
// when they are our own) and, with enable_script_security, whether it may
// run at all (checked again at every run: `secure`).
struct PreparedScript {
    std::string command;            // as configured, for log lines
    std::vector<std::string> argv;  // empty when refused
    std::string user;               // for log lines
    std::optional<uid_t> uid;       // nullopt: our own credentials
    std::optional<gid_t> gid;
    std::vector<gid_t> groups;
    bool secure = false;
    std::string refused;            // non-empty: never run, and why
};

// Prepares `command` to run with `cred` (a refusal when cred is an error or
// the command does not split); script_security is enable_script_security.
// Blocking stat calls: at load only. Logs nothing: the caller says whose
// script was refused and what follows from it.
PreparedScript prepare_script(const std::string& command, const Result<ScriptCredentials>& cred,
                              bool script_security);

}  // namespace halbd::core
