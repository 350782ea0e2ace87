// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// sync/ftfw_ct_codec.hh: the payload of an FT-FW state message, a list of
// TLV attributes (conntrackd's struct netattr: 16-bit length with header,
// 16-bit type, data padded to 4 bytes), to and from a libnetfilter_conntrack
// object. Pure: no I/O. Encoding follows conntrackd 1.4.7's ct2msg, decoding
// its msg2ct plus stricter checks (each attribute at most once, a tuple and
// an L4 protocol required, strings terminated).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sync/ftfw_wire.hh"
#include "sync/peer.hh"

namespace halbd::sync::ftfw {

// Attribute types (enum nta_attr).
enum class Attr : uint16_t {
    Ipv4 = 0, Ipv6 = 1, L4Proto = 2, Port = 3, TcpState = 4, Status = 5, Timeout = 6, Mark = 7,
    MasterIpv4 = 8, MasterIpv6 = 9, MasterL4Proto = 10, MasterPort = 11,
    SnatIpv4 = 12, DnatIpv4 = 13, SpatPort = 14, DpatPort = 15, NatSeqAdj = 16,
    SctpState = 17, SctpVtagOrig = 18, SctpVtagRepl = 19, DccpState = 20, DccpRole = 21,
    IcmpType = 22, IcmpCode = 23, IcmpId = 24, TcpWscaleOrig = 25, TcpWscaleRepl = 26,
    HelperName = 27, Labels = 28, SnatIpv6 = 29, DnatIpv6 = 30, Synproxy = 31, Zone = 32,
};
// NTA_MAX of conntrackd 1.4.7: it refuses a whole message holding an
// attribute type beyond its list, and so do we.
inline constexpr uint16_t kAttrCount = 33;
inline constexpr size_t kAttrHeader = 4;
inline constexpr size_t kLabelsMaxBytes = 4096;

struct CtEncodeOptions {
    // conntrackd sends its (all-zero) synproxy attribute always; we only when
    // the connection has synproxy state, unless this is set.
    bool always_synproxy = false;
};

// Appends ct's attributes to out (4-byte aligned). An attribute that cannot
// be said in the format (a helper name too long for conntrackd's limit) is
// left out, as conntrackd leaves out what it cannot build.
void encode_ct(const nf_conntrack& ct, std::vector<uint8_t>& out, const CtEncodeOptions& opt = {});

// Builds a connection from a state message's attributes. The object carries
// the original tuple and the NAT attributes (ATTR_SNAT_IPV4, ...) as
// conntrackd's msg2ct leaves them; building the reply tuple is the sink's job.
WireOr<Ct> decode_ct(std::span<const uint8_t> payload);

}  // namespace halbd::sync::ftfw
