// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// Unit tests for the list of top-level sections (config/sections.hh): the
// built-in order, and a demo block that exists only here to prove that a new
// top-level block is wired (keywords, unknown-keyword hints, validation in
// order, dump) by one entry in a section list and nothing else in src/.
#include <gtest/gtest.h>

#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "config/dump.hh"
#include "config/lexer.hh"
#include "config/model.hh"
#include "config/sections.hh"

namespace halbd::config {
namespace {

// The demo block `demo_sync { peer ADDR  port N }`. A real block is a member
// of Model; a test cannot add one, so the demo keeps its state here.
struct DemoSync {
    Location loc;
    std::optional<net::IpAddress> peer;
    uint16_t port = 3780;
};
std::optional<DemoSync> g_demo;

const KeywordTable<DemoSync>& demo_table() {
    static const KeywordTable<DemoSync> t("demo_sync", {
        {"peer", [](DemoSync& d, Args& a) {
             if (a.count(1))
                 if (auto ip = a.ip(0)) d.peer = *ip;
         }},
        {"port", [](DemoSync& d, Args& a) {
             if (a.count(1))
                 if (auto p = a.port(0)) d.port = *p;
         }},
    });
    return t;
}

void add_demo_keywords(KeywordTable<Model>& top) {
    top.add({{"demo_sync", [](Model&, Args& a) {
                  if (!a.at_most(0)) return;
                  g_demo.emplace().loc = a.loc();
                  a.parser().block(a, demo_table(), *g_demo);
              }}});
}

// Runs after the built-in sections, so it may read what they resolved.
void validate_demo(Model& m, ValidateContext& ctx) {
    if (!g_demo) return;
    if (!g_demo->peer) ctx.diags.error(g_demo->loc, "demo_sync needs a peer");
    else if (m.global.router_id.empty()) ctx.diags.error(g_demo->loc, "router_id was not resolved first");
}

void dump_demo(const Model&, Dumper& out) {
    if (!g_demo) return;
    out.open("demo_sync");
    out.line("peer", *g_demo->peer);
    out.line("port", g_demo->port);
    out.close();
}

std::vector<Section> with_demo() {
    std::vector<Section> list(sections().begin(), sections().end());
    list.push_back({"demo", add_demo_keywords, validate_demo, dump_demo});
    return list;
}

struct Loaded {
    std::shared_ptr<Model> model;
    std::vector<std::string> msgs;
    bool has(std::string_view needle) const {
        for (const auto& m : msgs)
            if (m.find(needle) != std::string::npos) return true;
        return false;
    }
};

Loaded load(const std::string& text, std::span<const Section> list) {
    g_demo.reset();
    SourceManager sources;
    Diagnostics diags;
    Lexer lexer(sources, diags, LexerOptions{});
    lexer.open_text("demo.conf", text);
    ValidateContext ctx{diags, [](std::string_view) { return true; }, [](std::string_view) { return true; }};
    Loaded r;
    r.model = parse_model(lexer, ctx, list);
    for (const auto& d : diags.items()) r.msgs.push_back(diags.format(sources, d));
    return r;
}

std::string all(const Loaded& r) {
    std::string s;
    for (const auto& m : r.msgs) s += m + "\n";
    return s;
}

TEST(ConfigSections, BuiltinOrderIsGlobalVrrpLvsSync) {
    std::vector<std::string_view> names;
    for (const Section& s : sections()) {
        names.push_back(s.name);
        // "unimplemented" only warns, on effective values, so it runs last.
        if (s.name != "unimplemented") {
            EXPECT_NE(s.add_keywords, nullptr) << s.name;
        }
    }
    EXPECT_EQ(names, (std::vector<std::string_view>{"global", "vrrp", "lvs", "conntrack_sync", "route_announce",
                                                    "active_active", "unimplemented"}));
}

TEST(ConfigSections, DemoBlockParsesValidatesAndDumps) {
    const auto list = with_demo();
    Loaded r = load("global_defs {\n router_id lb1\n}\ndemo_sync {\n peer 192.0.2.1\n port 4000\n}\n", list);
    ASSERT_TRUE(r.model) << all(r);
    ASSERT_TRUE(g_demo);
    EXPECT_EQ(g_demo->peer->to_string(), "192.0.2.1");
    EXPECT_EQ(g_demo->port, 4000);
    std::ostringstream os;
    dump_model(*r.model, os, list);
    const std::string dump = os.str();
    EXPECT_NE(dump.find("demo_sync {\n    peer 192.0.2.1\n    port 4000\n}\n"), std::string::npos) << dump;
    // The sections print in list order: the demo after the built-in ones.
    EXPECT_LT(dump.find("global_defs {"), dump.find("demo_sync {"));
}

TEST(ConfigSections, DemoValidationErrorRefusesTheModel) {
    Loaded r = load("demo_sync {\n port 4000\n}\n", with_demo());
    EXPECT_FALSE(r.model);
    EXPECT_TRUE(r.has("demo.conf:1:1: error: demo_sync needs a peer")) << all(r);
}

TEST(ConfigSections, DemoKeywordsGetTheParsersDiagnostics) {
    Loaded r = load("demo_synk {\n}\ndemo_sync {\n peer 192.0.2.1\n prot 1\n}\n", with_demo());
    EXPECT_FALSE(r.model);
    EXPECT_TRUE(r.has("demo.conf:1:1: error: unknown keyword 'demo_synk' at top level; did you mean 'demo_sync'?"))
        << all(r);
    EXPECT_TRUE(r.has("demo.conf:5:2: error: unknown keyword 'prot' in 'demo_sync'; did you mean 'port'?"))
        << all(r);
}

TEST(ConfigSections, BuiltinListDoesNotKnowTheDemo) {
    Loaded r = load("demo_sync {\n peer 192.0.2.1\n}\n", sections());
    EXPECT_FALSE(r.model);
    EXPECT_FALSE(g_demo);
    EXPECT_TRUE(r.has("demo.conf:1:1: error: unknown keyword 'demo_sync' at top level")) << all(r);
}

}  // namespace
}  // namespace halbd::config
