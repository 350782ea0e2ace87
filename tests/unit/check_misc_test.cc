// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/check_misc_test.cc: MISC_CHECK for real (scripts written to a
// temporary directory, run on EpollLoop, waiting on their exit, never
// sleeping): exit 0/1, argv splitting without a shell, misc_dynamic weights,
// timeout (SIGTERM, then SIGKILL for a script ignoring it), running as
// another user, enable_script_security; the exit rules on their own; and the
// dynamic weight reaching forwarding through CheckSubsystem::effective_weight.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>

#include "check/checker_factory.hh"
#include "check/misc_check.hh"
#include "check/subsystem.hh"
#include "check_kinds_util.hh"
#include "check_test_util.hh"
#include "core/log.hh"
#include "forward_test_util.hh"

namespace halbd::check {
namespace {

using namespace test_util;
using forward::test_util::load;

struct CheckMiscTest : EpollTest {
    TempDir dir;
    MiscTarget misc(const std::string& command, Duration timeout = 5s, bool dynamic = false) {
        MiscTarget t;
        t.command = command;
        t.argv = *core::split_command(command);
        t.timeout = timeout;
        t.dynamic = dynamic;
        return t;
    }
    // A MISC_CHECK built through the config layer and make_checker().
    std::unique_ptr<Checker> from_config(const std::string& global, const std::string& body,
                                         std::shared_ptr<const config::Model>* keep = nullptr) {
        auto m = load(global + R"(
virtual_server 192.0.2.10 80 {
    protocol TCP
    delay_loop 7
    real_server 192.0.2.20 80 {
        MISC_CHECK {
)" + body + R"(
        }
    }
}
)");
        EXPECT_TRUE(m);
        if (!m) return nullptr;
        const config::Checker& c = m->lvs.virtual_servers[0].real_servers[0].checkers[0];
        auto made = make_checker(*loop, c, CheckContext{&m->global, m.get(), nullptr});
        EXPECT_TRUE(made);
        if (keep) *keep = m;
        return made ? std::move(made.value()) : nullptr;
    }
};

TEST_F(CheckMiscTest, ExitZeroIsUpExitOneIsDown) {
    const std::string ok = dir.script("ok.sh", "#!/bin/sh\nexit 0\n");
    MiscChecker c(*loop, misc(ok));
    EXPECT_EQ(c.describe(), "MISC_CHECK " + ok);
    auto r = run(c);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->ok) << r->detail;
    EXPECT_FALSE(r->weight);

    const std::string bad = dir.script("bad.sh", "#!/bin/sh\nexit 1\n");
    MiscChecker c2(*loop, misc(bad));
    auto r2 = run(c2);
    ASSERT_TRUE(r2);
    EXPECT_FALSE(r2->ok);
    EXPECT_EQ(r2->reason, FailReason::Error);
    EXPECT_EQ(r2->detail, "exited 1");
}

TEST_F(CheckMiscTest, ArgumentsAreSplitLikeKeepalivedWithoutAShell) {
    const std::string out = dir.path + "/args";
    const std::string s = dir.script("args.sh", "#!/bin/sh\nfor a in \"$@\"; do printf '<%s>' \"$a\"; done > " + out + "\n");
    MiscChecker c(*loop, misc(s + " 'a b' \"c\\\"d\" e$HOME;f"));
    auto r = run(c);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->ok) << r->detail;
    EXPECT_EQ(slurp(out), "<a b><c\"d><e$HOME;f>");  // no variable, no ';'
}

TEST_F(CheckMiscTest, NotExecutableOrMissingIsDown) {
    MiscChecker c(*loop, misc(dir.path + "/missing"));
    auto r = run(c);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->ok);
    EXPECT_EQ(r->reason, FailReason::LocalSetup);
    EXPECT_EQ(r->detail, "not run: " + dir.path + "/missing: No such file or directory");
}

TEST_F(CheckMiscTest, DynamicExitCodesSetTheWeight) {
    const std::string s = dir.script("w.sh", "#!/bin/sh\nexit \"$1\"\n");
    MiscChecker c(*loop, misc(s + " 12", 5s, true));
    auto r = run(c);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->ok) << r->detail;
    ASSERT_TRUE(r->weight);
    EXPECT_EQ(*r->weight, (DynamicWeight{true, 10}));
    EXPECT_EQ(r->detail, "exited 12: weight 10");
    EXPECT_EQ(r->weight->offset(3), 7);

    MiscChecker one(*loop, misc(s + " 1", 5s, true));
    auto r1 = run(one);
    ASSERT_TRUE(r1);
    EXPECT_FALSE(r1->ok);
    EXPECT_EQ(r1->detail, "exited 1");

    MiscChecker zero(*loop, misc(s + " 0", 5s, true));
    auto r0 = run(zero);
    ASSERT_TRUE(r0);
    EXPECT_TRUE(r0->ok);
    EXPECT_FALSE(r0->weight);  // back to the configured weight

    MiscChecker plain(*loop, misc(s + " 12", 5s, false));
    auto rp = run(plain);
    ASSERT_TRUE(rp);
    EXPECT_FALSE(rp->ok);
    EXPECT_EQ(rp->detail, "exited 12");
}

TEST_F(CheckMiscTest, TimeoutSendsSigterm) {
    const std::string s = dir.script("slow.sh", "#!/bin/sh\nexec sleep 30\n");
    MiscChecker c(*loop, misc(s, 200ms));
    Duration took{};
    auto r = run(c, &took);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->ok);
    EXPECT_EQ(r->reason, FailReason::Timeout);
    EXPECT_EQ(r->detail, "timed out after 200ms (killed by signal 15 (SIGTERM), timed out)");
    EXPECT_GE(took, 200ms);
    EXPECT_LT(took, 1s);
}

TEST_F(CheckMiscTest, TimeoutThenSigkillForAScriptIgnoringSigterm) {
    const std::string ready = dir.path + "/ready";
    const std::string s = dir.script("stubborn.sh", "#!/bin/sh\ntrap '' TERM\ntouch " + ready +
                                                        "\nwhile :; do sleep 1; done\n");
    MiscChecker c(*loop, misc(s, 500ms));
    Duration took{};
    auto r = run(c, &took);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->reason, FailReason::Timeout);
    EXPECT_NE(r->detail.find("SIGKILL"), std::string::npos) << r->detail;
    EXPECT_GE(took, 1500ms);  // misc_timeout + the 1 s grace
}

TEST_F(CheckMiscTest, ExitRulesOnTheirOwn) {
    core::ExitStatus st;
    st.wait_status = 3 << 8;  // exited 3
    EXPECT_EQ(MiscChecker::result_of(st, true, 1s).weight, (DynamicWeight{true, 1}));
    EXPECT_FALSE(MiscChecker::result_of(st, false, 1s).ok);
    st.wait_status = 255 << 8;
    EXPECT_EQ(MiscChecker::result_of(st, true, 1s).weight, (DynamicWeight{true, 253}));
    st.wait_status = SIGSEGV;  // killed by a signal, not by us
    auto r = MiscChecker::result_of(st, true, 1s);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.reason, FailReason::Error);
    EXPECT_EQ(r.detail.rfind("killed by signal 11", 0), 0u) << r.detail;
}

TEST_F(CheckMiscTest, ConfigTimeoutDefaultsToDelayLoopAndRunsAsTheUser) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to change user";
    std::filesystem::permissions(dir.path, std::filesystem::perms(0755));
    const std::string s = dir.script("id.sh", "#!/bin/sh\nid -u\nexit 0\n");
    std::shared_ptr<const config::Model> m;
    auto c = from_config("", "misc_path \"" + s + "\"\nuser nobody", &m);
    ASSERT_TRUE(c);
    auto* misc_c = dynamic_cast<MiscChecker*>(c.get());
    ASSERT_TRUE(misc_c);
    EXPECT_EQ(misc_c->target().timeout, 7s);  // delay_loop
    ASSERT_TRUE(misc_c->target().uid);
    EXPECT_NE(*misc_c->target().uid, 0u);
    auto r = run(*c);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->ok) << r->detail;
}

TEST_F(CheckMiscTest, ScriptSecurityRefusesAScriptOthersCanChange) {
    log::ScopedCapture cap(log::Level::info);
    std::filesystem::permissions(dir.path, std::filesystem::perms(0777));  // anyone may replace the script
    const std::string s = dir.script("ok.sh", "#!/bin/sh\nexit 0\n");
    auto c = from_config("global_defs {\n    enable_script_security\n    script_user root\n}\n",
                         "misc_path " + s + "\nmisc_timeout 2");
    ASSERT_TRUE(c);
    EXPECT_TRUE(cap.contains("MISC_CHECK " + s + ": insecure script (enable_script_security): " + dir.path +
                             " is writable by everyone; it will not run"));
    EXPECT_EQ(cap.lines().size(), 1u);
    auto r = run(*c);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->ok);
    EXPECT_EQ(r->reason, FailReason::LocalSetup);
    EXPECT_EQ(r->detail.rfind("not run: insecure script", 0), 0u) << r->detail;

    // The same script in a directory only root may change runs.
    std::filesystem::permissions(dir.path, std::filesystem::perms(0755));
    auto ok = from_config("global_defs {\n    enable_script_security\n    script_user root\n}\n",
                          "misc_path " + s + "\nmisc_timeout 2");
    ASSERT_TRUE(ok);
    auto r2 = run(*ok);
    ASSERT_TRUE(r2);
    EXPECT_TRUE(r2->ok) << r2->detail;
}

// The weight path on SimLoop: an up checker asking for another weight
// changes the real server's effective weight and tells forwarding.
TEST(CheckMiscWeight, DynamicWeightReachesEffectiveWeight) {
    core::SimLoop sim;
    FakeWorld world(sim);
    std::vector<std::string> changes;
    CheckSubsystem checks(sim, fake_factory(world), [](Duration) { return Duration::zero(); });
    checks.set_on_pool_change([&](std::string_view r) { changes.emplace_back(r); });
    log::ScopedCapture cap(log::Level::info);
    auto m = load(R"(
virtual_server 192.0.2.10 80 {
    protocol TCP
    delay_loop 10
    real_server 10.0.0.1 80 {
        weight 3
        TCP_CHECK {
            retry 0
        }
    }
}
)");
    ASSERT_TRUE(m);
    const auto& vs = m->lvs.virtual_servers[0];
    const auto& rs = vs.real_servers[0];
    checks.apply(nullptr, *m);
    sim.advance(1ms);
    EXPECT_EQ(checks.effective_weight(vs, rs), 3);
    world.set("10.0.0.1:80", Outcome{CheckResult::success(DynamicWeight{true, 10}, "exited 12: weight 10"), {}});
    cap.clear();
    sim.advance(10s);
    EXPECT_EQ(checks.effective_weight(vs, rs), 10);
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0], "weight of real server [10.0.0.1]:80 3 -> 10 (TCP connect to 10.0.0.1:80 exited 12: weight 10)");
    EXPECT_TRUE(cap.contains("TCP connect to 10.0.0.1:80 exited 12: weight 10; weight of [10.0.0.1]:80 in VS "
                             "[192.0.2.10]:80: 3 -> 10"));
    // The same weight again: nothing to tell.
    sim.advance(10s);
    EXPECT_EQ(changes.size(), 1u);
    // Down, then up with exit 0: the configured weight is back.
    world.set("10.0.0.1:80", refused());
    sim.advance(10s);
    EXPECT_FALSE(checks.is_up(vs, rs));
    EXPECT_EQ(changes.size(), 2u);
    world.set("10.0.0.1:80", ok());
    sim.advance(10s);
    EXPECT_TRUE(checks.is_up(vs, rs));
    EXPECT_EQ(checks.effective_weight(vs, rs), 3);
    EXPECT_EQ(changes.size(), 3u);
}

}  // namespace
}  // namespace halbd::check
