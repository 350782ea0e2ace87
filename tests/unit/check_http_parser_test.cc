// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/check_http_parser_test.cc: the pure HTTP codec of HTTP_GET/
// SSL_GET and genhash (check/http_response.hh): keepalived's request bytes,
// status lines, headers, Content-Length, digests as keepalived's genhash
// computes them, size bounds, and garbage (typed failures, never a crash).
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "check/http_response.hh"

namespace halbd::check::http {
namespace {

using State = ResponseParser::State;

// md5("hello"), md5(""), as `printf hello | md5sum` prints them.
constexpr const char* kMd5Hello = "5d41402abc4b2a76b9719d911017c592";
constexpr const char* kMd5Empty = "d41d8cd98f00b204e9800998ecf8427e";

net::IpAddress ip(const char* s) { return *net::IpAddress::parse(s); }

TEST(CheckHttpRequest, KeepalivedRequestBytes) {
    std::string r;
    build_request(r, "/health", config::HttpProtocol::V1_0, "10.0.0.2:80");
    EXPECT_EQ(r, "GET /health HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: 10.0.0.2:80\r\n\r\n");
    build_request(r, "/", config::HttpProtocol::V1_0C, "www.example.com");
    EXPECT_EQ(r, "GET / HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: www.example.com\r\n\r\n");
    build_request(r, "/x?a=1", config::HttpProtocol::V1_1, "h");
    EXPECT_EQ(r, "GET /x?a=1 HTTP/1.1\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: h\r\n\r\n");
}

TEST(CheckHttpRequest, HostHeader) {
    EXPECT_EQ(host_header("", ip("10.0.0.2"), 80), "10.0.0.2:80");
    EXPECT_EQ(host_header("", ip("2001:db8::2"), 8080), "[2001:db8::2]:8080");
    EXPECT_EQ(host_header("www.example.com", ip("10.0.0.2"), 80), "www.example.com");
}

TEST(CheckHttpRequest, StatusRanges) {
    const std::vector<config::StatusRange> r{{200, 299}, {301, 301}, {503, 505}};
    EXPECT_EQ(status_ranges_text(r), "200-299 301 503-505");
    EXPECT_EQ(status_ranges_text({}), "any");
    EXPECT_TRUE(status_accepted(r, 200));
    EXPECT_TRUE(status_accepted(r, 299));
    EXPECT_TRUE(status_accepted(r, 301));
    EXPECT_FALSE(status_accepted(r, 302));
    EXPECT_TRUE(status_accepted(r, 504));
    EXPECT_FALSE(status_accepted(r, 500));
    EXPECT_TRUE(status_accepted({}, 500));  // digest-only url
}

TEST(CheckHttpParser, StatusHeadersAndDigestUntilClose) {
    ResponseParser p;
    p.reset(true);
    EXPECT_EQ(p.feed("HTTP/1.0 200 OK\r\nServer: x\r\nContent-Type: text/plain\r\n\r\nhel"), State::Body);
    EXPECT_EQ(p.status(), 200);
    EXPECT_FALSE(p.content_length());
    EXPECT_EQ(p.feed("lo"), State::Body);
    EXPECT_EQ(p.eof(), State::Complete);
    EXPECT_EQ(p.body_bytes(), 5u);
    EXPECT_EQ(p.digest(), kMd5Hello);
}

TEST(CheckHttpParser, ByteByByteEqualsOneShot) {
    const std::string resp = "HTTP/1.1 404 Not Found\r\nContent-Length: 5\r\n\r\nhello";
    ResponseParser p;
    p.reset(true);
    State st = State::Headers;
    for (char c : resp) st = p.feed(&c, 1);
    EXPECT_EQ(st, State::Complete);
    EXPECT_EQ(p.status(), 404);
    EXPECT_EQ(p.digest(), kMd5Hello);
}

// Found by tests/fuzz/http_response_fuzz.cc: blanks before the status line
// were refused when the first segment ended before the headers did, and
// accepted when the response came in one read.
TEST(CheckHttpParser, LeadingBlanksJudgedAlikeWhateverTheSegments) {
    const std::string resp = "  \tHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    for (size_t step : {size_t(1), size_t(3), size_t(8), resp.size()}) {
        ResponseParser p;
        p.reset(true);
        State st = State::Headers;
        for (size_t off = 0; off < resp.size(); off += step) st = p.feed(resp.data() + off, std::min(step, resp.size() - off));
        EXPECT_EQ(st, State::Complete) << "segments of " << step;
        EXPECT_EQ(p.status(), 200) << "segments of " << step;
    }
    ResponseParser p;
    p.reset(false);
    EXPECT_EQ(p.feed("  xTTP"), State::Failed);  // still refused early when it cannot be HTTP
}

TEST(CheckHttpParser, ContentLengthCompletesWithoutCloseAndBoundsTheDigest) {
    ResponseParser p;
    p.reset(true);
    EXPECT_EQ(p.feed("HTTP/1.1 200 OK\r\ncontent-LENGTH:  5 \r\n\r\nhelloEXTRA"), State::Complete);
    EXPECT_EQ(p.content_length(), 5u);
    EXPECT_EQ(p.body_bytes(), 5u);
    EXPECT_EQ(p.digest(), kMd5Hello);
    EXPECT_EQ(p.feed("more"), State::Complete);  // ignored
    EXPECT_EQ(p.eof(), State::Complete);
}

TEST(CheckHttpParser, ZeroContentLengthAndEmptyBody) {
    ResponseParser p;
    p.reset(true);
    EXPECT_EQ(p.feed("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"), State::Complete);
    EXPECT_EQ(p.digest(), kMd5Empty);
    p.reset(true);
    EXPECT_EQ(p.feed("HTTP/1.0 200 OK\r\n\r\n"), State::Body);
    EXPECT_EQ(p.eof(), State::Complete);
    EXPECT_EQ(p.digest(), kMd5Empty);
}

TEST(CheckHttpParser, ShortBodyIsCompleteAtCloseAsKeepalived) {
    ResponseParser p;
    p.reset(true);
    p.feed("HTTP/1.0 200 OK\r\nContent-Length: 10\r\n\r\nhello");
    EXPECT_EQ(p.eof(), State::Complete);
    EXPECT_EQ(p.body_bytes(), 5u);
    EXPECT_EQ(p.content_length(), 10u);
    EXPECT_EQ(p.digest(), kMd5Hello);
}

TEST(CheckHttpParser, HeaderEndSplitAcrossFeedsAndBareLf) {
    ResponseParser p;
    p.reset(true);
    EXPECT_EQ(p.feed("HTTP/1.0 200 OK\r\nA: b\r"), State::Headers);
    EXPECT_EQ(p.feed("\n"), State::Headers);
    EXPECT_EQ(p.feed("\r"), State::Headers);
    EXPECT_EQ(p.feed("\nhello"), State::Body);
    EXPECT_EQ(p.eof(), State::Complete);
    EXPECT_EQ(p.digest(), kMd5Hello);
    p.reset(true);
    EXPECT_EQ(p.feed("HTTP/1.0 302 Found\nLocation: /\n\nhello"), State::Body);
    EXPECT_EQ(p.status(), 302);
    p.eof();
    EXPECT_EQ(p.digest(), kMd5Hello);
}

TEST(CheckHttpParser, ChunkedBodyIsHashedAsSentLikeKeepalived) {
    const std::string body = "5\r\nhello\r\n0\r\n\r\n";
    ResponseParser raw;
    raw.reset(true);
    raw.feed("HTTP/1.0 200 OK\r\n\r\n" + body);
    raw.eof();
    ResponseParser p;
    p.reset(true);
    p.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body);
    EXPECT_EQ(p.eof(), State::Complete);
    EXPECT_EQ(p.body_bytes(), body.size());
    EXPECT_EQ(p.digest(), raw.digest());
    EXPECT_NE(p.digest(), kMd5Hello);
}

TEST(CheckHttpParser, NoDigestWhenNotWanted) {
    ResponseParser p;
    p.reset(false);
    p.feed("HTTP/1.0 200 OK\r\n\r\nhello");
    EXPECT_EQ(p.eof(), State::Complete);
    EXPECT_TRUE(p.digest().empty());
    EXPECT_EQ(p.body_bytes(), 5u);
}

TEST(CheckHttpParser, GarbageIsATypedFailure) {
    struct Case {
        std::string in;
        bool close;
        ParseError want;
    };
    const Case cases[] = {
        {"", true, ParseError::Empty},
        {"SSH-2.0-OpenSSH_9.2\r\n", false, ParseError::BadStatusLine},
        {"\x16\x03\x01\x02", false, ParseError::BadStatusLine},  // a TLS record on HTTP_GET
        {"<html>", false, ParseError::BadStatusLine},
        {"H", true, ParseError::Truncated},
        {"HTTP/1.1 2000 OK\r\n\r\n", false, ParseError::BadStatusLine},
        {"HTTP/1.1 20 OK\r\n\r\n", false, ParseError::BadStatusLine},
        {"HTTP/1.1 099 X\r\n\r\n", false, ParseError::BadStatusLine},
        {"HTTP/ 200 OK\r\n\r\n", false, ParseError::BadStatusLine},
        {"HTTP/1.1 abc\r\n", false, ParseError::BadStatusLine},
        {"HTTP/1.0 200 OK\r\nContent-Length: 12x\r\n\r\n", false, ParseError::BadHeader},
        {"HTTP/1.0 200 OK\r\nContent-Length: -1\r\n\r\n", false, ParseError::BadHeader},
        {"HTTP/1.0 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", false, ParseError::BadHeader},
        {"HTTP/1.0 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n", false, ParseError::BadHeader},
        {"HTTP/1.0 200 OK\r\nX: y", true, ParseError::Truncated},
        {"HTT", true, ParseError::Truncated},
    };
    for (const auto& c : cases) {
        ResponseParser p;
        p.reset(true);
        State st = p.feed(c.in);
        if (c.close) st = p.eof();
        EXPECT_EQ(st, State::Failed) << c.in;
        EXPECT_EQ(p.error(), c.want) << c.in;
        EXPECT_NE(std::string(parse_error_text(p.error())), "?");
        EXPECT_EQ(p.feed("HTTP/1.0 200 OK\r\n\r\n"), State::Failed);  // stays failed
    }
}

TEST(CheckHttpParser, SizeBounds) {
    ResponseParser::Limits lim;
    lim.max_header_bytes = 64;
    lim.max_body_bytes = 10;
    ResponseParser p(lim);
    p.reset(true);
    EXPECT_EQ(p.feed("HTTP/1.0 200 OK\r\nX-Long: " + std::string(100, 'a')), State::Failed);
    EXPECT_EQ(p.error(), ParseError::HeadersTooLarge);

    p.reset(true);
    EXPECT_EQ(p.feed("HTTP/1.0 200 OK\r\n\r\n0123456789"), State::Body);
    EXPECT_EQ(p.feed("X"), State::Failed);
    EXPECT_EQ(p.error(), ParseError::TooLarge);

    p.reset(true);
    EXPECT_EQ(p.feed("HTTP/1.0 200 OK\r\nContent-Length: 11\r\n\r\n"), State::Failed);
    EXPECT_EQ(p.error(), ParseError::TooLarge);

    p.reset(true);  // exactly at the bounds is fine
    const std::string head = "HTTP/1.0 200 OK\r\nX: ";
    const std::string full = head + std::string(64 - head.size() - 4, 'a') + "\r\n\r\n";
    ASSERT_EQ(full.size(), 64u);
    EXPECT_EQ(p.feed(full + "0123456789"), State::Body);
    EXPECT_EQ(p.eof(), State::Complete);
    EXPECT_EQ(p.body_bytes(), 10u);
}

TEST(CheckHttpParser, RandomInputNeverCrashes) {
    std::mt19937 rng(42);
    const std::string seeds[] = {"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody", "HTTP/1.0 503 X\n\n",
                                 "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"};
    ResponseParser::Limits lim;
    lim.max_header_bytes = 256;
    lim.max_body_bytes = 1024;
    ResponseParser p(lim);
    for (int i = 0; i < 3000; ++i) {
        std::string s = seeds[i % 3];
        const int edits = static_cast<int>(rng() % 8);
        for (int e = 0; e < edits && !s.empty(); ++e) {
            const size_t at = rng() % s.size();
            switch (rng() % 3) {
                case 0: s[at] = static_cast<char>(rng()); break;
                case 1: s.erase(at, 1); break;
                default: s.insert(at, 1, static_cast<char>(rng())); break;
            }
        }
        p.reset(i % 2 == 0);
        size_t pos = 0;
        while (pos < s.size()) {
            const size_t n = 1 + rng() % 7;
            p.feed(s.data() + pos, std::min(n, s.size() - pos));
            pos += n;
        }
        const State st = p.eof();
        ASSERT_TRUE(st == State::Complete || st == State::Failed);
        if (st == State::Complete) {
            EXPECT_GE(p.status(), 100);
            EXPECT_LE(p.status(), 999);
        } else {
            EXPECT_NE(p.error(), ParseError::None);
        }
    }
}

}  // namespace
}  // namespace halbd::check::http
