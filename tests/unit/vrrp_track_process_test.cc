// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/vrrp_track_process_test.cc: vrrp_track_process's matching
// rules, and the real ProcConnectorMonitor reading /proc (its events only
// where the proc connector answers). The tracker on an instance, over the
// FakeProcessMonitor, is tested in vrrp_tracking_test.cc.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include <gtest/gtest.h>

#include "core/epoll_loop.hh"
#include "core/proc_connector_monitor.hh"
#include "vrrp/track_process.hh"
#include "vrrp_test_util.hh"

namespace halbd::vrrp {
namespace {

using namespace std::chrono_literals;
using test_util::proc_cfg;

core::ProcessInfo info(const char* comm, std::vector<std::string> argv = {}) { return {1, comm, std::move(argv)}; }

TEST(VrrpTrackProcess, MatchingRules) {
    EXPECT_TRUE(process_matches(proc_cfg({"nginx"}), info("nginx")));
    EXPECT_FALSE(process_matches(proc_cfg({"ngin"}), info("nginx")));  // exact, not pgrep's regex
    // comm holds 15 characters: a longer name matches on those.
    EXPECT_TRUE(process_matches(proc_cfg({"a-very-long-process-name"}), info("a-very-long-pro")));
    auto exact = proc_cfg({"haproxy", "-f", "/etc/h.cfg"});
    EXPECT_TRUE(process_matches(exact, info("haproxy", {"/usr/sbin/haproxy", "-f", "/etc/h.cfg"})));
    EXPECT_FALSE(process_matches(exact, info("haproxy", {"/usr/sbin/haproxy", "-f", "/etc/h.cfg", "-D"})));
    auto bare = proc_cfg({"nginx"});
    bare.param_match = config::ParamMatch::Exact;  // `param_match` alone: no parameters
    EXPECT_TRUE(process_matches(bare, info("nginx", {"nginx"})));
    EXPECT_FALSE(process_matches(bare, info("nginx", {"nginx", "-g"})));
    auto partial = exact;
    partial.param_match = config::ParamMatch::Partial;
    EXPECT_TRUE(process_matches(partial, info("haproxy", {"haproxy", "-f", "/etc/h.cfg", "-D"})));
    EXPECT_FALSE(process_matches(partial, info("haproxy", {"haproxy", "-f", "/etc/h.cfg2"})));
    auto initial = exact;
    initial.param_match = config::ParamMatch::Initial;
    EXPECT_TRUE(process_matches(initial, info("haproxy", {"haproxy", "-f", "/etc/h.cfg2"})));
    EXPECT_FALSE(process_matches(initial, info("haproxy", {"haproxy", "-g", "/etc/h.cfg"})));
    auto full = proc_cfg({"/usr/bin/python3"});
    full.full_command = true;
    EXPECT_TRUE(process_matches(full, info("python3", {"/usr/bin/python3", "x.py"})));
    EXPECT_FALSE(process_matches(full, info("python3", {"python3", "x.py"})));
}

// The real monitor reads this very process from /proc, and where the proc
// connector answers (the initial network namespace, CAP_NET_ADMIN) it sees
// a child exec and exit.
TEST(ProcConnectorMonitor, ReadsProcAndSeesExecWhenAvailable) {
    auto loop = core::EpollLoop::create();
    ASSERT_TRUE(loop);
    core::ProcConnectorMonitor m(**loop);
    auto me = m.read(::getpid(), true);
    ASSERT_TRUE(me);
    EXPECT_FALSE(me->comm.empty());
    EXPECT_FALSE(me->cmdline.empty());
    auto pids = m.list();
    EXPECT_NE(std::find(pids.begin(), pids.end(), ::getpid()), pids.end());
    std::vector<core::ProcessEvent> seen;
    auto st = m.listen([&](const core::ProcessEvent& e) { seen.push_back(e); });
    if (!st) GTEST_SKIP() << st.error().message;
    pid_t child = ::fork();
    if (child == 0) {
        ::execl("/bin/true", "true", nullptr);
        ::_exit(127);
    }
    auto has = [&](core::ProcessEvent::Kind k) {
        return std::any_of(seen.begin(), seen.end(), [&](const auto& e) { return e.kind == k && e.pid == child; });
    };
    for (int i = 0; i < 50 && !has(core::ProcessEvent::Kind::Exit); ++i) (*loop)->run_once(100ms);
    EXPECT_TRUE(has(core::ProcessEvent::Kind::Fork));
    EXPECT_TRUE(has(core::ProcessEvent::Kind::Exec));
    EXPECT_TRUE(has(core::ProcessEvent::Kind::Exit));
    int status;
    ::waitpid(child, &status, 0);
    EXPECT_TRUE(m.listen(nullptr));
}

}  // namespace
}  // namespace halbd::vrrp
