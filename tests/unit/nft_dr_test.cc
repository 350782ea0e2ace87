// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/nft_dr_test.cc: lb_kind DR on the nftables backend: the exact
// text of table `netdev halbd` (dr_ruleset.hh), the same Maglev slots and
// seed as the NAT path, minimal changes through the backend, and the load-
// time refusals of what a stateless DR path cannot do (rr/wrr, persistence,
// fwmark, mixed methods).
#include <gtest/gtest.h>

#include "config/forward_capabilities.hh"
#include "config_test_util.hh"
#include "forward/nft/dr_ruleset.hh"
#include "forward/nft/nft_backend.hh"
#include "forward/nft/nft_capabilities.hh"
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
DestKey dest(const char* a) { return DestKey{*net::IpAddress::parse(a), 8080}; }
DestParams route(int32_t weight = 1) {
    DestParams p;
    p.method = Method::Route;
    p.weight = weight;
    return p;
}
ServiceParams sched(const char* s) {
    ServiceParams p;
    p.scheduler = s;
    return p;
}
Service dr_service(std::initializer_list<const char*> reals, const char* s = "mh") {
    Service svc{key("192.0.2.200", 8080), sched(s), {}};
    for (const char* r : reals) svc.dests[dest(r)] = route();
    return svc;
}
// Every real server on eth0, except 203.0.113.x (no connected subnet).
core::Result<std::string> eth0(const net::IpAddress& a) {
    if (a.to_string().starts_with("203.0.113.")) return core::Error{ENETUNREACH, "not on a connected subnet"};
    return a.to_string().starts_with("192.0.2.") ? std::string("eth1") : std::string("eth0");
}
size_t lines_with(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
    return n;
}

}  // namespace

TEST(NftDr, ServiceText) {
    Service s = dr_service({"198.51.100.21", "198.51.100.22"});
    const std::string seed = std::to_string(hash_seed(s.key));
    const std::string text = dr_service_add(s, "eth0");
    const std::string head =
        "add chain netdev halbd tcp_192_0_2_200_8080 { comment \"virtual_server 192.0.2.200 8080 TCP (DR)\"; }\n"
        "add map netdev halbd tcp_192_0_2_200_8080_slots { typeof numgen inc mod 2 : ip daddr; }\n"
        "add rule netdev halbd tcp_192_0_2_200_8080 fwd ip to jhash ip saddr mod 4093 seed " + seed +
        " map @tcp_192_0_2_200_8080_slots device \"eth0\"\n"
        "add rule netdev halbd tcp_192_0_2_200_8080 drop\n"
        "add element netdev halbd dr_services { tcp . 192.0.2.200 . 8080 : goto tcp_192_0_2_200_8080 }\n"
        "add element netdev halbd tcp_192_0_2_200_8080_slots { 0 : ";
    EXPECT_EQ(text.substr(0, head.size()), head);
    EXPECT_EQ(lines_with(text, "add element netdev halbd tcp_192_0_2_200_8080_slots"), 1u);
    EXPECT_EQ(dr_ingress_add("eth0"),
              "add chain netdev halbd ingress_eth0 { type filter hook ingress device \"eth0\" priority 0; policy "
              "accept; }\n"
              "add rule netdev halbd ingress_eth0 meta pkttype host meta protocol ip meta l4proto . ip daddr . th dport vmap "
              "@dr_services\n"
              "add rule netdev halbd ingress_eth0 meta pkttype host meta protocol ip6 meta l4proto . ip6 daddr . th dport vmap "
              "@dr_services6\n");
}

// IPv6 (tests/netns/nft-dr6.sh runs it on the kernel): ip6 throughout, the
// dispatch element in dr_services6.
TEST(NftDr, ServiceTextV6) {
    Service s{key("2001:db8:f::200", 8080), sched("mh"), {}};
    s.dests[dest("2001:db8:2::21")] = route();
    s.dests[dest("2001:db8:2::22")] = route();
    const std::string seed = std::to_string(hash_seed(s.key));
    const std::string text = dr_service_add(s, "eth0");
    const std::string head =
        "add chain netdev halbd tcp_2001_db8_f__200_8080 { comment \"virtual_server 2001:db8:f::200 8080 TCP (DR)\"; }\n"
        "add map netdev halbd tcp_2001_db8_f__200_8080_slots { typeof numgen inc mod 2 : ip6 daddr; }\n"
        "add rule netdev halbd tcp_2001_db8_f__200_8080 fwd ip6 to jhash ip6 saddr mod 4093 seed " + seed +
        " map @tcp_2001_db8_f__200_8080_slots device \"eth0\"\n"
        "add rule netdev halbd tcp_2001_db8_f__200_8080 drop\n"
        "add element netdev halbd dr_services6 { tcp . 2001:db8:f::200 . 8080 : goto tcp_2001_db8_f__200_8080 }\n"
        "add element netdev halbd tcp_2001_db8_f__200_8080_slots { 0 : 2001:db8:2::2";
    EXPECT_EQ(text.substr(0, head.size()), head);
    EXPECT_FALSE(has(text, "dr_services {")) << text;
}

// The DR path hashes as the NAT path does: same expression, same seed, same
// Maglev layout, so a DR node and a NAT node (and every DR node) agree.
TEST(NftDr, SameSlotsAndSeedAsNat) {
    Service dr = dr_service({"198.51.100.21", "198.51.100.22", "198.51.100.23"}, "sh");
    dr.params.flags = svc_flags::sched2;  // sh-port
    Service nat = dr;
    for (auto& [d, p] : nat.dests) p.method = Method::Masq;
    EXPECT_EQ(slot_layout(dr), slot_layout(nat));
    const std::string expr = scheduler_expr(nat, slot_layout(nat).size());
    EXPECT_TRUE(has(expr, "jhash ip saddr . th sport mod"));
    EXPECT_TRUE(has(dr_service_add(dr, "eth0"), "fwd ip to " + expr + " map")) << dr_service_add(dr, "eth0");
    EXPECT_TRUE(has(service_add(nat).main, expr));
}

TEST(NftDr, IsDrNeedsRealServersAllRouted) {
    EXPECT_FALSE(is_dr(dr_service({})));
    EXPECT_TRUE(is_dr(dr_service({"198.51.100.21"})));
    Service mixed = dr_service({"198.51.100.21", "198.51.100.22"});
    mixed.dests.begin()->second.method = Method::Masq;
    EXPECT_FALSE(is_dr(mixed));
}

class NftDrBackend : public ::testing::Test {
protected:
    NftDrBackend() {
        auto r = std::make_unique<Recorder>();
        rec = r.get();
        backend = std::make_unique<NftBackend>(std::move(r), nullptr, eth0);
    }
    std::vector<core::Status> run(std::initializer_list<Op> ops) { return backend->run(std::vector<Op>(ops)); }
    Recorder* rec;
    std::unique_ptr<NftBackend> backend;
    const ServiceKey k = key("192.0.2.200", 8080);
};

TEST_F(NftDrBackend, AddChangeRemove) {
    for (const auto& st : run({Op::add_service(k, sched("mh")), Op::add_dest(k, dest("198.51.100.21"), route()),
                               Op::add_dest(k, dest("198.51.100.22"), route()),
                               Op::add_dest(k, dest("198.51.100.23"), route())}))
        EXPECT_TRUE(st) << st.error().message;
    ASSERT_EQ(rec->batches.size(), 1u);
    const std::string& first = rec->batches[0];
    // The DR service is in table netdev halbd only, with one ingress chain.
    EXPECT_TRUE(has(first, "add table netdev halbd\ndelete table netdev halbd\nadd table netdev halbd\n"));
    EXPECT_EQ(lines_with(first, "type filter hook ingress device"), 1u);
    EXPECT_TRUE(has(first, "goto tcp_192_0_2_200_8080 }"));
    EXPECT_FALSE(has(first, "add chain ip halbd tcp_192_0_2_200_8080"));
    EXPECT_FALSE(has(first, "dnat ip to"));

    // Weight 0 (inhibit_on_failure): only the slots of that server change.
    Service before = dr_service({"198.51.100.21", "198.51.100.22", "198.51.100.23"});
    Service after = before;
    after.dests[dest("198.51.100.22")].weight = 0;
    size_t moved = 0;
    const auto a = slot_layout(before), b = slot_layout(after);
    for (size_t i = 0; i < a.size(); ++i) moved += a[i] != b[i];
    EXPECT_TRUE(run({Op::update_dest(k, dest("198.51.100.22"), route(0))})[0]);
    ASSERT_EQ(rec->batches.size(), 2u);
    const std::string& second = rec->batches[1];
    EXPECT_FALSE(has(second, "flush chain")) << "rules unchanged";
    EXPECT_FALSE(has(second, "ip halbd"));
    EXPECT_EQ(lines_with(second, " : "), moved);  // one "N : address" per moved slot
    EXPECT_GT(moved, a.size() / 4);
    EXPECT_LT(moved, a.size() / 2);
    EXPECT_FALSE(has(second, "198.51.100.22"));

    // The last real servers leave: the service goes back to the ip table
    // (which refuses new connections) and table netdev halbd goes away.
    EXPECT_TRUE(run({Op::delete_dest(k, dest("198.51.100.21")), Op::delete_dest(k, dest("198.51.100.22")),
                     Op::delete_dest(k, dest("198.51.100.23"))})[0]);
    const std::string& third = rec->batches[2];
    EXPECT_TRUE(has(third, "add chain ip halbd tcp_192_0_2_200_8080"));
    EXPECT_TRUE(third.ends_with("add table netdev halbd\ndelete table netdev halbd\n"));
}

TEST_F(NftDrBackend, RealServerOffLinkFailsTheRun) {
    auto st = run({Op::add_service(k, sched("sh")), Op::add_dest(k, dest("203.0.113.5"), route())});
    ASSERT_FALSE(st[1]);
    EXPECT_TRUE(has(st[1].error().message, "DR real server 203.0.113.5 of TCP 192.0.2.200:8080: not on a connected"))
        << st[1].error().message;
    EXPECT_TRUE(rec->batches.empty());
    // Real servers on two links: refused too (one `device` per rule).
    auto st2 = run({Op::add_service(k, sched("sh")), Op::add_dest(k, dest("198.51.100.21"), route()),
                    Op::add_dest(k, dest("192.0.2.30"), route())});
    ASSERT_FALSE(st2[2]);
    EXPECT_TRUE(has(st2[2].error().message, "reached through eth1 and eth0")) << st2[2].error().message;
}

namespace halbd::config {
namespace {
using namespace test_util;
LoadResult load_nft(const std::string& text) {
    LoadOptions o = options({}, "test");
    o.forwarding = forward::nft::capabilities();
    return load_text("test.conf", text, o);
}
std::string vs(const char* body, const char* head = "virtual_server 192.0.2.200 8080") {
    return std::string(head) + " {\n    protocol TCP\n    lb_kind DR\n" + body +
           "    real_server 198.51.100.21 8080 {\n    }\n}\n";
}
}  // namespace

TEST(NftDrConfig, HashSchedulersLoad) {
    for (const char* s : {"sh", "dh", "mh"}) expect_model(load_nft(vs((std::string("    lb_algo ") + s + "\n").c_str())));
}

TEST(NftDrConfig, StatefulChoicesRefusedWithWhy) {
    auto r = load_nft(vs("    lb_algo rr\n"));
    EXPECT_FALSE(r.model);
    EXPECT_EQ(r.messages(),
              std::vector<std::string>{
                  "test.conf:1:1: error: scheduler 'rr' with DR in virtual server 192.0.2.200:8080 on the nftables "
                  "forwarding backend: its DR path forwards each packet at ingress, before connection tracking, "
                  "with no per-connection state, so only a hash scheduler (dh, sh, mh) sends every packet of a "
                  "connection to the same real server"});
    EXPECT_TRUE(has_message(load_nft(vs("    lb_algo wrr\n")), "test.conf:1:1: error: scheduler 'wrr' with DR"));
    auto p = load_nft(vs("    lb_algo sh\n    persistence_timeout 60\n"));
    EXPECT_FALSE(p.model);
    EXPECT_TRUE(has_message(p, "test.conf:1:1: error: persistence with DR in virtual server 192.0.2.200:8080"))
        << all_messages(p);
    auto f = load_nft(vs("    lb_algo sh\n", "virtual_server fwmark 3"));
    EXPECT_FALSE(f.model);
    EXPECT_TRUE(has_message(f, "error: fwmark service with DR")) << all_messages(f);
    // The same text loads without a backend restriction (IPVS can).
    LoadOptions o = options({}, "test");
    expect_model(load_text("test.conf", vs("    lb_algo rr\n"), o));
}

}  // namespace halbd::config
