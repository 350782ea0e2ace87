// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// Unit tests of keepalived's per-process keywords (config/keywords_process.cc)
// and ProcessSettings (src/process_settings.cc): parsing and errors, how the
// vrrp_ and checker_ sets combine in one process, what a start and a reload
// change, and that a refused setting is logged, not fatal.
#include "process_settings.hh"

#include <gtest/gtest.h>

#include "config_test_util.hh"
#include "core/log.hh"

namespace halbd {
namespace {

using namespace config::test_util;

config::LoadResult load(const std::string& text) {
    return load_text("t.conf", text, options({"eth0", "lo"}, "test"));
}

class RecordingKernel : public ProcessKernel {
public:
    void set_umask(mode_t m) override { calls.push_back("umask " + std::to_string(m)); }
    core::Status set_realtime(std::optional<uint32_t> p) override {
        calls.push_back("rt " + (p ? std::to_string(*p) : std::string("orig")));
        if (refuse_rt) return core::Error{EPERM, "Operation not permitted"};
        return core::Ok{};
    }
    core::Status set_nice(std::optional<int32_t> n) override {
        calls.push_back("nice " + (n ? std::to_string(*n) : std::string("orig")));
        return core::Ok{};
    }
    core::Status lock_memory(bool l) override {
        calls.push_back(l ? "lock" : "unlock");
        return core::Ok{};
    }
    core::Status set_affinity(const std::vector<uint32_t>& cpus) override {
        std::string s = "cpus";
        for (auto c : cpus) s += " " + std::to_string(c);
        calls.push_back(cpus.empty() ? "cpus orig" : s);
        return core::Ok{};
    }
    core::Status set_rttime(std::optional<uint64_t> us) override {
        calls.push_back("rttime " + (us ? std::to_string(*us) : std::string("orig")));
        return core::Ok{};
    }
    std::vector<std::string> calls;
    bool refuse_rt = false;
};

using Calls = std::vector<std::string>;

TEST(ProcessKeywords, ParseAndCombineBothSets) {
    auto r = load(R"(global_defs {
    vrrp_rt_priority 40
    checker_rt_priority 60
    vrrp_priority -5
    checker_priority 3
    checker_no_swap
    vrrp_cpu_affinity 1 3-4
    checker_cpu_affinity 0 3
    vrrp_rlimit_rttime 20000
    checker_rlimit_rtime 5000
    umask 077
}
)");
    ASSERT_TRUE(r.model) << all_messages(r);
    // keepalived's old spelling works, with a warning naming the new one.
    EXPECT_TRUE(has_message(r, "t.conf:10:5: warning: 'checker_rlimit_rtime' is deprecated")) << all_messages(r);
    const ProcessPlan p = plan_process(r.model->global, std::nullopt);
    EXPECT_EQ(p.umask, 077u);
    EXPECT_EQ(p.rt_priority, 60u);       // the higher of the two
    EXPECT_EQ(p.nice, -5);               // the lower (stronger) of the two
    EXPECT_TRUE(p.lock_memory);          // either asks
    EXPECT_EQ(p.cpus, (std::vector<uint32_t>{0, 1, 3, 4}));  // the union
    EXPECT_EQ(p.rttime_us, 20000u);      // the longer: the shorter would kill the other's work
    EXPECT_EQ(plan_process(r.model->global, mode_t{027}).umask, 027u);  // -u wins
}

TEST(ProcessKeywords, BadValuesAreRefusedAtTheToken) {
    auto r = load("global_defs {\n vrrp_rt_priority 0\n checker_rt_priority 100\n vrrp_priority -21\n"
                  " vrrp_cpu_affinity 1 x\n checker_cpu_affinity 4-2\n vrrp_rlimit_rttime 0\n}\n");
    EXPECT_FALSE(r.model);
    const std::string all = all_messages(r);
    EXPECT_TRUE(has_message(r, "t.conf:2:19: error:")) << all;
    EXPECT_TRUE(has_message(r, "t.conf:3:22: error:")) << all;
    EXPECT_TRUE(has_message(r, "t.conf:4:16: error:")) << all;
    EXPECT_TRUE(has_message(r, "t.conf:5:22: error: expected a CPU number or range")) << all;
    EXPECT_TRUE(has_message(r, "t.conf:6:23: error: expected a CPU number or range")) << all;
    EXPECT_TRUE(has_message(r, "t.conf:7:21: error:")) << all;
}

TEST(ProcessSettingsTest, StartChangesOnlyWhatIsNamedAndAReloadRevertsWhatItRemoves) {
    log::ScopedCapture cap{log::Level::info};
    RecordingKernel k;
    ProcessSettings ps(k, std::nullopt);
    auto plain = load("global_defs {\n router_id a\n}\n");
    ASSERT_TRUE(plain.model);
    ps.apply(nullptr, *plain.model);
    // Nothing named: the umask (keepalived's default 022) and nothing else,
    // so a halbd started under chrt or CPUSchedulingPolicy= keeps it.
    EXPECT_EQ(k.calls, (Calls{"umask 18"}));
    k.calls.clear();

    auto rt = load("global_defs {\n vrrp_rt_priority 50\n vrrp_no_swap\n vrrp_cpu_affinity 1\n"
                   " vrrp_priority -2\n vrrp_rlimit_rttime 100000\n}\n");
    ASSERT_TRUE(rt.model) << all_messages(rt);
    ps.apply(plain.model.get(), *rt.model);
    EXPECT_EQ(k.calls, (Calls{"rt 50", "nice -2", "lock", "cpus 1", "rttime 100000"}));
    EXPECT_TRUE(cap.contains("process: SCHED_RR priority 50")) << "logged what changed and why";
    k.calls.clear();

    ps.apply(rt.model.get(), *rt.model);  // the same again: nothing
    EXPECT_TRUE(k.calls.empty());

    ps.apply(rt.model.get(), *plain.model);  // removed: back to how halbd was started
    EXPECT_EQ(k.calls, (Calls{"rt orig", "nice orig", "unlock", "cpus orig", "rttime orig"}));
}

TEST(ProcessSettingsTest, ARefusedSettingIsLoggedAndTheRestApplies) {
    log::ScopedCapture cap{log::Level::info};
    RecordingKernel k;
    k.refuse_rt = true;
    ProcessSettings ps(k, mode_t{077});
    auto m = load("global_defs {\n checker_rt_priority 10\n checker_priority 5\n umask 0\n}\n");
    ASSERT_TRUE(m.model);
    ps.apply(nullptr, *m.model);
    EXPECT_EQ(k.calls, (Calls{"umask 63", "rt 10", "nice 5"}));  // -u's 077 beats umask 0
    EXPECT_TRUE(cap.contains("process: cannot set SCHED_RR priority 10")) << "the error is logged";
}

}  // namespace
}  // namespace halbd
