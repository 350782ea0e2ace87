// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// sync/exp_codec.hh: the payload of an FT-FW expectation message
// (NET_T_STATE_EXP_NEW/UPD/DEL), conntrackd 1.4.7's NTA_EXP_* attributes, to
// and from a libnetfilter_conntrack expectation. Pure: no I/O. Encoding
// follows conntrackd's exp2msg byte for byte; decoding its msg2exp plus the
// checks of ftfw_ct_codec (each attribute once, tuples required, strings
// terminated). Used by sync/ftfw_peer.cc; the cache is sync/exp_sync.hh.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sync/ftfw_wire.hh"
#include "sync/peer.hh"

namespace halbd::sync::ftfw {

// Attribute types (conntrackd's enum nta_exp_attr).
enum class ExpAttr : uint16_t {
    MasterIpv4 = 0, MasterIpv6 = 1, MasterL4Proto = 2, MasterPort = 3,
    ExpectIpv4 = 4, ExpectIpv6 = 5, ExpectL4Proto = 6, ExpectPort = 7,
    MaskIpv4 = 8, MaskIpv6 = 9, MaskL4Proto = 10, MaskPort = 11,
    Timeout = 12, Flags = 13, Class = 14,
    NatIpv4 = 15, NatPort = 16, NatL4Proto = 17, NatDir = 18,
    HelperName = 19, Fn = 20,
};
inline constexpr uint16_t kExpAttrCount = 21;  // NTA_EXP_MAX
// conntrackd's limits, the attribute header included.
inline constexpr size_t kExpHelperMax = 16;  // NFCT_HELPER_NAME_MAX
inline constexpr size_t kExpFnMax = 32;

// Appends exp's attributes to out (4-byte aligned). Needs the master, the
// expected tuple and the mask; what cannot be said in conntrackd's format
// (an IPv6 NAT tuple, a name past its limit) is left out, as it does.
void encode_exp(const nf_expect& exp, std::vector<uint8_t>& out);

// Builds an expectation from a message's attributes. The master, expected
// and mask tuples must each have an address pair and a protocol, all of one
// family; a NAT tuple needs its direction.
WireOr<Exp> decode_exp(std::span<const uint8_t> payload);

}  // namespace halbd::sync::ftfw
