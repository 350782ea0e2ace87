// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// Unit tests for forward/ipvs/ipvs_codec: the exact bytes of IPVS requests,
// written out by hand from the <linux/ip_vs.h> attribute layout (not by the
// encoder), and decoding of hand-made kernel replies, malformed ones included.
// Netlink is host-endian: the expected bytes are for a little-endian host.
#include <gtest/gtest.h>
#include <linux/ip_vs.h>

#include <bit>
#include <cstdint>
#include <vector>

#include "forward/ipvs/ipvs_codec.hh"

namespace ipvs = halbd::forward::ipvs;
using halbd::forward::DestKey;
using halbd::forward::DestParams;
using halbd::forward::Method;
using halbd::forward::Protocol;
using halbd::forward::ServiceKey;
using halbd::forward::ServiceParams;
using halbd::forward::SyncDaemon;
using halbd::forward::Timeouts;
using halbd::net::Family;
using halbd::net::IpAddress;
using Bytes = std::vector<uint8_t>;

namespace {

constexpr int kFamily = 0x1a;  // the genl id the tests pretend "IPVS" resolved to

// The message's bytes with nlmsg_seq and nlmsg_pid zeroed (bytes 8..15).
Bytes bytes_of(const halbd::core::Result<ipvs::MsgPtr>& m) {
    EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message);
    if (!m.ok()) return {};
    auto span = ipvs::message_bytes(m.value().get());
    Bytes b(span.begin(), span.end());
    for (size_t i = 8; i < 16 && i < b.size(); ++i) b[i] = 0;
    return b;
}

ServiceKey tcp4() {
    ServiceKey k;
    k.family = Family::V4;
    k.protocol = Protocol::TCP;
    k.address = *IpAddress::parse("10.0.0.1");
    k.port = 80;
    return k;
}

ServiceKey tcp6() {
    ServiceKey k;
    k.family = Family::V6;
    k.protocol = Protocol::TCP;
    k.address = *IpAddress::parse("2001:db8::1");
    k.port = 80;
    return k;
}

// nlmsghdr(len, type=kFamily, flags, seq 0, pid 0) + genlmsghdr(cmd, version 1).
Bytes header(uint32_t len, uint16_t flags, uint8_t cmd) {
    return {uint8_t(len), uint8_t(len >> 8), 0, 0,  // nlmsg_len
            kFamily, 0,                              // nlmsg_type: the genl family id
            uint8_t(flags), uint8_t(flags >> 8),     // nlmsg_flags
            0, 0, 0, 0,                              // nlmsg_seq (zeroed)
            0, 0, 0, 0,                              // nlmsg_pid (zeroed)
            cmd, IPVS_GENL_VERSION, 0, 0};           // genlmsghdr: cmd, version, reserved
}

Bytes cat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

constexpr uint16_t kReqAck = 0x0005;   // NLM_F_REQUEST | NLM_F_ACK
constexpr uint16_t kReqDump = 0x0301;  // NLM_F_REQUEST | NLM_F_DUMP

// The service key 10.0.0.1:80/TCP, nested as IPVS_CMD_ATTR_SERVICE, key only.
const Bytes kTcp4KeyNest = {
    48, 0, 0x01, 0x80,                  // nla_len 48, IPVS_CMD_ATTR_SERVICE | NLA_F_NESTED
    6, 0, 1, 0, 2, 0, 0, 0,             // IPVS_SVC_ATTR_AF = AF_INET (2), u16 + 2 pad
    6, 0, 2, 0, 6, 0, 0, 0,             // IPVS_SVC_ATTR_PROTOCOL = IPPROTO_TCP (6)
    20, 0, 3, 0, 10, 0, 0, 1,           // IPVS_SVC_ATTR_ADDR: union nf_inet_addr (16 bytes),
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, //   10.0.0.1 then 12 zero bytes
    6, 0, 4, 0, 0, 80, 0, 0,            // IPVS_SVC_ATTR_PORT = htons(80)
};

}  // namespace

class IpvsCodec : public ::testing::Test {
protected:
    void SetUp() override {
        if (std::endian::native != std::endian::little) GTEST_SKIP() << "expected bytes are little-endian";
    }
};

TEST_F(IpvsCodec, NewTcpIpv4Service) {
    ServiceParams p;
    p.scheduler = "rr";
    const Bytes expected = cat({header(104, kReqAck, IPVS_CMD_NEW_SERVICE), {
        84, 0, 0x01, 0x80,                      // IPVS_CMD_ATTR_SERVICE, nested, 84 bytes
        6, 0, 1, 0, 2, 0, 0, 0,                 // AF = AF_INET
        6, 0, 2, 0, 6, 0, 0, 0,                 // PROTOCOL = TCP
        20, 0, 3, 0, 10, 0, 0, 1,               // ADDR = 10.0.0.1 (+12 zero bytes)
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        6, 0, 4, 0, 0, 80, 0, 0,                // PORT = htons(80)
        7, 0, 6, 0, 'r', 'r', 0, 0,             // SCHED_NAME = "rr\0", 1 pad byte
        12, 0, 7, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,  // FLAGS {flags 0, mask ~0}
        8, 0, 8, 0, 0, 0, 0, 0,                 // TIMEOUT = 0
        8, 0, 9, 0, 0xff, 0xff, 0xff, 0xff,     // NETMASK = 255.255.255.255
    }});
    EXPECT_EQ(bytes_of(ipvs::encode_service(kFamily, IPVS_CMD_NEW_SERVICE, tcp4(), &p)), expected);
}

TEST_F(IpvsCodec, SetUdpIpv6Service) {
    ServiceKey k;
    k.family = Family::V6;
    k.protocol = Protocol::UDP;
    k.address = *IpAddress::parse("2001:db8::1");
    k.port = 53;
    ServiceParams p;
    p.scheduler = "sh";
    p.flags = IP_VS_SVC_F_SCHED_SH_FALLBACK | IP_VS_SVC_F_SCHED_SH_PORT | IP_VS_SVC_F_HASHED;
    p.netmask = 128;  // IPv6: a prefix length
    const Bytes expected = cat({header(104, kReqAck, IPVS_CMD_SET_SERVICE), {
        84, 0, 0x01, 0x80,
        6, 0, 1, 0, 10, 0, 0, 0,                // AF = AF_INET6 (10)
        6, 0, 2, 0, 17, 0, 0, 0,                // PROTOCOL = UDP (17)
        20, 0, 3, 0, 0x20, 0x01, 0x0d, 0xb8,    // ADDR = 2001:db8::1
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
        6, 0, 4, 0, 0, 53, 0, 0,                // PORT = htons(53)
        7, 0, 6, 0, 's', 'h', 0, 0,             // SCHED_NAME = "sh"
        12, 0, 7, 0, 0x18, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,  // FLAGS sched1|sched2, never `hashed`
        8, 0, 8, 0, 0, 0, 0, 0,                 // TIMEOUT = 0
        8, 0, 9, 0, 128, 0, 0, 0,               // NETMASK = prefix length 128
    }});
    EXPECT_EQ(bytes_of(ipvs::encode_service(kFamily, IPVS_CMD_SET_SERVICE, k, &p)), expected);
}

TEST_F(IpvsCodec, FwmarkServiceWithPersistenceNetmaskAndPe) {
    ServiceKey k;
    k.family = Family::V4;
    k.fwmark = 3;
    ServiceParams p;
    p.scheduler = "lc";
    p.flags = IP_VS_SVC_F_PERSISTENT;
    p.timeout = 300;
    p.netmask = std::bit_cast<uint32_t>(std::array<uint8_t, 4>{255, 255, 255, 0});  // network order
    p.pe_name = "sip";
    const Bytes expected = cat({header(84, kReqAck, IPVS_CMD_NEW_SERVICE), {
        64, 0, 0x01, 0x80,
        6, 0, 1, 0, 2, 0, 0, 0,                 // AF = AF_INET
        8, 0, 5, 0, 3, 0, 0, 0,                 // FWMARK = 3 (no protocol/addr/port)
        7, 0, 6, 0, 'l', 'c', 0, 0,             // SCHED_NAME = "lc"
        8, 0, 11, 0, 's', 'i', 'p', 0,          // PE_NAME = "sip" (only because set)
        12, 0, 7, 0, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,  // FLAGS persistent
        8, 0, 8, 0, 0x2c, 0x01, 0, 0,           // TIMEOUT = 300
        8, 0, 9, 0, 255, 255, 255, 0,           // NETMASK = 255.255.255.0
    }});
    EXPECT_EQ(bytes_of(ipvs::encode_service(kFamily, IPVS_CMD_NEW_SERVICE, k, &p)), expected);
}

TEST_F(IpvsCodec, DeleteServiceSendsTheKeyOnly) {
    EXPECT_EQ(bytes_of(ipvs::encode_service(kFamily, IPVS_CMD_DEL_SERVICE, tcp4(), nullptr)),
              cat({header(68, kReqAck, IPVS_CMD_DEL_SERVICE), kTcp4KeyNest}));
}

TEST_F(IpvsCodec, NatDest) {
    DestKey d{*IpAddress::parse("192.168.1.2"), 8080};
    DestParams p;
    p.method = Method::Masq;
    p.weight = 3;
    p.u_threshold = 100;
    p.l_threshold = 10;
    const Bytes expected = cat({header(132, kReqAck, IPVS_CMD_NEW_DEST), kTcp4KeyNest, {
        64, 0, 0x02, 0x80,                      // IPVS_CMD_ATTR_DEST, nested, 64 bytes
        20, 0, 1, 0, 192, 168, 1, 2,            // DEST_ATTR_ADDR = 192.168.1.2 (+12 zeros)
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        6, 0, 2, 0, 0x1f, 0x90, 0, 0,           // DEST_ATTR_PORT = htons(8080); no ADDR_FAMILY
        8, 0, 3, 0, 0, 0, 0, 0,                 // FWD_METHOD = IP_VS_CONN_F_MASQ
        8, 0, 4, 0, 3, 0, 0, 0,                 // WEIGHT = 3
        8, 0, 5, 0, 100, 0, 0, 0,               // U_THRESH = 100
        8, 0, 6, 0, 10, 0, 0, 0,                // L_THRESH = 10
    }});
    EXPECT_EQ(bytes_of(ipvs::encode_dest(kFamily, IPVS_CMD_NEW_DEST, tcp4(), d, &p)), expected);
}

TEST_F(IpvsCodec, GueTunnelDestOfTheOtherFamily) {
    DestKey d{*IpAddress::parse("198.51.100.5"), 80};
    DestParams p;
    p.method = Method::Tunnel;
    p.weight = 1;
    p.tun_type = IP_VS_CONN_F_TUNNEL_TYPE_GUE;
    p.tun_port = 6080;
    p.tun_flags = IP_VS_TUNNEL_ENCAP_FLAG_CSUM;
    const Bytes expected = cat({header(164, kReqAck, IPVS_CMD_SET_DEST), {
        48, 0, 0x01, 0x80,                      // service key [2001:db8::1]:80 TCP
        6, 0, 1, 0, 10, 0, 0, 0,
        6, 0, 2, 0, 6, 0, 0, 0,
        20, 0, 3, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
        6, 0, 4, 0, 0, 80, 0, 0,
        96, 0, 0x02, 0x80,                      // IPVS_CMD_ATTR_DEST, 96 bytes
        20, 0, 1, 0, 198, 51, 100, 5,           // ADDR = 198.51.100.5
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        6, 0, 2, 0, 0, 80, 0, 0,                // PORT = htons(80)
        6, 0, 11, 0, 2, 0, 0, 0,                // ADDR_FAMILY = AF_INET: differs from the service's
        8, 0, 3, 0, 2, 0, 0, 0,                 // FWD_METHOD = IP_VS_CONN_F_TUNNEL
        8, 0, 4, 0, 1, 0, 0, 0,                 // WEIGHT = 1
        8, 0, 5, 0, 0, 0, 0, 0,                 // U_THRESH = 0
        8, 0, 6, 0, 0, 0, 0, 0,                 // L_THRESH = 0
        5, 0, 13, 0, 1, 0, 0, 0,                // TUN_TYPE = GUE (u8 + 3 pad)
        6, 0, 14, 0, 0x17, 0xc0, 0, 0,          // TUN_PORT = htons(6080)
        6, 0, 15, 0, 1, 0, 0, 0,                // TUN_FLAGS = CSUM
    }});
    EXPECT_EQ(bytes_of(ipvs::encode_dest(kFamily, IPVS_CMD_SET_DEST, tcp6(), d, &p)), expected);
}

TEST_F(IpvsCodec, IpipTunnelAndDeleteDestSendNoNewerAttributes) {
    DestKey d{*IpAddress::parse("10.0.0.9"), 80};
    DestParams p;
    p.method = Method::Tunnel;  // IPIP, no flags: nothing a pre-5.2 kernel would refuse
    auto m = bytes_of(ipvs::encode_dest(kFamily, IPVS_CMD_NEW_DEST, tcp4(), d, &p));
    EXPECT_EQ(m.size(), 20u + 48u + 64u);  // same shape as the NAT dest: no TUN_*, no ADDR_FAMILY
    const Bytes expected = cat({header(100, kReqAck, IPVS_CMD_DEL_DEST), kTcp4KeyNest, {
        32, 0, 0x02, 0x80,                      // IPVS_CMD_ATTR_DEST: address and port only
        20, 0, 1, 0, 10, 0, 0, 9,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        6, 0, 2, 0, 0, 80, 0, 0,
    }});
    EXPECT_EQ(bytes_of(ipvs::encode_dest(kFamily, IPVS_CMD_DEL_DEST, tcp4(), d, nullptr)), expected);
}

TEST_F(IpvsCodec, Timeouts) {
    const Bytes expected = cat({header(44, kReqAck, IPVS_CMD_SET_CONFIG), {
        8, 0, 4, 0, 0x84, 0x03, 0, 0,           // IPVS_CMD_ATTR_TIMEOUT_TCP = 900
        8, 0, 5, 0, 120, 0, 0, 0,               // IPVS_CMD_ATTR_TIMEOUT_TCP_FIN = 120
        8, 0, 6, 0, 0x2c, 0x01, 0, 0,           // IPVS_CMD_ATTR_TIMEOUT_UDP = 300
    }});
    EXPECT_EQ(bytes_of(ipvs::encode_timeouts(kFamily, Timeouts{900, 120, 300})), expected);
    // Zero means unchanged: not sent at all.
    EXPECT_EQ(bytes_of(ipvs::encode_timeouts(kFamily, Timeouts{0, 0, 60})),
              cat({header(28, kReqAck, IPVS_CMD_SET_CONFIG), {8, 0, 6, 0, 60, 0, 0, 0}}));
}

TEST_F(IpvsCodec, SyncDaemons) {
    SyncDaemon d;
    d.role = SyncDaemon::Role::Master;
    d.ifname = "eth0";
    d.syncid = 7;
    const Bytes basic = cat({header(52, kReqAck, IPVS_CMD_NEW_DAEMON), {
        32, 0, 0x03, 0x80,                      // IPVS_CMD_ATTR_DAEMON, nested
        8, 0, 1, 0, 1, 0, 0, 0,                 // STATE = IP_VS_STATE_MASTER
        9, 0, 2, 0, 'e', 't', 'h', '0', 0, 0, 0, 0,  // MCAST_IFN = "eth0\0" + 3 pad
        8, 0, 3, 0, 7, 0, 0, 0,                 // SYNC_ID = 7
    }});
    EXPECT_EQ(bytes_of(ipvs::encode_new_daemon(kFamily, d)), basic);

    d.maxlen = 1472;
    d.group = *IpAddress::parse("239.1.2.3");
    d.has_group = true;
    d.port = 8848;
    d.ttl = 2;
    const Bytes full = cat({header(84, kReqAck, IPVS_CMD_NEW_DAEMON), {
        64, 0, 0x03, 0x80,
        8, 0, 1, 0, 1, 0, 0, 0,
        9, 0, 2, 0, 'e', 't', 'h', '0', 0, 0, 0, 0,
        8, 0, 3, 0, 7, 0, 0, 0,
        6, 0, 4, 0, 0xc0, 0x05, 0, 0,           // SYNC_MAXLEN = 1472
        8, 0, 5, 0, 239, 1, 2, 3,               // MCAST_GROUP = 239.1.2.3
        6, 0, 7, 0, 0x90, 0x22, 0, 0,           // MCAST_PORT = 8848, host order (kernel: nla_get_u16)
        5, 0, 8, 0, 2, 0, 0, 0,                 // MCAST_TTL = 2
    }});
    EXPECT_EQ(bytes_of(ipvs::encode_new_daemon(kFamily, d)), full);

    EXPECT_EQ(bytes_of(ipvs::encode_del_daemon(kFamily, SyncDaemon::Role::Backup)),
              cat({header(32, kReqAck, IPVS_CMD_DEL_DAEMON),
                   {12, 0, 0x03, 0x80, 8, 0, 1, 0, 2, 0, 0, 0}}));  // STATE = BACKUP
}

TEST_F(IpvsCodec, PlainRequestsAndDumps) {
    EXPECT_EQ(bytes_of(ipvs::encode_plain(kFamily, IPVS_CMD_FLUSH)), header(20, kReqAck, IPVS_CMD_FLUSH));
    EXPECT_EQ(bytes_of(ipvs::encode_plain(kFamily, IPVS_CMD_GET_SERVICE, true)),
              header(20, kReqDump, IPVS_CMD_GET_SERVICE));
    EXPECT_EQ(bytes_of(ipvs::encode_get_dests(kFamily, tcp4())),
              cat({header(68, kReqDump, IPVS_CMD_GET_DEST), kTcp4KeyNest}));
}

TEST_F(IpvsCodec, RefusesWhatTheKernelCannotTake) {
    ServiceParams p;
    p.scheduler = "a-scheduler-name-too-long";
    auto r = ipvs::encode_service(kFamily, IPVS_CMD_NEW_SERVICE, tcp4(), &p);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ipvs::fault::bad_value);
    p.scheduler = "rr";  // IPv6 with the IPv4 default mask 0xffffffff
    r = ipvs::encode_service(kFamily, IPVS_CMD_NEW_SERVICE, tcp6(), &p);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("prefix length"), std::string::npos) << r.error().message;
}

// ---- decoding hand-made replies ---------------------------------------------

namespace {

// One attribute: nlattr header + payload + padding to 4.
Bytes attr(uint16_t type, const Bytes& payload) {
    uint16_t len = static_cast<uint16_t>(4 + payload.size());
    Bytes b = {uint8_t(len), uint8_t(len >> 8), uint8_t(type), uint8_t(type >> 8)};
    b.insert(b.end(), payload.begin(), payload.end());
    while (b.size() % 4) b.push_back(0);
    return b;
}
Bytes nest(uint16_t type, std::initializer_list<Bytes> attrs) { return attr(type | 0x8000, cat(attrs)); }
Bytes u16(uint16_t v) { return {uint8_t(v), uint8_t(v >> 8)}; }
Bytes be16(uint16_t v) { return {uint8_t(v >> 8), uint8_t(v)}; }
Bytes u32(uint32_t v) { return {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)}; }
Bytes str(const char* s) {
    Bytes b(s, s + strlen(s));
    b.push_back(0);
    return b;
}
Bytes addr16(std::initializer_list<uint8_t> head) {
    Bytes b(head);
    b.resize(16, 0);
    return b;
}
// A kernel reply: nlmsghdr + genlmsghdr + attributes.
Bytes reply(uint8_t cmd, const Bytes& attrs) {
    return cat({header(static_cast<uint32_t>(20 + attrs.size()), 0x0002 /* NLM_F_MULTI */, cmd), attrs});
}

// What ip_vs_genl_fill_service puts in a dump for TCP 10.0.0.1:80 wlc.
Bytes svc_attrs(Bytes af = u16(2), Bytes address = addr16({10, 0, 0, 1})) {
    return cat({attr(IPVS_SVC_ATTR_AF, af), attr(IPVS_SVC_ATTR_PROTOCOL, u16(6)),
                attr(IPVS_SVC_ATTR_ADDR, address), attr(IPVS_SVC_ATTR_PORT, be16(80)),
                attr(IPVS_SVC_ATTR_SCHED_NAME, str("wlc")),
                attr(IPVS_SVC_ATTR_FLAGS, cat({u32(IP_VS_SVC_F_HASHED | IP_VS_SVC_F_PERSISTENT), u32(~0U)})),
                attr(IPVS_SVC_ATTR_TIMEOUT, u32(360)), attr(IPVS_SVC_ATTR_NETMASK, u32(0xffffffff)),
                nest(IPVS_SVC_ATTR_STATS, {attr(IPVS_STATS_ATTR_CONNS, u32(5))})});
}

template <class T>
int fault_of(const halbd::core::Result<T>& r) {
    return r.ok() ? 0 : r.error().code;
}

}  // namespace

TEST_F(IpvsCodec, DecodesAServiceAsTheKernelDumpsIt) {
    auto r = ipvs::decode_service(reply(IPVS_CMD_NEW_SERVICE, nest(IPVS_CMD_ATTR_SERVICE, {svc_attrs()})));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->key, tcp4());
    EXPECT_EQ(r->params.scheduler, "wlc");
    EXPECT_EQ(r->params.flags, uint32_t{IP_VS_SVC_F_PERSISTENT});  // `hashed` masked out
    EXPECT_EQ(r->params.timeout, 360u);
    EXPECT_EQ(r->params.netmask, 0xffffffffu);
    EXPECT_EQ(r->params.pe_name, "");
}

TEST_F(IpvsCodec, DecodesAnIpv6FwmarkServiceWithPe) {
    Bytes a = cat({attr(IPVS_SVC_ATTR_AF, u16(10)), attr(IPVS_SVC_ATTR_FWMARK, u32(9)),
                   attr(IPVS_SVC_ATTR_SCHED_NAME, str("mh")), attr(IPVS_SVC_ATTR_PE_NAME, str("sip")),
                   attr(IPVS_SVC_ATTR_FLAGS, cat({u32(0), u32(~0U)})),
                   attr(IPVS_SVC_ATTR_TIMEOUT, u32(0)), attr(IPVS_SVC_ATTR_NETMASK, u32(64))});
    auto r = ipvs::decode_service(reply(IPVS_CMD_NEW_SERVICE, nest(IPVS_CMD_ATTR_SERVICE, {a})));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->key.family, Family::V6);
    EXPECT_EQ(r->key.fwmark, 9u);
    EXPECT_EQ(r->params.pe_name, "sip");
    EXPECT_EQ(r->params.netmask, 64u);
}

TEST_F(IpvsCodec, DecodesDests) {
    // 5.3+ kernel: ADDR_FAMILY and TUN_* always present.
    Bytes d = cat({attr(IPVS_DEST_ATTR_ADDR, addr16({198, 51, 100, 5})), attr(IPVS_DEST_ATTR_PORT, be16(80)),
                   attr(IPVS_DEST_ATTR_FWD_METHOD, u32(IP_VS_CONN_F_TUNNEL)),
                   attr(IPVS_DEST_ATTR_WEIGHT, u32(2)), attr(IPVS_DEST_ATTR_U_THRESH, u32(0)),
                   attr(IPVS_DEST_ATTR_L_THRESH, u32(0)), attr(IPVS_DEST_ATTR_ACTIVE_CONNS, u32(1)),
                   attr(IPVS_DEST_ATTR_ADDR_FAMILY, u16(2)), attr(IPVS_DEST_ATTR_TUN_TYPE, {1}),
                   attr(IPVS_DEST_ATTR_TUN_PORT, be16(6080)), attr(IPVS_DEST_ATTR_TUN_FLAGS, u16(2))});
    auto r = ipvs::decode_dest(reply(IPVS_CMD_NEW_DEST, nest(IPVS_CMD_ATTR_DEST, {d})), Family::V6);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->key.address, *IpAddress::parse("198.51.100.5"));  // ADDR_FAMILY wins over the service's
    EXPECT_EQ(r->key.port, 80);
    EXPECT_EQ(r->params.method, Method::Tunnel);
    EXPECT_EQ(r->params.weight, 2);
    EXPECT_EQ(r->params.tun_type, 1);
    EXPECT_EQ(r->params.tun_port, 6080);
    EXPECT_EQ(r->params.tun_flags, 2);

    // Pre-3.18 kernel: no ADDR_FAMILY, so the service's family.
    Bytes old = cat({attr(IPVS_DEST_ATTR_ADDR, addr16({0x20, 0x01, 0x0d, 0xb8})),
                     attr(IPVS_DEST_ATTR_PORT, be16(443)), attr(IPVS_DEST_ATTR_FWD_METHOD, u32(3)),
                     attr(IPVS_DEST_ATTR_WEIGHT, u32(1)), attr(IPVS_DEST_ATTR_U_THRESH, u32(0)),
                     attr(IPVS_DEST_ATTR_L_THRESH, u32(0))});
    r = ipvs::decode_dest(reply(IPVS_CMD_NEW_DEST, nest(IPVS_CMD_ATTR_DEST, {old})), Family::V6);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->key.address, *IpAddress::parse("2001:db8::"));
    EXPECT_EQ(r->params.method, Method::Route);
}

TEST_F(IpvsCodec, DecodesConfigDaemonAndInfo) {
    auto t = ipvs::decode_timeouts(reply(IPVS_CMD_SET_CONFIG,
        cat({attr(IPVS_CMD_ATTR_TIMEOUT_TCP, u32(900)), attr(IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, u32(120)),
             attr(IPVS_CMD_ATTR_TIMEOUT_UDP, u32(300))})));
    ASSERT_TRUE(t.ok()) << t.error().message;
    EXPECT_EQ(*t, (Timeouts{900, 120, 300}));

    auto d = ipvs::decode_daemon(reply(IPVS_CMD_NEW_DAEMON, nest(IPVS_CMD_ATTR_DAEMON, {
        attr(IPVS_DAEMON_ATTR_STATE, u32(2)), attr(IPVS_DAEMON_ATTR_MCAST_IFN, str("lo")),
        attr(IPVS_DAEMON_ATTR_SYNC_ID, u32(9)), attr(IPVS_DAEMON_ATTR_SYNC_MAXLEN, u16(1472)),
        attr(IPVS_DAEMON_ATTR_MCAST_PORT, u16(8848)), attr(IPVS_DAEMON_ATTR_MCAST_TTL, {1}),
        attr(IPVS_DAEMON_ATTR_MCAST_GROUP, {224, 0, 0, 81})})));
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_EQ(d->role, SyncDaemon::Role::Backup);
    EXPECT_EQ(d->ifname, "lo");
    EXPECT_EQ(d->syncid, 9u);
    EXPECT_EQ(d->maxlen, 1472);
    EXPECT_EQ(d->port, 8848);
    EXPECT_EQ(d->ttl, 1);
    EXPECT_TRUE(d->has_group);
    EXPECT_EQ(d->group, *IpAddress::parse("224.0.0.81"));

    auto i = ipvs::decode_info(reply(IPVS_CMD_SET_INFO, cat({attr(IPVS_INFO_ATTR_VERSION, u32(0x010201)),
                                                             attr(IPVS_INFO_ATTR_CONN_TAB_SIZE, u32(4096))})));
    ASSERT_TRUE(i.ok()) << i.error().message;
    EXPECT_EQ(i->to_string(), "IP Virtual Server version 1.2.1 (size=4096)");
}

TEST_F(IpvsCodec, MalformedRepliesAreTypedErrors) {
    auto svc = [](const Bytes& inner) {
        return ipvs::decode_service(reply(IPVS_CMD_NEW_SERVICE, nest(IPVS_CMD_ATTR_SERVICE, {inner})));
    };
    // Wrong length of the family attribute (1 byte instead of a u16).
    auto r = svc(svc_attrs(Bytes{2}));
    EXPECT_EQ(fault_of(r), ipvs::fault::malformed);
    EXPECT_NE(r.error().message.find("IPVS_SVC_ATTR_AF: length 1"), std::string::npos) << r.error().message;
    // A family IPVS does not have.
    r = svc(svc_attrs(u16(7)));
    EXPECT_EQ(fault_of(r), ipvs::fault::bad_family);
    // An IPv6 service with a 4-byte address.
    r = svc(svc_attrs(u16(10), Bytes{1, 2, 3, 4}));
    EXPECT_EQ(fault_of(r), ipvs::fault::malformed);
    // A truncated attribute: its nla_len runs past the end of the nest.
    Bytes truncated = svc_attrs();
    truncated.push_back(40);  // nla_len 40 ...
    truncated.push_back(0);
    truncated.push_back(IPVS_SVC_ATTR_PE_NAME);
    truncated.push_back(0);  // ... with nothing after its header
    r = svc(truncated);
    EXPECT_EQ(fault_of(r), ipvs::fault::malformed);
    EXPECT_NE(r.error().message.find("truncated attribute"), std::string::npos) << r.error().message;
    // Missing the scheduler.
    Bytes no_sched = cat({attr(IPVS_SVC_ATTR_AF, u16(2)), attr(IPVS_SVC_ATTR_FWMARK, u32(1))});
    r = svc(no_sched);
    EXPECT_EQ(fault_of(r), ipvs::fault::missing);
    // A scheduler name without its NUL.
    Bytes unterminated = cat({attr(IPVS_SVC_ATTR_AF, u16(2)), attr(IPVS_SVC_ATTR_FWMARK, u32(1)),
                              attr(IPVS_SVC_ATTR_SCHED_NAME, {'w', 'l', 'c'})});
    EXPECT_EQ(fault_of(svc(unterminated)), ipvs::fault::malformed);
    // No service nest at all.
    EXPECT_EQ(fault_of(ipvs::decode_service(reply(IPVS_CMD_NEW_SERVICE, {}))), ipvs::fault::missing);
    // Headers: too short, and nlmsg_len beyond the buffer.
    Bytes shorty = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    EXPECT_EQ(fault_of(ipvs::decode_service(shorty)), ipvs::fault::malformed);
    Bytes liar = reply(IPVS_CMD_NEW_SERVICE, nest(IPVS_CMD_ATTR_SERVICE, {svc_attrs()}));
    liar[0] = static_cast<uint8_t>(liar[0] + 4);
    EXPECT_EQ(fault_of(ipvs::decode_service(liar)), ipvs::fault::malformed);
    // Stray bytes after the last attribute.
    Bytes stray = reply(IPVS_CMD_NEW_SERVICE, cat({nest(IPVS_CMD_ATTR_SERVICE, {svc_attrs()}), Bytes{1, 0}}));
    EXPECT_EQ(fault_of(ipvs::decode_service(stray)), ipvs::fault::malformed);

    // Dest: an unknown forwarding method, and a u32 weight given as a u16.
    Bytes dbase = cat({attr(IPVS_DEST_ATTR_ADDR, addr16({10, 0, 0, 2})), attr(IPVS_DEST_ATTR_PORT, be16(80)),
                       attr(IPVS_DEST_ATTR_U_THRESH, u32(0)), attr(IPVS_DEST_ATTR_L_THRESH, u32(0))});
    auto d = ipvs::decode_dest(reply(IPVS_CMD_NEW_DEST, nest(IPVS_CMD_ATTR_DEST, {dbase,
        attr(IPVS_DEST_ATTR_FWD_METHOD, u32(7)), attr(IPVS_DEST_ATTR_WEIGHT, u32(1))})), Family::V4);
    EXPECT_EQ(fault_of(d), ipvs::fault::bad_value);
    d = ipvs::decode_dest(reply(IPVS_CMD_NEW_DEST, nest(IPVS_CMD_ATTR_DEST, {dbase,
        attr(IPVS_DEST_ATTR_FWD_METHOD, u32(0)), attr(IPVS_DEST_ATTR_WEIGHT, u16(1))})), Family::V4);
    EXPECT_EQ(fault_of(d), ipvs::fault::malformed);
    // Dest family attribute of the wrong length.
    d = ipvs::decode_dest(reply(IPVS_CMD_NEW_DEST, nest(IPVS_CMD_ATTR_DEST, {dbase,
        attr(IPVS_DEST_ATTR_FWD_METHOD, u32(0)), attr(IPVS_DEST_ATTR_WEIGHT, u32(1)),
        attr(IPVS_DEST_ATTR_ADDR_FAMILY, u32(2))})), Family::V4);
    EXPECT_EQ(fault_of(d), ipvs::fault::malformed);

    // Daemon: unknown state; info: missing the table size.
    auto dm = ipvs::decode_daemon(reply(IPVS_CMD_NEW_DAEMON, nest(IPVS_CMD_ATTR_DAEMON, {
        attr(IPVS_DAEMON_ATTR_STATE, u32(3)), attr(IPVS_DAEMON_ATTR_MCAST_IFN, str("lo")),
        attr(IPVS_DAEMON_ATTR_SYNC_ID, u32(1))})));
    EXPECT_EQ(fault_of(dm), ipvs::fault::bad_value);
    auto i = ipvs::decode_info(reply(IPVS_CMD_SET_INFO, attr(IPVS_INFO_ATTR_VERSION, u32(1))));
    EXPECT_EQ(fault_of(i), ipvs::fault::missing);
}
