// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/nft_batch_test.cc: the nftables backend's libnftnl path without
// a kernel: element bytes as nf_tables stores them, which services go into
// the batch and which stay text, a refused batch, and the netlink encoding's
// message split (the kernel side: tests/netns/nft-*.sh, which read the maps
// back with nft).
#include <gtest/gtest.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>

#include "forward/nft/nft_backend.hh"
#include "forward/nft/nftnl_sink.hh"
#include "forward/nft/ruleset.hh"
#include "forward_test_util.hh"
#include "nft_test_util.hh"

using namespace halbd;
using namespace halbd::forward;
using namespace halbd::forward::nft;

namespace {

using nft_test::BatchRecorder;
using nft_test::has;
using nft_test::TextRecorder;

ServiceKey key(const char* vip, uint16_t port) { return test_util::tcp(vip, port); }
DestKey dest(const char* a, uint16_t port = 80) { return DestKey{*net::IpAddress::parse(a), port}; }
ServiceParams sched(const char* s, uint32_t flags = 0) {
    ServiceParams p;
    p.scheduler = s;
    p.flags = flags;
    p.timeout = 300;
    p.netmask = 0xffffffff;
    return p;
}
std::string hex(const std::string& b) {
    static const char* d = "0123456789abcdef";
    std::string out;
    for (unsigned char c : b) out += std::string{d[c >> 4], d[c & 15]};
    return out;
}

Service service(ServiceKey k, ServiceParams p, std::vector<DestKey> ds) {
    Service s{k, p, {}};
    for (const auto& d : ds) s.dests[d] = DestParams{};
    return s;
}

}  // namespace

// The bytes nft(8) sends for `add element ip halbd tcp_slots_N { 192.0.2.10 .
// 80 . 1 : 198.51.100.1 . 8080 }` (nft --debug=netlink: 0a0200c0 00005000
// 00000001 : 016433c6 0000901f, as host-order words).
TEST(NftBatch, ElementBytesAreNftTypes) {
    const Service s = service(key("192.0.2.10", 80), sched("rr"), {dest("198.51.100.1", 8080), dest("198.51.100.2", 8080)});
    const NlCommands c = nl_service_add(s);
    ASSERT_EQ(c.slots.size(), 1u);
    ASSERT_EQ(c.slots[0].items.size(), 2u);
    const ElementItem& e = c.slots[0].items[1];
    const uint32_t one = 1;
    EXPECT_EQ(hex(e.key), "c000020a00500000" + hex(std::string(reinterpret_cast<const char*>(&one), 4)));
    EXPECT_EQ(hex(e.data), "c63364021f900000");  // 198.51.100.2 . 8080
    EXPECT_EQ(op_text(c.slots[0]), "add element ip halbd " + slot_map(s) +
                                       " { 192.0.2.10 . 80 . 0 : 198.51.100.1 . 8080, 192.0.2.10 . 80 . 1 : "
                                       "198.51.100.2 . 8080 }\n");
    // The dispatch element: protocol (padded), VIP, port; a goto.
    const NlOp& d = c.main.back();
    ASSERT_EQ(d.items.size(), 1u);
    EXPECT_EQ(hex(d.items[0].key), "06000000c000020a00500000");
    EXPECT_EQ(d.items[0].goto_chain, "tcp_192_0_2_10_80");
    EXPECT_EQ(op_text(d), "add element ip halbd services { tcp . 192.0.2.10 . 80 : goto tcp_192_0_2_10_80 }\n");
    // The rule as nf_tables expressions.
    const NlOp& r = c.main[1];
    ASSERT_EQ(r.kind, NlOp::Kind::AddRule);
    EXPECT_EQ(r.rule.l4proto, 6);
    EXPECT_EQ(r.rule.modulus, 2u);
    EXPECT_EQ(r.rule.map, slot_map(s));
    EXPECT_TRUE(r.rule.port_data);
    EXPECT_TRUE(c.main[2].rule.drop);
}

TEST(NftBatch, Ipv6AndFwmarkElements) {
    const Service v6 = service(key("2001:db8::10", 53), sched("mh", svc_flags::sched2), {dest("2001:db8::1", 53)});
    const NlCommands c = nl_service_add(v6);
    EXPECT_EQ(c.slots[0].items.size(), 4093u);
    EXPECT_EQ(c.slots[0].items[0].key.size(), 24u);   // address, port, slot
    EXPECT_EQ(c.slots[0].items[0].data.size(), 20u);  // address, port
    EXPECT_TRUE(c.main[1].rule.hash_sport);
    EXPECT_EQ(c.main[1].rule.sched, RuleSpec::Sched::JhashSaddr);
    EXPECT_EQ(c.main[1].rule.seed, hash_seed(v6.key));

    Service fw{ServiceKey::fwmark_key(net::Family::V4, 3), sched("rr"), {}};
    fw.dests[dest("198.51.100.1", 0)] = DestParams{};
    const NlCommands f = nl_service_add(fw);
    EXPECT_EQ(f.slots[0].items[0].key.size(), 8u);   // mark, slot
    EXPECT_EQ(f.slots[0].items[0].data.size(), 4u);  // the address only
    EXPECT_TRUE(f.main[1].rule.mark_key);
    EXPECT_EQ(op_text(f.slots[0]), "add element ip halbd fwmark_slots_24 { 3 . 0 : 198.51.100.1 }\n");
    // A fwmark service whose servers have ports keeps its own maps, declared
    // in the batch; its rule matches `{ tcp, udp, sctp }`, an anonymous set
    // sent just before it.
    fw.dests.clear();
    fw.dests[dest("198.51.100.1", 80)] = DestParams{};
    const NlCommands o = nl_service_add(fw);
    ASSERT_EQ(o.main[1].kind, NlOp::Kind::AddSet);
    EXPECT_EQ(o.main[1].name, "fwm_3_slots");
    EXPECT_EQ(o.main[1].obj().set.key_len, 4u);
    EXPECT_EQ(o.main[1].obj().set.data_len, 8u);
    ASSERT_EQ(o.main[2].kind, NlOp::Kind::AddSet);
    EXPECT_EQ(o.main[2].name, "__set%d");
    EXPECT_EQ(o.main[2].items.size(), 3u);
    EXPECT_EQ(op_text(o.main[2]), "");
    ASSERT_EQ(o.main[3].kind, NlOp::Kind::AddRule);
    EXPECT_FALSE(o.main[3].obj().exprs.empty());
}

// With a sink every change set is one batch, tables and shared maps,
// persistent and plain services alike; nothing goes through libnftables.
TEST(NftBatch, BackendSendsOneBatch) {
    auto t = std::make_unique<TextRecorder>();
    auto b = std::make_unique<BatchRecorder>();
    TextRecorder* text = t.get();
    BatchRecorder* batch = b.get();
    NftBackend backend(std::move(t), std::move(b));
    const Op ops[] = {Op::add_service(key("192.0.2.10", 80), sched("mh")),
                      Op::add_dest(key("192.0.2.10", 80), dest("198.51.100.1"), {}),
                      Op::add_service(key("192.0.2.11", 80), sched("rr", svc_flags::persistent)),
                      Op::add_dest(key("192.0.2.11", 80), dest("198.51.100.2"), {})};
    for (const auto& st : backend.run(ops)) EXPECT_TRUE(st);
    EXPECT_TRUE(text->batches.empty());
    ASSERT_EQ(batch->batches.size(), 1u);
    EXPECT_EQ(backend.transactions(), 1u);
    const std::string& bx = batch->batches[0];
    EXPECT_EQ(bx.rfind("add table ip halbd\ndelete table ip halbd\nadd table ip halbd\n", 0), 0u);
    EXPECT_TRUE(has(bx, "add map ip halbd tcp_slots_"));
    EXPECT_TRUE(has(bx, "add chain ip halbd tcp_192_0_2_11_80"));
    EXPECT_TRUE(has(bx, "add map ip halbd tcp_192_0_2_11_80_sticky"));
    EXPECT_TRUE(has(bx, "add chain ip halbd persist_tcp_192_0_2_11\n"));
    EXPECT_TRUE(has(bx, "add element ip halbd services { tcp . 192.0.2.10 . 80 : goto tcp_192_0_2_10_80 }"));
    // A real server going down: one more batch.
    ASSERT_TRUE(backend.delete_dest(key("192.0.2.10", 80), dest("198.51.100.1")));
    ASSERT_EQ(batch->batches.size(), 2u);
    EXPECT_TRUE(has(batch->batches[1], "flush chain ip halbd tcp_192_0_2_10_80\n"));
    // Deleting the service removes its dispatch element first.
    ASSERT_TRUE(backend.delete_service(key("192.0.2.10", 80)));
    EXPECT_EQ(batch->batches[2].rfind("delete element ip halbd services { tcp . 192.0.2.10 . 80 }\n", 0), 0u);
    EXPECT_TRUE(has(batch->batches[2], "delete chain ip halbd tcp_192_0_2_10_80\n"));
    EXPECT_TRUE(text->batches.empty());
}

// A refused batch fails every operation of the run and changes nothing.
TEST(NftBatch, RefusedBatchChangesNothing) {
    auto b = std::make_unique<BatchRecorder>();
    BatchRecorder* batch = b.get();
    NftBackend backend(std::make_unique<TextRecorder>(), std::move(b));
    batch->fail = "refused";
    const Op ops[] = {Op::add_service(key("192.0.2.10", 80), sched("mh")),
                      Op::add_dest(key("192.0.2.10", 80), dest("198.51.100.1"), {}),
                      Op::add_service(key("192.0.2.11", 80), sched("rr", svc_flags::persistent))};
    for (const auto& st : backend.run(ops)) EXPECT_FALSE(st);
    auto t = backend.dump();
    ASSERT_TRUE(t);
    EXPECT_TRUE(t.value().empty());
    EXPECT_EQ(backend.writes(), 0u);
    // Sent again, whole (tables too), once the kernel takes it.
    batch->fail.clear();
    for (const auto& st : backend.run(ops)) EXPECT_TRUE(st);
    EXPECT_EQ(batch->batches.back().rfind("add table ip halbd\n", 0), 0u);
    EXPECT_TRUE(has(batch->batches.back(), "add chain ip halbd tcp_192_0_2_11_80"));
}

// One netlink message per chain and rule, element lists cut at
// kElementsPerMessage, between BATCH_BEGIN and BATCH_END; op_of_seq names
// the op of each message.
TEST(NftBatch, EncodingSplitsElementMessages) {
    const Service s = service(key("192.0.2.10", 80), sched("mh"), {dest("198.51.100.1")});
    const NlCommands c = nl_service_add(s);
    NlBatch all = c.main;
    all.insert(all.end(), c.slots.begin(), c.slots.end());
    const EncodedBatch e = encode(all, 100);
    const size_t element_messages = (4093 + kElementsPerMessage - 1) / kElementsPerMessage;
    // begin, chain, 2 rules, dispatch, the slot messages, end
    ASSERT_EQ(e.op_of_seq.size(), 1 + 3 + 1 + element_messages + 1);
    EXPECT_EQ(e.op_of_seq.front(), size_t(-1));
    EXPECT_EQ(e.op_of_seq[1], 0u);
    EXPECT_EQ(e.op_of_seq[e.op_of_seq.size() - 2], all.size() - 1);
    std::vector<uint16_t> types;
    uint32_t seq = 100;
    for (size_t at = 0; at < e.bytes.size();) {
        const auto* h = reinterpret_cast<const nlmsghdr*>(e.bytes.data() + at);
        ASSERT_GE(h->nlmsg_len, sizeof(nlmsghdr));
        ASSERT_LT(h->nlmsg_len, 65536u);
        EXPECT_EQ(h->nlmsg_seq, seq++);
        types.push_back(h->nlmsg_type);
        at += NLMSG_ALIGN(h->nlmsg_len);
    }
    ASSERT_EQ(types.size(), e.op_of_seq.size());
    EXPECT_EQ(types.front(), NFNL_MSG_BATCH_BEGIN);
    EXPECT_EQ(types.back(), NFNL_MSG_BATCH_END);
    EXPECT_EQ(types[1], (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWCHAIN);
    EXPECT_EQ(types[2], (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWRULE);
    EXPECT_EQ(types[5], (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWSETELEM);
}
