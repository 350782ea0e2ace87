// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/nft_atomic_test.cc: issue 14's contract on the nftables backend,
// one change set, one kernel transaction: a change set mixing plain,
// persistent, fwmark and DR services is one commit, a refused one leaves
// every service as it was, and where the bound (kFoldLimit) still splits.
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
    ASSERT_EQ(text->batches.size(), 1u);
    EXPECT_TRUE(sink->batches.empty());
    const std::string& tx = text->batches[0];
    EXPECT_TRUE(has(tx, "add chain ip halbd tcp_192_0_2_10_80"));   // plain
    EXPECT_TRUE(has(tx, "add chain ip halbd persist_tcp_192_0_2_11"));  // persistent
    EXPECT_TRUE(has(tx, "add chain ip halbd fwm_3"));                // fwmark, own maps
    EXPECT_TRUE(has(tx, "add table netdev halbd"));                  // DR
    // A later change to all four: one more commit.
    ASSERT_TRUE(run({Op::add_dest(kPlain, dest("198.51.100.5", 80), {}),
                     Op::add_dest(kSticky, dest("198.51.100.2", 443), {}),
                     Op::add_dest(kMark, dest("198.51.100.5", 8443), {}),
                     Op::add_dest(kDr, dest("198.51.100.5", 8080), route())})[0]);
    EXPECT_EQ(backend->transactions(), 2u);
    EXPECT_EQ(commits(), 2u);
    // A plain service alone needs no text: the batch, still one commit.
    ASSERT_TRUE(backend->delete_dest(kPlain, dest("198.51.100.5", 80)));
    EXPECT_EQ(commits(), 3u);
    EXPECT_EQ(sink->batches.size(), 1u);
}

// The kernel refuses the change set for its plain service's part: every
// service stays as it was, in the kernel (nothing else was committed) and in
// dump(); the same change then goes. (Split in two commits, the persistent
// service's part would be in and dump() would differ.)
TEST_F(NftAtomic, RefusedChangeSetLeavesEveryServiceAsBefore) {
    for (const auto& st : run(mixed())) ASSERT_TRUE(st);
    const ServiceTable before = backend->dump().value();
    const std::vector<Op> change = {Op::delete_dest(kPlain, dest("198.51.100.2", 80)),
                                    Op::add_dest(kSticky, dest("198.51.100.2", 443), {}),
                                    Op::delete_service(kMark),
                                    Op::add_dest(kDr, dest("198.51.100.5", 8080), route())};
    text->refuse = sink->refuse = "delete element ip halbd tcp_slots_";
    for (const auto& st : run(change)) EXPECT_FALSE(st);
    EXPECT_EQ(backend->dump().value(), before);
    EXPECT_EQ(commits(), 1u);
    EXPECT_TRUE(sink->batches.empty());
    text->refuse = sink->refuse = "";
    for (const auto& st : run(change)) EXPECT_TRUE(st) << st.error().message;
    EXPECT_EQ(commits(), 2u);
    EXPECT_TRUE(has(text->batches[1], "tcp_192_0_2_10_80"));
    EXPECT_EQ(backend->dump().value().count(kMark), 0u);
}

// The bound: a batch part larger than kFoldLimit (an mh service's 4093
// slots) next to a text part is still sent as its own commit (what
// encoding the text part with libnftnl would end).
TEST_F(NftAtomic, LargeBatchPartNextToTextStillSplits) {
    for (const auto& st : run(mixed())) ASSERT_TRUE(st);
    const ServiceKey big = key("192.0.2.20", 80);
    ASSERT_TRUE(run({Op::add_service(big, sched("mh")), Op::add_dest(big, dest("198.51.100.1", 80), {}),
                     Op::add_dest(kSticky, dest("198.51.100.2", 443), {})})[0]);
    EXPECT_EQ(commits(), 3u);
    EXPECT_EQ(sink->batches.size(), 1u);
    EXPECT_TRUE(has(sink->batches[0], "add chain ip halbd tcp_192_0_2_20_80"));
}
