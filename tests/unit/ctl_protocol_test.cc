// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/ctl_protocol_test.cc: the control protocol's pure parts: request
// parsing (commands, --json anywhere, blanks, refusals), replies on the wire,
// the permission decision, and halbctl's command line and exit statuses
// against a socket nobody listens on.
#include <gtest/gtest.h>

#include <sstream>

#include "ctl/peer.hh"
#include "ctl/protocol.hh"
#include "halbctl_client.hh"

namespace halbd::ctl {
namespace {

TEST(CtlRequest, Commands) {
    for (Command c : kCommands) {
        auto r = parse_request(command_name(c));
        ASSERT_TRUE(r.ok()) << command_name(c);
        EXPECT_EQ(r->command, c);
        EXPECT_EQ(r->format, Format::Text);
    }
}

TEST(CtlRequest, JsonFlagAnywhereAndBlanks) {
    auto a = parse_request("  ipvs\t--json \r");
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->command, Command::Ipvs);
    EXPECT_EQ(a->format, Format::Json);
    auto b = parse_request("--json status");
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b->command, Command::Status);
    EXPECT_EQ(b->format, Format::Json);
}

TEST(CtlRequest, Refusals) {
    auto empty = parse_request("   ");
    ASSERT_FALSE(empty.ok());
    EXPECT_NE(empty.error().message.find("empty request"), std::string::npos);
    auto unknown = parse_request("shutdown");
    ASSERT_FALSE(unknown.ok());
    EXPECT_EQ(unknown.error().message,
              "unknown command 'shutdown': expected one of ipvs, vrrp, checks, sync, status, reload, dump, metrics");
    auto extra = parse_request("status now");
    ASSERT_FALSE(extra.ok());
    EXPECT_EQ(extra.error().message, "unexpected argument 'now' to status");
    EXPECT_FALSE(parse_request("--json").ok());
    EXPECT_FALSE(parse_request(std::string_view("status\0x", 8)).ok());
    EXPECT_FALSE(parse_request("STATUS").ok());  // words are case-sensitive
}

TEST(CtlRequest, FormatRoundTrips) {
    for (Command c : kCommands)
        for (Format f : {Format::Text, Format::Json}) {
            const std::string line = format_request(Request{c, f});
            ASSERT_EQ(line.back(), '\n');
            auto r = parse_request(std::string_view(line).substr(0, line.size() - 1));
            ASSERT_TRUE(r.ok());
            EXPECT_EQ(r->command, c);
            EXPECT_EQ(r->format, f);
        }
}

TEST(CtlReply, WireForm) {
    EXPECT_EQ(format_reply(Reply{Status::Ok, "body\n"}), "ok\nbody\n");
    auto r = parse_reply("failed\nreload refused\n");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, Status::Failed);
    EXPECT_EQ(r->body, "reload refused\n");
    EXPECT_FALSE(parse_reply("").ok());
    EXPECT_FALSE(parse_reply("ok").ok());
    EXPECT_FALSE(parse_reply("maybe\n").ok());
}

TEST(CtlReply, ErrorReplyJsonIsEscaped) {
    Reply r = error_reply(Status::Unavailable, "forwarding is not running: \"IPVS\"", Format::Json);
    EXPECT_EQ(r.status, Status::Unavailable);
    EXPECT_EQ(r.body,
              "{\"ok\":false,\"status\":\"unavailable\",\"error\":\"forwarding is not running: \\\"IPVS\\\"\"}\n");
    EXPECT_EQ(json_envelope(Status::Ok, "[1,2]\n", ""), "{\"ok\":true,\"data\":[1,2]}\n");
    EXPECT_EQ(json_envelope(Status::Failed, "{\"a\":1}", "reload refused"),
              "{\"ok\":false,\"status\":\"failed\",\"error\":\"reload refused\",\"data\":{\"a\":1}}\n");
    EXPECT_EQ(error_reply(Status::Error, "bad", Format::Text).body, "bad\n");
}

TEST(CtlPeer, RootOnly) {
    EXPECT_EQ(peer_refusal(PeerCred{42, 0, 0}, 0), "");
    EXPECT_EQ(peer_refusal(PeerCred{42, 65534, 65534}, 0),
              "permission denied: the control socket is root-only (uid 65534)");
    EXPECT_NE(peer_refusal(std::nullopt, 0).find("permission denied"), std::string::npos);
    // Group root is not enough: only the uid counts.
    EXPECT_NE(peer_refusal(PeerCred{42, 1000, 0}, 0), "");
    EXPECT_EQ(peer_refusal(PeerCred{42, 1000, 1000}, 1000), "");
}

int run_halbctl(std::vector<std::string> args, std::string& out, std::string& err) {
    std::ostringstream o, e;
    const int rc = control_main(args, o, e);
    out = o.str();
    err = e.str();
    return rc;
}

TEST(Halbctl, UsageErrors) {
    std::string out, err;
    EXPECT_EQ(run_halbctl({}, out, err), kExitUsage);
    EXPECT_NE(err.find("no command given"), std::string::npos);
    EXPECT_EQ(run_halbctl({"frobnicate"}, out, err), kExitUsage);
    EXPECT_NE(err.find("unknown command 'frobnicate'"), std::string::npos);
    EXPECT_EQ(run_halbctl({"status", "extra"}, out, err), kExitUsage);
    EXPECT_EQ(run_halbctl({"--bogus", "status"}, out, err), kExitUsage);
    EXPECT_EQ(run_halbctl({"--help"}, out, err), kExitOk);
    EXPECT_NE(out.find("checks"), std::string::npos);
}

TEST(Halbctl, NotRunningIsClear) {
    std::string out, err;
    EXPECT_EQ(run_halbctl({"--socket", "/nonexistent/halbd.ctl", "status"}, out, err), kExitUnreachable);
    EXPECT_EQ(err,
              "halbctl: cannot connect to /nonexistent/halbd.ctl: No such file or directory \u2014 is halbd running?\n");
}

}  // namespace
}  // namespace halbd::ctl
