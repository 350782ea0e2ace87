// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/forward_quorum_test.cc: the quorum's one owner (forward/quorum.hh):
// the rule with hysteresis, the live weight it weighs, and the Quorum value
// that records each decision and says when it changed (what the health-check
// subsystem logs and notifies, and what forwarding programs).
#include <gtest/gtest.h>

#include <map>

#include "forward/quorum.hh"
#include "forward/service.hh"
#include "forward_test_util.hh"

namespace halbd::forward {
namespace {

using namespace test_util;

// Real servers up unless listed down; weights as configured unless overridden.
class Pool : public PoolView {
public:
    std::map<std::string, bool> down;
    std::map<std::string, int64_t> weight;
    std::optional<bool> was_up;
    bool is_up(const config::VirtualServer&, const config::RealServer& rs) const override {
        return !down.count(DestKey{rs.address, rs.port}.to_string());
    }
    int64_t effective_weight(const config::VirtualServer& vs, const config::RealServer& rs) const override {
        auto it = weight.find(DestKey{rs.address, rs.port}.to_string());
        return it == weight.end() ? PoolView::effective_weight(vs, rs) : it->second;
    }
    std::optional<bool> quorum_was_up(const config::VirtualServer&) const override { return was_up; }
};

// quorum 3, hysteresis 1; four real servers of weight 1.
const char* kFour = R"(
virtual_server 10.0.0.1 80 {
    protocol TCP
    quorum 3
    hysteresis 1
    real_server 10.0.0.2 80 {
    }
    real_server 10.0.0.3 80 {
    }
    real_server 10.0.0.4 80 {
    }
    real_server 10.0.0.5 80 {
    }
}
)";

// Moved from forward_desired_test.cc with the rule.
TEST(Quorum, QuorumWithHysteresis) {
    // quorum 3, hysteresis 1: up at >= 4 from down, stays up down to 2.
    EXPECT_TRUE(quorum_up(4, 3, 1, std::nullopt));
    EXPECT_FALSE(quorum_up(3, 3, 1, std::nullopt));  // start: needs quorum + hysteresis
    EXPECT_FALSE(quorum_up(3, 3, 1, false));
    EXPECT_TRUE(quorum_up(4, 3, 1, false));
    EXPECT_TRUE(quorum_up(2, 3, 1, true));
    EXPECT_FALSE(quorum_up(1, 3, 1, true));
    EXPECT_FALSE(quorum_up(0, 1, 1, true));  // no live weight: always lost
    EXPECT_TRUE(quorum_up(1, 1, 0, std::nullopt));
}

TEST(Quorum, LiveWeightCountsClampedWeightsOfLiveServers) {
    auto m = load(kFour);
    ASSERT_TRUE(m);
    const auto& vs = m->lvs.virtual_servers[0];
    Pool pool;
    EXPECT_EQ(live_weight(vs, pool), 4u);
    pool.down = {{"10.0.0.2:80", true}};
    pool.weight = {{"10.0.0.3:80", -5}, {"10.0.0.4:80", int64_t{1} << 40}};
    // 10.0.0.2 down (not counted), 10.0.0.3 clamped to 0, 10.0.0.4 to INT32_MAX, 10.0.0.5 weight 1.
    EXPECT_EQ(live_weight(vs, pool), uint64_t{INT32_MAX} + 1);
    EXPECT_EQ(real_weight(-1), 0);
    EXPECT_EQ(real_weight(int64_t{1} << 40), INT32_MAX);
    EXPECT_EQ(real_weight(7), 7);
}

// Servers go down one by one and come back: the recorded state follows the
// hysteresis band, and `changed` is set exactly on the two crossings.
TEST(Quorum, SettleRecordsEachDecisionAndItsChanges) {
    auto m = load(kFour);
    ASSERT_TRUE(m);
    const auto& vs = m->lvs.virtual_servers[0];
    Pool pool;
    Quorum q;
    EXPECT_EQ(q.last(), std::nullopt);

    auto s = q.settle(vs, pool);  // live 4 >= 3 + 1: up; the first decision is no change
    EXPECT_TRUE(s.up);
    EXPECT_FALSE(s.changed);
    EXPECT_EQ(s.live, 4u);
    EXPECT_EQ(q.last(), std::optional<bool>(true));

    const char* servers[] = {"10.0.0.2:80", "10.0.0.3:80", "10.0.0.4:80"};
    // live 3, 2: still up (>= quorum - hysteresis); live 1: lost.
    const bool up_after[] = {true, true, false};
    const bool changed_after[] = {false, false, true};
    for (int i = 0; i < 3; ++i) {
        pool.down[servers[i]] = true;
        s = q.settle(vs, pool);
        EXPECT_EQ(s.up, up_after[i]) << i;
        EXPECT_EQ(s.changed, changed_after[i]) << i;
        EXPECT_EQ(s.live, static_cast<uint64_t>(3 - i)) << i;
    }
    // Back up: live 2 and 3 stay down (< quorum + hysteresis); 4 regains it.
    pool.down.erase("10.0.0.4:80");
    EXPECT_FALSE(q.would_be_up(vs, pool));
    s = q.settle(vs, pool);
    EXPECT_FALSE(s.up);
    EXPECT_FALSE(s.changed);
    pool.down.erase("10.0.0.3:80");
    s = q.settle(vs, pool);
    EXPECT_FALSE(s.up);
    pool.down.erase("10.0.0.2:80");
    EXPECT_TRUE(q.would_be_up(vs, pool));
    s = q.settle(vs, pool);
    EXPECT_TRUE(s.up);
    EXPECT_TRUE(s.changed);
}

// What forwarding programs: the rule against the pool's recorded decision.
TEST(Quorum, HoldsAgainstThePoolsLastDecision) {
    auto m = load(kFour);
    ASSERT_TRUE(m);
    const auto& vs = m->lvs.virtual_servers[0];
    Pool pool;
    pool.down = {{"10.0.0.2:80", true}, {"10.0.0.3:80", true}};  // live 2
    pool.was_up = std::nullopt;
    EXPECT_FALSE(quorum_holds(vs, pool));  // start: needs 4
    pool.was_up = true;
    EXPECT_TRUE(quorum_holds(vs, pool));  // hysteresis keeps it
    pool.was_up = false;
    EXPECT_FALSE(quorum_holds(vs, pool));
    // A Quorum carried over (check/subsystem keeps them across reloads) keeps its decision.
    Quorum carried(true);
    EXPECT_TRUE(carried.would_be_up(vs, pool));
}

}  // namespace
}  // namespace halbd::forward
