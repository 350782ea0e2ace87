// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/check_file_test.cc: FILE_CHECK: keepalived's value rules on
// their own (weight 0, reverse, multiplier, the fault weight), the number
// parsing, and for real on EpollLoop with inotify: the state known at
// construction, a write, an atomic replace (rename over) and a delete
// waking the scheduler, and the weight reaching CheckSubsystem's
// effective_weight. Waits on inotify events, never sleeps.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "check/checker_factory.hh"
#include "check/file_check.hh"
#include "check/scheduled_check.hh"
#include "check/subsystem.hh"
#include "check_kinds_util.hh"
#include "core/log.hh"
#include "forward_test_util.hh"

namespace halbd::check {
namespace {

using namespace test_util;
using forward::test_util::load;

TEST(FileCheckRules, WeightZeroNonZeroIsAFailure) {
    EXPECT_TRUE(FileChecker::result_of(0, 0, false).ok);
    EXPECT_FALSE(FileChecker::result_of(0, 0, false).weight);
    EXPECT_FALSE(FileChecker::result_of(5, 0, false).ok);
    EXPECT_FALSE(FileChecker::result_of(-1, 0, false).ok);
    EXPECT_EQ(FileChecker::result_of(5, 0, false).detail, "value 5 (weight 0: non-zero is a failure)");
    // reverse: 0 is the failure.
    EXPECT_FALSE(FileChecker::result_of(0, 0, true).ok);
    EXPECT_TRUE(FileChecker::result_of(3, 0, true).ok);
}

TEST(FileCheckRules, ValueTimesWeightIsAnOffset) {
    auto r = FileChecker::result_of(5, 2, false);
    ASSERT_TRUE(r.ok);
    ASSERT_TRUE(r.weight);
    EXPECT_EQ(*r.weight, (DynamicWeight{false, 10}));
    EXPECT_EQ(r.detail, "value 5: weight +10");
    r = FileChecker::result_of(5, 2, true);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(*r.weight, (DynamicWeight{false, -10}));
    // 0 with a weight: up, no offset (not a failure: keepalived).
    r = FileChecker::result_of(0, 7, false);
    EXPECT_TRUE(r.ok);
    EXPECT_FALSE(r.weight);
    // Clamped to 32 bits; -2^31 is the fault weight.
    r = FileChecker::result_of(2147483647, 2, false);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.weight->value, 2147483647);
    EXPECT_FALSE(FileChecker::result_of(-2147483647, 2, false).ok);
    EXPECT_TRUE(FileChecker::result_of(2147483647, 1, true).ok);   // -2^31+1: still up
    EXPECT_FALSE(FileChecker::result_of(2147483648LL, 1, true).ok);        // -2^31: fault
}

TEST(FileCheckRules, ParseValueAsStrtol) {
    EXPECT_EQ(FileChecker::parse_value("12\n"), 12);
    EXPECT_EQ(FileChecker::parse_value("-3"), -3);
    EXPECT_EQ(FileChecker::parse_value("0x10"), 16);
    EXPECT_EQ(FileChecker::parse_value("abc"), 0);
    EXPECT_EQ(FileChecker::parse_value("2147483648"), 2147483648LL);
    EXPECT_FALSE(FileChecker::parse_value("2147483649"));
    EXPECT_FALSE(FileChecker::parse_value("-2147483649"));
    EXPECT_FALSE(FileChecker::parse_value("99999999999999999999999"));
}

void write_file(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

struct FileCheckTest : EpollTest {
    TempDir dir;
    std::string file() const { return dir.path + "/tf"; }

    // A FILE_CHECK of the given body under a track_file block on file().
    std::shared_ptr<const config::Model> model(const std::string& check_body, const std::string& tf_body = "") {
        auto m = load(R"(
track_file tf {
    file ")" + file() + R"("
)" + tf_body + R"(
}
virtual_server 192.0.2.10 80 {
    protocol TCP
    real_server 192.0.2.20 80 {
        weight 10
        FILE_CHECK {
            track_file tf
)" + check_body + R"(
        }
    }
}
)");
        EXPECT_TRUE(m);
        return m;
    }
    // Turns the loop until pred() holds (bounded; events, no sleeps).
    template <class Pred>
    bool turn_until(Pred pred, int turns = 200) {
        for (int i = 0; i < turns && !pred(); ++i) loop->run_once(50ms);
        return pred();
    }
};

TEST_F(FileCheckTest, WeightComesFromTheTrackFileUnlessSet) {
    auto m = model("", "    weight 3 reverse");
    auto t = FileTarget::from_config(m->lvs.virtual_servers[0].real_servers[0].checkers[0], m.get());
    EXPECT_EQ(t.weight, 3);
    EXPECT_TRUE(t.reverse);
    EXPECT_EQ(t.path, file());
    auto m2 = model("            weight 4", "    weight 3 reverse");
    auto t2 = FileTarget::from_config(m2->lvs.virtual_servers[0].real_servers[0].checkers[0], m2.get());
    EXPECT_EQ(t2.weight, 4);
    EXPECT_FALSE(t2.reverse);
    // Different effective weights are different probes.
    EXPECT_NE(probe_key(m->lvs.virtual_servers[0].real_servers[0].checkers[0], m.get()),
              probe_key(m2->lvs.virtual_servers[0].real_servers[0].checkers[0], m2.get()));
}

TEST_F(FileCheckTest, StateKnownAtOnceAndFollowsWritesRenamesAndDeletes) {
    write_file(file(), "1\n");
    FileTarget t;
    t.name = "tf";
    t.path = file();
    t.weight = 0;  // non-zero is a failure
    auto checker = std::make_unique<FileChecker>(*loop, t);
    ASSERT_TRUE(checker->initial());
    EXPECT_FALSE(checker->initial()->ok);

    std::vector<bool> states;
    Schedule sch;
    sch.retry = 0;
    sch.delay_loop = 60s;
    ScheduledCheck sc(*loop, std::move(checker), sch, [&](const ScheduledCheck::Transition& tr) {
        states.push_back(tr.up);
    });
    EXPECT_FALSE(sc.up());  // from the file, before any attempt
    sc.start({});
    EXPECT_TRUE(turn_until([&] { return sc.attempts() == 1 && sc.next_attempt(); }));
    EXPECT_TRUE(states.empty());

    write_file(file(), "0\n");  // IN_CLOSE_WRITE
    ASSERT_TRUE(turn_until([&] { return states.size() == 1; }));
    EXPECT_TRUE(states[0]);

    // An atomic replace: write elsewhere, rename over (IN_MOVED_TO).
    write_file(dir.path + "/tf.new", "7\n");
    ASSERT_EQ(std::rename((dir.path + "/tf.new").c_str(), file().c_str()), 0);
    ASSERT_TRUE(turn_until([&] { return states.size() == 2; }));
    EXPECT_FALSE(states[1]);

    // Deleted: the value is 0 again (keepalived).
    ASSERT_EQ(std::remove(file().c_str()), 0);
    ASSERT_TRUE(turn_until([&] { return states.size() == 3; }));
    EXPECT_TRUE(states[2]);
    // Another file of the directory wakes nothing.
    const uint64_t attempts = sc.attempts();
    write_file(dir.path + "/other", "5\n");
    loop->run_once(100ms);
    EXPECT_EQ(sc.attempts(), attempts);
}

TEST_F(FileCheckTest, ValueTimesWeightReachesEffectiveWeight) {
    write_file(file(), "2\n");
    auto m = model("            weight 5");
    CheckSubsystem checks(*loop);
    std::vector<std::string> changes;
    checks.set_on_pool_change([&](std::string_view r) { changes.emplace_back(r); });
    checks.apply(nullptr, *m);
    const auto& vs = m->lvs.virtual_servers[0];
    const auto& rs = vs.real_servers[0];
    EXPECT_EQ(checks.probe_count(), 1u);
    EXPECT_TRUE(checks.is_up(vs, rs));
    EXPECT_EQ(checks.effective_weight(vs, rs), 10 + 10);  // known at apply, before forwarding reads it

    write_file(file(), "-1\n");
    ASSERT_TRUE(turn_until([&] { return checks.effective_weight(vs, rs) == 5; }));
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0].rfind("weight of real server [192.0.2.20]:80 20 -> 5", 0), 0u) << changes[0];

    // -2^31 after the multiplier: a fault, the server leaves.
    write_file(file(), "-2147483648\n");
    ASSERT_TRUE(turn_until([&] { return !checks.is_up(vs, rs); }));
    write_file(file(), "1\n");
    ASSERT_TRUE(turn_until([&] { return checks.is_up(vs, rs); }));
    EXPECT_EQ(checks.effective_weight(vs, rs), 15);
}

TEST_F(FileCheckTest, InvalidNumberKeepsTheLastValue) {
    write_file(file(), "3\n");
    FileTarget t;
    t.name = "tf";
    t.path = file();
    t.weight = 1;
    FileChecker c(*loop, t);
    EXPECT_EQ(c.value(), 3);
    log::ScopedCapture cap(log::Level::warning);
    write_file(file(), "99999999999\n");
    auto r = run(c);
    ASSERT_TRUE(r);
    EXPECT_EQ(c.value(), 3);
    EXPECT_TRUE(cap.contains("invalid number '99999999999")) << cap.lines().size();
}

}  // namespace
}  // namespace halbd::check
