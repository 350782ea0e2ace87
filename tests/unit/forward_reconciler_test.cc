// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/forward_reconciler_test.cc: plan() gives the exact minimal op
// list for desired vs kernel tables; apply() against FakeBackend runs them,
// logs one line per change, and survives failures.
#include <gtest/gtest.h>

#include "core/log.hh"
#include "forward/reconciler.hh"
#include "forward_test_util.hh"
#include "support/fake_backend.hh"

namespace halbd::forward {
namespace {

using namespace test_util;

Service service(ServiceKey k, ServiceParams p, std::map<DestKey, DestParams> d = {}) {
    return Service{k, std::move(p), std::move(d)};
}

std::vector<std::string> texts(const std::vector<Op>& ops) {
    std::vector<std::string> v;
    for (const auto& op : ops) v.push_back(to_string(op));
    return v;
}

ServiceTable one_service() {
    ServiceTable t;
    t[tcp("10.0.0.1", 80)] = service(tcp("10.0.0.1", 80), sp("rr"),
                                     {{dest("10.0.0.2", 80), dp(1)}, {dest("10.0.0.3", 80), dp(1)}});
    return t;
}

TEST(ReconcilerPlan, EmptyKernelAddsServiceThenDests) {
    auto ops = plan(one_service(), {}, {});
    EXPECT_EQ(texts(ops), (std::vector<std::string>{"add service TCP 10.0.0.1:80",
                                                    "add dest 10.0.0.2:80 to TCP 10.0.0.1:80",
                                                    "add dest 10.0.0.3:80 to TCP 10.0.0.1:80"}));
    EXPECT_EQ(ops[0].params, sp("rr"));
}

TEST(ReconcilerPlan, EqualTablesNeedNothingAndHashedIsIgnored) {
    ServiceTable kernel = one_service();
    kernel.begin()->second.params.flags |= svc_flags::hashed;
    EXPECT_TRUE(plan(one_service(), kernel, {}).empty());
}

TEST(ReconcilerPlan, WeightChangeIsExactlyOneUpdateDest) {
    ServiceTable want = one_service();
    want.begin()->second.dests[dest("10.0.0.3", 80)].weight = 3;
    auto ops = plan(want, one_service(), {tcp("10.0.0.1", 80)});
    ASSERT_EQ(ops.size(), 1u);
    EXPECT_EQ(ops[0].kind, Op::Kind::UpdateDest);
    EXPECT_EQ(ops[0].dest, dest("10.0.0.3", 80));
    EXPECT_EQ(ops[0].dest_params, dp(3));
    EXPECT_EQ(ops[0].old_dest, dp(1));
}

TEST(ReconcilerPlan, ServiceParamsChange) {
    ServiceTable want = one_service();
    want.begin()->second.params = sp("wlc", svc_flags::persistent, 300);
    auto ops = plan(want, one_service(), {});
    ASSERT_EQ(ops.size(), 1u);
    EXPECT_EQ(ops[0].kind, Op::Kind::UpdateService);
    EXPECT_EQ(ops[0].old_params, sp("rr"));
}

TEST(ReconcilerPlan, DestsAddedUpdatedDeleted) {
    ServiceTable want = one_service();
    auto& d = want.begin()->second.dests;
    d.erase(dest("10.0.0.2", 80));
    d[dest("10.0.0.3", 80)].method = Method::Route;
    d[dest("10.0.0.4", 80)] = dp(2);
    EXPECT_EQ(texts(plan(want, one_service(), {})),
              (std::vector<std::string>{"delete dest 10.0.0.2:80 from TCP 10.0.0.1:80",
                                        "update dest 10.0.0.3:80 in TCP 10.0.0.1:80",
                                        "add dest 10.0.0.4:80 to TCP 10.0.0.1:80"}));
}

TEST(ReconcilerPlan, OnlyOwnedServicesAreDeleted) {
    ServiceTable kernel = one_service();
    kernel[udp("10.0.0.9", 53)] = service(udp("10.0.0.9", 53), sp("rr"));  // someone else's
    kernel[tcp("10.0.0.8", 80)] = service(tcp("10.0.0.8", 80), sp("rr"));  // ours, no longer wanted
    auto ops = plan(one_service(), kernel, {tcp("10.0.0.1", 80), tcp("10.0.0.8", 80), tcp("10.0.0.7", 80)});
    EXPECT_EQ(texts(ops), std::vector<std::string>{"delete service TCP 10.0.0.8:80"});
}

TEST(ReconcilerPlan, FwmarkKeysMatchWhateverTheSpelling) {
    ServiceTable want;
    want[fwm(3, net::Family::V6)] = service(fwm(3, net::Family::V6), sp("rr", 0, 0, 128));
    ServiceKey odd = fwm(3, net::Family::V6);
    odd.address = ip("::");
    odd.protocol = Protocol::UDP;
    ServiceTable kernel;
    kernel[odd] = service(odd, sp("rr", 0, 0, 128));
    EXPECT_TRUE(plan(want, kernel, {}).empty());
}

TEST(ReconcilerPlan, ReloadOfAThousandServicesIsThreeOps) {
    ServiceTable kernel;
    for (uint32_t i = 0; i < 1000; ++i) {
        ServiceKey k = tcp("10.1.0.0", 80);
        k.address = k.address.plus(i);
        kernel[k] = service(k, sp("wlc"), {{dest("10.2.0.1", 80), dp(1)}, {dest("10.2.0.2", 80), dp(1)}});
    }
    std::set<ServiceKey> owned;
    for (const auto& [k, s] : kernel) owned.insert(k);
    ServiceTable want = kernel;
    auto it = want.begin();
    it->second.dests[dest("10.2.0.1", 80)].weight = 5;         // one weight
    std::next(it, 10)->second.dests[dest("10.2.0.3", 80)] = dp(1);  // one real server added
    want.erase(std::prev(want.end()));                         // one service removed
    auto ops = plan(want, kernel, owned);
    ASSERT_EQ(ops.size(), 3u) << ::testing::PrintToString(texts(ops));
    EXPECT_EQ(ops[0].kind, Op::Kind::UpdateDest);
    EXPECT_EQ(ops[1].kind, Op::Kind::AddDest);
    EXPECT_EQ(ops[2].kind, Op::Kind::DeleteService);
}

// ---- apply -------------------------------------------------------------------

TEST(ReconcilerApply, ProgramsAnEmptyKernelAndLogsOneLinePerService) {
    FakeBackend fb;
    log::ScopedCapture cap(log::Level::info);
    ApplyResult r = apply(fb, plan(one_service(), {}, {}), "start");
    EXPECT_EQ(r, (ApplyResult{3, 0, 0}));
    EXPECT_EQ(fb.table(), one_service());
    EXPECT_EQ(fb.writes(), 3u);
    ASSERT_EQ(cap.lines().size(), 1u);
    EXPECT_EQ(cap.lines()[0].text, "IPVS: added TCP 10.0.0.1:80 (rr) with 2 real servers (start)");
}

TEST(ReconcilerApply, WeightChangeLogLine) {
    FakeBackend fb;
    fb.table() = one_service();
    ServiceTable want = one_service();
    want.begin()->second.dests[dest("10.0.0.2", 80)].weight = 3;
    log::ScopedCapture cap(log::Level::info);
    EXPECT_EQ(apply(fb, plan(want, one_service(), {}), "configuration reload"), (ApplyResult{1, 0, 0}));
    EXPECT_EQ(fb.table(), want);
    ASSERT_EQ(cap.lines().size(), 1u);
    EXPECT_EQ(cap.lines()[0].text,
              "IPVS: weight of 10.0.0.2:80 in TCP 10.0.0.1:80 changed 1 -> 3 (configuration reload)");
}

TEST(ReconcilerApply, FailedDestIsLoggedAndOthersContinue) {
    FakeBackend fb;
    fb.fail_on(FakeBackend::Call::AddDest, ENOENT, tcp("10.0.0.1", 80), dest("10.0.0.2", 80),
               "scheduler 'mh' not available in this kernel");
    log::ScopedCapture cap(log::Level::info);
    ApplyResult r = apply(fb, plan(one_service(), {}, {}), "start");
    EXPECT_EQ(r, (ApplyResult{2, 1, 0}));
    EXPECT_TRUE(cap.contains("add dest 10.0.0.2:80 to TCP 10.0.0.1:80: scheduler 'mh' not available in this kernel"));
    EXPECT_TRUE(cap.contains("IPVS: added TCP 10.0.0.1:80 (rr) with 1 real server of 2 (start)"));
    EXPECT_EQ(fb.table().at(tcp("10.0.0.1", 80)).dests.size(), 1u);
}

TEST(ReconcilerApply, FailedServiceAddSkipsOnlyItsDests) {
    FakeBackend fb;
    fb.set_schedulers({"rr", "wlc"});
    ServiceTable want = one_service();
    want[tcp("10.0.0.5", 80)] = service(tcp("10.0.0.5", 80), sp("mh"), {{dest("10.0.0.6", 80), dp(1)}});
    log::ScopedCapture cap(log::Level::info);
    ApplyResult r = apply(fb, plan(want, {}, {}), "start");
    EXPECT_EQ(r, (ApplyResult{3, 1, 1}));
    EXPECT_TRUE(cap.contains("IPVS: add service TCP 10.0.0.5:80: scheduler 'mh' not available in this kernel"));
    EXPECT_EQ(fb.table(), one_service());
}

TEST(ReconcilerApply, RemovalLogLines) {
    FakeBackend fb;
    fb.table() = one_service();
    ServiceTable want = one_service();
    want.begin()->second.dests.erase(dest("10.0.0.3", 80));
    log::ScopedCapture cap(log::Level::info);
    apply(fb, plan(want, fb.table(), {}), "configuration reload");
    EXPECT_TRUE(cap.contains("IPVS: removed real server 10.0.0.3:80 from TCP 10.0.0.1:80 (configuration reload)"));
    cap.clear();
    apply(fb, plan({}, fb.table(), {tcp("10.0.0.1", 80)}), "shutdown");
    EXPECT_TRUE(cap.contains("IPVS: removed TCP 10.0.0.1:80 (shutdown)"));
    EXPECT_TRUE(fb.table().empty());
}

}  // namespace
}  // namespace halbd::forward
