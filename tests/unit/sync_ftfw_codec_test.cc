// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/sync_ftfw_codec_test.cc: the FT-FW framing and attribute codec
// against messages captured from conntrackd 1.4.7 (tcpdump on the veth of
// tests/netns/sync-wire-conntrackd.sh), byte-for-byte encoding of the same
// connection, round trips and every validation error.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

#include <gtest/gtest.h>

#include "sync/ftfw_ct_codec.hh"
#include "sync/ftfw_wire.hh"

namespace halbd::sync::ftfw {
namespace {

using Bytes = std::vector<uint8_t>;

// conntrackd 1.4.7, NEW of `conntrack -I -p tcp -s 192.0.2.21 -d
// 198.51.100.90 --sport 41000 --dport 80 --state ESTABLISHED -t 500 -u
// SEEN_REPLY,ASSURED --mark 9 --dst-nat 203.0.113.7:8080 --zone 5`.
const Bytes kCtdNew = {
    0x10, 0x00, 0x00, 0x6c, 0x6b, 0x16, 0x2a, 0xf1,                          // v1 NEW len 108 seq
    0x00, 0x0c, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x15, 0xc6, 0x33, 0x64, 0x5a,  // IPv4
    0x00, 0x08, 0x00, 0x05, 0x00, 0x00, 0x01, 0xae,                          // status
    0x00, 0x05, 0x00, 0x02, 0x06, 0x00, 0x00, 0x00,                          // L4 proto
    0x00, 0x08, 0x00, 0x03, 0xa0, 0x28, 0x00, 0x50,                          // ports
    0x00, 0x05, 0x00, 0x04, 0x03, 0x00, 0x00, 0x00,                          // TCP state
    0x00, 0x08, 0x00, 0x06, 0x00, 0x00, 0x01, 0xf4,                          // timeout
    0x00, 0x08, 0x00, 0x07, 0x00, 0x00, 0x00, 0x09,                          // mark
    0x00, 0x08, 0x00, 0x0d, 0xcb, 0x00, 0x71, 0x07,                          // DNAT address
    0x00, 0x06, 0x00, 0x0f, 0x90, 0x1f, 0x00, 0x00,                          // DNAT port
    0x00, 0x10, 0x00, 0x1f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,             // synproxy
    0x00, 0x06, 0x00, 0x20, 0x00, 0x05, 0x00, 0x00,                          // zone
};
// conntrackd 1.4.7 ACK seq 0x6b162ac7 for 0x6b162ac6..0x6b162aca.
const Bytes kCtdAck = {0x1a, 0x08, 0x00, 0x10, 0x6b, 0x16, 0x2a, 0xc7,
                       0x6b, 0x16, 0x2a, 0xc6, 0x6b, 0x16, 0x2a, 0xca};
// Ours at start: RESYNC with HELLO, seq 0x6b162ac6.
const Bytes kResyncHello = {0x1a, 0x22, 0x00, 0x10, 0x6b, 0x16, 0x2a, 0xc6, 0, 0, 0, 0, 0, 0, 0, 0};

uint32_t ip(const char* s) { return inet_addr(s); }

Ct kernel_like_ct() {
    Ct ct(nfct_new());
    nfct_set_attr_u8(ct.get(), ATTR_L3PROTO, AF_INET);
    nfct_set_attr_u32(ct.get(), ATTR_ORIG_IPV4_SRC, ip("192.0.2.21"));
    nfct_set_attr_u32(ct.get(), ATTR_ORIG_IPV4_DST, ip("198.51.100.90"));
    nfct_set_attr_u32(ct.get(), ATTR_REPL_IPV4_SRC, ip("203.0.113.7"));
    nfct_set_attr_u32(ct.get(), ATTR_REPL_IPV4_DST, ip("192.0.2.21"));
    nfct_set_attr_u8(ct.get(), ATTR_L4PROTO, IPPROTO_TCP);
    nfct_set_attr_u16(ct.get(), ATTR_ORIG_PORT_SRC, htons(41000));
    nfct_set_attr_u16(ct.get(), ATTR_ORIG_PORT_DST, htons(80));
    nfct_set_attr_u16(ct.get(), ATTR_REPL_PORT_SRC, htons(8080));
    nfct_set_attr_u16(ct.get(), ATTR_REPL_PORT_DST, htons(41000));
    nfct_set_attr_u32(ct.get(), ATTR_STATUS, 0x1ae);
    nfct_set_attr_u8(ct.get(), ATTR_TCP_STATE, 3);
    nfct_set_attr_u32(ct.get(), ATTR_TIMEOUT, 500);
    nfct_set_attr_u32(ct.get(), ATTR_MARK, 9);
    nfct_set_attr_u16(ct.get(), ATTR_ZONE, 5);
    return ct;
}

TEST(SyncFtfwWire, DecodesConntrackdStateMessage) {
    std::span<const uint8_t> rest = kCtdNew;
    auto m = next_message(rest);
    ASSERT_TRUE(m);
    EXPECT_TRUE(rest.empty());
    EXPECT_EQ(m->kind, Kind::Data);
    EXPECT_EQ(m->type, 0);
    EXPECT_EQ(m->len, 108);
    EXPECT_EQ(m->seq, 0x6b162af1u);
    EXPECT_EQ(m->payload.size(), 100u);
}

TEST(SyncFtfwWire, DecodesAndEncodesControlMessages) {
    std::span<const uint8_t> rest = kCtdAck;
    auto m = next_message(rest);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->kind, Kind::Ack);
    EXPECT_EQ(m->from, 0x6b162ac6u);
    EXPECT_EQ(m->to, 0x6b162acau);
    Bytes out;
    append_control(out, Kind::Ack, 0, 0x6b162ac7, 0x6b162ac6, 0x6b162aca);
    EXPECT_EQ(out, kCtdAck);
    out.clear();
    append_control(out, Kind::Resync, flag::hello, 0x6b162ac6);
    EXPECT_EQ(out, kResyncHello);
    out.clear();
    append_control(out, Kind::Alive, 0, 7);
    EXPECT_EQ(out, (Bytes{0x1a, 0x10, 0x00, 0x08, 0, 0, 0, 7}));
}

TEST(SyncFtfwWire, SeveralMessagesInOneDatagram) {
    Bytes d = kCtdAck;
    d.insert(d.end(), kCtdNew.begin(), kCtdNew.end());
    std::span<const uint8_t> rest = d;
    EXPECT_EQ(next_message(rest)->kind, Kind::Ack);
    EXPECT_EQ(next_message(rest)->kind, Kind::Data);
    EXPECT_TRUE(rest.empty());
}

WireError wire_error(Bytes b) {
    std::span<const uint8_t> rest = b;
    auto m = next_message(rest);
    EXPECT_FALSE(m);
    EXPECT_EQ(rest.size(), b.size());
    return m ? WireError::Unsupported : m.error();
}

TEST(SyncFtfwWire, RefusesBadFraming) {
    EXPECT_EQ(wire_error({0x10, 0, 0}), WireError::Truncated);
    EXPECT_EQ(wire_error({0x10, 0, 0, 12, 0, 0, 0, 1}), WireError::Truncated);          // len past the end
    EXPECT_EQ(wire_error({0x10, 0, 0, 4, 0, 0, 0, 1}), WireError::BadLength);           // len < header
    EXPECT_EQ(wire_error({0x20, 0, 0, 8, 0, 0, 0, 1}), WireError::BadVersion);
    EXPECT_EQ(wire_error({0x16, 0, 0, 8, 0, 0, 0, 1}), WireError::BadKind);             // type 6
    EXPECT_EQ(wire_error({0x10, 0x08, 0, 8, 0, 0, 0, 1}), WireError::BadKind);          // data with ACK flag
    EXPECT_EQ(wire_error({0x1a, 0x00, 0, 8, 0, 0, 0, 1}), WireError::BadKind);          // control, no flag
    EXPECT_EQ(wire_error({0x1a, 0x08, 0, 8, 0, 0, 0, 1}), WireError::BadLength);        // ACK of 8 bytes
    EXPECT_EQ(wire_error({0x1a, 0x04, 0, 16, 0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0, 3}), WireError::BadRange);
}

TEST(SyncFtfwWire, SequenceArithmeticWraps) {
    EXPECT_TRUE(seq_before(0xfffffffeu, 1));
    EXPECT_TRUE(seq_after(1, 0xfffffffeu));
    EXPECT_TRUE(seq_between(0, 0xfffffffeu, 2));
    EXPECT_FALSE(seq_between(3, 0xfffffffeu, 2));
}

TEST(SyncFtfwCt, DecodesConntrackdConnection) {
    std::span<const uint8_t> rest = kCtdNew;
    auto ct = decode_ct(next_message(rest)->payload);
    ASSERT_TRUE(ct) << to_string(ct.error());
    const nf_conntrack* c = ct->get();
    EXPECT_EQ(nfct_get_attr_u8(c, ATTR_L3PROTO), AF_INET);
    EXPECT_EQ(nfct_get_attr_u32(c, ATTR_ORIG_IPV4_SRC), ip("192.0.2.21"));
    EXPECT_EQ(nfct_get_attr_u32(c, ATTR_ORIG_IPV4_DST), ip("198.51.100.90"));
    EXPECT_EQ(nfct_get_attr_u16(c, ATTR_ORIG_PORT_SRC), htons(41000));
    EXPECT_EQ(nfct_get_attr_u16(c, ATTR_ORIG_PORT_DST), htons(80));
    EXPECT_EQ(nfct_get_attr_u8(c, ATTR_L4PROTO), IPPROTO_TCP);
    EXPECT_EQ(nfct_get_attr_u8(c, ATTR_TCP_STATE), 3);
    EXPECT_EQ(nfct_get_attr_u32(c, ATTR_STATUS), 0x1aeu);
    EXPECT_EQ(nfct_get_attr_u32(c, ATTR_TIMEOUT), 500u);
    EXPECT_EQ(nfct_get_attr_u32(c, ATTR_MARK), 9u);
    EXPECT_EQ(nfct_get_attr_u32(c, ATTR_DNAT_IPV4), ip("203.0.113.7"));
    EXPECT_EQ(nfct_get_attr_u16(c, ATTR_DNAT_PORT), htons(8080));
    EXPECT_EQ(nfct_get_attr_u16(c, ATTR_ZONE), 5);
    EXPECT_EQ(nfct_attr_is_set(c, ATTR_SNAT_IPV4), 0);
}

TEST(SyncFtfwCt, EncodesAKernelConnectionAsConntrackdDoes) {
    Bytes payload;
    encode_ct(*kernel_like_ct(), payload, CtEncodeOptions{.always_synproxy = true});
    EXPECT_EQ(payload, Bytes(kCtdNew.begin() + 8, kCtdNew.end()));
}

TEST(SyncFtfwCt, RoundTripsEveryAttributeKind) {
    Ct ct(nfct_new());
    nfct_set_attr_u8(ct.get(), ATTR_L3PROTO, AF_INET6);
    uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
    nfct_set_attr(ct.get(), ATTR_ORIG_IPV6_SRC, a);
    nfct_set_attr(ct.get(), ATTR_ORIG_IPV6_DST, b);
    nfct_set_attr_u8(ct.get(), ATTR_L4PROTO, IPPROTO_SCTP);
    nfct_set_attr_u16(ct.get(), ATTR_ORIG_PORT_SRC, htons(5000));
    nfct_set_attr_u16(ct.get(), ATTR_ORIG_PORT_DST, htons(6000));
    nfct_set_attr_u8(ct.get(), ATTR_SCTP_STATE, 3);
    nfct_set_attr_u32(ct.get(), ATTR_SCTP_VTAG_ORIG, 0x11223344);
    nfct_set_attr_u32(ct.get(), ATTR_SCTP_VTAG_REPL, 0x55667788);
    nfct_set_attr(ct.get(), ATTR_DNAT_IPV6, b);
    nfct_set_attr_u16(ct.get(), ATTR_DNAT_PORT, htons(7000));
    nfct_set_attr(ct.get(), ATTR_HELPER_NAME, "ftp");
    nfct_set_attr_u32(ct.get(), ATTR_STATUS, 0x1ae);
    for (auto at : {ATTR_ORIG_NAT_SEQ_CORRECTION_POS, ATTR_ORIG_NAT_SEQ_OFFSET_BEFORE, ATTR_ORIG_NAT_SEQ_OFFSET_AFTER,
                    ATTR_REPL_NAT_SEQ_CORRECTION_POS, ATTR_REPL_NAT_SEQ_OFFSET_BEFORE, ATTR_REPL_NAT_SEQ_OFFSET_AFTER})
        nfct_set_attr_u32(ct.get(), at, 100 + at);
    nfct_bitmask* lb = nfct_bitmask_new(63);
    nfct_bitmask_set_bit(lb, 3);
    nfct_bitmask_set_bit(lb, 40);
    nfct_set_attr(ct.get(), ATTR_CONNLABELS, lb);
    nfct_set_attr_u16(ct.get(), ATTR_ZONE, 9);
    Bytes payload;
    encode_ct(*ct, payload);
    EXPECT_EQ(payload.size() % 4, 0u);
    auto back = decode_ct(payload);
    ASSERT_TRUE(back) << to_string(back.error());
    const nf_conntrack* c = back->get();
    EXPECT_EQ(std::memcmp(nfct_get_attr(c, ATTR_ORIG_IPV6_SRC), a, 16), 0);
    EXPECT_EQ(std::memcmp(nfct_get_attr(c, ATTR_DNAT_IPV6), b, 16), 0);
    EXPECT_EQ(nfct_get_attr_u16(c, ATTR_DNAT_PORT), htons(7000));
    EXPECT_EQ(nfct_get_attr_u32(c, ATTR_SCTP_VTAG_REPL), 0x55667788u);
    EXPECT_STREQ(static_cast<const char*>(nfct_get_attr(c, ATTR_HELPER_NAME)), "ftp");
    EXPECT_EQ(nfct_get_attr_u32(c, ATTR_REPL_NAT_SEQ_OFFSET_AFTER), 100u + ATTR_REPL_NAT_SEQ_OFFSET_AFTER);
    const auto* labels = static_cast<const nfct_bitmask*>(nfct_get_attr(c, ATTR_CONNLABELS));
    ASSERT_NE(labels, nullptr);
    EXPECT_TRUE(nfct_bitmask_test_bit(labels, 3));
    EXPECT_TRUE(nfct_bitmask_test_bit(labels, 40));
    EXPECT_FALSE(nfct_bitmask_test_bit(labels, 4));
    EXPECT_EQ(nfct_get_attr_u16(c, ATTR_ZONE), 9);
    // And again: what we decoded encodes to the same bytes.
    Bytes again;
    encode_ct(*c, again);
    EXPECT_EQ(again, payload);
}

Bytes attr(uint16_t type, Bytes data, uint16_t len = 0) {
    const uint16_t l = len ? len : static_cast<uint16_t>(4 + data.size());
    Bytes b;
    b.reserve(8 + data.size());
    for (uint16_t v : {l, type}) {
        b.push_back(static_cast<uint8_t>(v >> 8));
        b.push_back(static_cast<uint8_t>(v));
    }
    for (uint8_t x : data) b.push_back(x);
    while (b.size() % 4) b.push_back(0);
    return b;
}

Bytes cat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

const Bytes kTuple = attr(0, {192, 0, 2, 1, 192, 0, 2, 2});
const Bytes kProto = attr(2, {6});

WireError ct_error(const Bytes& payload) {
    auto r = decode_ct(payload);
    EXPECT_FALSE(r);
    return r ? WireError::Unsupported : r.error();
}

TEST(SyncFtfwCt, RefusesBadAttributes) {
    EXPECT_TRUE(decode_ct(cat({kTuple, kProto})));
    EXPECT_EQ(ct_error(cat({kTuple, kProto, attr(33, {0, 0, 0, 0})})), WireError::UnknownAttr);
    EXPECT_EQ(ct_error(cat({kTuple, kProto, attr(5, {0, 0, 1})})), WireError::BadAttrSize);  // status of 3 bytes
    EXPECT_EQ(ct_error(cat({kTuple, kProto, kProto})), WireError::DuplicateAttr);
    EXPECT_EQ(ct_error(kTuple), WireError::MissingTuple);
    EXPECT_EQ(ct_error(kProto), WireError::MissingTuple);
    EXPECT_EQ(ct_error(cat({kTuple, kProto, attr(1, Bytes(32, 1))})), WireError::DuplicateAttr);  // v4 and v6
    EXPECT_EQ(ct_error(cat({kTuple, kProto, attr(27, {'f', 't', 'p'})})), WireError::BadAttrSize);  // no NUL
    EXPECT_EQ(ct_error(cat({kTuple, kProto, attr(27, Bytes(20, 'a'))})), WireError::BadAttrSize);   // too long
    EXPECT_EQ(ct_error(cat({kTuple, kProto, attr(28, {1, 2, 3})})), WireError::BadAttrSize);        // labels % 4
    EXPECT_EQ(ct_error(cat({kTuple, kProto, attr(7, {0, 0, 0, 1}, 3)})), WireError::BadAttrLength);  // len < 4
    EXPECT_EQ(ct_error(cat({kTuple, kProto, attr(7, {0, 0, 0, 1}, 40)})), WireError::BadAttrLength);  // past end
    EXPECT_EQ(ct_error(cat({kTuple, kProto, Bytes{0, 0}})), WireError::BadAttrLength);               // a stub
}

}  // namespace
}  // namespace halbd::sync::ftfw
