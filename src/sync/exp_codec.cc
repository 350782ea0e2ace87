// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// sync/exp_codec.cc: nf_expect <-> FT-FW expectation attributes (see
// exp_codec.hh). Tuples travel as libnetfilter_conntrack's attribute groups
// (network order), scalars big-endian; the ports of all four tuples are sent
// when the master's protocol has ports, as conntrackd does.
#include "sync/exp_codec.hh"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace halbd::sync::ftfw {

namespace {

constexpr size_t kHdr = 4;
size_t align4(size_t n) { return (n + 3) & ~size_t{3}; }

void put(std::vector<uint8_t>& out, ExpAttr a, const void* data, size_t len) {
    const size_t at = out.size();
    out.resize(at + align4(kHdr + len), 0);
    const auto total = static_cast<uint16_t>(kHdr + len);
    const auto type = static_cast<uint16_t>(a);
    out[at] = static_cast<uint8_t>(total >> 8);
    out[at + 1] = static_cast<uint8_t>(total);
    out[at + 2] = static_cast<uint8_t>(type >> 8);
    out[at + 3] = static_cast<uint8_t>(type);
    std::memcpy(out.data() + at + kHdr, data, len);
}

void put_u32(std::vector<uint8_t>& out, ExpAttr a, uint32_t v) {
    const uint32_t be = htonl(v);
    put(out, a, &be, 4);
}

bool has_ports(uint8_t l4) {
    return l4 == IPPROTO_TCP || l4 == IPPROTO_UDP || l4 == IPPROTO_SCTP || l4 == IPPROTO_DCCP;
}

// The attribute types of one tuple.
struct TupleAttrs {
    ExpAttr v4, v6, l4, port;
    bool has_v6 = true;
};
constexpr TupleAttrs kMaster{ExpAttr::MasterIpv4, ExpAttr::MasterIpv6, ExpAttr::MasterL4Proto, ExpAttr::MasterPort};
constexpr TupleAttrs kExpect{ExpAttr::ExpectIpv4, ExpAttr::ExpectIpv6, ExpAttr::ExpectL4Proto, ExpAttr::ExpectPort};
constexpr TupleAttrs kMask{ExpAttr::MaskIpv4, ExpAttr::MaskIpv6, ExpAttr::MaskL4Proto, ExpAttr::MaskPort};
// conntrackd has no IPv6 NAT tuple attribute.
constexpr TupleAttrs kNat{ExpAttr::NatIpv4, ExpAttr::NatIpv4, ExpAttr::NatL4Proto, ExpAttr::NatPort, false};

// One tuple: addresses, protocol, and ports when the master's protocol has them.
void put_tuple(std::vector<uint8_t>& out, const nf_conntrack* ct, const TupleAttrs& t, uint8_t master_l4) {
    std::array<uint8_t, 32> buf{};
    if (nfct_attr_grp_is_set(ct, ATTR_GRP_ORIG_IPV4) > 0) {
        nfct_get_attr_grp(ct, ATTR_GRP_ORIG_IPV4, buf.data());
        put(out, t.v4, buf.data(), sizeof(nfct_attr_grp_ipv4));
    } else if (t.has_v6 && nfct_attr_grp_is_set(ct, ATTR_GRP_ORIG_IPV6) > 0) {
        nfct_get_attr_grp(ct, ATTR_GRP_ORIG_IPV6, buf.data());
        put(out, t.v6, buf.data(), sizeof(nfct_attr_grp_ipv6));
    }
    const uint8_t l4 = nfct_get_attr_u8(ct, ATTR_L4PROTO);
    put(out, t.l4, &l4, 1);
    if (has_ports(master_l4)) {
        buf.fill(0);
        nfct_get_attr_grp(ct, ATTR_GRP_ORIG_PORT, buf.data());
        put(out, t.port, buf.data(), sizeof(nfct_attr_grp_port));
    }
}

void put_str(std::vector<uint8_t>& out, ExpAttr a, const char* s, size_t max_total) {
    const size_t n = strnlen(s, max_total);
    if (n > 0 && kHdr + n + 1 <= max_total) put(out, a, s, n + 1);
}

const nf_conntrack* tuple_of(const nf_expect* e, int attr) {
    return static_cast<const nf_conntrack*>(nfexp_get_attr(e, static_cast<nf_expect_attr>(attr)));
}

}  // namespace

void encode_exp(const nf_expect& expr, std::vector<uint8_t>& out) {
    const nf_expect* e = &expr;
    const nf_conntrack* master = tuple_of(e, ATTR_EXP_MASTER);
    const nf_conntrack* expected = tuple_of(e, ATTR_EXP_EXPECTED);
    const nf_conntrack* mask = tuple_of(e, ATTR_EXP_MASK);
    if (!master || !expected || !mask) return;
    const uint8_t l4 = nfct_get_attr_u8(master, ATTR_L4PROTO);
    put_tuple(out, master, kMaster, l4);
    put_tuple(out, expected, kExpect, l4);
    put_tuple(out, mask, kMask, l4);
    if (nfexp_attr_is_set(e, ATTR_EXP_TIMEOUT) > 0) put_u32(out, ExpAttr::Timeout, nfexp_get_attr_u32(e, ATTR_EXP_TIMEOUT));
    put_u32(out, ExpAttr::Flags, nfexp_get_attr_u32(e, ATTR_EXP_FLAGS));
    if (nfexp_attr_is_set(e, ATTR_EXP_CLASS) > 0) put_u32(out, ExpAttr::Class, nfexp_get_attr_u32(e, ATTR_EXP_CLASS));
    if (const nf_conntrack* nat = tuple_of(e, ATTR_EXP_NAT_TUPLE)) {
        put_tuple(out, nat, kNat, l4);
        put_u32(out, ExpAttr::NatDir, nfexp_get_attr_u32(e, ATTR_EXP_NAT_DIR));
    }
    if (nfexp_attr_is_set(e, ATTR_EXP_HELPER_NAME) > 0)
        put_str(out, ExpAttr::HelperName, static_cast<const char*>(nfexp_get_attr(e, ATTR_EXP_HELPER_NAME)),
                kExpHelperMax);
    if (nfexp_attr_is_set(e, ATTR_EXP_FN) > 0)
        put_str(out, ExpAttr::Fn, static_cast<const char*>(nfexp_get_attr(e, ATTR_EXP_FN)), kExpFnMax);
}

namespace {

// Exact attribute length (header included) of each fixed-size attribute; 0
// for the strings.
constexpr std::array<uint16_t, kExpAttrCount> kExpAttrLen = {
    12, 36, 5, 8,  // master
    12, 36, 5, 8,  // expected
    12, 36, 5, 8,  // mask
    8, 8, 8,       // timeout, flags, class
    12, 8, 5, 8,   // NAT address, port, protocol, direction
    0, 0,          // helper, fn
};

uint16_t rd16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t rd32(const uint8_t* p) {
    return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

enum Part : uint8_t { V4, V6, L4, Port, None };
struct Slot {
    int tuple;  // 0 master, 1 expected, 2 mask, 3 NAT, -1 not a tuple
    Part part;
};

Slot slot_of(ExpAttr a) {
    const auto t = static_cast<uint16_t>(a);
    if (t < 12) return {t / 4, static_cast<Part>(t % 4)};
    switch (a) {
        case ExpAttr::NatIpv4: return {3, V4};
        case ExpAttr::NatPort: return {3, Port};
        case ExpAttr::NatL4Proto: return {3, L4};
        default: return {-1, None};
    }
}

bool good_string(std::span<const uint8_t> d, size_t max_total) {
    return !d.empty() && d[0] != 0 && kHdr + d.size() <= max_total && std::memchr(d.data(), 0, d.size()) != nullptr;
}

}  // namespace

WireOr<Exp> decode_exp(std::span<const uint8_t> payload) {
    std::array<Ct, 4> t{Ct(nfct_new()), Ct(nfct_new()), Ct(nfct_new()), Ct(nfct_new())};
    Exp exp(nfexp_new());
    if (!exp || !t[0] || !t[1] || !t[2] || !t[3]) return WireError::Unsupported;
    std::array<bool, kExpAttrCount> seen{};
    std::array<std::array<bool, 4>, 4> parts{};  // [tuple][part]
    while (payload.size() >= kHdr) {
        const uint16_t len = rd16(payload.data());
        const uint16_t type = rd16(payload.data() + 2);
        if (len < kHdr || len > payload.size()) return WireError::BadAttrLength;
        if (type >= kExpAttrCount) return WireError::UnknownAttr;
        if (seen[type]) return WireError::DuplicateAttr;
        seen[type] = true;
        if (kExpAttrLen[type] != 0 && len != kExpAttrLen[type]) return WireError::BadAttrSize;
        const std::span<const uint8_t> d = payload.subspan(kHdr, len - kHdr);
        const auto a = static_cast<ExpAttr>(type);
        if (const Slot s = slot_of(a); s.tuple >= 0) {
            nf_conntrack* ct = t[static_cast<size_t>(s.tuple)].get();
            parts[static_cast<size_t>(s.tuple)][s.part] = true;
            std::array<uint8_t, 32> buf{};
            std::memcpy(buf.data(), d.data(), d.size());
            switch (s.part) {
                case V4: nfct_set_attr_grp(ct, ATTR_GRP_ORIG_IPV4, buf.data()); break;
                case V6: nfct_set_attr_grp(ct, ATTR_GRP_ORIG_IPV6, buf.data()); break;
                case L4: nfct_set_attr_u8(ct, ATTR_L4PROTO, d[0]); break;
                case Port: nfct_set_attr_grp(ct, ATTR_GRP_ORIG_PORT, buf.data()); break;
                case None: break;
            }
        } else if (a == ExpAttr::Timeout) {
            nfexp_set_attr_u32(exp.get(), ATTR_EXP_TIMEOUT, rd32(d.data()));
        } else if (a == ExpAttr::Flags) {
            nfexp_set_attr_u32(exp.get(), ATTR_EXP_FLAGS, rd32(d.data()));
        } else if (a == ExpAttr::Class) {
            nfexp_set_attr_u32(exp.get(), ATTR_EXP_CLASS, rd32(d.data()));
        } else if (a == ExpAttr::NatDir) {
            nfexp_set_attr_u32(exp.get(), ATTR_EXP_NAT_DIR, rd32(d.data()));
        } else if (a == ExpAttr::HelperName || a == ExpAttr::Fn) {
            const bool helper = a == ExpAttr::HelperName;
            if (!good_string(d, helper ? kExpHelperMax : kExpFnMax)) return WireError::BadAttrSize;
            nfexp_set_attr(exp.get(), helper ? ATTR_EXP_HELPER_NAME : ATTR_EXP_FN, d.data());
        }
        payload = payload.subspan(std::min(payload.size(), align4(len)));
    }
    if (!payload.empty()) return WireError::BadAttrLength;
    // Master, expected and mask: one address family (the same for all three) and a protocol.
    const bool v6 = parts[0][V6];
    for (size_t i = 0; i < 3; ++i) {
        if (parts[i][V4] && parts[i][V6]) return WireError::DuplicateAttr;
        if (!parts[i][L4] || !(v6 ? parts[i][V6] : parts[i][V4])) return WireError::MissingTuple;
    }
    const uint8_t family = v6 ? AF_INET6 : AF_INET;
    for (auto& ct : t) nfct_set_attr_u8(ct.get(), ATTR_L3PROTO, family);
    nfexp_set_attr(exp.get(), ATTR_EXP_MASTER, t[0].get());
    nfexp_set_attr(exp.get(), ATTR_EXP_EXPECTED, t[1].get());
    nfexp_set_attr(exp.get(), ATTR_EXP_MASK, t[2].get());
    // A NAT binding: an IPv4 address, a protocol and a direction. IPv6 has
    // no NAT address attribute in conntrackd's format: what came is not used.
    const bool any_nat = parts[3][V4] || parts[3][L4] || parts[3][Port] || seen[static_cast<size_t>(ExpAttr::NatDir)];
    if (any_nat && !v6) {
        if (!parts[3][V4] || !parts[3][L4] || !seen[static_cast<size_t>(ExpAttr::NatDir)])
            return WireError::MissingTuple;
        nfexp_set_attr(exp.get(), ATTR_EXP_NAT_TUPLE, t[3].get());
    } else if (any_nat) {
        nfexp_attr_unset(exp.get(), ATTR_EXP_NAT_DIR);
    }
    return WireOr<Exp>(std::move(exp));
}

}  // namespace halbd::sync::ftfw
