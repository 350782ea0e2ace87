// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// Unit tests of the LVS section (keywords_lvs.cc, validate_lvs.cc,
// dump_lvs.cc): virtual_server_group, virtual_server, real_server, SSL,
// inheritance, validation messages and the dump round trip.
#include <gtest/gtest.h>

#include "config_test_util.hh"

namespace halbd::config {
namespace {

using namespace test_util;

struct Loaded : LoadedConfig {
    using LoadedConfig::LoadedConfig;
    const LvsConfig& lvs() const { return r.model->lvs; }
};

const char* kBasic = R"(
virtual_server 192.0.2.1 80 {
    delay_loop 10
    lvs_sched rr
    lvs_method NAT
    protocol TCP
    connect_timeout 3
    real_server 10.0.0.1 80 {
        weight 5
        TCP_CHECK {
        }
    }
    real_server 10.0.0.2 8080 {
        delay_loop 2
        retry 4
        TCP_CHECK {
            connect_port 81
            warmup 1
        }
    }
}
)";

TEST(LvsConfig, BasicVirtualServerAndInheritance) {
    Loaded l(kBasic);
    ASSERT_TRUE(l.r.model) << l.all();
    EXPECT_TRUE(l.msgs.empty()) << l.all();
    ASSERT_EQ(l.lvs().virtual_servers.size(), 1u);
    const auto& vs = l.lvs().virtual_servers[0];
    EXPECT_EQ(vs.kind, VsKind::Address);
    EXPECT_EQ(vs.address.to_string(), "192.0.2.1");
    EXPECT_EQ(vs.port, 80);
    EXPECT_EQ(*vs.lvs_sched, LvsSched::rr);
    EXPECT_EQ(*vs.protocol, LvsProtocol::TCP);
    EXPECT_EQ(*vs.ip_family, net::Family::V4);
    ASSERT_EQ(vs.real_servers.size(), 2u);
    const auto& r0 = vs.real_servers[0];
    EXPECT_EQ(*r0.weight, 5u);
    EXPECT_EQ(*r0.delay_loop, std::chrono::seconds(10));
    EXPECT_EQ(*r0.connect_timeout, std::chrono::seconds(3));
    ASSERT_EQ(r0.checkers.size(), 1u);
    const auto& c0 = r0.checkers[0];
    EXPECT_EQ(c0.kind(), CheckerKind::TCP_CHECK);
    EXPECT_EQ(*c0.connect_ip, r0.address);
    EXPECT_EQ(*c0.connect_port, 80);
    EXPECT_EQ(*c0.delay_loop, std::chrono::seconds(10));
    EXPECT_EQ(*c0.warmup, std::chrono::seconds(10));  // default: delay_loop
    EXPECT_EQ(*c0.retry, 1u);
    EXPECT_EQ(*c0.delay_before_retry, std::chrono::seconds(1));
    EXPECT_EQ(*c0.connect_timeout, std::chrono::seconds(3));
    EXPECT_FALSE(*c0.alpha);
    const auto& r1 = vs.real_servers[1];
    EXPECT_EQ(*r1.weight, 1u);
    const auto& c1 = r1.checkers[0];
    EXPECT_EQ(*c1.connect_port, 81);
    EXPECT_EQ(*c1.delay_loop, std::chrono::seconds(2));
    EXPECT_EQ(*c1.retry, 4u);
    EXPECT_EQ(*c1.warmup, std::chrono::seconds(1));
}

TEST(LvsConfig, KeepalivedDefaults) {
    Loaded l("virtual_server 192.0.2.1 80 {\n real_server 10.0.0.1 80 {\n TCP_CHECK {\n }\n }\n}\n");
    ASSERT_TRUE(l.r.model) << l.all();
    const auto& vs = l.lvs().virtual_servers[0];
    EXPECT_TRUE(l.has("t.conf:1:1: warning: virtual server 192.0.2.1:80 has no 'protocol'; using UDP")) << l.all();
    EXPECT_EQ(*vs.protocol, LvsProtocol::UDP);
    EXPECT_EQ(*vs.lvs_sched, LvsSched::wlc);
    EXPECT_EQ(vs.lvs_method->kind, LvsMethodKind::NAT);
    EXPECT_EQ(vs.quorum, 1u);
    const auto& c = vs.real_servers[0].checkers[0];
    EXPECT_EQ(*c.delay_loop, std::chrono::seconds(60));
    EXPECT_EQ(*c.connect_timeout, std::chrono::seconds(5));
}

// A deprecated keyword in every virtual server is one warning, with a count,
// not one per use (a 10,000-service config would log 20,000 lines).
TEST(LvsConfig, RepeatedDeprecatedKeywordWarnsOnceWithCount) {
    Loaded l(R"(virtual_server 192.0.2.1 80 {
    lb_algo wrr
    protocol TCP
}
virtual_server 192.0.2.2 80 {
    lb_algo rr
    protocol TCP
}
virtual_server 192.0.2.3 80 {
    lb_algo rr
    lb_kind DR
    protocol TCP
}
)");
    ASSERT_TRUE(l.r.model) << l.all();
    // keepalived 2.2.7 takes lb_algo and lb_kind silently: notes (halbd -t
    // -D or -d), folded like warnings, never warnings (issue 12).
    const auto notes = l.r.messages(true);
    EXPECT_TRUE(has_message(notes, "t.conf:2:5: note: 'lb_algo' is an old spelling of 'lvs_sched' (keepalived "
                                   "takes both) (and 2 more uses)"))
        << all_messages(notes);
    EXPECT_TRUE(has_message(notes, "t.conf:11:5: note: 'lb_kind' is an old spelling of 'lvs_method'"));
    EXPECT_FALSE(has_message(notes, "t.conf:6:5"));
    EXPECT_FALSE(has_message(notes, "t.conf:10:5"));
    EXPECT_FALSE(l.has("lb_algo")) << l.all();
    EXPECT_FALSE(l.has("lb_kind")) << l.all();
}

TEST(LvsConfig, DeprecatedAndObsoleteKeywords) {
    Loaded l(R"(virtual_server 192.0.2.1 80 {
    lb_algo wrr
    lb_kind DR
    nat_mask 255.255.255.0
    hashed
    protocol tcp
    real_server 10.0.0.1 80 {
        ICMP_CHECK {
        }
        HTTP_GET {
            nb_get_retry 3
            url {
                path /
            }
        }
    }
}
)");
    ASSERT_TRUE(l.r.model) << l.all();
    EXPECT_TRUE(has_message(l.r.messages(true), "t.conf:2:5: note: 'lb_algo' is an old spelling of 'lvs_sched'"))
        << l.all();
    EXPECT_TRUE(has_message(l.r.messages(true), "t.conf:3:5: note: 'lb_kind' is an old spelling of 'lvs_method'"));
    EXPECT_TRUE(l.has("t.conf:4:5: warning: 'nat_mask' is obsolete and ignored"));
    EXPECT_TRUE(l.has("t.conf:5:5: warning: 'hashed' is obsolete and ignored"));
    EXPECT_TRUE(l.has("t.conf:8:9: warning: 'ICMP_CHECK' is deprecated; use 'PING_CHECK' instead"));
    EXPECT_TRUE(l.has("t.conf:11:13: warning: 'nb_get_retry' is deprecated; use 'retry' instead"));
    const auto& vs = l.lvs().virtual_servers[0];
    EXPECT_EQ(*vs.lvs_sched, LvsSched::wrr);
    EXPECT_EQ(vs.lvs_method->kind, LvsMethodKind::DR);
    EXPECT_EQ(vs.real_servers[0].checkers[0].kind(), CheckerKind::PING_CHECK);
    EXPECT_EQ(*vs.real_servers[0].checkers[1].retry, 3u);
    // The dump uses the modern spellings.
    std::string d = dump_text(*l.r.model);
    EXPECT_NE(d.find("lvs_sched wrr"), std::string::npos);
    EXPECT_NE(d.find("PING_CHECK {"), std::string::npos);
    EXPECT_EQ(d.find("lb_algo"), std::string::npos);
}

TEST(LvsConfig, DuplicatesAreErrorsWithBothLocations) {
    Loaded l(R"(virtual_server 192.0.2.1 80 {
    protocol TCP
    real_server 10.0.0.1 80 {
    }
    real_server 10.0.0.1 80 {
    }
}
virtual_server 192.0.2.1 80 {
    protocol TCP
    real_server 10.0.0.1 80 {
    }
}
)");
    EXPECT_FALSE(l.r.model);
    EXPECT_TRUE(l.has("t.conf:5:5: error: duplicate real server 10.0.0.1 port 80 in virtual server 192.0.2.1:80 (first at line 3)")) << l.all();
    EXPECT_TRUE(l.has("t.conf:8:1: error: duplicate virtual server 192.0.2.1:80 (first at line 1)")) << l.all();
}

TEST(LvsConfig, SamePortDifferentProtocolIsNotADuplicate) {
    Loaded l("virtual_server 192.0.2.1 53 {\n protocol TCP\n real_server 10.0.0.1 53 {\n }\n}\n"
             "virtual_server 192.0.2.1 53 {\n protocol UDP\n real_server 10.0.0.1 53 {\n }\n}\n");
    EXPECT_TRUE(l.r.model) << l.all();
}

TEST(LvsConfig, GroupsRangesAndReferences) {
    Loaded l(R"(virtual_server_group G1 {
    10.0.0.1-10 80
    10.0.1.8/29 80
    10.0.2.250-10.0.3.5 443
    2001:db8::1-ff 80
    fwmark 5
    fwmark 6 inet
}
virtual_server group G1 {
    protocol TCP
    real_server 10.0.0.100 80 {
    }
}
virtual_server group NOPE {
    real_server 10.0.0.100 80 {
    }
}
)");
    EXPECT_FALSE(l.r.model);
    EXPECT_TRUE(l.has("t.conf:14:1: error: virtual_server refers to unknown virtual_server_group 'NOPE'")) << l.all();
    EXPECT_TRUE(l.has("t.conf:1:1: error: virtual_server_group 'G1' mixes IPv4 and IPv6 addresses")) << l.all();
    // Parsed entries are available in the diagnostics-free parts of a corrected config.
    Loaded ok("virtual_server_group G1 {\n 10.0.0.1-10 80\n 10.0.1.8/29 80\n 10.0.2.250-10.0.3.5 443\n fwmark 6 inet\n}\n"
              "virtual_server group G1 {\n protocol TCP\n real_server 10.0.0.100 80 {\n }\n}\n");
    ASSERT_TRUE(ok.r.model) << ok.all();
    const auto& g = ok.lvs().virtual_server_groups[0];
    ASSERT_EQ(g.entries.size(), 4u);
    EXPECT_EQ(g.entries[0].last.to_string(), "10.0.0.10");
    EXPECT_EQ(g.entries[1].first.to_string(), "10.0.1.8");
    EXPECT_EQ(g.entries[1].last.to_string(), "10.0.1.15");
    EXPECT_EQ(g.entries[2].last.to_string(), "10.0.3.5");
    EXPECT_EQ(g.entries[2].port, 443);
    EXPECT_TRUE(g.entries[3].is_fwmark);
    EXPECT_EQ(*g.entries[3].family, net::Family::V4);
}

TEST(LvsConfig, BadGroupEntries) {
    Loaded l("virtual_server_group G {\n 10.0.0.9-3 80\n 10.0.0.1-300\n 10.0.0.1 99999\n fwmark x\n}\n");
    EXPECT_EQ(l.r.diags.error_count(), 4u) << l.all();
    EXPECT_TRUE(l.has("t.conf:2:2: error: invalid virtual_server_group entry '10.0.0.9-3': the range end is below its start"));
}

TEST(LvsConfig, TunnelOptions) {
    Loaded l(R"(virtual_server 192.0.2.1 80 {
    protocol TCP
    lvs_method TUN type gue port 6080 csum
    real_server 2001:db8::1 80 {
    }
    real_server 10.0.0.2 80 {
        lvs_method TUN type gre
    }
}
)");
    ASSERT_TRUE(l.r.model) << l.all();
    const auto& vs = l.lvs().virtual_servers[0];
    EXPECT_EQ(vs.lvs_method->type, TunnelType::gue);
    EXPECT_EQ(vs.lvs_method->port, 6080);
    EXPECT_EQ(vs.lvs_method->csum, TunnelCsum::csum);
    EXPECT_EQ(*vs.real_servers[0].lvs_method, *vs.lvs_method);
    EXPECT_EQ(vs.real_servers[1].lvs_method->type, TunnelType::gre);
    Loaded bad("virtual_server 192.0.2.1 80 {\n lvs_method TUN type gue\n lvs_method TUN type ipip csum\n"
               " lvs_method DR port 3\n lvs_method TUN type gre remcsum\n}\n");
    EXPECT_TRUE(bad.has("t.conf:2:2: error: gue tunnels need 'port N'")) << bad.all();
    EXPECT_TRUE(bad.has("t.conf:3:2: error: ipip tunnels do not support a checksum option"));
    EXPECT_TRUE(bad.has("t.conf:4:16: error: tunnel options are only valid with 'TUN'")) << bad.all();
    EXPECT_TRUE(bad.has("t.conf:5:2: error: gre tunnels do not support 'remcsum'"));
}

TEST(LvsConfig, FamilyMismatchUnlessTunnelled) {
    Loaded l("virtual_server 192.0.2.1 80 {\n protocol TCP\n real_server 2001:db8::1 80 {\n }\n}\n");
    EXPECT_FALSE(l.r.model);
    EXPECT_TRUE(l.has("t.conf:3:2: error: IPv6 server 2001:db8::1 in IPv4 virtual server 192.0.2.1:80: families must match unless the server uses TUN")) << l.all();
    Loaded fw("virtual_server fwmark 7 {\n real_server 2001:db8::1 {\n  lvs_method TUN\n }\n}\n");
    ASSERT_TRUE(fw.r.model) << fw.all();
    EXPECT_EQ(*fw.lvs().virtual_servers[0].ip_family, net::Family::V6);
    EXPECT_FALSE(fw.lvs().virtual_servers[0].protocol);
}

TEST(LvsConfig, SchedulerFlagsAndPortCorrections) {
    Loaded l(R"(virtual_server 192.0.2.1 80 {
    protocol TCP
    lvs_sched rr
    sh-port
    mh-fallback
    ops
    lvs_method DR
    real_server 10.0.0.1 8080 {
    }
    real_server 10.0.0.2 {
    }
}
virtual_server fwmark 3 {
    lvs_method DR
    real_server 10.0.0.1 8080 {
    }
}
)");
    ASSERT_TRUE(l.r.model) << l.all();
    EXPECT_TRUE(l.has("warning: 'sh-port' only applies to the sh scheduler; ignored"));
    EXPECT_TRUE(l.has("warning: 'mh-fallback' only applies to the mh scheduler; ignored"));
    EXPECT_TRUE(l.has("warning: 'ops' (one-packet scheduling) requires UDP; cleared"));
    EXPECT_TRUE(l.has("t.conf:8:5: warning: real server 10.0.0.1 port 8080 differs from virtual server port 80"));
    EXPECT_TRUE(l.has("t.conf:15:5: warning: real server 10.0.0.1 port 8080 is ignored: fwmark service"));
    const auto& vs = l.lvs().virtual_servers[0];
    EXPECT_FALSE(vs.sh_port);
    EXPECT_EQ(vs.real_servers[0].port, 80);
    EXPECT_EQ(vs.real_servers[1].port, 80);
    EXPECT_EQ(l.lvs().virtual_servers[1].real_servers[0].port, 0);
}

TEST(LvsConfig, RangesAndBadValues) {
    Loaded l(R"(virtual_server 192.0.2.1 80 {
    lvs_sched bogus
    persistence_timeout 2678401
    persistence_granularity 300
    quorum 0
    weight 0
    real_server 10.0.0.1 80 {
        weight 2147483648
        uthreshold 5
        lthreshold 10
    }
}
virtual_server 192.0.2.1 99999 {
}
)");
    EXPECT_FALSE(l.r.model);
    EXPECT_TRUE(l.has("t.conf:2:15: error: 'lvs_sched' expects rr|wrr|lc|wlc|lblc|lblcr|dh|sh|sed|nq|fo|ovf|mh|twos, got 'bogus'")) << l.all();
    EXPECT_TRUE(l.has("t.conf:3:25: error: 'persistence_timeout' value 2678401 is out of range 1-2678400"));
    EXPECT_TRUE(l.has("t.conf:4:29: error: 'persistence_granularity' value 300 is out of range 1-128"));
    // keepalived: "Quorum 0 must be in [1, 4294967295]. Setting to 1."
    EXPECT_TRUE(l.has("t.conf:5:12: warning: 'quorum' value 0 is out of range 1-4294967295; using 1"));
    EXPECT_TRUE(l.has("t.conf:6:12: error: 'weight' value 0 is out of range 1-2147483647"));
    EXPECT_TRUE(l.has("t.conf:8:16: error: 'weight' value 2147483648 is out of range 0-2147483647"));
    EXPECT_TRUE(l.has("t.conf:7:5: error: 'lthreshold' 10 exceeds 'uthreshold' 5"));
    EXPECT_TRUE(l.has("t.conf:13:26: error: 'virtual_server' value 99999 is out of range 0-65535")) << l.all();
}

TEST(LvsConfig, QuorumHysteresisAndSorryServer) {
    Loaded l(R"(virtual_server 192.0.2.1 80 {
    protocol TCP
    quorum 10
    hysteresis 20
    quorum_up "/bin/echo up" nobody
    quorum_down /bin/down
    sorry_server 10.0.0.9 80
    sorry_server_inhibit
    persistence_granularity 255.255.255.0
    real_server 10.0.0.1 80 {
        weight 3
        notify_up "/usr/bin/notify up" root wheel
    }
}
)");
    ASSERT_TRUE(l.r.model) << l.all();
    const auto& vs = l.lvs().virtual_servers[0];
    EXPECT_EQ(vs.quorum, 3u);
    EXPECT_EQ(vs.hysteresis, 2u);
    EXPECT_EQ(vs.persistence_timeout, 360u);
    EXPECT_EQ(vs.quorum_up->command, "/bin/echo up");
    EXPECT_EQ(vs.quorum_up->user->user, "nobody");
    ASSERT_TRUE(vs.sorry_server);
    EXPECT_TRUE(vs.sorry_server->inhibit);
    EXPECT_EQ(vs.sorry_server->lvs_method->kind, LvsMethodKind::NAT);
    EXPECT_EQ(vs.real_servers[0].notify_up->user->group, "wheel");
    Loaded bad("virtual_server 192.0.2.1 80 {\n sorry_server_inhibit\n}\n");
    EXPECT_TRUE(bad.has("t.conf:2:2: error: 'sorry_server_inhibit' must follow 'sorry_server'")) << bad.all();
}

TEST(LvsConfig, SslBlockAndUnimplemented) {
    Loaded l("SSL {\n password secret\n ca /etc/ca.pem\n certificate /etc/c.pem\n key /etc/k.pem\n}\n"
             "virtual_server 192.0.2.1 80 {\n protocol TCP\n smtp_alert\n snmp_name x\n real_server 10.0.0.1 80 {\n  smtp_alert on\n }\n}\n");
    ASSERT_TRUE(l.r.model) << l.all();
    EXPECT_EQ(l.lvs().ssl.certificate, "/etc/c.pem");
    EXPECT_EQ(l.lvs().ssl.password, "secret");
    EXPECT_TRUE(l.has("t.conf:9:2: warning: 'smtp_alert' is recognised but not implemented by halbd; ignored"));
    EXPECT_TRUE(l.has("t.conf:10:2: warning: 'snmp_name' is recognised but not implemented"));
}

TEST(LvsConfig, EmptyVirtualServerIsDroppedWithWarning) {
    Loaded l("virtual_server 192.0.2.1 80 {\n protocol TCP\n}\n");
    ASSERT_TRUE(l.r.model) << l.all();
    EXPECT_TRUE(l.lvs().virtual_servers.empty());
    EXPECT_TRUE(l.has("t.conf:1:1: warning: virtual server 192.0.2.1:80 has no real servers; ignored"));
}

const char* kFull = R"(
track_file tf {
    file /run/halbd-test-weight
}
SSL {
    ca "/etc/ssl/ca file.pem"
}
virtual_server_group G {
    10.0.0.1-10 80
    fwmark 5 inet
}
virtual_server group G {
    protocol TCP
    lvs_sched sh
    sh-port
    persistence_timeout 600
    real_server 10.1.0.1 80 {
        TCP_CHECK {
            connect_timeout 0.25
        }
    }
}
virtual_server 2001:db8::10 443 {
    protocol SCTP
    lvs_sched mh
    mh-port
    flag-1
    lvs_method TUN type gue port 5555 remcsum
    virtualhost www.example.com
    alpha
    omega
    sorry_server 2001:db8::99 443
    real_server 2001:db8::1 443 {
        weight 7
        inhibit_on_failure
        delay_before_retry 2.5
        HTTP_GET {
            url {
                path "/health check"
                status_code 200-204 301
            }
            url {
                path /x
                digest 9B3A0C85A887A256D6939DA88AABD8CD
                regex "ok.*"
                regex_options caseless dotall
                regex_max_offset 100
            }
        }
        SSL_GET {
            enable_sni
            url {
                path /
            }
        }
        MISC_CHECK {
            misc_path "/bin/sh -x"
            user nobody
        }
        DNS_CHECK {
            type aaaa
            name example.com
        }
        UDP_CHECK {
            payload Ab12f 3
            require_reply 12xX
        }
        SMTP_CHECK {
            helo_name mail.example.com
        }
        FILE_CHECK {
            track_file tf
            weight -3 reverse
        }
        PING_CHECK {
        }
    }
}
)";

TEST(LvsConfig, DumpRoundTrip) {
    Loaded l(kFull);
    ASSERT_TRUE(l.r.model) << l.all();
    std::string d1 = dump_text(*l.r.model);
    Loaded again(d1);
    ASSERT_TRUE(again.r.model) << again.all() << d1;
    EXPECT_TRUE(again.msgs.empty()) << again.all();
    EXPECT_EQ(dump_text(*again.r.model), d1);
    Loaded basic(kBasic);
    std::string b1 = dump_text(*basic.r.model);
    Loaded basic2(b1);
    ASSERT_TRUE(basic2.r.model) << basic2.all();
    EXPECT_EQ(dump_text(*basic2.r.model), b1);
}

TEST(LvsConfig, CompactSizes) {
    // 100,000 real servers with one checker each must fit in a few tens of MB.
    EXPECT_LE(sizeof(Checker), 256u);
    EXPECT_LE(sizeof(RealServer), 224u);
    std::printf("sizeof(RealServer)=%zu sizeof(Checker)=%zu sizeof(CheckerParams)=%zu sizeof(VirtualServer)=%zu\n",
                sizeof(RealServer), sizeof(Checker), sizeof(CheckerParams), sizeof(VirtualServer));
}

}  // namespace
}  // namespace halbd::config

namespace halbd::config {
namespace {

// The LVS-DR seed article says `persistence_timeout 0` for "not persistent".
TEST(LvsConfig, PersistenceTimeoutZeroMeansNotPersistent) {
    Loaded l("virtual_server 10.10.10.22 80 {\n protocol TCP\n persistence_timeout 0\n"
             " real_server 10.10.10.31 80 {\n }\n}\n");
    ASSERT_TRUE(l.r.model) << l.all();
    EXPECT_EQ(l.r.model->lvs.virtual_servers.at(0).persistence_timeout, 0u);
    EXPECT_TRUE(l.has("t.conf:3:22: warning: 'persistence_timeout 0' means no persistence; remove the line"))
        << l.all();
}

}  // namespace
}  // namespace halbd::config
