// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/forward_desired_test.cc: config Model -> ServiceTable, one test
// per keepalived mapping rule (group expansion, flags, netmask, methods,
// inhibit, alpha, quorum and hysteresis as programmed, sorry server). The
// quorum rule itself is tested in forward_quorum_test.cc.
#include <gtest/gtest.h>

#include <cstring>
#include <map>

#include "forward/desired.hh"
#include "forward_test_util.hh"

namespace halbd::forward {
namespace {

using namespace test_util;

// A pool with explicit states: "10.0.0.2:80" -> up/down; unknown = up.
class TablePool : public PoolView {
public:
    std::map<std::string, bool> up;
    std::map<std::string, int64_t> weight;
    std::optional<bool> was_up;
    bool is_up(const config::VirtualServer&, const config::RealServer& rs) const override {
        auto it = up.find(DestKey{rs.address, rs.port}.to_string());
        return it == up.end() || it->second;
    }
    int64_t effective_weight(const config::VirtualServer& vs, const config::RealServer& rs) const override {
        auto it = weight.find(DestKey{rs.address, rs.port}.to_string());
        return it == weight.end() ? PoolView::effective_weight(vs, rs) : it->second;
    }
    std::optional<bool> quorum_was_up(const config::VirtualServer&) const override { return was_up; }
};

ServiceTable initial(const char* text) {
    auto m = load(text);
    if (!m) return {};
    return desired_services(*m, InitialPool{});
}

TEST(DesiredServices, AddressServiceWithDefaults) {
    ServiceTable t = initial(R"(
virtual_server 10.0.0.1 80 {
    protocol TCP
    real_server 10.0.0.2 8080 {
    }
    real_server 10.0.0.3 8080 {
        weight 3
        uthreshold 100
        lthreshold 10
    }
}
)");
    ASSERT_EQ(t.size(), 1u);
    const Service& s = t.at(tcp("10.0.0.1", 80));
    EXPECT_EQ(s.params, sp("wlc"));  // keepalived's default scheduler, no flags
    ASSERT_EQ(s.dests.size(), 2u);
    EXPECT_EQ(s.dests.at(dest("10.0.0.2", 8080)), dp(1));
    DestParams d3 = dp(3);
    d3.u_threshold = 100;
    d3.l_threshold = 10;
    EXPECT_EQ(s.dests.at(dest("10.0.0.3", 8080)), d3);
}

TEST(DesiredServices, SchedulerFlagsAndPersistence) {
    ServiceTable t = initial(R"(
virtual_server 10.0.0.1 80 {
    protocol TCP
    lvs_sched sh
    sh-port
    sh-fallback
    persistence_timeout 300
    persistence_granularity 255.255.255.0
    persistence_engine sip
    real_server 10.0.0.2 80 {
    }
}
virtual_server 10.0.0.1 53 {
    protocol UDP
    lvs_sched mh
    mh-port
    ops
    flag-3
    real_server 10.0.0.2 53 {
    }
}
virtual_server 10.0.0.1 81 {
    protocol TCP
    lvs_sched rr
    flag-1
    flag-2
    persistence_engine sip
    real_server 10.0.0.2 81 {
    }
}
)");
    ASSERT_EQ(t.size(), 3u);
    ServiceParams sh = t.at(tcp("10.0.0.1", 80)).params;
    EXPECT_EQ(sh.scheduler, "sh");
    EXPECT_EQ(sh.flags, svc_flags::sched1 | svc_flags::sched2 | svc_flags::persistent);
    EXPECT_EQ(sh.timeout, 300u);
    uint32_t mask;
    std::memcpy(&mask, ip("255.255.255.0").bytes(), 4);  // network byte order
    EXPECT_EQ(sh.netmask, mask);
    EXPECT_EQ(sh.pe_name, "sip");

    ServiceParams mh = t.at(udp("10.0.0.1", 53)).params;
    EXPECT_EQ(mh.flags, svc_flags::sched2 | svc_flags::sched3 | svc_flags::onepacket);
    EXPECT_EQ(mh.timeout, 0u);
    EXPECT_EQ(mh.netmask, 0xffffffffu);

    // pe_name is only sent with persistence (keepalived ipvs_set_srule).
    ServiceParams rr = t.at(tcp("10.0.0.1", 81)).params;
    EXPECT_EQ(rr.flags, svc_flags::sched1 | svc_flags::sched2);
    EXPECT_EQ(rr.pe_name, "");
}

TEST(DesiredServices, Ipv6NetmaskIsAPrefixLength) {
    ServiceTable t = initial(R"(
virtual_server 2001:db8::1 443 {
    protocol TCP
    real_server 2001:db8::2 443 {
    }
}
virtual_server 2001:db8::1 80 {
    protocol TCP
    persistence_timeout 60
    persistence_granularity 64
    real_server 2001:db8::2 80 {
    }
}
)");
    EXPECT_EQ(t.at(tcp("2001:db8::1", 443)).params.netmask, 128u);
    const auto& p = t.at(tcp("2001:db8::1", 80)).params;
    EXPECT_EQ(p.netmask, 64u);
    EXPECT_EQ(p.flags, svc_flags::persistent);
}

TEST(DesiredServices, ForwardingMethodsAndPorts) {
    ServiceTable t = initial(R"(
virtual_server 10.0.0.1 80 {
    protocol TCP
    lvs_method DR
    real_server 10.0.0.2 80 {
    }
    real_server 10.0.0.3 80 {
        lvs_method NAT
    }
    real_server 10.0.0.4 80 {
        lvs_method TUN type gue port 6080 csum
    }
    real_server 10.0.0.5 80 {
        lvs_method TUN type gre csum
    }
}
virtual_server fwmark 5 {
    lvs_method DR
    real_server 10.0.0.6 80 {
    }
}
)");
    const Service& s = t.at(tcp("10.0.0.1", 80));
    EXPECT_EQ(s.dests.at(dest("10.0.0.2", 80)).method, Method::Route);
    EXPECT_EQ(s.dests.at(dest("10.0.0.3", 80)).method, Method::Masq);
    DestParams gue = dp(1, Method::Tunnel);
    gue.tun_type = 1;  // IP_VS_CONN_F_TUNNEL_TYPE_GUE
    gue.tun_port = 6080;
    gue.tun_flags = 1;  // IP_VS_TUNNEL_ENCAP_FLAG_CSUM
    EXPECT_EQ(s.dests.at(dest("10.0.0.4", 80)), gue);
    DestParams gre = dp(1, Method::Tunnel);
    gre.tun_type = 2;
    gre.tun_flags = 1;  // CSUM
    EXPECT_EQ(s.dests.at(dest("10.0.0.5", 80)), gre);
    // DR to a fwmark service: destination port 0.
    const Service& f = t.at(fwm(5));
    ASSERT_EQ(f.dests.size(), 1u);
    EXPECT_EQ(f.dests.begin()->first, dest("10.0.0.6", 0));
}

TEST(DesiredServices, GroupExpandsRangesAndFwmarks) {
    ServiceTable t = initial(R"(
virtual_server_group G {
    10.0.0.1-3 80
    10.0.1.1 8080
    fwmark 7
    fwmark 8 inet6
}
virtual_server group G {
    protocol TCP
    lvs_sched rr
    lvs_method DR
    real_server 10.0.0.9 80 {
    }
}
)");
    ASSERT_EQ(t.size(), 6u) << "3 addresses + 1 + 2 fwmarks";
    for (const char* a : {"10.0.0.1", "10.0.0.2", "10.0.0.3"}) {
        ASSERT_TRUE(t.count(tcp(a, 80))) << a;
        EXPECT_EQ(t.at(tcp(a, 80)).params.scheduler, "rr");
        EXPECT_EQ(t.at(tcp(a, 80)).dests.begin()->first, dest("10.0.0.9", 80));
    }
    // DR: the destination port is the entry's port (keepalived ipvs_group_cmd).
    ASSERT_TRUE(t.count(tcp("10.0.1.1", 8080)));
    EXPECT_EQ(t.at(tcp("10.0.1.1", 8080)).dests.begin()->first, dest("10.0.0.9", 8080));
    ASSERT_TRUE(t.count(fwm(7)));
    EXPECT_EQ(t.at(fwm(7)).dests.begin()->first, dest("10.0.0.9", 0));
    ASSERT_TRUE(t.count(fwm(8, net::Family::V6)));
    EXPECT_EQ(t.at(fwm(8, net::Family::V6)).params.netmask, 128u);
}

const char* kPool = R"(
virtual_server 10.0.0.1 80 {
    protocol TCP
    quorum 2
    hysteresis 1
    real_server 10.0.0.2 80 {
        TCP_CHECK {
        }
    }
    real_server 10.0.0.3 80 {
        inhibit_on_failure
        TCP_CHECK {
        }
    }
    real_server 10.0.0.4 80 {
        TCP_CHECK {
        }
    }
}
)";

TEST(DesiredServices, DownServersAbsentOrInhibited) {
    auto m = load(kPool);
    ASSERT_TRUE(m);
    TablePool pool;
    pool.up = {{"10.0.0.2:80", false}, {"10.0.0.3:80", false}};
    ServiceTable t = desired_services(*m, pool);
    const auto& d = t.at(tcp("10.0.0.1", 80)).dests;
    EXPECT_FALSE(d.count(dest("10.0.0.2", 80)));          // down: removed
    EXPECT_EQ(d.at(dest("10.0.0.3", 80)).weight, 0);      // down, inhibit_on_failure: weight 0
    EXPECT_EQ(d.at(dest("10.0.0.4", 80)).weight, 1);
}

TEST(DesiredServices, EffectiveWeightIsClamped) {
    auto m = load(kPool);
    ASSERT_TRUE(m);
    TablePool pool;
    pool.weight = {{"10.0.0.2:80", -5}, {"10.0.0.3:80", 7}};
    ServiceTable t = desired_services(*m, pool);
    const auto& d = t.at(tcp("10.0.0.1", 80)).dests;
    EXPECT_EQ(d.at(dest("10.0.0.2", 80)).weight, 0);
    EXPECT_EQ(d.at(dest("10.0.0.3", 80)).weight, 7);
}

TEST(DesiredServices, InitialPoolAlpha) {
    ServiceTable t = initial(R"(
virtual_server 10.0.0.1 80 {
    protocol TCP
    real_server 10.0.0.2 80 {
    }
    real_server 10.0.0.3 80 {
        TCP_CHECK {
        }
    }
    real_server 10.0.0.4 80 {
        alpha
        TCP_CHECK {
        }
    }
    real_server 10.0.0.5 80 {
        TCP_CHECK {
        alpha
        }
    }
    real_server 10.0.0.6 80 {
        alpha
        inhibit_on_failure
        TCP_CHECK {
        }
    }
    real_server 10.0.0.7 80 {
        alpha
    }
}
)");
    const auto& d = t.at(tcp("10.0.0.1", 80)).dests;
    EXPECT_TRUE(d.count(dest("10.0.0.2", 80)));   // no checker: up
    EXPECT_TRUE(d.count(dest("10.0.0.3", 80)));   // checker without alpha: up
    EXPECT_FALSE(d.count(dest("10.0.0.4", 80)));  // alpha checker starts failed
    EXPECT_FALSE(d.count(dest("10.0.0.5", 80)));
    EXPECT_EQ(d.at(dest("10.0.0.6", 80)).weight, 0);  // alpha + inhibit: present, weight 0
    EXPECT_TRUE(d.count(dest("10.0.0.7", 80)));       // alpha but no checker: nothing to fail
}

const char* kSorry = R"(
virtual_server 10.0.0.1 80 {
    protocol TCP
    quorum 2
    sorry_server 10.0.0.99 8080
    real_server 10.0.0.2 80 {
        TCP_CHECK {
        }
    }
    real_server 10.0.0.3 80 {
        inhibit_on_failure
        TCP_CHECK {
        }
    }
}
virtual_server 10.0.0.1 81 {
    protocol TCP
    sorry_server 10.0.0.99 8081
    sorry_server_inhibit
    sorry_server_lvs_method DR
    real_server 10.0.0.2 81 {
        TCP_CHECK {
        }
    }
}
)";

TEST(DesiredServices, SorryServerWhenQuorumLost) {
    auto m = load(kSorry);
    ASSERT_TRUE(m);
    TablePool pool;
    ServiceTable all_up = desired_services(*m, pool);
    const auto& a = all_up.at(tcp("10.0.0.1", 80)).dests;
    EXPECT_EQ(a.size(), 2u);
    EXPECT_FALSE(a.count(dest("10.0.0.99", 8080)));

    pool.up = {{"10.0.0.2:80", false}};  // live weight 1 < quorum 2
    ServiceTable lost = desired_services(*m, pool);
    const auto& l = lost.at(tcp("10.0.0.1", 80)).dests;
    EXPECT_EQ(l.size(), 2u);
    EXPECT_EQ(l.at(dest("10.0.0.99", 8080)), dp(1));        // sorry server in, weight 1
    EXPECT_EQ(l.at(dest("10.0.0.3", 80)).weight, 0);        // live but displaced; inhibit keeps it at 0
    EXPECT_FALSE(l.count(dest("10.0.0.2", 80)));
}

TEST(DesiredServices, SorryServerInhibitAndMethod) {
    auto m = load(kSorry);
    ASSERT_TRUE(m);
    TablePool pool;
    ServiceTable up = desired_services(*m, pool);
    // sorry_server_inhibit: present with weight 0 while the quorum holds; DR: the service port.
    EXPECT_EQ(up.at(tcp("10.0.0.1", 81)).dests.at(dest("10.0.0.99", 81)), dp(0, Method::Route));
    pool.up = {{"10.0.0.2:81", false}};
    ServiceTable down = desired_services(*m, pool);
    const auto& d = down.at(tcp("10.0.0.1", 81)).dests;
    EXPECT_EQ(d.size(), 1u);
    EXPECT_EQ(d.at(dest("10.0.0.99", 81)), dp(1, Method::Route));
}

TEST(DesiredServices, HysteresisKeepsTheSorryServerOut) {
    auto m = load(R"(
virtual_server 10.0.0.1 80 {
    protocol TCP
    quorum 2
    hysteresis 1
    sorry_server 10.0.0.99 80
    real_server 10.0.0.2 80 {
        TCP_CHECK {
        }
    }
    real_server 10.0.0.3 80 {
        TCP_CHECK {
        }
    }
    real_server 10.0.0.4 80 {
        TCP_CHECK {
        }
    }
}
)");
    ASSERT_TRUE(m);
    TablePool pool;
    pool.up = {{"10.0.0.2:80", false}, {"10.0.0.3:80", false}};  // live 1 = quorum - hysteresis
    pool.was_up = true;
    EXPECT_FALSE(desired_services(*m, pool).at(tcp("10.0.0.1", 80)).dests.count(dest("10.0.0.99", 80)));
    pool.was_up = false;
    pool.up = {{"10.0.0.2:80", false}};  // live 2 < quorum + hysteresis: still down
    EXPECT_TRUE(desired_services(*m, pool).at(tcp("10.0.0.1", 80)).dests.count(dest("10.0.0.99", 80)));
}

}  // namespace
}  // namespace halbd::forward
