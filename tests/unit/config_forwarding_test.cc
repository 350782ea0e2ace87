// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/config_forwarding_test.cc: validation against a forwarding
// backend's capabilities (config/validate_forwarding.cc): a backend without
// a scheduler, method, family, ... refuses a configuration using it with
// file:line:col, naming the backend and what it supports; with IPVS's
// capabilities, everything the LVS section can say still loads unchanged.
#include <gtest/gtest.h>

#include "config/forward_capabilities.hh"
#include "config_test_util.hh"
#include "forward/ipvs/ipvs_capabilities.hh"

namespace halbd::config {
namespace {

using namespace test_util;

// A small backend: two schedulers, NAT only, TCP over IPv4, nothing else.
ForwardCapabilities small() {
    ForwardCapabilities c;
    c.backend = "small";
    c.schedulers = {LvsSched::rr, LvsSched::wrr};
    c.methods = {LvsMethodKind::NAT};
    c.protocols = {LvsProtocol::TCP};
    c.families = {net::Family::V4};
    return c;
}

LoadResult load_with(const std::string& text, std::optional<ForwardCapabilities> caps) {
    LoadOptions o = options({}, "test");
    o.forwarding = std::move(caps);
    return load_text("test.conf", text, o);
}

TEST(ForwardCapabilities, SchedulerTheBackendLacksIsRefused) {
    const char* text = R"(virtual_server 10.0.0.1 80 {
    protocol TCP
    lvs_sched wlc
    real_server 10.0.0.2 80 {
    }
}
)";
    auto r = load_with(text, small());
    EXPECT_FALSE(r.model);
    EXPECT_EQ(r.messages(), std::vector<std::string>{
                                "test.conf:1:1: error: scheduler 'wlc' of virtual server 10.0.0.1:80 is not "
                                "supported by the small forwarding backend (it supports rr, wrr)"});
    // Without capabilities (no backend restriction) the same text loads.
    expect_model(load_with(text, std::nullopt));
}

// No lvs_sched: keepalived's default, wlc, must be supported too.
TEST(ForwardCapabilities, DefaultSchedulerIsCheckedToo) {
    auto r = load_with("virtual_server 10.0.0.1 80 {\n    protocol TCP\n    real_server 10.0.0.2 80 {\n    }\n}\n",
                       small());
    EXPECT_FALSE(r.model);
    EXPECT_TRUE(has_message(r, "test.conf:1:1: error: scheduler 'wlc' of virtual server 10.0.0.1:80 is not supported"))
        << all_messages(r);
}

TEST(ForwardCapabilities, EachMissingFeatureAtItsLine) {
    const char* text = R"(virtual_server 10.0.0.1 80 {
    protocol UDP
    lvs_sched rr
    persistence_timeout 60
    real_server 10.0.0.2 80 {
        lvs_method DR
    }
    real_server 10.0.0.3 80 {
        uthreshold 10
    }
}
virtual_server fwmark 7 {
    lvs_sched rr
    real_server 10.0.0.2 80 {
    }
}
virtual_server 2001:db8::1 80 {
    protocol TCP
    lvs_sched rr
    real_server 2001:db8::2 80 {
    }
}
)";
    auto r = load_with(text, small());
    EXPECT_FALSE(r.model);
    const std::vector<std::string> want = {
        "test.conf:1:1: error: protocol UDP of virtual server 10.0.0.1:80 is not supported by the small "
        "forwarding backend (it supports TCP)",
        "test.conf:1:1: error: persistence of virtual server 10.0.0.1:80 is not supported by the small "
        "forwarding backend",
        "test.conf:5:5: error: DR forwarding of real server 10.0.0.2 in virtual server 10.0.0.1:80 is not "
        "supported by the small forwarding backend (it supports NAT)",
        "test.conf:8:5: error: connection threshold (uthreshold/lthreshold) of real server 10.0.0.3 in "
        "virtual server 10.0.0.1:80 is not supported by the small forwarding backend",
        "test.conf:12:1: error: fwmark service of virtual server fwmark 7 is not supported by the small "
        "forwarding backend",
        "test.conf:17:1: error: IPv6 virtual server [2001:db8::1]:80 is not supported by the small forwarding "
        "backend (it supports IPv4)",
    };
    EXPECT_EQ(r.messages(), want);
}

// A backend without the IPVS sync daemon refuses lvs_sync_daemon, unless
// conntrack_sync keeps the sessions: then one file serves IPVS nodes (which
// run the sync daemon) and nftables nodes (which warn and ignore it).
TEST(ForwardCapabilities, SyncDaemonIsIgnoredWhenConntrackSyncKeepsTheSessions) {
    const std::string head = "global_defs {\n    lvs_sync_daemon eth0 id 5\n}\n";
    auto refused = load_with(head, small());
    EXPECT_FALSE(refused.model);
    EXPECT_EQ(refused.messages(), std::vector<std::string>{
                                      "test.conf:2:5: error: 'lvs_sync_daemon' is not supported by the small "
                                      "forwarding backend (it supports session sync through conntrack_sync)"});
    const std::string text = head + "vrrp_instance VI {\n    interface eth0\n    virtual_router_id 1\n"
                                    "    priority 100\n    virtual_ipaddress {\n        192.0.2.1\n    }\n}\n"
                                    "conntrack_sync {\n    interface eth2\n    instance VI\n}\n";
    auto r = load_with(text, small());
    EXPECT_TRUE(r.model) << all_messages(r);
    EXPECT_TRUE(has_message(r, "test.conf:2:5: warning: 'lvs_sync_daemon' is ignored by the small forwarding backend "
                               "(no IPVS connection table); conntrack_sync keeps the sessions"))
        << all_messages(r);
    auto ipvs = load_with(text, forward::ipvs::capabilities());
    EXPECT_TRUE(ipvs.model) << all_messages(ipvs);
    EXPECT_FALSE(has_message(ipvs, "lvs_sync_daemon' is ignored")) << all_messages(ipvs);
}

// IPVS, the default backend, can program everything the LVS section says:
// a configuration using all of it gives the same messages and the same model
// with and without IPVS's capabilities.
TEST(ForwardCapabilities, IpvsRefusesNothing) {
    const char* text = R"(global_defs {
    lvs_flush
    lvs_flush_on_stop
    lvs_timeouts tcp 7200 tcpfin 30 udp 60
    lvs_sync_daemon eth0 id 5
}
virtual_server_group G {
    10.0.0.10-12 80
    fwmark 9 inet6
}
virtual_server group G {
    protocol SCTP
    lvs_sched twos
    real_server 10.0.0.2 80 {
    }
}
virtual_server 10.0.0.1 5060 {
    protocol UDP
    lvs_sched sh
    sh-port
    sh-fallback
    ops
    persistence_timeout 60
    persistence_engine sip
    flag-3
    real_server 10.0.0.2 5060 {
        lvs_method TUN type gue port 6080 remcsum
        uthreshold 100
        lthreshold 10
    }
    real_server 10.0.0.3 5060 {
        lvs_method DR
    }
    sorry_server 10.0.0.9 5060
    sorry_server_lvs_method TUN type gre csum
}
virtual_server fwmark 3 {
    lvs_sched mh
    mh-port
    mh-fallback
    persistence_granularity 64
    real_server 2001:db8::2 80 {
    }
}
)";
    auto plain = load_with(text, std::nullopt);
    auto ipvs = load_with(text, forward::ipvs::capabilities());
    auto m = expect_model(ipvs);
    ASSERT_TRUE(m);
    ASSERT_TRUE(plain.model);
    EXPECT_EQ(ipvs.messages(), plain.messages());
    EXPECT_EQ(dump_text(*m), dump_text(*plain.model));
    EXPECT_EQ(forward::ipvs::capabilities().backend, "IPVS");
}

}  // namespace
}  // namespace halbd::config
