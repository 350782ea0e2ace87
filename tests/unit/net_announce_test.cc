// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/net_announce_test.cc: the GARP / unsolicited NA builders, the
// primary-address choice and the in-memory AddressBackend (src/net).
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>

#include "net/address_backend.hh"
#include "net/announcer.hh"
#include "support/fake_net.hh"

namespace halbd::net {
namespace {

IpAddress ip(const char* s) { return *IpAddress::parse(s); }
const MacAddress kMac{0x02, 0x11, 0x22, 0x33, 0x44, 0x55};

TEST(Announce, GarpIsRequestWithSenderEqualTarget) {
    auto p = build_garp(kMac, ip("192.0.2.100"));
    const std::vector<uint8_t> want{0, 1, 8, 0, 6, 4, 0, 1,                     // Ethernet, IPv4, request
                                    0x02, 0x11, 0x22, 0x33, 0x44, 0x55, 192, 0, 2, 100,  // sender
                                    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 192, 0, 2, 100}; // target
    EXPECT_EQ(p, want);
}

TEST(Announce, UnsolicitedNaHasOverrideAndTargetLinkLayerOption) {
    auto p = build_unsolicited_na(kMac, ip("2001:db8::100"));
    ASSERT_EQ(p.size(), 32u);
    EXPECT_EQ(p[0], 136);      // Neighbor Advertisement
    EXPECT_EQ(p[1], 0);
    EXPECT_EQ(p[4], 0x20);     // O set, R and S clear
    EXPECT_EQ(0, std::memcmp(&p[8], ip("2001:db8::100").bytes(), 16));
    EXPECT_EQ(p[24], 2);       // Target Link-Layer Address
    EXPECT_EQ(p[25], 1);
    EXPECT_EQ(0, std::memcmp(&p[26], kMac.data(), 6));
    EXPECT_EQ(build_unsolicited_na(kMac, ip("2001:db8::100"), true)[4], 0xa0);
}

TEST(PrimaryAddress, Ipv4SkipsSecondaryHostScopeAndVips) {
    std::vector<InterfaceAddress> a{
        {*Prefix::parse("192.0.2.100/32"), 0, false, false, {}},  // a VIP added first
        {*Prefix::parse("127.0.0.1/8"), 254, false, false, {}},
        {*Prefix::parse("192.0.2.5/24"), 0, true, false, {}},
        {*Prefix::parse("192.0.2.1/24"), 0, false, false, {}},
    };
    EXPECT_EQ(primary_address(a, Family::V4, {ip("192.0.2.100")}), ip("192.0.2.1"));
    EXPECT_EQ(primary_address(a, Family::V6), std::nullopt);
}

TEST(PrimaryAddress, Ipv6IsUsableLinkLocal) {
    std::vector<InterfaceAddress> a{
        {*Prefix::parse("2001:db8::1/64"), 0, false, false, {}},
        {*Prefix::parse("fe80::1/64"), 253, false, true, {}},  // tentative
        {*Prefix::parse("fe80::2/64"), 253, false, false, {}},
    };
    EXPECT_EQ(primary_address(a, Family::V6), ip("fe80::2"));
}

TEST(FakeAddressBackend, AddRemoveIsIdempotentAndJournaled) {
    FakeAddressBackend b;
    b.add_link("eth0", Prefix::parse("192.0.2.1/24"));
    AddressSpec s;
    s.address = *Prefix::parse("192.0.2.100/32");
    ASSERT_TRUE(b.add_address("eth0", s));
    ASSERT_TRUE(b.add_address("eth0", s));
    EXPECT_TRUE(b.has("eth0", ip("192.0.2.100")));
    ASSERT_TRUE(b.remove_address("eth0", s));
    ASSERT_TRUE(b.remove_address("eth0", s));
    EXPECT_FALSE(b.has("eth0", ip("192.0.2.100")));
    EXPECT_EQ(b.journal().size(), 4u);
    EXPECT_FALSE(b.link("eth9"));
    b.fail_next(EPERM);
    EXPECT_FALSE(b.add_address("eth0", s));
}

}  // namespace
}  // namespace halbd::net
