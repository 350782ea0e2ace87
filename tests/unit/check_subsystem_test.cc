// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/check_subsystem_test.cc: CheckSubsystem on SimLoop with fake
// checkers: real-server state (all checkers must pass), log lines, sharing
// of one probe across virtual servers, reload without flaps, not-implemented
// kinds, and the PoolView driving ForwardSubsystem (quorum, hysteresis).
#include <gtest/gtest.h>

#include <sstream>

#include "check/subsystem.hh"
#include "check_test_util.hh"
#include "core/log.hh"
#include "forward/subsystem.hh"
#include "forward_test_util.hh"
#include "support/fake_backend.hh"

namespace halbd::check {
namespace {

using namespace test_util;
using forward::test_util::load;

const char* kOne = R"(
virtual_server 192.168.2.11 80 {
    protocol TCP
    delay_loop 10
    real_server 10.10.10.13 80 {
        TCP_CHECK {
            connect_timeout 3
            retry 3
            delay_before_retry 1
        }
    }
    real_server 10.10.10.14 80 {
        TCP_CHECK {
        }
    }
}
)";

std::string replace(std::string text, const std::string& from, const std::string& to) {
    auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
}

struct CheckSubsystemTest : ::testing::Test {
    core::SimLoop loop;
    FakeWorld world{loop};
    MonoTime t0 = loop.now();
    std::vector<Duration> jitter_max;
    Duration jitter_value{};  // first attempts at once unless a test says otherwise
    std::unique_ptr<CheckSubsystem> checks = std::make_unique<CheckSubsystem>(
        loop, fake_factory(world), [this](Duration max) {
            jitter_max.push_back(max);
            return jitter_value;
        });
    std::vector<std::pair<Duration, std::string>> changes;
    log::ScopedCapture cap{log::Level::info};

    CheckSubsystemTest() {
        checks->set_on_pool_change([this](std::string_view r) { changes.emplace_back(loop.now() - t0, r); });
    }
    static const config::RealServer& rs(const config::Model& m, size_t v, size_t r) {
        return m.lvs.virtual_servers.at(v).real_servers.at(r);
    }
    bool up(const config::Model& m, size_t v, size_t r) const {
        return checks->is_up(m.lvs.virtual_servers.at(v), rs(m, v, r));
    }
    std::vector<std::string> lines() const {
        std::vector<std::string> v;
        for (const auto& l : cap.lines()) v.push_back(l.text);
        return v;
    }
};

TEST_F(CheckSubsystemTest, RetriesThenRemovesAndAddsBackWithExactLogLines) {
    auto m = load(kOne);
    ASSERT_TRUE(m);
    checks->apply(nullptr, *m);
    EXPECT_EQ(checks->probe_count(), 2u);
    EXPECT_TRUE(up(*m, 0, 0));
    world.set("10.10.10.13:80", timeout(3s));
    cap.clear();
    // Attempts at 0, 4, 8, 12 (1 s after each 3 s timeout); the 4th failure at 15 s is retry 3/3.
    loop.advance(14999ms);
    EXPECT_TRUE(up(*m, 0, 0));
    EXPECT_TRUE(changes.empty());
    loop.advance(1ms);
    EXPECT_FALSE(up(*m, 0, 0));
    EXPECT_TRUE(up(*m, 0, 1));
    EXPECT_EQ(world.offsets("10.10.10.13:80", t0), (std::vector<Duration>{0s, 4s, 8s, 12s}));
    EXPECT_EQ(lines(), std::vector<std::string>{"TCP connect to 10.10.10.13:80 timed out after 3s (retry 3/3); "
                                                "removing [10.10.10.13]:80 from VS [192.168.2.11]:80"});
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0], std::make_pair(Duration(15s), std::string("real server [10.10.10.13]:80 down (TCP connect "
                                                                     "to 10.10.10.13:80 timed out after 3s)")));
    // Recovery: the next attempt (delay_loop after the failure) succeeds.
    world.set("10.10.10.13:80", ok());
    cap.clear();
    loop.advance(10s);
    EXPECT_TRUE(up(*m, 0, 0));
    EXPECT_EQ(lines(), std::vector<std::string>{
                           "TCP connect to 10.10.10.13:80 succeeded; adding [10.10.10.13]:80 to VS [192.168.2.11]:80"});
    ASSERT_EQ(changes.size(), 2u);
    EXPECT_EQ(changes[1].first, 25s);
}

TEST_F(CheckSubsystemTest, RealServerIsUpOnlyIfAllItsCheckersAre) {
    auto m = load(R"(
virtual_server 192.168.2.11 80 {
    protocol TCP
    delay_loop 10
    real_server 10.10.10.13 80 {
        TCP_CHECK {
            retry 0
        }
        TCP_CHECK {
            connect_port 8080
            retry 0
        }
    }
}
)");
    ASSERT_TRUE(m);
    checks->apply(nullptr, *m);
    ASSERT_EQ(checks->probe_count(), 2u);
    world.set("10.10.10.13:8080", refused());
    loop.advance(0s);
    EXPECT_FALSE(up(*m, 0, 0));
    EXPECT_EQ(checks->failing(m->lvs.virtual_servers[0], rs(*m, 0, 0)), 1u);
    EXPECT_FALSE(cap.contains("(retry 0/0)"));
    EXPECT_TRUE(cap.contains("TCP connect to 10.10.10.13:8080 refused; removing [10.10.10.13]:80 from VS [192.168.2.11]:80"));
    world.set("10.10.10.13:80", refused());
    loop.advance(10s);
    EXPECT_EQ(checks->failing(m->lvs.virtual_servers[0], rs(*m, 0, 0)), 2u);
    EXPECT_TRUE(cap.contains("TCP connect to 10.10.10.13:80 refused; [10.10.10.13]:80 already out of VS [192.168.2.11]:80"));
    world.set("10.10.10.13:8080", ok());
    loop.advance(10s);
    EXPECT_FALSE(up(*m, 0, 0));
    EXPECT_TRUE(cap.contains("TCP connect to 10.10.10.13:8080 succeeded; [10.10.10.13]:80 stays out of VS "
                             "[192.168.2.11]:80: 1 other checker(s) failing"));
    world.set("10.10.10.13:80", ok());
    loop.advance(10s);
    EXPECT_TRUE(up(*m, 0, 0));
    // Forwarding heard of the two real-server changes only.
    ASSERT_EQ(changes.size(), 2u);
    EXPECT_EQ(changes[0].first, 0s);
    EXPECT_EQ(changes[1].first, 30s);
}

TEST_F(CheckSubsystemTest, OneProbeServesEveryVirtualServerWithTheSameCheck) {
    auto m = load(R"(
virtual_server 192.168.2.11 80 {
    protocol TCP
    delay_loop 10
    real_server 10.10.10.13 80 {
        TCP_CHECK {
            retry 0
        }
    }
}
virtual_server 192.168.2.12 80 {
    protocol TCP
    delay_loop 10
    real_server 10.10.10.13 80 {
        TCP_CHECK {
            retry 0
        }
    }
}
virtual_server 192.168.2.13 80 {
    protocol TCP
    delay_loop 10
    real_server 10.10.10.13 80 {
        TCP_CHECK {
            retry 0
            connect_timeout 2
        }
    }
}
)");
    ASSERT_TRUE(m);
    checks->apply(nullptr, *m);
    // The third differs (connect_timeout): its own probe.
    EXPECT_EQ(checks->probe_count(), 2u);
    EXPECT_EQ(world.created, 2);
    EXPECT_EQ(checks->probe_of(rs(*m, 0, 0).checkers[0]), checks->probe_of(rs(*m, 1, 0).checkers[0]));
    EXPECT_NE(checks->probe_of(rs(*m, 0, 0).checkers[0]), checks->probe_of(rs(*m, 2, 0).checkers[0]));
    loop.advance(25s);
    // Two probes of the same target, each once per delay_loop.
    EXPECT_EQ(world.offsets("10.10.10.13:80", t0), (std::vector<Duration>{0s, 0s, 10s, 10s, 20s, 20s}));
    world.set("10.10.10.13:80", refused());
    cap.clear();
    loop.advance(5s);  // both probes fail at 30 s
    EXPECT_FALSE(up(*m, 0, 0));
    EXPECT_FALSE(up(*m, 1, 0));
    EXPECT_FALSE(up(*m, 2, 0));
    EXPECT_EQ(lines(), (std::vector<std::string>{
                           "TCP connect to 10.10.10.13:80 refused; removing [10.10.10.13]:80 from VS [192.168.2.11]:80",
                           "TCP connect to 10.10.10.13:80 refused; removing [10.10.10.13]:80 from VS [192.168.2.12]:80",
                           "VS [192.168.2.11]:80: quorum lost (live weight 0, quorum 1, hysteresis 0)",
                           "VS [192.168.2.12]:80: quorum lost (live weight 0, quorum 1, hysteresis 0)",
                           "TCP connect to 10.10.10.13:80 refused; removing [10.10.10.13]:80 from VS [192.168.2.13]:80",
                           "VS [192.168.2.13]:80: quorum lost (live weight 0, quorum 1, hysteresis 0)",
                       }));
    ASSERT_EQ(changes.size(), 2u);  // one per probe
    EXPECT_EQ(changes[0].second, "2 real servers down (TCP connect to 10.10.10.13:80 refused)");
    EXPECT_EQ(changes[1].second, "real server [10.10.10.13]:80 down (TCP connect to 10.10.10.13:80 refused)");
}

TEST_F(CheckSubsystemTest, WarmupDefaultsToDelayLoopAndSpreadsFirstAttempts) {
    jitter_value = 4s;
    auto m = load(replace(kOne, "connect_timeout 3", "connect_timeout 3\n            warmup 6"));
    ASSERT_TRUE(m);
    checks->apply(nullptr, *m);
    // One draw per new probe: warmup 6 for the first, delay_loop (10) for the second.
    EXPECT_EQ(jitter_max, (std::vector<Duration>{6s, 10s}));
    loop.advance(3999ms);
    EXPECT_TRUE(world.attempts.empty());
    loop.advance(1ms);
    EXPECT_EQ(world.offsets("10.10.10.13:80", t0), std::vector<Duration>{4s});
    EXPECT_EQ(world.offsets("10.10.10.14:80", t0), std::vector<Duration>{4s});
}

TEST_F(CheckSubsystemTest, ReloadKeepsUnchangedProbesAndTheirSchedule) {
    auto m1 = load(kOne);
    ASSERT_TRUE(m1);
    checks->apply(nullptr, *m1);
    world.set("10.10.10.13:80", refused());
    loop.advance(3s);  // 0 fail, 1 fail, 2 fail, 3 fail (retry 3/3): down
    ASSERT_FALSE(up(*m1, 0, 0));
    const ScheduledCheck* kept = checks->probe_of(rs(*m1, 0, 0).checkers[0]);
    ASSERT_TRUE(kept);
    const auto next = kept->next_attempt();
    ASSERT_EQ(next, t0 + 13s);
    changes.clear();

    // .14 removed, a new virtual server with .15 added, .13 unchanged.
    const std::string text2 = replace(kOne, R"(    real_server 10.10.10.14 80 {
        TCP_CHECK {
        }
    }
)", "") + R"(
virtual_server 192.168.2.12 80 {
    protocol TCP
    delay_loop 10
    real_server 10.10.10.15 80 {
        TCP_CHECK {
        }
    }
}
)";
    auto m2 = load(text2);
    ASSERT_TRUE(m2);
    jitter_max.clear();
    jitter_value = 2s;
    loop.advance(1s);
    checks->apply(m1.get(), *m2);
    EXPECT_FALSE(up(*m2, 0, 0));  // no flap: still down
    EXPECT_TRUE(up(*m2, 1, 0));
    EXPECT_EQ(checks->probe_of(rs(*m2, 0, 0).checkers[0]), kept);
    EXPECT_EQ(kept->next_attempt(), next);
    EXPECT_EQ(checks->probe_count(), 2u);
    EXPECT_EQ(world.alive, 2);  // .14's checker is gone
    EXPECT_EQ(jitter_max, std::vector<Duration>{10s});  // only the new probe warms up
    EXPECT_TRUE(changes.empty());  // forwarding reconciles in its own apply()
    EXPECT_TRUE(cap.contains("health checks: 2 probe(s) for 2 checker(s) (1 started, 1 kept, 1 stopped)"));
    loop.advance(20s);
    EXPECT_EQ(world.offsets("10.10.10.13:80", t0), (std::vector<Duration>{0s, 1s, 2s, 3s, 13s, 23s}));
    EXPECT_EQ(world.offsets("10.10.10.14:80", t0), std::vector<Duration>{0s});
    EXPECT_EQ(world.offsets("10.10.10.15:80", t0), (std::vector<Duration>{6s, 16s}));
    // The kept probe still reaches the new model's servers.
    world.set("10.10.10.13:80", ok());
    loop.advance(10s);
    EXPECT_TRUE(up(*m2, 0, 0));
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0].first, 33s);
}

TEST_F(CheckSubsystemTest, ChangedCheckParametersMakeANewProbe) {
    auto m1 = load(kOne);
    ASSERT_TRUE(m1);
    checks->apply(nullptr, *m1);
    world.set("10.10.10.13:80", refused());
    loop.advance(3s);
    ASSERT_FALSE(up(*m1, 0, 0));
    auto m2 = load(replace(kOne, "connect_timeout 3", "connect_timeout 4"));
    ASSERT_TRUE(m2);
    checks->apply(m1.get(), *m2);
    EXPECT_TRUE(up(*m2, 0, 0));  // a new probe starts as keepalived starts one: up unless alpha
    EXPECT_EQ(world.created, 3);
    EXPECT_EQ(world.alive, 2);
}

TEST_F(CheckSubsystemTest, AlphaServerStartsDownUntilItsFirstSuccess) {
    auto m = load(replace(kOne, "connect_timeout 3", "connect_timeout 3\n            alpha"));
    ASSERT_TRUE(m);
    jitter_value = 1s;
    checks->apply(nullptr, *m);
    EXPECT_FALSE(up(*m, 0, 0));
    EXPECT_TRUE(up(*m, 0, 1));
    loop.advance(1s);
    EXPECT_TRUE(up(*m, 0, 0));
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0].second, "real server [10.10.10.13]:80 up (TCP connect to 10.10.10.13:80 succeeded)");
}

TEST_F(CheckSubsystemTest, InhibitOnFailureIsSaidInTheLog) {
    auto m = load(replace(kOne, "delay_loop 10", "delay_loop 10\n    inhibit_on_failure"));
    ASSERT_TRUE(m);
    checks->apply(nullptr, *m);
    world.set("10.10.10.14:80", refused());
    loop.advance(1s);  // retry 1 (default), delay_before_retry 1 s (default)
    EXPECT_TRUE(cap.contains("TCP connect to 10.10.10.14:80 refused (retry 1/1); setting weight 0 of "
                             "[10.10.10.14]:80 in VS [192.168.2.11]:80 (inhibit_on_failure)"));
}

TEST_F(CheckSubsystemTest, NotifyScriptsAreHandedOverOnRealServerChanges) {
    auto m = load(replace(kOne, "    real_server 10.10.10.14 80 {\n",
                          "    real_server 10.10.10.14 80 {\n"
                          "        notify_up \"/usr/bin/logger up 14\"\n"
                          "        notify_down \"/usr/bin/logger down 14\"\n"));
    ASSERT_TRUE(m);
    std::vector<std::string> calls;
    checks->set_notify_script([&](const config::Script& s, const config::VirtualServer& vs,
                                  const config::RealServer* r, bool is_up) {
        ASSERT_TRUE(r);
        calls.push_back(s.command + " | " + vs_text(vs) + " " + rs_text(*r) + (is_up ? " up" : " down") + " at " +
                        std::to_string((loop.now() - t0) / 1s));
    });
    checks->apply(nullptr, *m);
    world.set("10.10.10.13:80", refused());  // no scripts: nothing handed over
    world.set("10.10.10.14:80", refused());
    loop.advance(5s);
    world.set("10.10.10.14:80", ok());
    loop.advance(10s);
    EXPECT_EQ(calls, (std::vector<std::string>{
                         "/usr/bin/logger down 14 | [192.168.2.11]:80 [10.10.10.14]:80 down at 1",
                         "/usr/bin/logger up 14 | [192.168.2.11]:80 [10.10.10.14]:80 up at 11",
                     }));
}

TEST_F(CheckSubsystemTest, NotImplementedKindsCountAsUpWithOneWarning) {
    // Two BFD_CHECKs of different probes, one warning for the kind.
    auto m = load(R"(
virtual_server 192.168.2.11 80 {
    protocol TCP
    real_server 10.10.10.13 80 {
        BFD_CHECK {
            name b1
        }
    }
    real_server 10.10.10.14 80 {
        BFD_CHECK {
            name b2
        }
    }
}
bfd_instance b1 {
    neighbor_ip 10.10.10.13
}
bfd_instance b2 {
    neighbor_ip 10.10.10.14
}
)");
    ASSERT_TRUE(m);
    // The production factory, on the simulated loop.
    CheckSubsystem real(loop);
    log::ScopedCapture warnings{log::Level::warning};
    real.apply(nullptr, *m);
    EXPECT_EQ(real.probe_count(), 0u);
    EXPECT_TRUE(real.is_up(m->lvs.virtual_servers[0], rs(*m, 0, 0)));
    EXPECT_TRUE(real.is_up(m->lvs.virtual_servers[0], rs(*m, 0, 1)));
    ASSERT_EQ(warnings.lines().size(), 1u);
    EXPECT_EQ(warnings.lines()[0].text,
              "BFD_CHECK is not implemented yet: such checkers count as always up (first at real server "
              "[10.10.10.13]:80 of VS [192.168.2.11]:80)");
    EXPECT_EQ(loop.armed_timers(), 0u);
}

// keepalived removes a MISC_CHECK whose script is not there at start ("not
// found/accessible"): its real server stays in the pool. halbd disables the
// checker, says so loudly, and counts it as up (issue 12).
TEST_F(CheckSubsystemTest, MiscCheckWithoutItsScriptIsDisabledAndCountsAsUp) {
    auto m = load(R"(
virtual_server 192.168.2.11 80 {
    protocol TCP
    real_server 10.10.10.13 80 {
        MISC_CHECK {
            misc_path "/nonexistent/halbd-check --host 10.10.10.13"
        }
    }
}
)");
    ASSERT_TRUE(m);
    CheckSubsystem real(loop);
    log::ScopedCapture errors{log::Level::error};
    real.apply(nullptr, *m);
    EXPECT_EQ(real.probe_count(), 0u);
    EXPECT_TRUE(real.is_up(m->lvs.virtual_servers[0], rs(*m, 0, 0)));
    const auto& ck = rs(*m, 0, 0).checkers.at(0);
    ASSERT_TRUE(real.disabled(ck));
    EXPECT_EQ(*real.disabled(ck), "checker disabled: /nonexistent/halbd-check not found or not executable");
    ASSERT_EQ(errors.lines().size(), 1u);
    EXPECT_EQ(errors.lines()[0].text,
              "MISC_CHECK of real server [10.10.10.13]:80 of VS [192.168.2.11]:80: checker disabled: "
              "/nonexistent/halbd-check not found or not executable; the real server stays in its pool "
              "unchecked, as in keepalived");
    loop.advance(std::chrono::seconds(120));
    EXPECT_TRUE(real.is_up(m->lvs.virtual_servers[0], rs(*m, 0, 0)));
}

TEST_F(CheckSubsystemTest, StopCancelsEveryProbe) {
    auto m = load(kOne);
    ASSERT_TRUE(m);
    world.set("10.10.10.13:80", ok(2s));
    checks->apply(nullptr, *m);
    loop.advance(1s);  // .13's attempt in flight
    ASSERT_EQ(world.alive, 2);
    checks->stop(config::StopOptions{});
    EXPECT_EQ(world.alive, 0);
    EXPECT_EQ(loop.armed_timers(), 0u);
}

TEST_F(CheckSubsystemTest, DumpStateListsProbes) {
    auto m = load(kOne);
    ASSERT_TRUE(m);
    checks->apply(nullptr, *m);
    world.set("10.10.10.14:80", refused());
    loop.advance(2s);
    std::ostringstream os;
    checks->dump_state(os);
    EXPECT_EQ(os.str(),
              "# health checks: 2 probe(s)\n"
              "# check attempts: 3, lateness max 0.000ms p99 0.000ms p50 0.000ms\n"
              "# check lateness histogram (us:count): 1:3\n"
              "# notify scripts: 0 started, 0 failed, 0 dropped, 0 running, 0 queued\n"
              "# TCP connect to 10.10.10.13:80: up, 1 attempt(s), used by 1 real server(s), next in 8.00s\n"
              "# TCP connect to 10.10.10.14:80: down, 2 attempt(s), used by 1 real server(s), next in 9.00s\n");
}

TEST_F(CheckSubsystemTest, ObjectsOfAnotherModelGetTheInitialState) {
    auto m = load(kOne);
    auto other = load(replace(kOne, "connect_timeout 3", "connect_timeout 3\n            alpha"));
    ASSERT_TRUE(m && other);
    checks->apply(nullptr, *m);
    EXPECT_FALSE(checks->is_up(other->lvs.virtual_servers[0], rs(*other, 0, 0)));  // alpha
    EXPECT_TRUE(checks->is_up(other->lvs.virtual_servers[0], rs(*other, 0, 1)));
    EXPECT_EQ(checks->quorum_was_up(other->lvs.virtual_servers[0]), std::nullopt);
}

// ---- with forwarding ---------------------------------------------------------

TEST_F(CheckSubsystemTest, DrivesForwardingWithQuorumHysteresisAndSorryServer) {
    using forward::test_util::dest;
    using forward::test_util::tcp;
    auto m = load(R"(
virtual_server 192.168.2.11 80 {
    protocol TCP
    delay_loop 10
    quorum 2
    hysteresis 1
    sorry_server 10.10.10.99 80
    real_server 10.10.10.13 80 {
        TCP_CHECK {
            retry 0
        }
    }
    real_server 10.10.10.14 80 {
        TCP_CHECK {
            retry 0
        }
    }
    real_server 10.10.10.15 80 {
        TCP_CHECK {
            retry 0
        }
    }
}
)");
    ASSERT_TRUE(m);
    forward::FakeBackend fb;
    forward::ForwardSubsystem fwd(fb);
    fwd.set_pool(checks.get());
    checks->set_on_pool_change([&](std::string_view reason) { fwd.refresh(reason); });
    // The daemon's order: checks first, then forwarding, which reads the pool.
    checks->apply(nullptr, *m);
    fwd.apply(nullptr, *m);
    const auto key = tcp("192.168.2.11", 80);
    auto dests = [&] {
        std::vector<std::string> v;
        for (const auto& [k, d] : fb.table().at(key).dests) v.push_back(k.address.to_string());
        return v;
    };
    using V = std::vector<std::string>;
    ASSERT_EQ(dests(), (V{"10.10.10.13", "10.10.10.14", "10.10.10.15"}));
    auto step = [&](const char* target, Outcome o) {
        world.set(target, o);
        loop.advance(10s);
    };
    loop.advance(0s);  // first attempts: all up
    // Quorum 2 with hysteresis 1: held down to a live weight of 1.
    step("10.10.10.13:80", refused());
    EXPECT_EQ(dests(), (V{"10.10.10.14", "10.10.10.15"}));
    step("10.10.10.14:80", refused());
    EXPECT_EQ(dests(), (V{"10.10.10.15"}));
    step("10.10.10.15:80", refused());
    EXPECT_EQ(dests(), (V{"10.10.10.99"}));  // lost: the sorry server
    EXPECT_TRUE(cap.contains("VS [192.168.2.11]:80: quorum lost (live weight 0, quorum 2, hysteresis 1)"));
    // Regained only at quorum + hysteresis = 3.
    step("10.10.10.13:80", ok());
    EXPECT_EQ(dests(), (V{"10.10.10.99"}));
    step("10.10.10.14:80", ok());
    EXPECT_EQ(dests(), (V{"10.10.10.99"}));
    step("10.10.10.15:80", ok());
    EXPECT_EQ(dests(), (V{"10.10.10.13", "10.10.10.14", "10.10.10.15"}));
    EXPECT_TRUE(cap.contains("VS [192.168.2.11]:80: quorum gained (live weight 3, quorum 2, hysteresis 1)"));
    EXPECT_TRUE(cap.contains("IPVS: removed real server 10.10.10.13:80 from TCP 192.168.2.11:80 (real server "
                             "[10.10.10.13]:80 down (TCP connect to 10.10.10.13:80 refused))"));
    fwd.set_pool(nullptr);
}

}  // namespace
}  // namespace halbd::check
