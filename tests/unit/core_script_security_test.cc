// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/core_script_security_test.cc: enable_script_security against
// symlinks (issue 11). A directory owned by nobody holding a symlink on the
// path of a root script, re-pointed by nobody after load, must never get
// nobody's script run as root: secure_script_path walks every component,
// spawn() checks again at each run and executes the verified path. Root only
// (chown to nobody); skipped otherwise.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "core/epoll_loop.hh"
#include "core/log.hh"
#include "core/script_user.hh"
#include "core/spawn.hh"
#include "vrrp/script_runner.hh"

namespace halbd::core {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr uid_t kNobody = 65534;

class ScriptSecurityTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "needs root (files owned by nobody)";
        char tmpl[] = "/tmp/halbd-sec-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        base = tmpl;
        ::chmod(base.c_str(), 0755);
        // safe/: root's script. evil/: nobody's. u/: nobody's directory
        // whose `bin` symlink points at safe/ for now.
        mkdir_as("safe", 0);
        script_as("safe/run.sh", 0, "safe");
        mkdir_as("evil", kNobody);
        script_as("evil/run.sh", kNobody, "evil");
        mkdir_as("u", kNobody);
        symlink_as(base + "/safe", "u/bin", kNobody);
        auto l = EpollLoop::create();
        ASSERT_TRUE(l.ok());
        loop = std::move(l.value());
    }
    void TearDown() override {
        if (!base.empty()) fs::remove_all(base);
    }

    void mkdir_as(const std::string& rel, uid_t owner) {
        const std::string p = base + "/" + rel;
        ASSERT_EQ(::mkdir(p.c_str(), 0755), 0);
        ASSERT_EQ(::chown(p.c_str(), owner, owner), 0);
    }
    void script_as(const std::string& rel, uid_t owner, const std::string& who) {
        const std::string p = base + "/" + rel;
        std::ofstream(p) << "#!/bin/sh\necho " << who << " $(id -u) \"$0\"\n";
        ASSERT_EQ(::chmod(p.c_str(), 0755), 0);
        ASSERT_EQ(::chown(p.c_str(), owner, owner), 0);
    }
    void symlink_as(const std::string& target, const std::string& rel, uid_t owner) {
        const std::string p = base + "/" + rel;
        ASSERT_EQ(::symlink(target.c_str(), p.c_str()), 0);
        ASSERT_EQ(::lchown(p.c_str(), owner, owner), 0);
    }
    // What nobody may do in its own directory: re-point u/bin (atomically).
    void nobody_repoints_bin(const std::string& target) {
        const std::string tmp = base + "/u/bin.new";
        symlink_as(target, "u/bin.new", kNobody);
        ASSERT_EQ(::rename(tmp.c_str(), (base + "/u/bin").c_str()), 0);
    }

    // Runs spec as the VRRP subsystem does; the script's output, or the
    // error when it was not run.
    std::string run(const vrrp::ScriptSpec& spec) {
        int fds[2];
        EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
        UniqueFd r(fds[0]);
        SpawnOptions o;
        o.argv = spec.argv;
        o.uid = spec.uid;
        o.gid = spec.gid;
        o.secure = spec.secure;
        o.stdout_fd = fds[1];
        std::optional<ExitStatus> st;
        auto k = spec.refused.empty() ? KillAfter::start(*loop, o, 10s, [&](const ExitStatus& s) { st = s; })
                                      : Result<std::unique_ptr<KillAfter>>(Error{0, "refused: " + spec.refused});
        ::close(fds[1]);
        if (!k) return "error: " + k.error().message;
        while (!st) loop->run_once(100ms);
        std::string out;
        char buf[512];
        for (ssize_t n; (n = ::read(r.get(), buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
        return out;
    }

    vrrp::ScriptSpec load(const std::string& command) {
        config::GlobalDefs g;
        g.enable_script_security = true;
        g.script_user = config::ScriptUser{"root", ""};
        return vrrp::ScriptSpec::resolve("vrrp_script chk", command, std::nullopt, g);
    }

    std::string base;
    std::unique_ptr<EpollLoop> loop;
};

TEST_F(ScriptSecurityTest, EveryComponentIsCheckedNotOnlyTheResolvedPath) {
    // realpath() gives base/safe/run.sh, all root's; but u/ is nobody's.
    auto r = secure_script_path(base + "/u/bin/run.sh", 0, 0);
    ASSERT_FALSE(r.ok()) << r.value();
    EXPECT_EQ(r.error().message, base + "/u is owned by uid 65534");
    EXPECT_TRUE(script_insecurity(base + "/u/bin/run.sh", 0, 0).has_value());
    // Run as nobody, nobody's own directory is no threat.
    EXPECT_TRUE(secure_script_path(base + "/u/bin/run.sh", kNobody, kNobody).ok());
}

TEST_F(ScriptSecurityTest, SymlinkTargetsAreWalkedToo) {
    symlink_as(base + "/safe", "link", 0);
    auto ok = secure_script_path(base + "/link/./run.sh", 0, 0);
    ASSERT_TRUE(ok.ok()) << ok.error().message;
    EXPECT_EQ(ok.value(), base + "/safe/run.sh");
    symlink_as("../safe/run.sh", "safe/rel", 0);
    auto rel = secure_script_path(base + "/safe/rel", 0, 0);
    ASSERT_TRUE(rel.ok()) << rel.error().message;
    EXPECT_EQ(rel.value(), base + "/safe/run.sh");
    // A root link in a root directory pointing through nobody's directory.
    symlink_as(base + "/u/bin", "via-u", 0);
    auto bad = secure_script_path(base + "/via-u/run.sh", 0, 0);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().message, base + "/u is owned by uid 65534");
    // A link owned by nobody, even in root's directory.
    symlink_as(base + "/safe/run.sh", "safe/nobodys", kNobody);
    EXPECT_FALSE(secure_script_path(base + "/safe/nobodys", 0, 0).ok());
    symlink_as("loop", "safe/loop", 0);
    EXPECT_EQ(secure_script_path(base + "/safe/loop", 0, 0).error().code, ELOOP);
}

// The reproduction: loaded, then re-pointed by nobody, then run.
TEST_F(ScriptSecurityTest, RepointedSymlinkNeverRunsNobodysScriptAsRoot) {
    log::ScopedCapture cap(log::Level::info);
    const vrrp::ScriptSpec spec = load(base + "/u/bin/run.sh");
    const std::string before = run(spec);
    nobody_repoints_bin(base + "/evil");
    const std::string after = run(spec);
    EXPECT_EQ(after.find("evil 0"), std::string::npos) << "nobody's script ran as root: " << after;
    EXPECT_FALSE(spec.refused.empty()) << "accepted at load: " << before;
    EXPECT_TRUE(cap.contains("insecure script (enable_script_security): " + base + "/u is owned by uid 65534"));
}

// Secure at load, made insecure later: the run re-checks and refuses loudly.
TEST_F(ScriptSecurityTest, EachRunChecksAgain) {
    symlink_as(base + "/safe", "link", 0);
    const vrrp::ScriptSpec spec = load(base + "/link/run.sh");
    ASSERT_TRUE(spec.refused.empty()) << spec.refused;
    // The verified, resolved path is what runs ($0), not the configured one.
    EXPECT_EQ(run(spec), "safe 0 " + base + "/safe/run.sh\n");
    ASSERT_EQ(::chown((base + "/safe").c_str(), kNobody, kNobody), 0);  // now nobody may swap run.sh
    log::ScopedCapture cap(log::Level::info);
    EXPECT_EQ(run(spec), "error: insecure script (enable_script_security): " + base + "/safe is owned by uid 65534");
    EXPECT_TRUE(cap.contains("refusing to run " + base + "/link/run.sh: insecure script"));
}

}  // namespace
}  // namespace halbd::core
