// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/nft_atomic_test.cc: issue 14's contract on the nftables backend,
// one change set, one kernel transaction: a change set mixing plain,
// persistent, fwmark and DR services is one commit, a refused one leaves
// every service as it was, whatever its size (no bound: every object is
// encoded with libnftnl, so nothing needs a second, libnftables, commit).
#include <gtest/gtest.h>

#include "forward/nft/nft_backend.hh"
#include "forward/nft/ruleset.hh"
#include "nft_test_util.hh"
#include "forward_test_util.hh"

using namespace halbd;
using namespace halbd::forward;
using namespace halbd::forward::nft;

namespace {

using Text = nft_test::TextRecorder;
using Sink = nft_test::BatchRecorder;
using nft_test::has;

ServiceKey key(const char* vip, uint16_t port) { return test_util::tcp(vip, port); }
using test_util::dest;
ServiceParams sched(const char* s, uint32_t flags = 0) { return test_util::sp(s, flags, 300); }
DestParams route() { return test_util::dp(1, Method::Route); }
core::Result<std::string> eth0(const net::IpAddress&) { return std::string("eth0"); }

const ServiceKey kPlain = key("192.0.2.10", 80), kSticky = key("192.0.2.11", 443), kDr = key("192.0.2.12", 8080);
const ServiceKey kMark = ServiceKey::fwmark_key(net::Family::V4, 3);

class NftAtomic : public ::testing::Test {
protected:
    NftAtomic() {
        auto t = std::make_unique<Text>();
        auto s = std::make_unique<Sink>();
        text = t.get();
        sink = s.get();
        backend = std::make_unique<NftBackend>(std::move(t), std::move(s), eth0);
    }
    std::vector<core::Status> run(std::vector<Op> ops) { return backend->run(ops); }
    size_t commits() const { return text->batches.size() + sink->batches.size(); }
    Text* text;
    Sink* sink;
    std::unique_ptr<NftBackend> backend;
};

// The four kinds together, from empty: one commit holding all of them.
std::vector<Op> mixed() {
    return {Op::add_service(kPlain, sched("wrr")), Op::add_dest(kPlain, dest("198.51.100.1", 80), {}),
            Op::add_dest(kPlain, dest("198.51.100.2", 80), {}),
            Op::add_service(kSticky, sched("rr", svc_flags::persistent)),
            Op::add_dest(kSticky, dest("198.51.100.1", 443), {}),
            Op::add_service(kMark, sched("rr")), Op::add_dest(kMark, dest("198.51.100.3", 8443), {}),
            Op::add_service(kDr, sched("sh")), Op::add_dest(kDr, dest("198.51.100.4", 8080), route())};
}

}  // namespace

TEST_F(NftAtomic, MixedChangeSetIsOneTransaction) {
    for (const auto& st : run(mixed())) ASSERT_TRUE(st) << st.error().message;
    EXPECT_EQ(backend->transactions(), 1u);
    EXPECT_TRUE(text->batches.empty());
    ASSERT_EQ(sink->batches.size(), 1u);
    const std::string& tx = sink->batches[0];
    EXPECT_TRUE(has(tx, "add chain ip halbd tcp_192_0_2_10_80"));      // plain
    EXPECT_TRUE(has(tx, "add chain ip halbd persist_tcp_192_0_2_11"));  // persistent
    EXPECT_TRUE(has(tx, "add chain ip halbd fwm_3"));                   // fwmark, own maps
    EXPECT_TRUE(has(tx, "add table netdev halbd"));                     // DR
    // A later change to all four: one more commit.
    ASSERT_TRUE(run({Op::add_dest(kPlain, dest("198.51.100.5", 80), {}),
                     Op::add_dest(kSticky, dest("198.51.100.2", 443), {}),
                     Op::add_dest(kMark, dest("198.51.100.5", 8443), {}),
                     Op::add_dest(kDr, dest("198.51.100.5", 8080), route())})[0]);
    EXPECT_EQ(backend->transactions(), 2u);
    EXPECT_EQ(commits(), 2u);
    ASSERT_TRUE(backend->delete_dest(kPlain, dest("198.51.100.5", 80)));
    EXPECT_EQ(commits(), 3u);
    EXPECT_TRUE(text->batches.empty());
}

// The kernel refuses the change set for its plain service's part: every
// service stays as it was, in the kernel (nothing else was committed) and in
// dump(); the same change then goes.
TEST_F(NftAtomic, RefusedChangeSetLeavesEveryServiceAsBefore) {
    for (const auto& st : run(mixed())) ASSERT_TRUE(st);
    const ServiceTable before = backend->dump().value();
    const std::vector<Op> change = {Op::delete_dest(kPlain, dest("198.51.100.2", 80)),
                                    Op::add_dest(kSticky, dest("198.51.100.2", 443), {}),
                                    Op::delete_service(kMark),
                                    Op::add_dest(kDr, dest("198.51.100.5", 8080), route())};
    sink->refuse = "delete element ip halbd tcp_slots_";
    for (const auto& st : run(change)) EXPECT_FALSE(st);
    EXPECT_EQ(backend->dump().value(), before);
    EXPECT_EQ(commits(), 1u);
    sink->refuse = "";
    for (const auto& st : run(change)) EXPECT_TRUE(st) << st.error().message;
    EXPECT_EQ(commits(), 2u);
    EXPECT_TRUE(has(sink->batches[1], "tcp_192_0_2_10_80"));
    EXPECT_EQ(backend->dump().value().count(kMark), 0u);
}

// What used to take two commits (more than 2048 commands and elements next
// to tables, persistence, fwmark maps and DR): the first load of plain,
// persistent, fwmark and DR services with thousands of slots is one commit,
// and so is a reload touching all of them; refused, it leaves all as before.
TEST_F(NftAtomic, LargeMixedChangeSetIsOneTransaction) {
    std::vector<Op> ops = mixed();
    for (int i = 0; i < 20; ++i) {
        const ServiceKey k = key(("192.0.2." + std::to_string(100 + i)).c_str(), 80);
        const uint32_t flags = i % 2 ? svc_flags::persistent : 0;
        ops.push_back(Op::add_service(k, sched(i % 4 < 2 ? "mh" : "wrr", flags)));
        ops.push_back(Op::add_dest(k, dest("198.51.100.1", 80), {}));
        ops.push_back(Op::add_dest(k, dest("198.51.100.2", 80), {}));
    }
    const ServiceKey big_dr = key("192.0.2.13", 8080);
    ops.push_back(Op::add_service(big_dr, sched("mh")));
    ops.push_back(Op::add_dest(big_dr, dest("198.51.100.4", 8080), route()));
    for (const auto& st : run(ops)) ASSERT_TRUE(st) << st.error().message;
    EXPECT_EQ(commits(), 1u);
    ASSERT_EQ(sink->batches.size(), 1u);
    size_t lines = 0, elements = 0;
    for (char c : sink->batches[0]) lines += c == '\n';
    for (size_t p = sink->batches[0].find(" : "); p != std::string::npos; p = sink->batches[0].find(" : ", p + 1)) ++elements;
    EXPECT_GT(lines + elements, 2048u * 10);
    EXPECT_TRUE(has(sink->batches[0], "add map netdev halbd tcp_192_0_2_13_8080_slots"));
    EXPECT_TRUE(has(sink->batches[0], "update @tcp_192_0_2_101_80_sticky"));
    // A reload moving every service's slots: one commit; refused: nothing.
    std::vector<Op> reload;
    for (int i = 0; i < 20; ++i)
        reload.push_back(Op::add_dest(key(("192.0.2." + std::to_string(100 + i)).c_str(), 80), dest("198.51.100.3", 80), {}));
    reload.push_back(Op::add_dest(big_dr, dest("198.51.100.5", 8080), route()));
    reload.push_back(Op::delete_service(kMark));
    const ServiceTable before = backend->dump().value();
    sink->refuse = "delete map ip halbd fwm_3_slots";
    for (const auto& st : run(reload)) EXPECT_FALSE(st);
    EXPECT_EQ(backend->dump().value(), before);
    sink->refuse = "";
    for (const auto& st : run(reload)) EXPECT_TRUE(st);
    EXPECT_EQ(commits(), 2u);
    EXPECT_TRUE(text->batches.empty());
}
