// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// Unit tests of the route_announce block (config/keywords_announce.cc):
// keywords and defaults, errors at the offending token (bad names, unknown
// addresses, duplicates) and the `halbd -d` round trip.
#include <gtest/gtest.h>

#include "config_test_util.hh"

namespace halbd::config {
namespace {

using namespace test_util;

const char* kLvs = R"(
virtual_server 192.0.2.10 80 {
    lvs_sched rr
    protocol TCP
    real_server 198.51.100.1 80 { }
}
virtual_server 192.0.2.10 443 {
    protocol TCP
    real_server 198.51.100.1 443 { }
}
)";

LoadedConfig load(const std::string& block) { return LoadedConfig(std::string(kLvs) + block, options()); }

TEST(RouteAnnounceConfigTest, AbsentWithoutTheBlock) {
    LoadedConfig c(kLvs, options());
    ASSERT_TRUE(c.r.model) << c.all();
    EXPECT_FALSE(c.r.model->route_announce);
}

TEST(RouteAnnounceConfigTest, KeywordsFillTheModel) {
    LoadedConfig c = load("route_announce {\n bird_socket /run/lb/bird.ctl\n announce 192.0.2.10 vip_10 vip_10b\n}\n");
    ASSERT_TRUE(c.r.model) << c.all();
    const RouteAnnounce& r = *c.r.model->route_announce;
    EXPECT_EQ(r.bird_socket, "/run/lb/bird.ctl");
    ASSERT_EQ(r.routes.size(), 1u);
    EXPECT_EQ(r.routes[0].address.to_string(), "192.0.2.10");
    EXPECT_EQ(r.routes[0].protocols, (std::vector<std::string>{"vip_10", "vip_10b"}));
}

TEST(RouteAnnounceConfigTest, WithdrawGraceDefaultsToOneSecondAndIsBounded) {
    LoadedConfig c = load("route_announce {\n announce 192.0.2.10 vip\n}\n");
    ASSERT_TRUE(c.r.model) << c.all();
    EXPECT_EQ(c.r.model->route_announce->withdraw_grace, Duration(std::chrono::seconds(1)));
    LoadedConfig z = load("route_announce {\n withdraw_grace 0.25\n announce 192.0.2.10 vip\n}\n");
    ASSERT_TRUE(z.r.model) << z.all();
    EXPECT_EQ(z.r.model->route_announce->withdraw_grace, Duration(std::chrono::milliseconds(250)));
    LoadedConfig bad = load("route_announce {\n withdraw_grace 61\n announce 192.0.2.10 vip\n}\n");
    EXPECT_FALSE(bad.r.model) << bad.all();
}

TEST(RouteAnnounceConfigTest, DefaultSocketIsBirds) {
    LoadedConfig c = load("route_announce {\n announce 192.0.2.10 vip_10\n}\n");
    ASSERT_TRUE(c.r.model) << c.all();
    EXPECT_EQ(c.r.model->route_announce->bird_socket, "/run/bird/bird.ctl");
}

TEST(RouteAnnounceConfigTest, AnAddressWithoutVirtualServerIsRefusedAtIt) {
    LoadedConfig c = load("route_announce {\n announce 192.0.2.11 vip_11\n}\n");
    EXPECT_FALSE(c.r.model);
    EXPECT_TRUE(c.has("t.conf:12:11: error: route_announce: no virtual_server on 192.0.2.11")) << c.all();
}

TEST(RouteAnnounceConfigTest, ABadProtocolNameNeverReachesBird) {
    LoadedConfig c = load("route_announce {\n announce 192.0.2.10 \"vip;disable all\"\n}\n");
    EXPECT_FALSE(c.r.model);
    EXPECT_TRUE(c.has("t.conf:12:22: error: bad protocol name")) << c.all();
    LoadedConfig d = load("route_announce {\n announce 192.0.2.10 9vip\n}\n");
    EXPECT_FALSE(d.r.model);
    EXPECT_TRUE(d.has("expected a BIRD symbol")) << d.all();
}

TEST(RouteAnnounceConfigTest, DuplicatesAreRefused) {
    LoadedConfig c = load("route_announce {\n announce 192.0.2.10 a\n announce 192.0.2.10 b\n}\n");
    EXPECT_FALSE(c.r.model);
    EXPECT_TRUE(c.has("t.conf:13:11: error: address 192.0.2.10 is already announced at line 12")) << c.all();
    LoadedConfig d = load("route_announce {\n announce 192.0.2.10 a a\n}\n");
    EXPECT_FALSE(d.r.model);
    EXPECT_TRUE(d.has("protocol 'a' is already announced")) << d.all();
    LoadedConfig e = load("route_announce {\n}\nroute_announce {\n}\n");
    EXPECT_FALSE(e.r.model);
    EXPECT_TRUE(e.has("only one 'route_announce' block is allowed")) << e.all();
}

TEST(RouteAnnounceConfigTest, RelativeSocketAndMissingProtocolAreRefused) {
    LoadedConfig c = load("route_announce {\n bird_socket bird.ctl\n}\n");
    EXPECT_FALSE(c.r.model);
    EXPECT_TRUE(c.has("t.conf:12:14: error: 'bird_socket' needs an absolute path")) << c.all();
    LoadedConfig d = load("route_announce {\n announce 192.0.2.10\n}\n");
    EXPECT_FALSE(d.r.model);
}

TEST(RouteAnnounceConfigTest, AnEmptyBlockWarns) {
    LoadedConfig c = load("route_announce {\n}\n");
    ASSERT_TRUE(c.r.model) << c.all();
    EXPECT_TRUE(c.has("t.conf:11:1: warning: route_announce has no 'announce' line")) << c.all();
}

TEST(RouteAnnounceConfigTest, TheDumpLoadsAgainToTheSameDump) {
    LoadedConfig c = load("route_announce {\n announce 192.0.2.10 vip_10 vip_10b\n}\n");
    ASSERT_TRUE(c.r.model) << c.all();
    const std::string d = dump_text(*c.r.model);
    EXPECT_NE(d.find("route_announce {\n    bird_socket /run/bird/bird.ctl\n    withdraw_grace 1\n    announce 192.0.2.10 vip_10 vip_10b\n}"),
              std::string::npos) << d;
    LoadedConfig again(d, options());
    ASSERT_TRUE(again.r.model) << again.all();
    EXPECT_EQ(dump_text(*again.r.model), d);
}

TEST(RouteAnnounceConfigTest, FrrKeywordsFillTheModelAndDumpAgain) {
    LoadedConfig c = load("route_announce {\n daemon frr\n vtysh /opt/frr/vtysh\n frr_vty_socket /run/frr/n1\n"
                          " frr_asn 4200000001\n frr_route_map LB-out\n announce 192.0.2.10\n}\n");
    ASSERT_TRUE(c.r.model) << c.all();
    const RouteAnnounce& r = *c.r.model->route_announce;
    EXPECT_EQ(r.daemon, AnnounceDaemon::Frr);
    EXPECT_EQ(r.vtysh, "/opt/frr/vtysh");
    EXPECT_EQ(r.frr_vty_socket, "/run/frr/n1");
    EXPECT_EQ(r.frr_asn, 4200000001u);
    EXPECT_EQ(r.frr_route_map, "LB-out");
    ASSERT_EQ(r.routes.size(), 1u);
    EXPECT_TRUE(r.routes[0].protocols.empty());
    const std::string d = dump_text(*c.r.model);
    EXPECT_NE(d.find("route_announce {\n    daemon frr\n    vtysh /opt/frr/vtysh\n"), std::string::npos) << d;
    LoadedConfig again(d, options());
    ASSERT_TRUE(again.r.model) << again.all();
    EXPECT_EQ(dump_text(*again.r.model), d);
}

TEST(RouteAnnounceConfigTest, FrrMistakesAreRefusedAtTheToken) {
    LoadedConfig c = load("route_announce {\n daemon frr\n announce 192.0.2.10 vip_10\n}\n");
    EXPECT_FALSE(c.r.model);
    EXPECT_TRUE(c.has("t.conf:13:11: error: with 'daemon frr' an announce line names no protocol")) << c.all();
    LoadedConfig d = load("route_announce {\n daemon frr\n frr_route_map \"LB out\"\n announce 192.0.2.10\n}\n");
    EXPECT_FALSE(d.r.model);
    EXPECT_TRUE(d.has("t.conf:13:16: error: bad route-map name")) << d.all();
    LoadedConfig e = load("route_announce {\n daemon quagga\n}\n");
    EXPECT_FALSE(e.r.model);
    EXPECT_TRUE(e.has("t.conf:12:9: error:")) << e.all();
    LoadedConfig f = load("route_announce {\n daemon frr\n vtysh vtysh\n frr_asn 0\n}\n");
    EXPECT_FALSE(f.r.model);
    EXPECT_TRUE(f.has("t.conf:13:8: error: 'vtysh' needs an absolute path")) << f.all();
    EXPECT_TRUE(f.has("t.conf:14:10: error:")) << f.all();
}

TEST(RouteAnnounceConfigTest, KeywordsOfTheOtherDaemonWarn) {
    LoadedConfig c = load("route_announce {\n daemon frr\n bird_socket /run/bird/bird.ctl\n announce 192.0.2.10\n}\n");
    ASSERT_TRUE(c.r.model) << c.all();
    EXPECT_TRUE(c.has("t.conf:13:2: warning: 'bird_socket' is ignored with 'daemon frr'")) << c.all();
    LoadedConfig d = load("route_announce {\n frr_asn 65001\n announce 192.0.2.10 vip\n}\n");
    ASSERT_TRUE(d.r.model) << d.all();
    EXPECT_TRUE(d.has("t.conf:12:2: warning: FRR keywords (vtysh, frr_*) are ignored without 'daemon frr'")) << d.all();
}

}  // namespace
}  // namespace halbd::config
