// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// Unit tests for the table-driven parser (config/parser.hh): dispatch,
// error recovery and typed argument conversion, fed by a tiny in-test token
// source so the parser is tested independently of the lexer.
#include <gtest/gtest.h>

#include <sstream>

#include "config/parser.hh"

namespace halbd::config {
namespace {

// Splits text into words, braces and line ends; no quoting, no comments.
class WordSource : public TokenSource {
public:
    explicit WordSource(const std::string& text) {
        std::istringstream in(text);
        std::string line;
        uint32_t lineno = 0;
        while (std::getline(in, line)) {
            ++lineno;
            bool any = false;
            size_t i = 0;
            while (i < line.size()) {
                if (line[i] == ' ') { ++i; continue; }
                Token t;
                t.loc = {1, lineno, static_cast<uint32_t>(i + 1)};
                if (line[i] == '{' || line[i] == '}') {
                    t.kind = line[i] == '{' ? TokenKind::LBrace : TokenKind::RBrace;
                    t.text = line.substr(i, 1);
                    ++i;
                } else {
                    size_t j = line.find_first_of(" {}", i);
                    if (j == std::string::npos) j = line.size();
                    t.kind = TokenKind::Word;
                    t.text = line.substr(i, j - i);
                    i = j;
                }
                tokens_.push_back(t);
                any = true;
            }
            if (any) tokens_.push_back({TokenKind::EndOfLine, "", {1, lineno, 1}, false});
        }
    }
    Token next() override {
        if (pos_ < tokens_.size()) return tokens_[pos_++];
        return {TokenKind::End, "", {1, 999, 1}, false};
    }

private:
    std::vector<Token> tokens_;
    size_t pos_ = 0;
};

struct Server {
    int weight = -1;
    Duration timeout{};
    std::vector<std::string> peers;
};
struct Top {
    std::vector<Server> servers;
    bool flag = false;
    bool strict = false;
    uint64_t quorum = 0;
    std::string name;
};

const KeywordTable<Server>& server_table() {
    static const KeywordTable<Server> t("real_server", {
        {"weight", [](Server& s, Args& a) {
             if (a.count(1))
                 if (auto v = a.uint(0, 0, 65535)) s.weight = static_cast<int>(*v);
         }},
        {"nb_get_retry", [](Server& s, Args& a) {
             if (auto v = a.uint(0, 0, 100)) s.weight = static_cast<int>(*v);
         }, kDeprecated, "retry"},
        {"connect_timeout", [](Server& s, Args& a) {
             if (auto v = a.timer(0, Duration{}, std::chrono::seconds(100))) s.timeout = *v;
         }},
        {"unicast_peer", [](Server& s, Args& a) {
             a.parser().list(a, [&](Args& item) { s.peers.push_back(item.keyword()); });
         }},
        {"smtp_alert", nullptr, kUnimplemented, "no SMTP alerts"},
        {"old_alert", nullptr, kDeprecated, "smtp_alert"},
        {"old_timeout", nullptr, kDeprecated, "connect_timeout"},
        {"nat_mask", nullptr, kObsolete, "masks come from the routing table"},
    });
    return t;
}

const KeywordTable<Top>& top_table() {
    static const KeywordTable<Top> t("", {
        {"real_server", [](Top& top, Args& a) {
             top.servers.emplace_back();
             a.parser().block(a, server_table(), top.servers.back());
         }},
        {"flag", [](Top& top, Args& a) {
             if (auto v = a.boolean(0)) top.flag = *v;
         }},
        {"strict", [](Top& top, Args& a) { if (a.at_most(0)) top.strict = true; }, kFlag},
        {"quorum", [](Top& top, Args& a) {
             if (auto v = a.uint_or(0, 1, 100, 1)) top.quorum = *v;
         }},
        {"name", [](Top& top, Args& a) { if (a.exactly(1)) top.name = a.str(0); }},
    });
    return t;
}

struct Parsed {
    Top top;
    Diagnostics diags;
    std::vector<std::string> messages;
    explicit Parsed(const std::string& text) {
        WordSource src(text);
        Parser p(src, diags);
        p.parse_top(top_table(), top);
        SourceManager sm;
        sm.add("t.conf");
        for (const auto& d : diags.items()) messages.push_back(diags.format(sm, d));
    }
};

TEST(Parser, DispatchesNestedBlocks) {
    Parsed r("real_server {\n weight 3\n connect_timeout 2.5\n}\nflag off\n");
    ASSERT_EQ(r.top.servers.size(), 1u);
    EXPECT_EQ(r.top.servers[0].weight, 3);
    EXPECT_EQ(r.top.servers[0].timeout, std::chrono::milliseconds(2500));
    EXPECT_FALSE(r.top.flag);
    EXPECT_TRUE(r.messages.empty());
}

TEST(Parser, BraceOnNextLineAndOneLineBlocks) {
    Parsed r("real_server\n{\n weight 3 }\nreal_server { weight 4 }\n");
    ASSERT_EQ(r.top.servers.size(), 2u);
    EXPECT_EQ(r.top.servers[0].weight, 3);
    EXPECT_EQ(r.top.servers[1].weight, 4);
    EXPECT_TRUE(r.messages.empty()) << r.messages[0];
}

TEST(Parser, UnknownKeywordSuggestsAndContinues) {
    Parsed r("real_server {\n wieght 3\n weight 5\n}\n");
    ASSERT_EQ(r.messages.size(), 1u);
    EXPECT_EQ(r.messages[0],
              "t.conf:2:2: error: unknown keyword 'wieght' in 'real_server'; did you mean 'weight'?");
    EXPECT_EQ(r.top.servers[0].weight, 5);
}

TEST(Parser, UnknownBlockIsSkippedWhole) {
    Parsed r("bogus_block {\n weight 1\n inner { x }\n}\nflag\n");
    ASSERT_EQ(r.diags.error_count(), 1u);
    EXPECT_TRUE(r.top.flag);
    EXPECT_EQ(r.messages[0], "t.conf:1:1: error: unknown keyword 'bogus_block' at top level");
}

TEST(Parser, DeprecatedObsoleteAndUnimplemented) {
    Parsed r("real_server {\n nb_get_retry 3\n nat_mask 255.255.255.0\n smtp_alert { a b }\n}\n");
    ASSERT_EQ(r.messages.size(), 3u);
    EXPECT_EQ(r.diags.error_count(), 0u);
    EXPECT_EQ(r.messages[0], "t.conf:2:2: warning: 'nb_get_retry' is deprecated; use 'retry' instead");
    EXPECT_EQ(r.messages[1], "t.conf:3:2: warning: 'nat_mask' is obsolete and ignored: masks come from the routing table");
    EXPECT_EQ(r.messages[2], "t.conf:4:2: warning: 'smtp_alert' is recognised but not implemented by halbd; ignored (no SMTP alerts)");
    EXPECT_EQ(r.top.servers[0].weight, 3);
}

// An old name with no handler of its own is treated as its modern keyword,
// implemented or not, after the deprecation warning.
TEST(Parser, DeprecatedNameFollowsItsModernKeyword) {
    Parsed r("real_server {\n old_alert { a b }\n old_timeout 2\n}\n");
    ASSERT_EQ(r.messages.size(), 3u);
    EXPECT_EQ(r.diags.error_count(), 0u);
    EXPECT_EQ(r.messages[0], "t.conf:2:2: warning: 'old_alert' is deprecated; use 'smtp_alert' instead");
    EXPECT_EQ(r.messages[1], "t.conf:2:2: warning: 'smtp_alert' is recognised but not implemented by halbd; ignored (no SMTP alerts)");
    EXPECT_EQ(r.messages[2], "t.conf:3:2: warning: 'old_timeout' is deprecated; use 'connect_timeout' instead");
    EXPECT_EQ(r.top.servers[0].timeout, std::chrono::seconds(2));
}

TEST(Parser, ReportsEveryErrorInOneRun) {
    Parsed r("real_server {\n weight 70000\n weight abc\n connect_timeout 1.x\n weight 1 2 3\n}\nflag maybe\n");
    ASSERT_EQ(r.messages.size(), 5u);
    EXPECT_EQ(r.messages[0], "t.conf:2:9: error: 'weight' value 70000 is out of range 0-65535");
    EXPECT_EQ(r.messages[1], "t.conf:3:9: error: 'weight' expects a number, got 'abc'");
    EXPECT_EQ(r.messages[2], "t.conf:4:18: error: 'connect_timeout' expects a time in seconds (e.g. 1 or 0.5), got '1.x'");
    // Extra words are what keepalived ignores: a warning, and the handler
    // reads only what it takes.
    EXPECT_EQ(r.messages[3], "t.conf:5:11: warning: 'weight' takes 1 argument; ignoring '2 3', as keepalived does");
    EXPECT_EQ(r.top.servers[0].weight, 1);
    EXPECT_EQ(r.messages[4], "t.conf:7:6: error: 'flag' expects on|off|true|false|yes|no, got 'maybe'");
}

// keepalived's flag handlers never read their arguments: any value turns
// the flag on; only a value that reads as "off" or as no boolean is warned.
TEST(Parser, FlagKeywordsTakeAnyValueAsKeepalivedDoes) {
    for (const char* v : {"", " 1", " yes", " on", " true"}) {
        Parsed r(std::string("strict") + v + "\n");
        EXPECT_TRUE(r.top.strict) << v;
        EXPECT_TRUE(r.messages.empty()) << v << ": " << r.messages[0];
    }
    Parsed off("strict 0\n");
    EXPECT_TRUE(off.top.strict);
    ASSERT_EQ(off.messages.size(), 1u);
    EXPECT_EQ(off.messages[0], "t.conf:1:8: warning: 'strict' is a flag: keepalived ignores '0' and turns it on, "
                               "and so does halbd; remove the line to leave it off");
    Parsed junk("strict please now\n");
    EXPECT_TRUE(junk.top.strict);
    ASSERT_EQ(junk.messages.size(), 1u);
    EXPECT_EQ(junk.messages[0], "t.conf:1:8: warning: 'strict' is a flag and takes no value; ignoring 'please' and what follows");
}

TEST(Parser, OutOfRangeReplacedWhereKeepalivedReplacesIt) {
    Parsed r("quorum 0\n");
    EXPECT_EQ(r.top.quorum, 1u);
    ASSERT_EQ(r.messages.size(), 1u);
    EXPECT_EQ(r.messages[0], "t.conf:1:8: warning: 'quorum' value 0 is out of range 1-100; using 1 as keepalived does");
    Parsed big("quorum 99999999999999999999999\n");
    EXPECT_EQ(big.top.quorum, 1u);
    EXPECT_EQ(big.diags.error_count(), 0u);
    Parsed word("quorum many\n");
    EXPECT_EQ(word.top.quorum, 0u);
    ASSERT_EQ(word.messages.size(), 1u);
    EXPECT_EQ(word.messages[0], "t.conf:1:8: error: 'quorum' expects a number, got 'many'");
}

TEST(Parser, ExactlyKeepsExtraWordsAnError) {
    Parsed r("name a b\n");
    EXPECT_EQ(r.top.name, "");
    ASSERT_EQ(r.messages.size(), 1u);
    EXPECT_EQ(r.messages[0], "t.conf:1:8: error: 'name' takes 1 argument, got 2 (unexpected 'b')");
}

TEST(Parser, MissingAndUnexpectedBlocks) {
    Parsed r("real_server\nflag {\n x\n}\n");
    ASSERT_EQ(r.messages.size(), 2u);
    EXPECT_EQ(r.messages[0], "t.conf:1:1: error: expected '{' after 'real_server'");
    EXPECT_EQ(r.messages[1], "t.conf:2:1: error: 'flag' does not take a block");
}

TEST(Parser, UnterminatedAndUnmatched) {
    Parsed r("}\nreal_server {\n weight 1\n");
    ASSERT_EQ(r.messages.size(), 2u);
    EXPECT_EQ(r.messages[0], "t.conf:1:1: error: unmatched '}'");
    EXPECT_EQ(r.messages[1], "t.conf:2:1: error: unterminated block 'real_server': missing '}'");
}

TEST(Parser, ListBlocks) {
    Parsed r("real_server {\n unicast_peer {\n 10.0.0.1\n 10.0.0.2\n }\n}\n");
    ASSERT_TRUE(r.messages.empty());
    EXPECT_EQ(r.top.servers[0].peers, (std::vector<std::string>{"10.0.0.1", "10.0.0.2"}));
}

TEST(Parser, DeepNestingDoesNotRecurse) {
    std::string text;
    for (int i = 0; i < 10000; ++i) text += "x {\n";
    for (int i = 0; i < 10000; ++i) text += "}\n";
    text += "flag\n";
    Parsed r(text);
    EXPECT_EQ(r.diags.error_count(), 1u);
    EXPECT_TRUE(r.top.flag);
}

TEST(Parser, TimerIsExactToTheMicrosecond) {
    Parsed r("real_server {\n connect_timeout 0.000001\n}\n");
    EXPECT_EQ(r.top.servers[0].timeout, std::chrono::microseconds(1));
    Parsed r2("real_server {\n connect_timeout 101\n}\n");
    ASSERT_EQ(r2.messages.size(), 1u);
    EXPECT_EQ(r2.messages[0], "t.conf:2:18: error: 'connect_timeout' value 101 is out of range 0-100 seconds");
}

TEST(ClosestMatch, OnlyPlausibleTypos) {
    std::vector<std::string_view> names{"virtual_router_id", "priority", "advert_int"};
    EXPECT_EQ(closest_match("virtual_routerid", names), "virtual_router_id");
    EXPECT_EQ(closest_match("PRIORITY", names), "priority");
    EXPECT_EQ(closest_match("prioirty", names), "priority");
    EXPECT_FALSE(closest_match("completely_different", names));
}

}  // namespace
}  // namespace halbd::config
