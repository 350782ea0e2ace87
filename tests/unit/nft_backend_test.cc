// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/nft_backend_test.cc: the nftables backend over a recording
// Nftables: one transaction per run, only touched services rewritten,
// failures leave what it believes programmed unchanged, tables made on
// first use and removed with their last service.
#include <gtest/gtest.h>

#include "forward/nft/nft_backend.hh"
#include "forward/nft/ruleset.hh"
#include "forward_test_util.hh"
#include "nft_test_util.hh"

using namespace halbd;
using namespace halbd::forward;
using namespace halbd::forward::nft;

namespace {

using Recorder = nft_test::TextRecorder;
using nft_test::has;

ServiceKey key(const char* vip, uint16_t port) { return test_util::tcp(vip, port); }
DestKey dest(const char* a) { return DestKey{*net::IpAddress::parse(a), 80}; }
ServiceParams rr() {
    ServiceParams p;
    p.scheduler = "rr";
    return p;
}

class NftBackendTest : public ::testing::Test {
protected:
    NftBackendTest() {
        auto r = std::make_unique<Recorder>();
        rec = r.get();
        backend = std::make_unique<NftBackend>(std::move(r));
    }
    Recorder* rec;
    std::unique_ptr<NftBackend> backend;
};

}  // namespace

TEST_F(NftBackendTest, OneTransactionPerRun) {
    const Op ops[] = {Op::add_service(key("192.0.2.10", 80), rr()),
                      Op::add_dest(key("192.0.2.10", 80), dest("198.51.100.1"), {}),
                      Op::add_dest(key("192.0.2.10", 80), dest("198.51.100.2"), {}),
                      Op::add_service(key("2001:db8::10", 80), rr())};
    for (const auto& st : backend->run(ops)) EXPECT_TRUE(st);
    ASSERT_EQ(rec->batches.size(), 1u);
    const std::string& b = rec->batches[0];
    // First run: both families made afresh (whatever a previous halbd left goes).
    EXPECT_EQ(b.rfind("add table ip halbd\ndelete table ip halbd\nadd table ip halbd\n", 0), 0u);
    EXPECT_TRUE(has(b, "add table ip6 halbd\ndelete table ip6 halbd\nadd table ip6 halbd\n"));
    EXPECT_TRUE(has(b, "192.0.2.10 . 80 . 0 : 198.51.100.1 . 80, 192.0.2.10 . 80 . 1 : 198.51.100.2 . 80 }"));
    EXPECT_EQ(backend->writes(), 4u);
    auto t = backend->dump();
    ASSERT_TRUE(t);
    EXPECT_EQ(t.value().size(), 2u);
    EXPECT_EQ(t.value().at(key("192.0.2.10", 80)).dests.size(), 2u);
}

TEST_F(NftBackendTest, OnlyTouchedServicesAreRewritten) {
    ASSERT_TRUE(backend->add_service(key("192.0.2.10", 80), rr()));
    ASSERT_TRUE(backend->add_service(key("192.0.2.11", 80), rr()));
    ASSERT_TRUE(backend->add_dest(key("192.0.2.11", 80), dest("198.51.100.1"), {}));
    const std::string& b = rec->batches.back();
    EXPECT_TRUE(has(b, "flush chain ip halbd tcp_192_0_2_11_80\n"));
    EXPECT_FALSE(has(b, "192_0_2_10"));
    EXPECT_FALSE(has(b, "add table"));
}

TEST_F(NftBackendTest, ErrorsAreValuesAndTheRestStillApplies) {
    ASSERT_TRUE(backend->add_service(key("192.0.2.10", 80), rr()));
    const Op ops[] = {Op::add_service(key("192.0.2.10", 80), rr()),  // exists
                      Op::delete_dest(key("192.0.2.10", 80), dest("198.51.100.9")),  // no such dest
                      Op::add_dest(key("192.0.2.10", 80), dest("198.51.100.1"), {})};
    auto st = backend->run(ops);
    EXPECT_EQ(st[0].error().code, EEXIST);
    EXPECT_EQ(st[1].error().code, ENOENT);
    EXPECT_TRUE(st[2]);
    EXPECT_EQ(rec->batches.size(), 2u);
}

TEST_F(NftBackendTest, FailedTransactionChangesNothing) {
    ASSERT_TRUE(backend->add_service(key("192.0.2.10", 80), rr()));
    rec->fail = "nftables: Error: Could not process rule: Operation not permitted";
    auto st = backend->add_dest(key("192.0.2.10", 80), dest("198.51.100.1"), {});
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().message, rec->fail);
    EXPECT_TRUE(backend->dump().value().at(key("192.0.2.10", 80)).dests.empty());
    EXPECT_EQ(backend->writes(), 1u);
    rec->fail.clear();
    ASSERT_TRUE(backend->add_dest(key("192.0.2.10", 80), dest("198.51.100.1"), {}));
}

TEST_F(NftBackendTest, LastServiceOfAFamilyTakesItsTable) {
    ASSERT_TRUE(backend->add_service(key("192.0.2.10", 80), rr()));
    ASSERT_TRUE(backend->add_service(key("192.0.2.11", 80), rr()));
    ASSERT_TRUE(backend->delete_service(key("192.0.2.10", 80)));
    EXPECT_FALSE(has(rec->batches.back(), "delete table"));
    ASSERT_TRUE(backend->delete_service(key("192.0.2.11", 80)));
    EXPECT_EQ(rec->batches.back(), "add table ip halbd\ndelete table ip halbd\n");
    // And the next service makes it again.
    ASSERT_TRUE(backend->add_service(key("192.0.2.12", 80), rr()));
    EXPECT_TRUE(has(rec->batches.back(), "add table ip halbd\ndelete table ip halbd\nadd table ip halbd\n"));
}

TEST_F(NftBackendTest, PersistentServicesShareTheirVipsChain) {
    ServiceParams p = rr();
    p.flags = svc_flags::persistent;
    p.timeout = 30;
    ASSERT_TRUE(backend->add_service(key("192.0.2.10", 80), p));
    ASSERT_TRUE(backend->add_service(key("192.0.2.10", 443), p));
    const std::string& b = rec->batches.back();
    EXPECT_TRUE(has(b, "flush chain ip halbd persist_tcp_192_0_2_10\n"));
    EXPECT_TRUE(has(b, "ct original proto-dst 80 update @tcp_192_0_2_10_80_sticky"));
    EXPECT_TRUE(has(b, "ct original proto-dst 443 update @tcp_192_0_2_10_443_sticky"));
    // The persistence chain is emptied before a map it names goes.
    ASSERT_TRUE(backend->delete_service(key("192.0.2.10", 443)));
    const std::string& d = rec->batches.back();
    EXPECT_LT(d.find("flush chain ip halbd persist_tcp_192_0_2_10"), d.find("delete map ip halbd tcp_192_0_2_10_443"));
    EXPECT_FALSE(has(d, "proto-dst 443"));
}

TEST_F(NftBackendTest, Ipv6PersistenceNeedsOnePort) {
    ServiceParams p = rr();
    p.flags = svc_flags::persistent;
    p.timeout = 30;
    p.netmask = 128;
    ASSERT_TRUE(backend->add_service(key("2001:db8::10", 80), p));
    ASSERT_TRUE(backend->add_dest(key("2001:db8::10", 80), DestKey{*net::IpAddress::parse("2001:db8:1::1"), 80}, {}));
    auto st = backend->add_dest(key("2001:db8::10", 80), DestKey{*net::IpAddress::parse("2001:db8:1::2"), 81}, {});
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code, EOPNOTSUPP);
}

// The shared slot maps are declared once (after the table, before any rule
// using them) and filled after every rule of the transaction is in place;
// a family's table made again declares them again.
TEST_F(NftBackendTest, SlotMapsDeclaredOnceAndFilledAfterTheRules) {
    std::vector<Op> ops;
    for (int i = 0; i < 40; ++i) {
        const std::string vip = "192.0.2." + std::to_string(i + 1);
        ops.push_back(Op::add_service(key(vip.c_str(), 80), rr()));
        ops.push_back(Op::add_dest(key(vip.c_str(), 80), dest("198.51.100.1"), {}));
    }
    for (const auto& st : backend->run(ops)) EXPECT_TRUE(st);
    ASSERT_EQ(rec->batches.size(), 1u);
    const std::string& b = rec->batches[0];
    size_t declared = 0, pos = 0;
    while ((pos = b.find("add map ip halbd tcp_slots_", pos)) != std::string::npos) ++declared, ++pos;
    EXPECT_GT(declared, 1u);  // 40 services spread over several buckets
    EXPECT_LE(declared, kSlotMapBuckets);
    // Every rule comes before the first slot element, every declaration before the first rule.
    EXPECT_LT(b.rfind("add map ip halbd tcp_slots_"), b.find("add rule ip halbd tcp_"));
    EXPECT_LT(b.rfind("add rule ip halbd tcp_"), b.find("add element ip halbd tcp_slots_"));
    // A later service in an existing bucket declares nothing.
    uint16_t port = 81;
    while (hash_seed(key("192.0.2.1", port)) % kSlotMapBuckets != hash_seed(key("192.0.2.1", 80)) % kSlotMapBuckets)
        ++port;
    ASSERT_TRUE(backend->add_service(key("192.0.2.1", port), rr()));
    EXPECT_FALSE(has(rec->batches.back(), "add map"));
    // The family's table goes with its last service and comes back with its maps.
    std::vector<Op> gone;
    for (int i = 0; i < 40; ++i) gone.push_back(Op::delete_service(key(("192.0.2." + std::to_string(i + 1)).c_str(), 80)));
    gone.push_back(Op::delete_service(key("192.0.2.1", port)));
    for (const auto& st : backend->run(gone)) EXPECT_TRUE(st);
    EXPECT_TRUE(has(rec->batches.back(), "delete table ip halbd"));
    ASSERT_TRUE(backend->add_service(key("192.0.2.1", port), rr()));
    EXPECT_TRUE(has(rec->batches.back(), "add map ip halbd tcp_slots_"));
}
