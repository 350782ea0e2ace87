// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/sync_exp_codec_test.cc: the FT-FW expectation codec: the bytes
// conntrackd 1.4.7's exp2msg builds for an FTP passive expectation behind
// DNAT (written out from its source, attribute by attribute), decoding them,
// round trips, and each malformed input refused.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "sync/exp_codec.hh"
#include "sync/exp_sync.hh"

namespace halbd::sync::ftfw {
namespace {

using Bytes = std::vector<uint8_t>;

// Master 192.0.2.10:40000 -> 192.0.2.100:21 (tcp); expected 192.0.2.10:any
// -> 192.0.2.100:50000; NAT to 198.51.100.11:50000, direction original;
// helper ftp, function nat-follow-master; timeout 300, flags 0, class 0.
const Bytes kFtp = {
    0x00, 0x0c, 0x00, 0x00, 192, 0, 2, 10, 192, 0, 2, 100,            // master IPv4
    0x00, 0x05, 0x00, 0x02, 0x06, 0x00, 0x00, 0x00,                   // master L4
    0x00, 0x08, 0x00, 0x03, 0x9c, 0x40, 0x00, 0x15,                   // master ports
    0x00, 0x0c, 0x00, 0x04, 192, 0, 2, 10, 192, 0, 2, 100,            // expected IPv4
    0x00, 0x05, 0x00, 0x06, 0x06, 0x00, 0x00, 0x00,                   // expected L4
    0x00, 0x08, 0x00, 0x07, 0x00, 0x00, 0xc3, 0x50,                   // expected ports
    0x00, 0x0c, 0x00, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // mask IPv4
    0x00, 0x05, 0x00, 0x0a, 0x06, 0x00, 0x00, 0x00,                   // mask L4
    0x00, 0x08, 0x00, 0x0b, 0x00, 0x00, 0xff, 0xff,                   // mask ports
    0x00, 0x08, 0x00, 0x0c, 0x00, 0x00, 0x01, 0x2c,                   // timeout
    0x00, 0x08, 0x00, 0x0d, 0x00, 0x00, 0x00, 0x00,                   // flags
    0x00, 0x08, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x00,                   // class
    0x00, 0x0c, 0x00, 0x0f, 198, 51, 100, 11, 0, 0, 0, 0,             // NAT IPv4
    0x00, 0x05, 0x00, 0x11, 0x06, 0x00, 0x00, 0x00,                   // NAT L4
    0x00, 0x08, 0x00, 0x10, 0xc3, 0x50, 0x00, 0x00,                   // NAT ports
    0x00, 0x08, 0x00, 0x12, 0x00, 0x00, 0x00, 0x00,                   // NAT direction
    0x00, 0x08, 0x00, 0x13, 'f', 't', 'p', 0,                         // helper
    0x00, 0x16, 0x00, 0x14, 'n', 'a', 't', '-', 'f', 'o', 'l', 'l', 'o', 'w', '-',
    'm', 'a', 's', 't', 'e', 'r', 0, 0, 0,                            // fn, padded
};

Ct tuple(const char* src, const char* dst, uint16_t sport, uint16_t dport) {
    Ct ct(nfct_new());
    nfct_set_attr_u8(ct.get(), ATTR_L3PROTO, AF_INET);
    nfct_set_attr_u32(ct.get(), ATTR_IPV4_SRC, inet_addr(src));
    nfct_set_attr_u32(ct.get(), ATTR_IPV4_DST, inet_addr(dst));
    nfct_set_attr_u8(ct.get(), ATTR_L4PROTO, IPPROTO_TCP);
    nfct_set_attr_u16(ct.get(), ATTR_PORT_SRC, htons(sport));
    nfct_set_attr_u16(ct.get(), ATTR_PORT_DST, htons(dport));
    return ct;
}

Exp ftp_exp() {
    Exp e(nfexp_new());
    nfexp_set_attr(e.get(), ATTR_EXP_MASTER, tuple("192.0.2.10", "192.0.2.100", 40000, 21).get());
    nfexp_set_attr(e.get(), ATTR_EXP_EXPECTED, tuple("192.0.2.10", "192.0.2.100", 0, 50000).get());
    nfexp_set_attr(e.get(), ATTR_EXP_MASK, tuple("255.255.255.255", "255.255.255.255", 0, 0xffff).get());
    nfexp_set_attr_u32(e.get(), ATTR_EXP_TIMEOUT, 300);
    nfexp_set_attr_u32(e.get(), ATTR_EXP_FLAGS, 0);
    nfexp_set_attr_u32(e.get(), ATTR_EXP_CLASS, 0);
    Ct nat = tuple("198.51.100.11", "0.0.0.0", 50000, 0);
    nfexp_set_attr(e.get(), ATTR_EXP_NAT_TUPLE, nat.get());
    nfexp_set_attr_u32(e.get(), ATTR_EXP_NAT_DIR, 0);
    nfexp_set_attr(e.get(), ATTR_EXP_HELPER_NAME, "ftp");
    nfexp_set_attr(e.get(), ATTR_EXP_FN, "nat-follow-master");
    return e;
}

const nf_conntrack* part(const nf_expect* e, nf_expect_attr a) {
    return static_cast<const nf_conntrack*>(nfexp_get_attr(e, a));
}

TEST(SyncExpCodec, EncodesAsConntrackd) {
    Bytes out;
    encode_exp(*ftp_exp(), out);
    EXPECT_EQ(out, kFtp);
}

TEST(SyncExpCodec, DecodesConntrackdBytes) {
    auto e = decode_exp(kFtp);
    ASSERT_TRUE(e) << to_string(e.error());
    const nf_expect* x = e->get();
    const nf_conntrack* m = part(x, ATTR_EXP_MASTER);
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(nfct_get_attr_u32(m, ATTR_IPV4_DST), inet_addr("192.0.2.100"));
    EXPECT_EQ(ntohs(nfct_get_attr_u16(m, ATTR_PORT_DST)), 21);
    EXPECT_EQ(nfct_get_attr_u8(m, ATTR_L3PROTO), AF_INET);
    const nf_conntrack* t = part(x, ATTR_EXP_EXPECTED);
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(ntohs(nfct_get_attr_u16(t, ATTR_PORT_DST)), 50000);
    const nf_conntrack* n = part(x, ATTR_EXP_NAT_TUPLE);
    ASSERT_NE(n, nullptr);
    EXPECT_EQ(nfct_get_attr_u32(n, ATTR_IPV4_SRC), inet_addr("198.51.100.11"));
    EXPECT_EQ(nfexp_get_attr_u32(x, ATTR_EXP_TIMEOUT), 300u);
    EXPECT_STREQ(static_cast<const char*>(nfexp_get_attr(x, ATTR_EXP_HELPER_NAME)), "ftp");
    EXPECT_STREQ(static_cast<const char*>(nfexp_get_attr(x, ATTR_EXP_FN)), "nat-follow-master");
    EXPECT_EQ(exp_key(*x), exp_key(*ftp_exp()));
    EXPECT_TRUE(exp_selected({}, *x));
    EXPECT_TRUE(exp_selected({"sip", "ftp"}, *x));
    EXPECT_FALSE(exp_selected({"sip"}, *x));
}

TEST(SyncExpCodec, RoundTripsWithoutNat) {
    Exp e = ftp_exp();
    nfexp_attr_unset(e.get(), ATTR_EXP_NAT_TUPLE);
    nfexp_attr_unset(e.get(), ATTR_EXP_NAT_DIR);
    nfexp_attr_unset(e.get(), ATTR_EXP_FN);
    Bytes out;
    encode_exp(*e, out);
    auto d = decode_exp(out);
    ASSERT_TRUE(d) << to_string(d.error());
    EXPECT_EQ(nfexp_get_attr(d->get(), ATTR_EXP_NAT_TUPLE), nullptr);
    Bytes again;
    encode_exp(**d, again);
    EXPECT_EQ(again, out);
}

Bytes without(const Bytes& b, size_t at, size_t n) {
    Bytes out(b.begin(), b.begin() + static_cast<long>(at));
    out.insert(out.end(), b.begin() + static_cast<long>(at + n), b.end());
    return out;
}

TEST(SyncExpCodec, RefusesMalformed) {
    auto err = [](const Bytes& b) {
        auto e = decode_exp(b);
        return e ? std::string("accepted") : std::string(to_string(e.error()));
    };
    // Cut in the middle of the last attribute.
    EXPECT_EQ(err(Bytes(kFtp.begin(), kFtp.end() - 6)), to_string(WireError::BadAttrLength));
    // The master's address pair given twice.
    Bytes dup = kFtp;
    dup.insert(dup.begin(), kFtp.begin(), kFtp.begin() + 12);
    EXPECT_EQ(err(dup), to_string(WireError::DuplicateAttr));
    // An attribute type past NTA_EXP_MAX.
    Bytes unknown = kFtp;
    unknown[3] = 21;
    EXPECT_EQ(err(unknown), to_string(WireError::UnknownAttr));
    // A fixed-size attribute of the wrong size (L4 protocol said as 6 bytes).
    Bytes size = kFtp;
    size[13] = 6;
    EXPECT_EQ(err(size), to_string(WireError::BadAttrSize));
    // No expected tuple (its address pair removed).
    EXPECT_EQ(err(without(kFtp, 28, 12)), to_string(WireError::MissingTuple));
    // A NAT tuple without its direction.
    EXPECT_EQ(err(without(kFtp, 136, 8)), to_string(WireError::MissingTuple));
    // A helper name without its terminating NUL.
    Bytes noterm = kFtp;
    noterm[151] = 'x';
    EXPECT_EQ(err(noterm), to_string(WireError::BadAttrSize));
    // Attribute length below its header.
    Bytes tiny = kFtp;
    tiny[1] = 2;
    EXPECT_EQ(err(tiny), to_string(WireError::BadAttrLength));
    EXPECT_EQ(err({}), to_string(WireError::MissingTuple));
}

}  // namespace
}  // namespace halbd::sync::ftfw
