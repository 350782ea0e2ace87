// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// core/script_cgroup.hh: one cgroup v2 per script run, so that a script and
// everything it started (a `setsid` child, a double-forked daemon) can be
// killed at once through cgroup.kill: a process group alone cannot hold
// them. CgroupParent is the directory halbd creates them in (its own cgroup,
// when writable); ScriptCgroup is one run's directory. Used by spawn()
// (CLONE_INTO_CGROUP) and KillAfter; each owns its directories.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/fd.hh"
#include "core/result.hh"

namespace halbd::core {

class ScriptCgroup;

class CgroupParent {
public:
    // Script cgroups are named kNamePrefix + "<halbd pid>.<n>".
    static constexpr const char* kNamePrefix = "halbd-script.";

    // An existing, writable cgroup v2 directory.
    explicit CgroupParent(std::string dir) : dir_(std::move(dir)) {}
    // Removes the cgroups still emptying (waits up to 100 ms: halbd exits).
    ~CgroupParent();
    CgroupParent(const CgroupParent&) = delete;
    CgroupParent& operator=(const CgroupParent&) = delete;

    // halbd's own cgroup (from /proc/self/cgroup and the cgroup2 mount) when
    // it is usable: writable by us (systemd Delegate=yes, or root in a
    // writable cgroup2 hierarchy) and the kernel has cgroup.kill (5.14).
    // Sweeps what a halbd killed with SIGKILL left there. Error: why not.
    static Result<std::unique_ptr<CgroupParent>> detect();
    // The parent of this process's scripts: detect() on the first call
    // (logged once), null when cgroups cannot be used. Process-wide because
    // it describes where the process runs, not a configuration.
    static CgroupParent* process();

    // A new, empty cgroup for one run; also retries earlier removals.
    Result<std::unique_ptr<ScriptCgroup>> create();
    // Kills and removes the script cgroups of halbd processes that are gone
    // (a daemon killed with SIGKILL could not); returns how many such
    // processes it found.
    size_t sweep_stale();
    // rmdir of the cgroups that were still emptying when their run ended.
    void retry_removals();

    const std::string& dir() const { return dir_; }
    size_t pending_removals() const { return doomed_.size(); }

private:
    friend class ScriptCgroup;
    std::string dir_;
    uint64_t next_ = 0;
    std::vector<std::string> doomed_;
};

// One run's cgroup. Destroying it kills what is still inside (unless
// released) and removes the directory, later when it is still emptying.
class ScriptCgroup {
public:
    ScriptCgroup(CgroupParent& parent, std::string path, UniqueFd dir, UniqueFd procs)
        : parent_(parent), path_(std::move(path)), dir_(std::move(dir)), procs_(std::move(procs)) {}
    ~ScriptCgroup();
    ScriptCgroup(const ScriptCgroup&) = delete;
    ScriptCgroup& operator=(const ScriptCgroup&) = delete;

    const std::string& path() const { return path_; }
    int dir_fd() const { return dir_.get(); }      // for clone3(CLONE_INTO_CGROUP)
    int procs_fd() const { return procs_.get(); }  // cgroup.procs, for a forked child to join
    bool populated() const;
    // SIGKILL to every process inside, wherever its process group or session.
    void kill();
    // Moves what is still inside to the parent cgroup: a daemon a notify
    // script started lives on, as with keepalived.
    void release();

private:
    CgroupParent& parent_;
    std::string path_;
    UniqueFd dir_;
    UniqueFd procs_;
    bool released_ = false;
};

}  // namespace halbd::core
