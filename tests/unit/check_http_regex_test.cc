// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/check_http_regex_test.cc: the url `regex` of HTTP_GET/SSL_GET.
// BodyRegex (check/http_regex.hh) fed as a body streams in: a match within
// one read, across two reads (and byte by byte), no match, the offsets
// window, the end of the body ($), a body much larger than what it keeps,
// streamed verdicts equal to whole-body ones on random input,
// and through ResponseParser a chunked body (matched as sent, framing
// included, as keepalived). config::Regex: options, and a bad pattern is a
// load error at its file:line:col, so a reload with one is refused.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "check/http_regex.hh"
#include "check/http_response.hh"
#include "config/load.hh"
#include "config/regex.hh"

namespace halbd::check::http {
namespace {

std::shared_ptr<const config::Regex> compile(const std::string& pattern, std::vector<std::string> options = {}) {
    auto r = config::Regex::compile(pattern, options);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : nullptr;
}

// Feeds body in pieces of `step` bytes, then ends it.
bool matches(const config::Regex& re, const std::string& body, size_t step, uint64_t min = 0,
             std::optional<uint64_t> max = {}, BodyRegex* out = nullptr) {
    BodyRegex local;
    BodyRegex& m = out ? *out : local;
    m.reset(re, min, max);
    for (size_t i = 0; i < body.size(); i += step) m.feed(body.data() + i, std::min(step, body.size() - i));
    m.finish();
    return m.matched();
}

TEST(CheckHttpRegex, MatchWithinOneRead) {
    auto re = compile("status: (ok|degraded)");
    BodyRegex m;
    m.reset(*re);
    m.feed("<p>status: ok</p>", 17);
    EXPECT_TRUE(m.matched());  // decided at once, before the end of the body
    EXPECT_EQ(m.match_offset(), 3u);
    EXPECT_EQ(m.retained(), 0u);
}

TEST(CheckHttpRegex, MatchAcrossTwoReads) {
    auto re = compile("status: (ok|degraded)");
    BodyRegex m;
    m.reset(*re);
    const std::string a = "<html>" + std::string(1000, 'x') + "stat", b = "us: degraded</html>";
    m.feed(a.data(), a.size());
    EXPECT_FALSE(m.matched());
    EXPECT_LT(m.retained(), 10u);  // the partial "stat" and a byte of context, not the page
    m.feed(b.data(), b.size());
    EXPECT_TRUE(m.matched());
    EXPECT_EQ(m.match_offset(), 1006u);
    // Every split point, and byte by byte.
    const std::string body = a + b;
    for (size_t step : {1, 2, 3, 7, 1009}) EXPECT_TRUE(matches(*re, body, step)) << step;
}

TEST(CheckHttpRegex, NoMatch) {
    auto re = compile("status: ok");
    BodyRegex m;
    EXPECT_FALSE(matches(*re, "status: failing\nstatus: o", 5, 0, {}, &m));
    EXPECT_TRUE(m.error().empty());
    EXPECT_FALSE(matches(*re, "", 1));
    EXPECT_TRUE(matches(*compile("^$"), "", 1));  // an empty body is searched too
}

TEST(CheckHttpRegex, LookbehindAndWordBoundaryAcrossReads) {
    // The bytes before a read stay visible to (?<=) and \b.
    EXPECT_TRUE(matches(*compile("(?<=state=)up"), "xx state=up", 1));
    EXPECT_FALSE(matches(*compile("(?<=state=)up"), "xx state up", 1));
    EXPECT_TRUE(matches(*compile("\\bok\\b"), "is ok.", 1));
    EXPECT_FALSE(matches(*compile("\\bok\\b"), "isok.", 1));
    // ^ is the body's start (or a line's, multiline), never a read's.
    EXPECT_FALSE(matches(*compile("^ok"), "not ok", 1));
    EXPECT_TRUE(matches(*compile("^ok", {"multiline"}), "not\nok", 1));
}

TEST(CheckHttpRegex, EndOfBodyDecidesDollarAndGreedyTails) {
    EXPECT_TRUE(matches(*compile("</html>\\s*$"), "<html></html>\n", 4));
    EXPECT_FALSE(matches(*compile("</html>$"), "<html></html>x", 4));
    EXPECT_TRUE(matches(*compile("OK\\d+"), "code OK12", 2));
}

TEST(CheckHttpRegex, Options) {
    EXPECT_FALSE(matches(*compile("STATUS"), "status", 3));
    EXPECT_TRUE(matches(*compile("STATUS", {"caseless"}), "status", 3));
    EXPECT_TRUE(matches(*compile("a.b", {"dotall"}), "a\nb", 1));
    EXPECT_FALSE(matches(*compile("a.b"), "a\nb", 1));
}

TEST(CheckHttpRegex, OffsetsBoundWhereTheMatchStarts) {
    auto re = compile("ok");
    const std::string body = "ok........ok";  // matches at 0 and 10
    for (size_t step : {1, 4, 100}) {
        BodyRegex m;
        EXPECT_TRUE(matches(*re, body, step, 0, 0, &m)) << step;  // regex_max_offset 0: only at the start
        EXPECT_EQ(m.match_offset(), 0u);
        EXPECT_TRUE(matches(*re, body, step, 1, {}, &m)) << step;  // min 1 skips the first
        EXPECT_EQ(m.match_offset(), 10u);
        EXPECT_TRUE(matches(*re, body, step, 10, 10, &m)) << step;  // both inclusive
        EXPECT_FALSE(matches(*re, body, step, 1, 9)) << step;
        EXPECT_FALSE(matches(*re, body, step, 11)) << step;
        EXPECT_FALSE(matches(*re, body, step, 1000)) << step;  // past the body
    }
    // Bytes before regex_min_offset are still context for a lookbehind.
    EXPECT_TRUE(matches(*compile("(?<=a)b"), "xxab", 1, 3));
}

TEST(CheckHttpRegex, LargeBodyIsSearchedInBoundedMemory) {
    auto re = compile("needle-\\d{4}");
    BodyRegex m;
    m.reset(*re);
    const std::string chunk(16 * 1024, 'h');
    size_t most = 0;
    for (int i = 0; i < 4096; ++i) {  // 64 MiB of hay
        m.feed(chunk.data(), chunk.size());
        most = std::max(most, m.retained());
    }
    m.feed("needle-", 7);
    m.feed("2024", 4);
    EXPECT_TRUE(m.matched());
    EXPECT_EQ(m.match_offset(), 64ull * 1024 * 1024);
    EXPECT_LE(most, chunk.size() + 8);  // one read and a byte of context, never the body

    // A partial match that keeps growing is given up past kMaxRetained.
    auto greedy = compile("<a>.*</a>", {"dotall"});
    m.reset(*greedy);
    m.feed("<a>", 3);
    for (int i = 0; i < 64; ++i) {
        m.feed(chunk.data(), chunk.size());
        most = std::max(most, m.retained());
    }
    m.finish();
    EXPECT_FALSE(m.matched());
    EXPECT_LE(most, BodyRegex::kMaxRetained + chunk.size());
}

// Differential: for random bodies, patterns, windows and read sizes, the
// streamed verdict (and match offset) is the one of the whole body at once.
TEST(CheckHttpRegex, StreamedEqualsWholeBody) {
    std::mt19937 g(7);
    static constexpr char alphabet[] = "ab\nok.x";
    const char* patterns[] = {"ok", "(?<=a)b", "\\bok\\b", "^ok", "a.*b", "ok$", "x*", "(a|b)+ok", "^$"};
    for (int it = 0; it < 300; ++it) {
        std::string body(g() % 200, ' ');
        for (char& c : body) c = alphabet[g() % (sizeof alphabet - 1)];
        for (const char* p : patterns)
            for (const auto& options : {std::vector<std::string>{}, std::vector<std::string>{"multiline", "dotall"}}) {
                auto re = compile(p, options);
                const uint64_t min = g() % 3 == 0 ? g() % 50 : 0;
                std::optional<uint64_t> max;
                if (g() % 3 == 0) max = min + g() % 100;
                BodyRegex whole, streamed;
                const bool w = matches(*re, body, body.size() + 1, min, max, &whole);
                const size_t step = 1 + g() % 7;
                ASSERT_EQ(matches(*re, body, step, min, max, &streamed), w) << p << " step " << step << " body " << body;
                if (w) {
                    ASSERT_EQ(streamed.match_offset(), whole.match_offset()) << p << " body " << body;
                }
            }
    }
}

TEST(CheckHttpRegex, ParserFeedsTheBodyOnly) {
    auto re = compile("HTTP|Server|hello");
    BodyRegex m;
    m.reset(*re);
    ResponseParser p;
    p.reset(false, &m);
    p.feed("HTTP/1.0 200 OK\r\nServer: x\r\nContent-Length: 5\r\n\r\nhelloHTTP");
    EXPECT_EQ(p.state(), ResponseParser::State::Complete);
    EXPECT_TRUE(m.matched());
    EXPECT_EQ(m.match_offset(), 0u);  // "hello": the headers are not searched

    auto http = compile("HTTP");  // bytes past Content-Length are not the body
    m.reset(*http);
    p.reset(false, &m);
    p.feed("HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP");
    EXPECT_FALSE(m.matched());
}

TEST(CheckHttpRegex, ChunkedBodyIsMatchedAsSent) {
    // Like the digest, the body is what the server sent, chunk framing
    // included (keepalived does not decode chunks either): a pattern inside
    // a chunk matches whichever way the reads split it.
    const std::string response =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        "7\r\nstatus:\r\n4\r\n ok.\r\n0\r\n\r\n";
    for (size_t step : {size_t{1}, size_t{5}, response.size()}) {
        auto re = compile("status:");
        BodyRegex m;
        m.reset(*re);
        ResponseParser p;
        p.reset(true, &m);
        for (size_t i = 0; i < response.size(); i += step) p.feed(response.substr(i, step));
        EXPECT_EQ(p.eof(), ResponseParser::State::Complete);
        EXPECT_TRUE(m.matched()) << step;
        EXPECT_EQ(m.match_offset(), 3u);
    }
    // Across two chunks the framing sits between the halves.
    EXPECT_FALSE(matches(*compile("status: ok"), "7\r\nstatus:\r\n4\r\n ok.\r\n0\r\n\r\n", 3));
    EXPECT_TRUE(matches(*compile("status:\\r\\n[0-9a-f]+\\r\\n ok"), "7\r\nstatus:\r\n4\r\n ok.\r\n0\r\n\r\n", 3));
}

// ---- configuration -------------------------------------------------------------

std::string conf(const std::string& url_body) {
    return "virtual_server 192.0.2.1 80 {\n protocol TCP\n real_server 192.0.2.2 80 {\n  HTTP_GET {\n   url {\n"
           "    path /\n" + url_body + "   }\n  }\n }\n}\n";
}

TEST(CheckHttpRegexConfig, CompiledOnceAtLoadAndShared) {
    const std::string text = conf("    regex \"status: ok\"\n    regex_options caseless\n") +
                             "virtual_server 192.0.2.1 81 {\n protocol TCP\n real_server 192.0.2.2 80 {\n"
                             "  HTTP_GET {\n   url {\n    path /\n    regex \"status: ok\"\n"
                             "    regex_options caseless\n   }\n  }\n }\n}\n";
    auto r = config::load_text("t.conf", text, {});
    ASSERT_TRUE(r.model);
    const auto& a = std::get<config::HttpGetCheck>(r.model->lvs.virtual_servers[0].real_servers[0].checkers[0].params);
    const auto& b = std::get<config::HttpGetCheck>(r.model->lvs.virtual_servers[1].real_servers[0].checkers[0].params);
    ASSERT_TRUE(a.url[0].compiled_regex);
    EXPECT_EQ(a.url[0].compiled_regex, b.url[0].compiled_regex);  // one compiled pattern
    EXPECT_TRUE(matches(*a.url[0].compiled_regex, "STATUS: OK", 4));
}

TEST(CheckHttpRegexConfig, BadRegexIsALoadErrorAtThePattern) {
    auto r = config::load_text("t.conf", conf("    regex \"status: (ok\"\n"), {});
    EXPECT_FALSE(r.model);  // so a reload with it is refused and the running config stays
    const auto msgs = r.messages();
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_EQ(msgs[0], "t.conf:7:11: error: invalid regex 'status: (ok': missing closing parenthesis at offset 11 of "
                       "the pattern");
    auto bad = config::Regex::compile("a{2,1}", {});
    EXPECT_FALSE(bad);
    EXPECT_FALSE(config::Regex::compile("x", {"bogus"}));
    EXPECT_TRUE(config::regex_option_known("ungreedy"));
    EXPECT_FALSE(config::regex_option_known("bogus"));
    // regex_stack: a JIT stack of its own.
    auto s = config::Regex::compile("(a|b)+c", {}, 32 * 1024, 1024 * 1024);
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_TRUE(s.value()->match_context());
    EXPECT_TRUE(matches(*s.value(), std::string(5000, 'a') + "c", 100));
}

}  // namespace
}  // namespace halbd::check::http
