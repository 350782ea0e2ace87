// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// sync/ftfw_ct_codec.cc: nf_conntrack <-> FT-FW attributes (see
// ftfw_ct_codec.hh). Group attributes (address pairs, port pairs) travel in
// the byte order libnetfilter_conntrack keeps them in (network order), and
// so do the IPv4/IPv6 NAT addresses (seen on the wire from conntrackd 1.4.7);
// 16- and 32-bit scalars are sent big-endian as conntrackd does, including
// its double swap of NAT port and ICMP id values, which both ends undo alike.
#include "sync/ftfw_ct_codec.hh"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace halbd::sync::ftfw {

namespace {

size_t align4(size_t n) { return (n + 3) & ~size_t{3}; }

class Writer {
public:
    explicit Writer(std::vector<uint8_t>& out) : out_(out) {}
    uint8_t* put(Attr a, size_t len) {
        const size_t at = out_.size();
        out_.resize(at + align4(kAttrHeader + len), 0);
        const auto total = static_cast<uint16_t>(kAttrHeader + len);
        out_[at] = static_cast<uint8_t>(total >> 8);
        out_[at + 1] = static_cast<uint8_t>(total);
        out_[at + 2] = static_cast<uint8_t>(static_cast<uint16_t>(a) >> 8);
        out_[at + 3] = static_cast<uint8_t>(static_cast<uint16_t>(a));
        return out_.data() + at + kAttrHeader;
    }
    void bytes(Attr a, const void* p, size_t n) { std::memcpy(put(a, n), p, n); }
    void u8(Attr a, uint8_t v) { *put(a, 1) = v; }
    void u16(Attr a, uint16_t v) {
        const uint16_t be = htons(v);
        bytes(a, &be, 2);
    }
    void u32(Attr a, uint32_t v) {
        const uint32_t be = htonl(v);
        bytes(a, &be, 4);
    }

private:
    std::vector<uint8_t>& out_;
};

bool is_set(const nf_conntrack* ct, nf_conntrack_attr a) { return nfct_attr_is_set(ct, a) > 0; }

void put_grp(Writer& w, const nf_conntrack* ct, int grp, Attr a, size_t size) {
    std::array<uint8_t, 32> buf{};
    nfct_get_attr_grp(ct, static_cast<nf_conntrack_attr_grp>(grp), buf.data());
    w.bytes(a, buf.data(), size);
}

void put_u8(Writer& w, const nf_conntrack* ct, nf_conntrack_attr from, Attr a) {
    w.u8(a, nfct_get_attr_u8(ct, from));
}
void put_u16(Writer& w, const nf_conntrack* ct, nf_conntrack_attr from, Attr a) {
    w.u16(a, nfct_get_attr_u16(ct, from));
}
void put_u32(Writer& w, const nf_conntrack* ct, nf_conntrack_attr from, Attr a) {
    w.u32(a, nfct_get_attr_u32(ct, from));
}

void put_ports(Writer& w, const nf_conntrack* ct) {
    if (is_set(ct, ATTR_ORIG_PORT_SRC) || is_set(ct, ATTR_ORIG_PORT_DST))
        put_grp(w, ct, ATTR_GRP_ORIG_PORT, Attr::Port, sizeof(nfct_attr_grp_port));
}

void put_l4(Writer& w, const nf_conntrack* ct, uint8_t l4proto) {
    switch (l4proto) {
    case IPPROTO_TCP:
        // conntrackd sends the ports only with a TCP state; a port pair alone
        // is still read by it, so we send the ports whenever we know them.
        put_ports(w, ct);
        if (is_set(ct, ATTR_TCP_STATE)) put_u8(w, ct, ATTR_TCP_STATE, Attr::TcpState);
        if (is_set(ct, ATTR_TCP_WSCALE_ORIG)) put_u8(w, ct, ATTR_TCP_WSCALE_ORIG, Attr::TcpWscaleOrig);
        if (is_set(ct, ATTR_TCP_WSCALE_REPL)) put_u8(w, ct, ATTR_TCP_WSCALE_REPL, Attr::TcpWscaleRepl);
        break;
    case IPPROTO_SCTP:
        put_ports(w, ct);
        if (is_set(ct, ATTR_SCTP_STATE)) {
            put_u8(w, ct, ATTR_SCTP_STATE, Attr::SctpState);
            put_u32(w, ct, ATTR_SCTP_VTAG_ORIG, Attr::SctpVtagOrig);
            put_u32(w, ct, ATTR_SCTP_VTAG_REPL, Attr::SctpVtagRepl);
        }
        break;
    case IPPROTO_DCCP:
        put_ports(w, ct);
        if (is_set(ct, ATTR_DCCP_STATE)) {
            put_u8(w, ct, ATTR_DCCP_STATE, Attr::DccpState);
            put_u8(w, ct, ATTR_DCCP_ROLE, Attr::DccpRole);
        }
        break;
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6:
        if (is_set(ct, ATTR_ICMP_TYPE)) {
            put_u8(w, ct, ATTR_ICMP_TYPE, Attr::IcmpType);
            put_u8(w, ct, ATTR_ICMP_CODE, Attr::IcmpCode);
            put_u16(w, ct, ATTR_ICMP_ID, Attr::IcmpId);
        }
        break;
    case IPPROTO_UDP:
    case IPPROTO_UDPLITE:
        put_ports(w, ct);
        break;
    default:
        break;
    }
}

// NAT: an explicit NAT attribute (a connection decoded from the wire) wins;
// otherwise the reply tuple says it, as libnetfilter_conntrack's
// NFCT_GOPT_IS_SNAT & co. do for a connection read from the kernel.
void put_nat(Writer& w, const nf_conntrack* ct, bool ipv6) {
    const bool v4reply = is_set(ct, ATTR_REPL_IPV4_DST) && is_set(ct, ATTR_REPL_IPV4_SRC);
    const bool v6reply = is_set(ct, ATTR_REPL_IPV6_DST) && is_set(ct, ATTR_REPL_IPV6_SRC);
    const bool preply = is_set(ct, ATTR_REPL_PORT_DST) && is_set(ct, ATTR_REPL_PORT_SRC);
    if (!ipv6) {
        // Addresses travel as they are (network order): conntrackd 1.4.7
        // does so, unlike the ports beside them.
        if (is_set(ct, ATTR_SNAT_IPV4)) w.bytes(Attr::SnatIpv4, nfct_get_attr(ct, ATTR_SNAT_IPV4), 4);
        else if (v4reply && nfct_getobjopt(ct, NFCT_GOPT_IS_SNAT) > 0)
            w.bytes(Attr::SnatIpv4, nfct_get_attr(ct, ATTR_REPL_IPV4_DST), 4);
        if (is_set(ct, ATTR_DNAT_IPV4)) w.bytes(Attr::DnatIpv4, nfct_get_attr(ct, ATTR_DNAT_IPV4), 4);
        else if (v4reply && nfct_getobjopt(ct, NFCT_GOPT_IS_DNAT) > 0)
            w.bytes(Attr::DnatIpv4, nfct_get_attr(ct, ATTR_REPL_IPV4_SRC), 4);
    } else {
        const void* snat = is_set(ct, ATTR_SNAT_IPV6) ? nfct_get_attr(ct, ATTR_SNAT_IPV6)
                         : v6reply && nfct_getobjopt(ct, NFCT_GOPT_IS_SNAT) > 0 ? nfct_get_attr(ct, ATTR_REPL_IPV6_DST)
                                                                               : nullptr;
        const void* dnat = is_set(ct, ATTR_DNAT_IPV6) ? nfct_get_attr(ct, ATTR_DNAT_IPV6)
                         : v6reply && nfct_getobjopt(ct, NFCT_GOPT_IS_DNAT) > 0 ? nfct_get_attr(ct, ATTR_REPL_IPV6_SRC)
                                                                               : nullptr;
        if (snat) w.bytes(Attr::SnatIpv6, snat, 16);
        if (dnat) w.bytes(Attr::DnatIpv6, dnat, 16);
    }
    if (is_set(ct, ATTR_SNAT_PORT)) put_u16(w, ct, ATTR_SNAT_PORT, Attr::SpatPort);
    else if (preply && nfct_getobjopt(ct, NFCT_GOPT_IS_SPAT) > 0) put_u16(w, ct, ATTR_REPL_PORT_DST, Attr::SpatPort);
    if (is_set(ct, ATTR_DNAT_PORT)) put_u16(w, ct, ATTR_DNAT_PORT, Attr::DpatPort);
    else if (preply && nfct_getobjopt(ct, NFCT_GOPT_IS_DPAT) > 0) put_u16(w, ct, ATTR_REPL_PORT_SRC, Attr::DpatPort);
}

constexpr std::array<nf_conntrack_attr, 6> kSeqAdj = {
    ATTR_ORIG_NAT_SEQ_CORRECTION_POS, ATTR_ORIG_NAT_SEQ_OFFSET_BEFORE, ATTR_ORIG_NAT_SEQ_OFFSET_AFTER,
    ATTR_REPL_NAT_SEQ_CORRECTION_POS, ATTR_REPL_NAT_SEQ_OFFSET_BEFORE, ATTR_REPL_NAT_SEQ_OFFSET_AFTER};

void put_labels(Writer& w, const nf_conntrack* ct) {
    const auto* b = static_cast<const nfct_bitmask*>(nfct_get_attr(ct, ATTR_CONNLABELS));
    if (b == nullptr) return;
    const unsigned maxbit = nfct_bitmask_maxbit(b);
    bool any = false;
    for (unsigned i = 0; i <= maxbit && !any; ++i) any = nfct_bitmask_test_bit(b, i) != 0;
    if (!any) return;
    const size_t words = maxbit / 32 + 1;
    if (words * 4 > kLabelsMaxBytes) return;
    uint8_t* p = w.put(Attr::Labels, words * 4);
    for (size_t i = 0; i < words; ++i) {
        uint32_t v = 0;
        for (unsigned bit = 0; bit < 32; ++bit)
            if (32 * i + bit <= maxbit && nfct_bitmask_test_bit(b, static_cast<unsigned>(32 * i + bit)))
                v |= 1u << bit;
        const uint32_t be = htonl(v);
        std::memcpy(p + 4 * i, &be, 4);
    }
}

}  // namespace

void encode_ct(const nf_conntrack& ctr, std::vector<uint8_t>& out, const CtEncodeOptions& opt) {
    const nf_conntrack* ct = &ctr;
    Writer w(out);
    const uint8_t l4proto = nfct_get_attr_u8(ct, ATTR_L4PROTO);
    bool ipv6 = false;
    if (nfct_attr_grp_is_set(ct, ATTR_GRP_ORIG_IPV4) > 0) {
        put_grp(w, ct, ATTR_GRP_ORIG_IPV4, Attr::Ipv4, sizeof(nfct_attr_grp_ipv4));
    } else if (nfct_attr_grp_is_set(ct, ATTR_GRP_ORIG_IPV6) > 0) {
        put_grp(w, ct, ATTR_GRP_ORIG_IPV6, Attr::Ipv6, sizeof(nfct_attr_grp_ipv6));
        ipv6 = true;
    }
    put_u32(w, ct, ATTR_STATUS, Attr::Status);
    w.u8(Attr::L4Proto, l4proto);
    put_l4(w, ct, l4proto);
    if (is_set(ct, ATTR_TIMEOUT)) put_u32(w, ct, ATTR_TIMEOUT, Attr::Timeout);
    if (is_set(ct, ATTR_MARK)) put_u32(w, ct, ATTR_MARK, Attr::Mark);

    const bool m4 = nfct_attr_grp_is_set(ct, ATTR_GRP_MASTER_IPV4) > 0;
    if (m4 || nfct_attr_grp_is_set(ct, ATTR_GRP_MASTER_IPV6) > 0) {
        if (m4) put_grp(w, ct, ATTR_GRP_MASTER_IPV4, Attr::MasterIpv4, sizeof(nfct_attr_grp_ipv4));
        else put_grp(w, ct, ATTR_GRP_MASTER_IPV6, Attr::MasterIpv6, sizeof(nfct_attr_grp_ipv6));
        put_u8(w, ct, ATTR_MASTER_L4PROTO, Attr::MasterL4Proto);
        if (nfct_attr_grp_is_set(ct, ATTR_GRP_MASTER_PORT) > 0)
            put_grp(w, ct, ATTR_GRP_MASTER_PORT, Attr::MasterPort, sizeof(nfct_attr_grp_port));
    }

    put_nat(w, ct, ipv6);

    bool seqadj = true;
    for (auto a : kSeqAdj) seqadj = seqadj && is_set(ct, a);
    if (seqadj) {
        uint8_t* p = w.put(Attr::NatSeqAdj, 24);
        for (size_t i = 0; i < kSeqAdj.size(); ++i) {
            const uint32_t be = htonl(nfct_get_attr_u32(ct, kSeqAdj[i]));
            std::memcpy(p + 4 * i, &be, 4);
        }
    }

    if (is_set(ct, ATTR_HELPER_NAME)) {
        const char* name = static_cast<const char*>(nfct_get_attr(ct, ATTR_HELPER_NAME));
        const size_t n = strnlen(name, NFCT_HELPER_NAME_MAX);
        // conntrackd 1.4.7 refuses a helper attribute longer than
        // NFCT_HELPER_NAME_MAX bytes, its 4-byte header included.
        if (n > 0 && kAttrHeader + n + 1 <= NFCT_HELPER_NAME_MAX) w.bytes(Attr::HelperName, name, n + 1);
    }
    if (is_set(ct, ATTR_CONNLABELS)) put_labels(w, ct);

    const bool synproxy =
        is_set(ct, ATTR_SYNPROXY_ISN) && is_set(ct, ATTR_SYNPROXY_ITS) && is_set(ct, ATTR_SYNPROXY_TSOFF);
    if (synproxy || opt.always_synproxy) {
        uint8_t* p = w.put(Attr::Synproxy, 12);
        const nf_conntrack_attr sp[3] = {ATTR_SYNPROXY_ISN, ATTR_SYNPROXY_ITS, ATTR_SYNPROXY_TSOFF};
        for (size_t i = 0; i < 3 && synproxy; ++i) {
            const uint32_t be = htonl(nfct_get_attr_u32(ct, sp[i]));
            std::memcpy(p + 4 * i, &be, 4);
        }
    }
    if (is_set(ct, ATTR_ZONE)) put_u16(w, ct, ATTR_ZONE, Attr::Zone);
}

namespace {

// Exact attribute length (header included) of each fixed-size attribute; 0
// for the variable ones (helper name, labels).
constexpr std::array<uint16_t, kAttrCount> kAttrLen = {
    12, 36, 5, 8, 5, 8, 8, 8,   // Ipv4 .. Mark
    12, 36, 5, 8,               // master tuple
    8, 8, 6, 6, 28,             // NAT, seq adj
    5, 8, 8, 5, 5,              // SCTP, DCCP
    5, 5, 6, 5, 5,              // ICMP, wscale
    0, 0,                       // helper, labels
    20, 20, 16, 6,              // IPv6 NAT, synproxy, zone
};

uint16_t rd16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t rd32(const uint8_t* p) {
    return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

struct Sets {
    nf_conntrack_attr single = ATTR_MAX;  // scalar target, or ATTR_MAX
    int grp = -1;                         // group target, or -1
};

Sets target(Attr a) {
    switch (a) {
    case Attr::Ipv4: return {ATTR_MAX, ATTR_GRP_ORIG_IPV4};
    case Attr::Ipv6: return {ATTR_MAX, ATTR_GRP_ORIG_IPV6};
    case Attr::Port: return {ATTR_MAX, ATTR_GRP_ORIG_PORT};
    case Attr::MasterIpv4: return {ATTR_MAX, ATTR_GRP_MASTER_IPV4};
    case Attr::MasterIpv6: return {ATTR_MAX, ATTR_GRP_MASTER_IPV6};
    case Attr::MasterPort: return {ATTR_MAX, ATTR_GRP_MASTER_PORT};
    case Attr::L4Proto: return {ATTR_L4PROTO};
    case Attr::TcpState: return {ATTR_TCP_STATE};
    case Attr::Status: return {ATTR_STATUS};
    case Attr::Timeout: return {ATTR_TIMEOUT};
    case Attr::Mark: return {ATTR_MARK};
    case Attr::MasterL4Proto: return {ATTR_MASTER_L4PROTO};
    case Attr::SpatPort: return {ATTR_SNAT_PORT};
    case Attr::DpatPort: return {ATTR_DNAT_PORT};
    case Attr::SctpState: return {ATTR_SCTP_STATE};
    case Attr::SctpVtagOrig: return {ATTR_SCTP_VTAG_ORIG};
    case Attr::SctpVtagRepl: return {ATTR_SCTP_VTAG_REPL};
    case Attr::DccpState: return {ATTR_DCCP_STATE};
    case Attr::DccpRole: return {ATTR_DCCP_ROLE};
    case Attr::IcmpType: return {ATTR_ICMP_TYPE};
    case Attr::IcmpCode: return {ATTR_ICMP_CODE};
    case Attr::IcmpId: return {ATTR_ICMP_ID};
    case Attr::TcpWscaleOrig: return {ATTR_TCP_WSCALE_ORIG};
    case Attr::TcpWscaleRepl: return {ATTR_TCP_WSCALE_REPL};
    case Attr::Zone: return {ATTR_ZONE};
    default: return {};
    }
}

bool set_labels(nf_conntrack* ct, std::span<const uint8_t> d) {
    if (d.empty() || d.size() % 4 != 0 || d.size() > kLabelsMaxBytes) return false;
    nfct_bitmask* b = nfct_bitmask_new(static_cast<unsigned>(d.size() * 8 - 1));
    if (b == nullptr) return false;
    for (size_t i = 0; i < d.size() / 4; ++i) {
        const uint32_t v = rd32(d.data() + 4 * i);
        for (unsigned bit = 0; bit < 32; ++bit)
            if (v & (1u << bit)) nfct_bitmask_set_bit(b, static_cast<unsigned>(32 * i + bit));
    }
    nfct_set_attr(ct, ATTR_CONNLABELS, b);  // the object takes the bitmask
    return true;
}

}  // namespace

WireOr<Ct> decode_ct(std::span<const uint8_t> payload) {
    Ct ct(nfct_new());
    if (!ct) return WireError::Unsupported;
    nf_conntrack* c = ct.get();
    std::array<bool, kAttrCount> seen{};
    while (payload.size() >= kAttrHeader) {
        const uint16_t len = rd16(payload.data());
        const uint16_t type = rd16(payload.data() + 2);
        if (len < kAttrHeader || len > payload.size()) return WireError::BadAttrLength;
        if (type >= kAttrCount) return WireError::UnknownAttr;
        if (seen[type]) return WireError::DuplicateAttr;
        seen[type] = true;
        if (kAttrLen[type] != 0 && len != kAttrLen[type]) return WireError::BadAttrSize;
        const std::span<const uint8_t> d = payload.subspan(kAttrHeader, len - kAttrHeader);
        const auto a = static_cast<Attr>(type);
        const Sets t = target(a);
        if (t.grp >= 0) {
            std::array<uint8_t, 32> buf{};
            std::memcpy(buf.data(), d.data(), d.size());
            nfct_set_attr_grp(c, static_cast<nf_conntrack_attr_grp>(t.grp), buf.data());
        } else if (t.single != ATTR_MAX) {
            if (d.size() == 1) nfct_set_attr_u8(c, t.single, d[0]);
            else if (d.size() == 2) nfct_set_attr_u16(c, t.single, rd16(d.data()));
            else nfct_set_attr_u32(c, t.single, rd32(d.data()));
        } else if (a == Attr::NatSeqAdj) {
            for (size_t i = 0; i < kSeqAdj.size(); ++i) nfct_set_attr_u32(c, kSeqAdj[i], rd32(d.data() + 4 * i));
        } else if (a == Attr::Synproxy) {
            nfct_set_attr_u32(c, ATTR_SYNPROXY_ISN, rd32(d.data()));
            nfct_set_attr_u32(c, ATTR_SYNPROXY_ITS, rd32(d.data() + 4));
            nfct_set_attr_u32(c, ATTR_SYNPROXY_TSOFF, rd32(d.data() + 8));
        } else if (a == Attr::SnatIpv4 || a == Attr::DnatIpv4) {
            uint32_t addr = 0;  // network order, as sent
            std::memcpy(&addr, d.data(), 4);
            nfct_set_attr_u32(c, a == Attr::SnatIpv4 ? ATTR_SNAT_IPV4 : ATTR_DNAT_IPV4, addr);
        } else if (a == Attr::SnatIpv6 || a == Attr::DnatIpv6) {
            std::array<uint8_t, 16> addr{};
            std::memcpy(addr.data(), d.data(), 16);
            nfct_set_attr(c, a == Attr::SnatIpv6 ? ATTR_SNAT_IPV6 : ATTR_DNAT_IPV6, addr.data());
        } else if (a == Attr::HelperName) {
            if (d.empty() || d.size() > NFCT_HELPER_NAME_MAX || std::memchr(d.data(), 0, d.size()) == nullptr ||
                d[0] == 0)
                return WireError::BadAttrSize;
            nfct_set_attr(c, ATTR_HELPER_NAME, d.data());
        } else if (a == Attr::Labels) {
            if (!set_labels(c, d)) return WireError::BadAttrSize;
        }
        payload = payload.subspan(std::min(payload.size(), align4(len)));
    }
    if (!payload.empty()) return WireError::BadAttrLength;
    if (seen[static_cast<size_t>(Attr::Ipv4)] == seen[static_cast<size_t>(Attr::Ipv6)])
        return seen[static_cast<size_t>(Attr::Ipv4)] ? WireError::DuplicateAttr : WireError::MissingTuple;
    if (!seen[static_cast<size_t>(Attr::L4Proto)]) return WireError::MissingTuple;
    nfct_set_attr_u8(c, ATTR_L3PROTO, seen[static_cast<size_t>(Attr::Ipv4)] ? AF_INET : AF_INET6);
    return WireOr<Ct>(std::move(ct));
}

}  // namespace halbd::sync::ftfw
