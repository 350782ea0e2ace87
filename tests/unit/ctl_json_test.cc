// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/ctl_json_test.cc: JsonWriter and json_quote: commas and nesting,
// RFC 8259 escapes, control characters, invalid UTF-8 replaced, numbers.
#include <gtest/gtest.h>

#include <cmath>

#include "ctl/json.hh"

namespace halbd::ctl {
namespace {

TEST(CtlJson, QuoteEscapes) {
    EXPECT_EQ(json_quote("plain"), "\"plain\"");
    EXPECT_EQ(json_quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
    EXPECT_EQ(json_quote("l1\nl2\r\t\b\f"), "\"l1\\nl2\\r\\t\\b\\f\"");
    EXPECT_EQ(json_quote(std::string_view("\x01\x1f\x7f", 3)), "\"\\u0001\\u001f\\u007f\"");
    EXPECT_EQ(json_quote(std::string_view("nul\0x", 5)), "\"nul\\u0000x\"");
    EXPECT_EQ(json_quote("/"), "\"/\"");
}

TEST(CtlJson, Utf8KeptInvalidReplaced) {
    EXPECT_EQ(json_quote("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
    const std::string fffd = "\xef\xbf\xbd";
    EXPECT_EQ(json_quote("\xff"), "\"" + fffd + "\"");
    EXPECT_EQ(json_quote("a\xc3"), "\"a" + fffd + "\"");            // truncated sequence
    EXPECT_EQ(json_quote("\xc0\xaf"), "\"" + fffd + fffd + "\"");   // overlong '/'
    EXPECT_EQ(json_quote("\xed\xa0\x80"), "\"" + fffd + fffd + fffd + "\"");  // surrogate
}

TEST(CtlJson, WriterPlacesCommas) {
    JsonWriter w;
    w.begin_object()
        .member("name", "VI_1")
        .member("up", true)
        .member("n", uint64_t{18446744073709551615u})
        .member("neg", int64_t{-3});
    w.key("list").begin_array().value(1).value("two").null().begin_object().end_object().begin_array().end_array();
    w.end_array();
    w.key("empty").begin_object().end_object();
    w.end_object();
    EXPECT_EQ(w.str(),
              "{\"name\":\"VI_1\",\"up\":true,\"n\":18446744073709551615,\"neg\":-3,"
              "\"list\":[1,\"two\",null,{},[]],\"empty\":{}}");
    EXPECT_TRUE(w.complete());
}

TEST(CtlJson, Doubles) {
    JsonWriter w;
    w.begin_array().value(1.5).value(0.000123).value(std::nan("")).value(HUGE_VAL).end_array();
    EXPECT_EQ(w.str(), "[1.5,0.000123,null,null]");
}

TEST(CtlJson, KeysAreEscaped) {
    JsonWriter w;
    w.begin_object().member("a\"b", "x\n").end_object();
    EXPECT_EQ(w.str(), "{\"a\\\"b\":\"x\\n\"}");
}

}  // namespace
}  // namespace halbd::ctl
