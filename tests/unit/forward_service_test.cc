// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/forward_service_test.cc: text forms of service and destination
// keys (log lines), and the ipvsadm -Ln layout of format_ipvsadm().
#include <gtest/gtest.h>

#include <cstring>

#include "forward/ipvsadm_format.hh"
#include "forward/service.hh"
#include "forward_test_util.hh"

namespace halbd::forward {
namespace {

using namespace test_util;

TEST(ForwardService, KeyToString) {
    EXPECT_EQ(tcp("10.0.0.1", 80).to_string(), "TCP 10.0.0.1:80");
    EXPECT_EQ(udp("2001:db8::1", 53).to_string(), "UDP [2001:db8::1]:53");
    EXPECT_EQ(svc(Protocol::SCTP, "10.0.0.1", 5060).to_string(), "SCTP 10.0.0.1:5060");
    EXPECT_EQ(fwm(3).to_string(), "FWM 3");
    EXPECT_EQ(fwm(3, net::Family::V6).to_string(), "FWM 3 IPv6");
    EXPECT_EQ(dest("10.0.0.2", 80).to_string(), "10.0.0.2:80");
    EXPECT_EQ(dest("2001:db8::2", 80).to_string(), "[2001:db8::2]:80");
}

TEST(ForwardService, FwmarkKeysAreCanonical) {
    ServiceKey k = fwm(7, net::Family::V6);
    k.protocol = Protocol::UDP;
    k.address = ip("::");
    EXPECT_EQ(k.canonical(), fwm(7, net::Family::V6));
    EXPECT_EQ(tcp("10.0.0.1", 80).canonical(), tcp("10.0.0.1", 80));
}

TEST(ForwardIpvsadm, EmptyTableIsTheHeader) {
    EXPECT_EQ(format_ipvsadm({}),
              "IP Virtual Server version 1.2.1 (size=4096)\n"
              "Prot LocalAddress:Port Scheduler Flags\n"
              "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n");
}

TEST(ForwardIpvsadm, LayoutAndSortOrder) {
    ServiceTable t;
    auto add = [&](ServiceKey k, ServiceParams p, std::map<DestKey, DestParams> d = {}) {
        t[k] = Service{k, p, std::move(d)};
    };
    add(fwm(3), sp("rr"), {{dest("10.0.0.9", 0), dp(1, Method::Route)}});
    add(udp("10.0.0.1", 53), sp("wlc"));
    uint32_t mask;  // 255.255.255.0 in network byte order
    std::memcpy(&mask, ip("255.255.255.0").bytes(), 4);
    add(tcp("10.0.0.1", 443), sp("wrr", svc_flags::persistent, 300, mask),
        {{dest("10.0.0.3", 443), dp(0, Method::Tunnel)}});
    add(tcp("10.0.0.1", 80), sp("sh", svc_flags::sched1 | svc_flags::sched2),
        {{dest("10.0.0.3", 8080), dp(3)}, {dest("10.0.0.2", 8080), dp(1)}});
    add(tcp("2001:db8::1", 80), sp("mh", svc_flags::persistent | svc_flags::sched2, 60, 64),
        {{dest("2001:db8::2", 80), dp(2, Method::Route)}});
    t[tcp("10.0.0.1", 443)].params.pe_name = "sip";
    const std::string want =
        "IP Virtual Server version 1.2.1 (size=4096)\n"
        "Prot LocalAddress:Port Scheduler Flags\n"
        "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
        "TCP  10.0.0.1:80 sh (sh-fallback,sh-port)\n"
        "  -> 10.0.0.2:8080                Masq    1      0          0         \n"
        "  -> 10.0.0.3:8080                Masq    3      0          0         \n"
        "TCP  10.0.0.1:443 wrr persistent 300 mask 255.255.255.0 pe sip\n"
        "  -> 10.0.0.3:443                 Tunnel  0      0          0         \n"
        "UDP  10.0.0.1:53 wlc\n"
        "TCP  [2001:db8::1]:80 mh (mh-port) persistent 60 mask 64\n"
        "  -> [2001:db8::2]:80             Route   2      0          0         \n"
        "FWM  3 rr\n"
        "  -> 10.0.0.9:0                   Route   1      0          0         \n";
    EXPECT_EQ(format_ipvsadm(t), want);
}

TEST(ForwardIpvsadm, HeaderAndOnePacket) {
    ServiceTable t;
    ServiceKey k = udp("10.0.0.1", 53);
    t[k] = Service{k, sp("rr", svc_flags::persistent | svc_flags::onepacket | svc_flags::sched3, 10), {}};
    EXPECT_EQ(format_ipvsadm(t, IpvsadmHeader{"1.2.1", 1048576}),
              "IP Virtual Server version 1.2.1 (size=1048576)\n"
              "Prot LocalAddress:Port Scheduler Flags\n"
              "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
              "UDP  10.0.0.1:53 rr (flag-3) persistent 10 ops\n");
}

}  // namespace
// Checked against the real ipvsadm in the VM: one-packet scheduling shows
// without persistence too, and the protocol column is "%-4s " (SCTP, one space).
TEST(ForwardIpvsadm, OpsWithoutPersistenceAndSctpColumn) {
    ServiceTable t;
    ServiceKey u = udp("10.0.0.4", 514);
    t[u] = Service{u, sp("rr", svc_flags::onepacket), {}};
    ServiceKey s = svc(Protocol::SCTP, "10.0.0.2", 3868);
    t[s] = Service{s, sp("rr"), {}};
    EXPECT_EQ(format_ipvsadm(t),
              "IP Virtual Server version 1.2.1 (size=4096)\n"
              "Prot LocalAddress:Port Scheduler Flags\n"
              "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
              "UDP  10.0.0.4:514 rr ops\n"
              "SCTP 10.0.0.2:3868 rr\n");
}

// Found by tests/vm/ipvs-halbctl.sh: ipvsadm prints the parentheses whenever
// a scheduler flag is set but names flag-3 only for schedulers other than
// sh and mh, so sh with flag-3 alone shows "sh ()".
TEST(ForwardIpvsadm, ShFlag3ShowsEmptyParentheses) {
    ServiceTable t;
    ServiceKey k;
    k.address = *net::IpAddress::parse("192.0.2.75");
    k.port = 80;
    t[k] = Service{k, {}, {}};
    t[k].params.scheduler = "sh";
    t[k].params.flags = svc_flags::sched3;
    EXPECT_NE(format_ipvsadm(t).find("TCP  192.0.2.75:80 sh ()\n"), std::string::npos);
    t[k].params.flags = svc_flags::sched1 | svc_flags::sched3;
    EXPECT_NE(format_ipvsadm(t).find("TCP  192.0.2.75:80 sh (sh-fallback)\n"), std::string::npos);
}

}  // namespace halbd::forward
