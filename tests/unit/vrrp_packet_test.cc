// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/vrrp_packet_test.cc: the VRRP codec against literal packets whose
// checksums were computed independently (python3 struct + RFC 1071 sum, see
// the comment on each), round trips, every decode drop reason, and every
// per-instance validation reason.
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "vrrp/instance_config.hh"
#include "vrrp/packet.hh"
#include "vrrp/validate.hh"
#include "vrrp_test_util.hh"

namespace halbd::vrrp {
namespace {

using namespace test_util;
using namespace std::chrono_literals;
using Bytes = std::vector<uint8_t>;

// VRRPv2, VRID 51, priority 100, 1 address 192.168.1.100, auth PASS "1111",
// Adver Int 1 s. Checksum 0x555b (python3: RFC 1071 over the 20 bytes).
const Bytes kV2 = {0x21, 0x33, 0x64, 0x01, 0x01, 0x01, 0x55, 0x5b, 0xc0, 0xa8,
                   0x01, 0x64, 0x31, 0x31, 0x31, 0x31, 0x00, 0x00, 0x00, 0x00};
// VRRPv3 IPv4, 192.168.1.10 -> 224.0.0.18, VRID 51, priority 100, 100 cs,
// 192.168.1.100. Checksum 0x0619 over pseudo-header + message (python3).
const Bytes kV3v4 = {0x31, 0x33, 0x64, 0x01, 0x00, 0x64, 0x06, 0x19, 0xc0, 0xa8, 0x01, 0x64};
// The same message inside its IPv4 header (TOS 0xc0, TTL 255, proto 112),
// header checksum 0x18e9 (python3).
const Bytes kV3v4Ip = {0x45, 0xc0, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0xff, 0x70, 0x18, 0xe9, 0xc0, 0xa8, 0x01, 0x0a,
                       0xe0, 0x00, 0x00, 0x12, 0x31, 0x33, 0x64, 0x01, 0x00, 0x64, 0x06, 0x19, 0xc0, 0xa8, 0x01, 0x64};
// VRRPv3 IPv6, fe80::1 -> ff02::12, VRID 1, priority 100, 100 cs, addresses
// fe80::100 and 2001:db8::100. Checksum 0x3e2f over the IPv6 pseudo-header
// (32-bit length, next header 112) + message (python3).
const Bytes kV3v6 = {0x31, 0x01, 0x64, 0x02, 0x00, 0x64, 0x3e, 0x2f, 0xfe, 0x80, 0x00, 0x00, 0x00, 0x00,
                     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x20, 0x01, 0x0d, 0xb8,
                     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00};

Advert v2_advert() {
    Advert a;
    a.version = 2;
    a.vrid = 51;
    a.priority = 100;
    a.adver_int = 1;
    a.addresses = {ip("192.168.1.100")};
    a.auth_type = AuthType::Pass;
    a.auth_data = {'1', '1', '1', '1', 0, 0, 0, 0};
    return a;
}

Advert v3_advert() {
    Advert a;
    a.version = 3;
    a.vrid = 51;
    a.priority = 100;
    a.adver_int = 100;
    a.addresses = {ip("192.168.1.100")};
    return a;
}

RxMeta v4meta(const char* dst = "224.0.0.18", int ttl = 255) {
    return RxMeta{net::Family::V4, ip("192.168.1.10"), ip(dst), ttl};
}

// Recomputes the checksum of a hand-modified message (to reach the checks after it).
void reseal(Bytes& b, const RxMeta& m) {
    b[6] = b[7] = 0;
    uint32_t sum = 0;
    if ((b[0] >> 4) == 3) {
        sum = checksum_add(sum, {m.src.bytes(), m.src.size()});
        sum = checksum_add(sum, {m.dst.bytes(), m.dst.size()});
        const uint8_t tail[4] = {0, kIpProtoVrrp, uint8_t(b.size() >> 8), uint8_t(b.size())};
        sum = checksum_add(sum, tail);
    }
    const uint16_t c = static_cast<uint16_t>(~checksum_fold(checksum_add(sum, b)));
    b[6] = uint8_t(c >> 8);
    b[7] = uint8_t(c);
}

TEST(VrrpPacketTest, EncodesV2LiteralBytes) {
    EXPECT_EQ(encode(v2_advert(), ip("192.168.1.10"), ip("224.0.0.18")), kV2);
}

TEST(VrrpPacketTest, DecodesV2LiteralBytes) {
    auto d = decode(kV2, v4meta());
    ASSERT_TRUE(d) << to_string(d.error());
    Advert want = v2_advert();
    want.checksum = 0x555b;
    EXPECT_EQ(d->advert, want);
    EXPECT_EQ(d->advert.interval(), 1s);
    EXPECT_FALSE(d->old_checksum);
}

TEST(VrrpPacketTest, EncodesV3Ipv4LiteralBytesWithPseudoHeader) {
    EXPECT_EQ(encode(v3_advert(), ip("192.168.1.10"), ip("224.0.0.18")), kV3v4);
    // The pseudo-header matters: another destination gives another checksum
    // (0x246f for 192.168.1.20, python3).
    auto uni = encode(v3_advert(), ip("192.168.1.10"), ip("192.168.1.20"));
    EXPECT_EQ(uni[6], 0x24);
    EXPECT_EQ(uni[7], 0x6f);
}

TEST(VrrpPacketTest, DecodesV3Ipv4LiteralBytes) {
    auto d = decode(kV3v4, v4meta());
    ASSERT_TRUE(d) << to_string(d.error());
    Advert want = v3_advert();
    want.checksum = 0x0619;
    EXPECT_EQ(d->advert, want);
    EXPECT_EQ(d->advert.interval(), 1s);
}

TEST(VrrpPacketTest, EncodesAndDecodesV3Ipv6LiteralBytes) {
    Advert a;
    a.version = 3;
    a.vrid = 1;
    a.priority = 100;
    a.adver_int = 100;
    a.addresses = {ip("fe80::100"), ip("2001:db8::100")};
    EXPECT_EQ(encode(a, ip("fe80::1"), ip("ff02::12")), kV3v6);
    auto d = decode(kV3v6, RxMeta{net::Family::V6, ip("fe80::1"), ip("ff02::12"), 255});
    ASSERT_TRUE(d) << to_string(d.error());
    a.checksum = 0x3e2f;
    EXPECT_EQ(d->advert, a);
    // Same bytes from another source: the pseudo-header no longer matches.
    auto bad = decode(kV3v6, RxMeta{net::Family::V6, ip("fe80::2"), ip("ff02::12"), 255});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error(), DropReason::BadChecksum);
}

TEST(VrrpPacketTest, DecodesWholeIpv4Packet) {
    auto d = decode_ipv4(kV3v4Ip);
    ASSERT_TRUE(d) << to_string(d.error());
    EXPECT_EQ(d->meta.src, ip("192.168.1.10"));
    EXPECT_EQ(d->meta.dst, ip("224.0.0.18"));
    EXPECT_EQ(d->meta.ttl, 255);
    EXPECT_EQ(d->meta.family, net::Family::V4);
    EXPECT_EQ(d->advert.vrid, 51);
    EXPECT_EQ(d->advert.addresses, std::vector<net::IpAddress>{ip("192.168.1.100")});
}

TEST(VrrpPacketTest, OldUnicastChecksumIsDetectedOnlyWhenAllowed) {
    // A keepalived <= 1.3.6 peer: v3 unicast with the multicast group in the pseudo-header.
    const Bytes old = encode(v3_advert(), ip("192.168.1.10"), ip("224.0.0.18"));
    const RxMeta uni = v4meta("192.168.1.20");
    auto strict = decode(old, uni);
    ASSERT_FALSE(strict);
    EXPECT_EQ(strict.error(), DropReason::BadChecksum);
    auto compat = decode(old, uni, ip("224.0.0.18"));
    ASSERT_TRUE(compat);
    EXPECT_TRUE(compat->old_checksum);
    // A correct new-style checksum is not reported as old.
    auto modern = decode(encode(v3_advert(), ip("192.168.1.10"), ip("192.168.1.20")), uni, ip("224.0.0.18"));
    ASSERT_TRUE(modern);
    EXPECT_FALSE(modern->old_checksum);
}

TEST(VrrpPacketTest, RoundTrips) {
    Advert a = v3_advert();
    a.addresses = {ip("10.0.0.1"), ip("10.0.0.2"), ip("10.0.0.3")};
    a.adver_int = 4095;  // 12-bit maximum
    a.priority = 255;
    auto d = decode(encode(a, ip("10.0.0.9"), ip("224.0.0.18")), RxMeta{net::Family::V4, ip("10.0.0.9"),
                                                                        ip("224.0.0.18"), 255});
    ASSERT_TRUE(d);
    a.checksum = d->advert.checksum;
    EXPECT_EQ(d->advert, a);
    EXPECT_EQ(d->advert.interval(), 40950ms);

    Advert none = v2_advert();
    none.auth_type = AuthType::None;
    none.auth_data = {};
    none.addresses.clear();
    auto d2 = decode(encode(none, ip("10.0.0.9"), ip("224.0.0.18")), v4meta());
    ASSERT_TRUE(d2);
    none.checksum = d2->advert.checksum;
    EXPECT_EQ(d2->advert, none);
}

TEST(VrrpPacketTest, AuthDataIsZeroWithoutPass) {
    Advert a = v2_advert();
    a.auth_type = AuthType::None;  // auth_data still holds "1111": must not be sent
    auto b = encode(a, ip("192.168.1.10"), ip("224.0.0.18"));
    ASSERT_EQ(b.size(), 20u);
    EXPECT_EQ(Bytes(b.begin() + 12, b.end()), Bytes(8, 0));
}

TEST(VrrpPacketTest, IntervalConversion) {
    Advert a;
    a.version = 3;
    a.set_interval(1234ms);
    EXPECT_EQ(a.adver_int, 123);
    a.set_interval(100s);
    EXPECT_EQ(a.adver_int, 4095);
    a.version = 2;
    a.set_interval(3500ms);
    EXPECT_EQ(a.adver_int, 3);
    EXPECT_EQ(a.interval(), 3s);
}

DropReason decode_drop(const Bytes& b, const RxMeta& m = v4meta()) {
    auto d = decode(b, m);
    EXPECT_FALSE(d);
    return d ? DropReason::NotOurVrid : d.error();
}

TEST(VrrpPacketTest, DecodeDropReasons) {
    EXPECT_EQ(decode_drop(Bytes(kV3v4.begin(), kV3v4.begin() + 7)), DropReason::TooShort);
    Bytes b = kV3v4;
    b[3] = 2;  // claims 2 addresses, carries 1
    EXPECT_EQ(decode_drop(b), DropReason::TooShort);
    b = kV3v4;
    b.push_back(0);
    EXPECT_EQ(decode_drop(b), DropReason::LengthMismatch);
    b = kV3v4;
    b[0] = 0x11;
    EXPECT_EQ(decode_drop(b), DropReason::BadVersion);
    EXPECT_EQ(decode_drop(kV2, RxMeta{net::Family::V6, ip("fe80::1"), ip("ff02::12"), 255}),
              DropReason::BadVersion);  // VRRPv2 is IPv4 only
    b = kV3v4;
    b[0] = 0x32;
    EXPECT_EQ(decode_drop(b), DropReason::BadType);
    b = kV3v4;
    b[2] = 101;  // priority changed, checksum not
    EXPECT_EQ(decode_drop(b), DropReason::BadChecksum);
    b = kV2;
    b[4] = 3;
    reseal(b, v4meta());
    EXPECT_EQ(decode_drop(b), DropReason::BadAuthType);
    b = kV2;
    b[4] = 2;
    reseal(b, v4meta());
    EXPECT_EQ(decode_drop(b), DropReason::AuthUnsupported);
    b = kV3v4;
    b[5] = 0;
    reseal(b, v4meta());
    EXPECT_EQ(decode_drop(b), DropReason::BadInterval);
    b = kV2;
    b[5] = 0;
    reseal(b, v4meta());
    EXPECT_EQ(decode_drop(b), DropReason::BadInterval);
}

TEST(VrrpPacketTest, ReservedBitsAreIgnored) {
    Bytes b = kV3v4;
    b[4] |= 0xf0;
    reseal(b, v4meta());
    auto d = decode(b, v4meta());
    ASSERT_TRUE(d);
    EXPECT_EQ(d->advert.adver_int, 100);
}

TEST(VrrpPacketTest, DecodeIpv4DropReasons) {
    auto drop = [](const Bytes& p) {
        auto d = decode_ipv4(p);
        EXPECT_FALSE(d);
        return d ? DropReason::NotOurVrid : d.error();
    };
    EXPECT_EQ(drop(Bytes(kV3v4Ip.begin(), kV3v4Ip.begin() + 19)), DropReason::TooShort);
    Bytes p = kV3v4Ip;
    p[0] = 0x65;
    EXPECT_EQ(drop(p), DropReason::BadIpHeader);
    p = kV3v4Ip;
    p[0] = 0x44;  // IHL 16 bytes
    EXPECT_EQ(drop(p), DropReason::BadIpHeader);
    p = kV3v4Ip;
    p[3] = 0x21;  // total length 33, 32 received
    EXPECT_EQ(drop(p), DropReason::LengthMismatch);
    p = kV3v4Ip;
    p[9] = 17;
    EXPECT_EQ(drop(p), DropReason::BadIpHeader);
    p = kV3v4Ip;
    p[9] = kIpProtoAh;
    EXPECT_EQ(drop(p), DropReason::AuthUnsupported);
    p = kV3v4Ip;
    p[19] = 0x13;  // 224.0.0.19: the pseudo-header no longer matches
    EXPECT_EQ(drop(p), DropReason::BadChecksum);
}

TEST(VrrpPacketTest, DropReasonNamesAreDistinctAndCountersCount) {
    std::set<std::string> names;
    for (size_t i = 0; i < kDropReasonCount; ++i) {
        std::string n = to_string(static_cast<DropReason>(i));
        EXPECT_NE(n, "unknown");
        names.insert(n);
    }
    EXPECT_EQ(names.size(), kDropReasonCount);
    DropCounters c;
    c.add(DropReason::BadTtl);
    c.add(DropReason::BadTtl);
    c.add(DropReason::NotOurVrid);
    EXPECT_EQ(c[DropReason::BadTtl], 2u);
    EXPECT_EQ(c[DropReason::NotOurVrid], 1u);
    EXPECT_EQ(c[DropReason::BadChecksum], 0u);
    EXPECT_EQ(c.total(), 3u);
}

// --- validate() ---

struct VrrpValidateTest : ::testing::Test {
    InstanceConfig cfg = base_config();
    Advert adv = make_advert(cfg, 100);
    RxMeta meta = v4meta();
    std::optional<DropReason> check(bool check_addresses = true) {
        return validate(adv, meta, cfg, check_addresses);
    }
};

TEST_F(VrrpValidateTest, AcceptsMatchingAdvert) { EXPECT_EQ(check(), std::nullopt); }

TEST_F(VrrpValidateTest, OtherVridIsNotForUs) {
    adv.vrid = 52;
    EXPECT_EQ(check(), DropReason::NotOurVrid);
}

TEST_F(VrrpValidateTest, MulticastTtlMustBe255) {
    meta.ttl = 254;
    EXPECT_EQ(check(), DropReason::BadTtl);
    meta.ttl = -1;  // unknown (no ancillary data): not checked
    EXPECT_EQ(check(), std::nullopt);
}

TEST_F(VrrpValidateTest, UnicastTtlUsesPeerRange) {
    cfg.unicast_peers = {{ip("192.168.1.10"), 250, 255}};
    meta = v4meta("192.168.1.20", 64);
    EXPECT_EQ(check(), std::nullopt);  // not checked without check_unicast_src
    cfg.check_unicast_src = true;
    EXPECT_EQ(check(), DropReason::TtlOutOfRange);
    meta.ttl = 251;
    EXPECT_EQ(check(), std::nullopt);
}

TEST_F(VrrpValidateTest, VersionMismatch) {
    cfg.version = 2;
    EXPECT_EQ(check(), DropReason::VersionMismatch);
}

TEST_F(VrrpValidateTest, V2AuthAndInterval) {
    cfg.version = 2;
    cfg.auth_type = AuthType::Pass;
    cfg.auth_data = {'s', 'e', 'c', 'r', 'e', 't', 0, 0};
    adv = make_advert(cfg, 100);
    EXPECT_EQ(check(), std::nullopt);
    adv.auth_data[0] = 'S';
    EXPECT_EQ(check(), DropReason::AuthFailure);
    adv.auth_type = AuthType::None;
    EXPECT_EQ(check(), DropReason::AuthTypeMismatch);
    adv = make_advert(cfg, 100);
    adv.adver_int = 2;
    EXPECT_EQ(check(), DropReason::IntervalMismatch);
}

TEST_F(VrrpValidateTest, V3IntervalIsLearnedNotChecked) {
    adv.adver_int = 300;
    EXPECT_EQ(check(), std::nullopt);
}

TEST_F(VrrpValidateTest, AddressChecks) {
    adv.addresses.push_back(ip("192.168.1.101"));
    EXPECT_EQ(check(), DropReason::AddressCountMismatch);
    adv.addresses = {ip("192.168.1.99")};
    EXPECT_EQ(check(), DropReason::AddressListMismatch);
    // skip_check_adv_addr from the known master: not checked.
    EXPECT_EQ(check(false), std::nullopt);
    // Order does not matter.
    cfg.vips = {ip("10.0.0.1"), ip("10.0.0.2")};
    adv.addresses = {ip("10.0.0.2"), ip("10.0.0.1")};
    EXPECT_EQ(check(), std::nullopt);
}

TEST_F(VrrpValidateTest, CastMismatch) {
    meta = v4meta("192.168.1.20");
    EXPECT_EQ(check(), DropReason::CastMismatch);  // unicast to a multicast instance
    cfg.unicast_peers = {{ip("192.168.1.10"), 0, 255}};
    EXPECT_EQ(check(), std::nullopt);
    meta = v4meta("224.0.0.18");
    EXPECT_EQ(check(), DropReason::CastMismatch);  // multicast to a unicast instance
}

TEST_F(VrrpValidateTest, UnicastSourceMustBeAPeerWhenChecked) {
    cfg.unicast_peers = {{ip("192.168.1.11"), 0, 255}};
    meta = v4meta("192.168.1.20");
    EXPECT_EQ(check(), std::nullopt);
    cfg.check_unicast_src = true;
    EXPECT_EQ(check(), DropReason::UnicastSrcNotPeer);
    meta.src = ip("192.168.1.11");
    EXPECT_EQ(check(), std::nullopt);
}

TEST(VrrpInstanceConfigTest, FromModel) {
    config::VrrpInstance v;
    v.name = "VI_7";
    v.family = net::Family::V4;
    v.version = 2;
    v.virtual_router_id = 7;
    v.priority = 150;
    v.advert_int = 2s;
    v.state = config::VrrpState::Master;
    v.nopreempt = false;
    v.auth_type = config::AuthType::Pass;
    v.auth_pass = "pw";
    config::IpAddressLine l4, l6;
    l4.address = *net::Prefix::parse("10.0.0.1/24");
    l6.address = *net::Prefix::parse("2001:db8::1/64");
    v.virtual_ipaddress = {l4, l6};
    v.unicast_peer.push_back({{}, ip("10.0.0.2"), std::nullopt, uint8_t(200)});
    v.unicast_src_ip = ip("10.0.0.3");
    v.garp_master_repeat = 2;
    v.garp_master_delay = 0s;
    auto c = make_instance_config(v);
    EXPECT_EQ(c.name, "VI_7");
    EXPECT_EQ(c.version, 2);
    EXPECT_EQ(c.vrid, 7);
    EXPECT_EQ(c.priority, 150);
    EXPECT_EQ(c.adver_int, 2s);
    EXPECT_TRUE(c.initial_master);
    EXPECT_TRUE(c.preempt);
    EXPECT_EQ(c.auth_type, AuthType::Pass);
    EXPECT_EQ(c.auth_data, (std::array<uint8_t, 8>{'p', 'w', 0, 0, 0, 0, 0, 0}));
    EXPECT_EQ(c.vips, std::vector<net::IpAddress>{ip("10.0.0.1")});  // other family not advertised
    ASSERT_EQ(c.unicast_peers.size(), 1u);
    EXPECT_EQ(c.unicast_peers[0].min_ttl, 0);
    EXPECT_EQ(c.unicast_peers[0].max_ttl, 200);
    EXPECT_EQ(c.source_address, ip("10.0.0.3"));
    EXPECT_EQ(c.garp_master_repeat, 2u);
    EXPECT_EQ(c.garp_lower_prio_repeat, 2u);
    EXPECT_EQ(c.garp_master_delay, 0s);
    Advert a = make_advert(c, 150);
    EXPECT_EQ(a.version, 2);
    EXPECT_EQ(a.adver_int, 2);
    EXPECT_EQ(a.auth_type, AuthType::Pass);
}

}  // namespace
}  // namespace halbd::vrrp
