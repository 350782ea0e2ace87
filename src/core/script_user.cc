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

std::optional<std::string> script_insecurity(const std::string& path, uid_t uid, gid_t gid) {
    char resolved[PATH_MAX];
    if (!::realpath(path.c_str(), resolved)) return path + " not found: " + std::strerror(errno);
    std::string p = resolved;
    while (true) {
        struct stat st;
        if (::stat(p.c_str(), &st) < 0) return p + ": " + std::strerror(errno);
        if (auto why = writer_problem(p, st, uid, gid); !why.empty()) return why;
        if (p == "/") return std::nullopt;
        const auto slash = p.rfind('/');
        p = slash == 0 ? "/" : p.substr(0, slash);
    }
}

}  // namespace halbd::core
