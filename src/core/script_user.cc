// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// core/script_user.cc: see script_user.hh.
#include "core/script_user.hh"

#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string_view>

#include "core/spawn.hh"

namespace halbd::core {

namespace {

std::string writer_problem(const std::string& p, const struct stat& st, uid_t uid, gid_t gid) {
    const bool sticky_dir = S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX);
    if (st.st_uid != 0 && st.st_uid != uid) return p + " is owned by uid " + std::to_string(st.st_uid);
    if ((st.st_mode & S_IWGRP) && st.st_gid != 0 && st.st_gid != gid && !sticky_dir)
        return p + " is writable by group " + std::to_string(st.st_gid);
    if ((st.st_mode & S_IWOTH) && !sticky_dir) return p + " is writable by everyone";
    return {};
}

}  // namespace

Result<ScriptCredentials> resolve_script_user(std::string_view user, std::string_view group) {
    ScriptCredentials c;
    c.user = std::string(user);
    std::vector<char> buf(16384);
    passwd pw{};
    passwd* found = nullptr;
    const int e = ::getpwnam_r(c.user.c_str(), &pw, buf.data(), buf.size(), &found);
    if (!found) return e ? system_error("user " + c.user, e) : Error{0, "user " + c.user + " does not exist"};
    c.uid = pw.pw_uid;
    c.gid = pw.pw_gid;
    if (!group.empty()) {
        const std::string g(group);
        struct group gr{};
        struct group* gfound = nullptr;
        const int ge = ::getgrnam_r(g.c_str(), &gr, buf.data(), buf.size(), &gfound);
        if (!gfound) return ge ? system_error("group " + g, ge) : Error{0, "group " + g + " does not exist"};
        c.gid = gr.gr_gid;
    }
    int n = 32;
    std::vector<gid_t> groups(static_cast<size_t>(n));
    if (::getgrouplist(c.user.c_str(), c.gid, groups.data(), &n) < 0) {
        groups.resize(static_cast<size_t>(n));
        if (::getgrouplist(c.user.c_str(), c.gid, groups.data(), &n) < 0) n = 0;
    }
    groups.resize(static_cast<size_t>(n));
    c.groups = std::move(groups);
    return c;
}

ScriptCredentials default_script_user() {
    if (auto r = resolve_script_user("keepalived_script", "")) return r.value();
    ScriptCredentials root;
    root.user = "root";
    return root;
}

Result<std::string> secure_script_path(const std::string& path, uid_t uid, gid_t gid) {
    if (path.empty() || path[0] != '/') return Error{EINVAL, "\"" + path + "\" is not an absolute path"};
    // The components still to walk, front first; symlink targets are pushed
    // in front of the rest. `done` is the resolved, already checked prefix.
    std::deque<std::string> todo;
    auto push_front_components = [&todo](std::string_view p) {
        std::vector<std::string> parts;
        while (!p.empty()) {
            const size_t slash = p.find('/');
            std::string_view part = p.substr(0, slash);
            if (!part.empty() && part != ".") parts.emplace_back(part);
            if (slash == std::string_view::npos) break;
            p.remove_prefix(slash + 1);
        }
        todo.insert(todo.begin(), parts.begin(), parts.end());
    };
    push_front_components(path);
    std::string done = "/";
    struct stat st;
    if (::lstat("/", &st) < 0) return system_error("/");
    if (auto why = writer_problem("/", st, uid, gid); !why.empty()) return Error{EPERM, why};
    int links = 0;
    while (!todo.empty()) {
        const std::string name = std::move(todo.front());
        todo.pop_front();
        if (name == "..") {
            // `done` holds no symlink: its parent is the lexical one, already checked.
            const auto slash = done.rfind('/');
            done = slash == 0 ? "/" : done.substr(0, slash);
            continue;
        }
        const std::string next = done == "/" ? "/" + name : done + "/" + name;
        if (::lstat(next.c_str(), &st) < 0) return system_error(next);
        if (S_ISLNK(st.st_mode)) {
            // Its directory is checked; the link's owner can replace it in a sticky one.
            if (st.st_uid != 0 && st.st_uid != uid)
                return Error{EPERM, next + " is a symlink owned by uid " + std::to_string(st.st_uid)};
            if (++links > 40) return Error{ELOOP, path + ": too many levels of symbolic links"};
            std::vector<char> target(static_cast<size_t>(st.st_size > 0 ? st.st_size : PATH_MAX) + 1);
            const ssize_t n = ::readlink(next.c_str(), target.data(), target.size());
            if (n < 0 || static_cast<size_t>(n) >= target.size())
                return n < 0 ? system_error("readlink " + next) : Error{ENAMETOOLONG, next + ": link changed while read"};
            const std::string_view t(target.data(), static_cast<size_t>(n));
            if (!t.empty() && t[0] == '/') done = "/";  // absolute: walk again from the root (checked)
            push_front_components(t);
            continue;
        }
        if (auto why = writer_problem(next, st, uid, gid); !why.empty()) return Error{EPERM, why};
        if (!todo.empty() && !S_ISDIR(st.st_mode)) return Error{ENOTDIR, next + ": not a directory"};
        done = next;
    }
    if (!S_ISREG(st.st_mode)) return Error{EACCES, done + ": not a regular file"};
    return done;
}

std::optional<std::string> script_insecurity(const std::string& path, uid_t uid, gid_t gid) {
    auto r = secure_script_path(path, uid, gid);
    if (r) return std::nullopt;
    return r.error().message;
}

PreparedScript prepare_script(const std::string& command, const Result<ScriptCredentials>& cred,
                              bool script_security) {
    PreparedScript t;
    t.command = command;
    auto refuse = [&](std::string why) {
        t.refused = std::move(why);
        t.argv.clear();
        return t;
    };
    auto argv = split_command(command);
    if (!argv || argv->empty()) return refuse("unbalanced quotes or trailing backslash in the command");
    if (!cred) return refuse(cred.error().message);
    const ScriptCredentials& c = cred.value();
    t.user = c.user;
    if (script_security) {
        const auto path = find_executable((*argv)[0]);
        auto why = path ? script_insecurity(*path, c.uid, c.gid) : std::optional<std::string>((*argv)[0] + " not found");
        if (why) return refuse("insecure script (enable_script_security): " + *why);
        t.secure = true;
    }
    if (c.uid != ::geteuid() || c.gid != ::getegid()) {
        t.uid = c.uid;
        t.gid = c.gid;
        t.groups = c.groups;
    }
    t.argv = std::move(*argv);
    return t;
}

}  // namespace halbd::core
