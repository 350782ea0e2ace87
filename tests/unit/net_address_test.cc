// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// Unit tests for net/address: parsing, printing and arithmetic of addresses.
#include <gtest/gtest.h>

#include "net/address.hh"

using halbd::net::IpAddress;
using halbd::net::Prefix;

TEST(IpAddress, ParsesAndPrintsBothFamilies) {
    auto a = IpAddress::parse("192.168.2.11");
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->is_v4());
    EXPECT_EQ(a->to_string(), "192.168.2.11");
    auto b = IpAddress::parse("FE80::1");
    ASSERT_TRUE(b);
    EXPECT_TRUE(b->is_v6());
    EXPECT_TRUE(b->is_link_local());
    EXPECT_EQ(b->to_string(), "fe80::1");
}

TEST(IpAddress, RejectsGarbage) {
    for (const char* s : {"", "1.2.3", "1.2.3.256", "abc", "1.2.3.4 ", "::1::2", "1.2.3.4/24"})
        EXPECT_FALSE(IpAddress::parse(s)) << s;
}

TEST(IpAddress, PlusCarriesAcrossOctets) {
    EXPECT_EQ(IpAddress::parse("10.0.0.255")->plus(1).to_string(), "10.0.1.0");
    EXPECT_EQ(IpAddress::parse("2001:db8::ffff")->plus(1).to_string(), "2001:db8::1:0");
}

TEST(Prefix, ParsesLengthsWithinFamily) {
    EXPECT_EQ(Prefix::parse("10.0.0.1/24")->length, 24);
    EXPECT_EQ(Prefix::parse("10.0.0.1")->length, 32);
    EXPECT_EQ(Prefix::parse("2001:db8::1/64")->length, 64);
    EXPECT_FALSE(Prefix::parse("10.0.0.1/33"));
    EXPECT_FALSE(Prefix::parse("10.0.0.1/"));
    EXPECT_FALSE(Prefix::parse("10.0.0.1/2x"));
    EXPECT_FALSE(Prefix::parse("2001:db8::1/129"));
}
