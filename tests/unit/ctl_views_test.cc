// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/ctl_views_test.cc: the ipvs view: text is format_ipvsadm's, the
// JSON lists the same services in the same (ipvsadm --sort) order with their
// destinations, fwmark and IPv6 services included.
#include <gtest/gtest.h>

#include "ctl/views.hh"
#include "forward/ipvsadm_format.hh"

namespace halbd::ctl {
namespace {

using forward::Service;
using forward::ServiceKey;

ServiceKey key(const char* addr, uint16_t port) {
    ServiceKey k;
    k.address = *net::IpAddress::parse(addr);
    k.family = k.address.family();
    k.port = port;
    return k;
}

TEST(CtlViews, IpvsTextIsIpvsadmLayout) {
    forward::ServiceTable t;
    ServiceKey a = key("10.0.0.1", 80);
    t[a] = Service{a, {}, {}};
    EXPECT_EQ(ipvs_view(t, Format::Text), forward::format_ipvsadm(t));
}

TEST(CtlViews, IpvsJsonInSortOrder) {
    forward::ServiceTable t;
    ServiceKey v6 = key("2001:db8::1", 443);
    ServiceKey v4 = key("10.0.0.1", 80);
    ServiceKey fw = ServiceKey::fwmark_key(net::Family::V4, 5);
    t[v6] = Service{v6, {}, {}};
    t[v4] = Service{v4, {}, {}};
    t[v4].params.scheduler = "sh";
    t[v4].params.flags = forward::svc_flags::sched1 | forward::svc_flags::sched2 | forward::svc_flags::persistent;
    t[v4].params.timeout = 300;
    t[v4].dests[forward::DestKey{*net::IpAddress::parse("10.0.0.2"), 8080}] = forward::DestParams{};
    t[fw] = Service{fw, {}, {}};
    t[fw].dests[forward::DestKey{*net::IpAddress::parse("10.0.0.3"), 0}].method = forward::Method::Route;
    EXPECT_EQ(ipvs_view(t, Format::Json),
              "[{\"family\":\"inet\",\"protocol\":\"TCP\",\"address\":\"10.0.0.1\",\"port\":80,\"fwmark\":0,"
              "\"scheduler\":\"sh\",\"flags\":25,\"scheduler_flags\":[\"sh-fallback\",\"sh-port\"],"
              "\"persistent\":true,\"timeout\":300,\"netmask\":\"255.255.255.255\",\"one_packet\":false,"
              "\"dests\":[{\"address\":\"10.0.0.2\",\"port\":8080,\"method\":\"Masq\",\"weight\":1,"
              "\"u_threshold\":0,\"l_threshold\":0}]},"
              "{\"family\":\"inet6\",\"protocol\":\"TCP\",\"address\":\"2001:db8::1\",\"port\":443,\"fwmark\":0,"
              "\"scheduler\":\"wlc\",\"flags\":0,\"scheduler_flags\":[],\"persistent\":false,\"one_packet\":false,"
              "\"dests\":[]},"
              "{\"family\":\"inet\",\"protocol\":null,\"address\":null,\"port\":null,\"fwmark\":5,"
              "\"scheduler\":\"wlc\",\"flags\":0,\"scheduler_flags\":[],\"persistent\":false,\"one_packet\":false,"
              "\"dests\":[{\"address\":\"10.0.0.3\",\"port\":0,\"method\":\"Route\",\"weight\":1,"
              "\"u_threshold\":0,\"l_threshold\":0}]}]\n");
}

}  // namespace
}  // namespace halbd::ctl
