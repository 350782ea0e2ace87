// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// Unit tests of the checker blocks of the LVS section (keywords_check.cc and
// the checker part of validate_lvs.cc): per-kind keywords, per-kind defaults,
// inheritance from real and virtual servers, and checker errors.
#include <gtest/gtest.h>

#include "config_test_util.hh"

namespace halbd::config {
namespace {

using namespace test_util;

// Loads body as the content of a real_server of a virtual_server.
struct Loaded : LoadedConfig {
    explicit Loaded(const std::string& body)
        : LoadedConfig("virtual_server 192.0.2.1 80 {\n protocol TCP\n virtualhost vs.example\n"
                       " real_server 10.0.0.1 80 {\n" + body + " }\n}\n") {}
    const RealServer& rs() const { return r.model->lvs.virtual_servers.at(0).real_servers.at(0); }
    const Checker& c(size_t i) const { return rs().checkers.at(i); }
};

TEST(CheckerConfig, PerKindDefaults) {
    Loaded l("HTTP_GET {\n url {\n path /\n }\n }\n DNS_CHECK {\n }\n MISC_CHECK {\n misc_path /bin/true\n }\n"
             "TCP_CHECK {\n }\n");
    ASSERT_TRUE(l.r.model) << l.all();
    EXPECT_EQ(*l.c(0).delay_before_retry, std::chrono::seconds(3));
    EXPECT_EQ(*l.c(0).retry, 1u);
    EXPECT_EQ(*l.c(1).retry, 3u);
    EXPECT_EQ(*l.c(1).delay_before_retry, std::chrono::seconds(60));
    EXPECT_EQ(*l.c(2).retry, 0u);
    EXPECT_FALSE(l.c(2).connect_ip);
    EXPECT_EQ(std::get<MiscCheck>(l.c(2).params).misc_timeout, std::chrono::seconds(60));
    EXPECT_EQ(*l.c(3).delay_before_retry, std::chrono::seconds(1));
    const auto& dns = std::get<DnsCheck>(l.c(1).params);
    EXPECT_EQ(dns.type, DnsType::SOA);
    EXPECT_EQ(dns.name, ".");
}

TEST(CheckerConfig, HttpUrlsAndVirtualhostInheritance) {
    Loaded l(R"(  virtualhost rs.example
  HTTP_GET {
    http_protocol 1.1
    fast_recovery
    url {
      path /a
      status_code 200 301-302
    }
    url {
      path /b
      virtualhost url.example
      digest 9b3a0c85a887a256d6939da88aabd8cd
    }
  }
  SSL_GET {
    virtualhost ck.example
    enable_sni
    url {
      path /c
    }
  }
)");
    ASSERT_TRUE(l.r.model) << l.all();
    const auto& h = std::get<HttpGetCheck>(l.c(0).params);
    EXPECT_EQ(h.http_protocol, HttpProtocol::V1_1);
    EXPECT_TRUE(h.fast_recovery);
    EXPECT_EQ(*h.virtualhost, "rs.example");
    ASSERT_EQ(h.url.size(), 2u);
    EXPECT_EQ(h.url[0].status_code, (std::vector<StatusRange>{{200, 200}, {301, 302}}));
    EXPECT_EQ(*h.url[0].virtualhost, "rs.example");
    EXPECT_EQ(*h.url[1].virtualhost, "url.example");
    EXPECT_EQ(h.url[1].status_code, (std::vector<StatusRange>{{200, 299}}));  // digest only: keepalived 2.x default
    const auto& s = std::get<SslGetCheck>(l.c(1).params);
    EXPECT_TRUE(s.enable_sni);
    EXPECT_EQ(*s.url[0].virtualhost, "ck.example");
    EXPECT_EQ(s.url[0].status_code, (std::vector<StatusRange>{{200, 299}}));
    Loaded vsonly("HTTP_GET {\n url {\n path /\n }\n }\n");
    ASSERT_TRUE(vsonly.r.model);
    EXPECT_EQ(*std::get<HttpGetCheck>(vsonly.c(0).params).url[0].virtualhost, "vs.example");
}

TEST(CheckerConfig, HttpErrors) {
    Loaded l("HTTP_GET {\n url {\n digest 123\n status_code 200-100 abc\n regex_stack 10 5\n regex_options bogus\n }\n"
             " url {\n path /\n regex_min_offset 10\n regex_max_offset 5\n }\n http_protocol 2\n }\n HTTP_GET {\n }\n");
    EXPECT_FALSE(l.r.model);
    EXPECT_TRUE(l.has("'digest' expects 32 hexadecimal digits")) << l.all();
    EXPECT_TRUE(l.has("'status_code' expects HTTP codes 100-599 or ranges such as 200-299, got '200-100'"));
    EXPECT_TRUE(l.has("'regex_stack' start 10 exceeds its maximum 5"));
    EXPECT_TRUE(l.has("unknown regex option 'bogus'"));
    EXPECT_TRUE(l.has("'url' block needs a 'path'"));
    EXPECT_TRUE(l.has("'regex_min_offset' exceeds 'regex_max_offset'"));
    EXPECT_TRUE(l.has("'http_protocol' expects 1.0|1.0C|1.1, got '2'"));
    EXPECT_TRUE(l.has("HTTP_GET needs at least one 'url' block"));
}

TEST(CheckerConfig, SmtpHostBlocksBecomeCheckers) {
    Loaded l(R"(  SMTP_CHECK {
    connect_timeout 10
    retry 2
    helo_name "foo.bar.com"
    host {
      connect_ip 172.16.1.11
    }
    host {
      connect_ip 192.168.155.10
      connect_port 2525
      bindto 10.0.0.5
    }
  }
)");
    ASSERT_TRUE(l.r.model) << l.all();
    EXPECT_TRUE(l.has("warning: the SMTP_CHECK 'host' block is deprecated"));
    ASSERT_EQ(l.rs().checkers.size(), 2u);
    EXPECT_EQ(l.c(0).connect_ip->to_string(), "172.16.1.11");
    EXPECT_EQ(*l.c(0).connect_port, 80);
    EXPECT_EQ(l.c(1).connect_ip->to_string(), "192.168.155.10");
    EXPECT_EQ(*l.c(1).connect_port, 2525);
    EXPECT_EQ(l.c(1).bindto->to_string(), "10.0.0.5");
    EXPECT_EQ(*l.c(1).retry, 2u);
    EXPECT_EQ(*l.c(1).connect_timeout, std::chrono::seconds(10));
    EXPECT_EQ(std::get<SmtpCheck>(l.c(1).params).helo_name, "foo.bar.com");
}

TEST(CheckerConfig, UdpPayloadAndReply) {
    Loaded l("UDP_CHECK {\n payload Ab12f 3 456 546443123\n require_reply 1x2\n min_reply_length 3\n max_reply_length 2\n }\n");
    ASSERT_TRUE(l.r.model) << l.all();
    const auto& u = std::get<UdpCheck>(l.c(0).params);
    EXPECT_EQ(u.payload, (std::vector<uint8_t>{0xab, 0x12, 0x0f, 0x03, 0x45, 0x06, 0x54, 0x64, 0x43, 0x12, 0x03}));
    EXPECT_TRUE(u.require_reply);
    EXPECT_EQ(u.reply_pattern, "1x02");
    EXPECT_TRUE(l.has("warning: UDP_CHECK 'min_reply_length' exceeds 'max_reply_length'"));
}

TEST(CheckerConfig, CommonParametersAndErrors) {
    Loaded l(R"(  TCP_CHECK {
    connect_ip fe80::1
    connect_port 0
    bindto 10.0.0.9
    fwmark 7
    log_all_failures
    alpha off
  }
  MISC_CHECK {
    connect_ip 10.0.0.1
  }
  FILE_CHECK {
    weight 3 sideways
  }
  FILE_CHECK {
    track_file missing
  }
  BFD_CHECK {
    name nope
  }
)");
    EXPECT_FALSE(l.r.model);
    EXPECT_TRUE(l.has("t.conf:7:18: error: 'connect_port' value 0 is out of range 1-65535")) << l.all();
    EXPECT_TRUE(l.has("error: checker 'bindto' 10.0.0.9 and connect address fe80::1 are of different families"));
    EXPECT_TRUE(l.has("error: checker link-local address fe80::1 needs 'bind_if'"));
    EXPECT_TRUE(l.has("t.conf:14:5: error: unknown keyword 'connect_ip' in 'MISC_CHECK'"));
    EXPECT_TRUE(l.has("t.conf:13:3: error: MISC_CHECK needs 'misc_path'"));
    EXPECT_TRUE(l.has("t.conf:17:14: error: 'weight' expects 'reverse' after the number, got 'sideways'"));
    EXPECT_TRUE(l.has("t.conf:16:3: error: FILE_CHECK needs 'track_file'"));
    EXPECT_TRUE(l.has("t.conf:19:3: error: FILE_CHECK refers to unknown track_file 'missing'")) << l.all();
    EXPECT_TRUE(l.has("t.conf:22:3: error: BFD_CHECK refers to unknown bfd_instance 'nope'"));
}

TEST(CheckerConfig, AlphaAndLogAllFailuresInheritance) {
    Loaded l("alpha\n TCP_CHECK {\n }\n TCP_CHECK {\n alpha no\n log_all_failures yes\n }\n");
    ASSERT_TRUE(l.r.model) << l.all();
    EXPECT_TRUE(*l.c(0).alpha);
    EXPECT_FALSE(*l.c(0).log_all_failures);
    EXPECT_FALSE(*l.c(1).alpha);
    EXPECT_TRUE(*l.c(1).log_all_failures);
}

}  // namespace
}  // namespace halbd::config

namespace halbd::config {
namespace {

// The LVS-NAT seed article writes keepalived 0.x's bare `ICMP_CHECK` line.
TEST(CheckerConfig, BareOldStyleCheckerLineGetsDefaults) {
    Loaded l("ICMP_CHECK\n TCP_CHECK\n");
    ASSERT_TRUE(l.r.model) << l.all();
    ASSERT_EQ(l.rs().checkers.size(), 2u);
    EXPECT_TRUE(std::holds_alternative<PingCheck>(l.c(0).params));
    EXPECT_TRUE(std::holds_alternative<TcpCheck>(l.c(1).params));
    EXPECT_TRUE(l.has("t.conf:5:1: warning: 'ICMP_CHECK' is deprecated; use 'PING_CHECK' instead")) << l.all();
}

// MISC_CHECK's script is looked up through LoadOptions::executable_exists
// (the filesystem by default): a missing one disables the checker with a
// warning (keepalived: "not found/accessible"), a present one says nothing.
TEST(CheckerConfig, MiscCheckScriptLookedUpThroughTheContext) {
    const std::string conf =
        "virtual_server 192.0.2.1 80 {\n protocol TCP\n real_server 10.0.0.1 80 {\n"
        "  MISC_CHECK {\n   misc_path \"/opt/probe.sh --fast\"\n  }\n }\n}\n";
    std::vector<std::string> asked;
    LoadOptions o = options();
    o.executable_exists = [&](std::string_view c) { asked.emplace_back(c); return false; };
    LoadedConfig missing(conf, o);
    ASSERT_TRUE(missing.r.model) << missing.all();
    EXPECT_EQ(asked, std::vector<std::string>{"/opt/probe.sh"});
    EXPECT_TRUE(missing.has("t.conf:4:3: warning: MISC_CHECK script /opt/probe.sh is not found or not executable: "
                            "the checker is disabled")) << missing.all();
    o.executable_exists = [](std::string_view) { return true; };
    LoadedConfig present(conf, o);
    ASSERT_TRUE(present.r.model);
    EXPECT_FALSE(present.has("not found or not executable")) << present.all();
}

}  // namespace
}  // namespace halbd::config
