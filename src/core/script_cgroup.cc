// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// core/script_cgroup.cc: see script_cgroup.hh. Plain file I/O on cgroupfs:
// mkdir/rmdir for the directories, cgroup.kill to kill, cgroup.procs to
// move, cgroup.events to know whether anything still runs inside.
#include "core/script_cgroup.hh"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "core/log.hh"

namespace halbd::core {

namespace {

bool write_text(const std::string& path, const std::string& text) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    return fd && ::write(fd.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size());
}

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The cgroup v2 directory of this process: "0::/path" in /proc/self/cgroup
// under the cgroup2 mount whose root is a prefix of it.
Result<std::string> own_cgroup_dir() {
    std::string rel;
    std::istringstream cg(read_text("/proc/self/cgroup"));
    for (std::string line; std::getline(cg, line);)
        if (line.rfind("0::", 0) == 0) rel = line.substr(3);
    if (rel.empty()) return Error{ENOENT, "no cgroup v2 hierarchy (cgroup v1 only)"};
    std::istringstream mi(read_text("/proc/self/mountinfo"));
    for (std::string line; std::getline(mi, line);) {
        const size_t dash = line.find(" - ");
        if (dash == std::string::npos || line.compare(dash + 3, 8, "cgroup2 ") != 0) continue;
        std::istringstream f(line.substr(0, dash));
        std::string id, parent, dev, root, mount;
        f >> id >> parent >> dev >> root >> mount;
        if (mount.find('\\') != std::string::npos) continue;  // escaped blanks: not ours to guess
        if (root != "/" && rel != root && rel.rfind(root + "/", 0) != 0) continue;
        const std::string below = root == "/" ? rel : rel.substr(root.size());
        return below == "/" || below.empty() ? mount : mount + below;
    }
    return Error{ENOENT, "no cgroup2 mount holds " + rel};
}

}  // namespace

// ---------------------------------------------------------------- parent

Result<std::unique_ptr<CgroupParent>> CgroupParent::detect() {
    auto dir = own_cgroup_dir();
    if (!dir) return dir.error();
    if (::access(dir->c_str(), W_OK) != 0) return system_error("cgroup " + *dir);
    auto parent = std::make_unique<CgroupParent>(*dir);
    {
        auto probe = parent->create();
        if (!probe) return probe.error();
        if (::access((probe.value()->path() + "/cgroup.kill").c_str(), W_OK) != 0)
            return Error{ENOTSUP, "no cgroup.kill in " + *dir + " (Linux older than 5.14)"};
    }
    if (const size_t n = parent->sweep_stale())
        log::notice("killed what scripts of ", n, " earlier halbd run", n > 1 ? "s" : "", " left in ", *dir);
    return parent;
}

CgroupParent* CgroupParent::process() {
    static const std::unique_ptr<CgroupParent> parent = [] {
        auto r = detect();
        if (r) {
            log::info("scripts run in their own cgroups under ", r.value()->dir());
            return std::move(r.value());
        }
        log::info("scripts run without their own cgroups (", r.error().message,
                  "): a child that leaves the script's process group can outlive it");
        return std::unique_ptr<CgroupParent>();
    }();
    return parent.get();
}

Result<std::unique_ptr<ScriptCgroup>> CgroupParent::create() {
    retry_removals();
    const std::string path = dir_ + "/" + kNamePrefix + std::to_string(::getpid()) + "." + std::to_string(next_++);
    if (::mkdir(path.c_str(), 0755) != 0) return system_error("mkdir " + path);
    UniqueFd dir(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    UniqueFd procs(::open((path + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC));
    if (!dir || !procs) {
        const Error e = system_error("open " + path);
        ::rmdir(path.c_str());
        return e;
    }
    return std::make_unique<ScriptCgroup>(*this, path, std::move(dir), std::move(procs));
}

CgroupParent::~CgroupParent() {
    for (int i = 0; i < 20 && !doomed_.empty(); ++i) {
        retry_removals();
        if (!doomed_.empty()) ::usleep(5000);  // SIGKILLed processes leaving: no event to wait on
    }
}

size_t CgroupParent::sweep_stale() {
    std::set<pid_t> owners;
    DIR* d = ::opendir(dir_.c_str());
    if (!d) return 0;
    const std::string prefix = kNamePrefix;
    while (const dirent* e = ::readdir(d)) {
        const std::string name = e->d_name;
        if (name.rfind(prefix, 0) != 0) continue;
        const pid_t owner = static_cast<pid_t>(std::atol(name.c_str() + prefix.size()));
        if (owner <= 0 || owner == ::getpid() || ::kill(owner, 0) == 0 || errno != ESRCH) continue;
        owners.insert(owner);
        const std::string path = dir_ + "/" + name;
        write_text(path + "/cgroup.kill", "1");
        if (::rmdir(path.c_str()) != 0 && errno == EBUSY) doomed_.push_back(path);
    }
    ::closedir(d);
    return owners.size();
}

void CgroupParent::retry_removals() {
    std::erase_if(doomed_, [](const std::string& p) { return ::rmdir(p.c_str()) == 0 || errno == ENOENT; });
}

// ---------------------------------------------------------------- one run

ScriptCgroup::~ScriptCgroup() {
    if (!released_) kill();
    dir_.reset();
    procs_.reset();
    // Killed processes leave the cgroup a moment later: try again then.
    if (::rmdir(path_.c_str()) != 0 && errno == EBUSY) parent_.doomed_.push_back(path_);
}

bool ScriptCgroup::populated() const {
    return read_text(path_ + "/cgroup.events").find("populated 1") != std::string::npos;
}

void ScriptCgroup::kill() {
    if (!write_text(path_ + "/cgroup.kill", "1")) log::warning("cgroup ", path_, ": cannot kill: ", std::strerror(errno));
}

void ScriptCgroup::release() {
    released_ = true;
    const std::string to = parent_.dir() + "/cgroup.procs";
    // A process forking while being moved may leave its child behind: a few rounds.
    for (int round = 0; round < 8; ++round) {
        std::istringstream procs(read_text(path_ + "/cgroup.procs"));
        bool any = false;
        for (std::string pid; procs >> pid;) {
            any = true;
            write_text(to, pid);
        }
        if (!any) return;
    }
}

}  // namespace halbd::core
