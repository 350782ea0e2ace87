// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/nft/nft_capabilities.hh: what the nftables backend can program:
// rr, wrr, sh, dh, mh (sh-port/mh-port), NAT, DR (hash schedulers only, no
// persistence: stateless at ingress), TCP/UDP/SCTP, IPv4/IPv6,
// fwmark services, persistence. Validation refuses everything else at load
// naming the backend. A constant; no nftables here.
#pragma once

#include "config/forward_capabilities.hh"

namespace halbd::forward::nft {

inline constexpr const char* kBackendName = "nftables";

const config::ForwardCapabilities& capabilities();

}  // namespace halbd::forward::nft
