// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/ipvs/ipvs_capabilities.hh: what the IPVS backend can program:
// everything keepalived's LVS section describes. halbd.cc validates the
// configuration against it before IPVS is opened; IpvsBackend and its
// in-memory fake report it. A constant; no netlink here.
#pragma once

#include "config/forward_capabilities.hh"

namespace halbd::forward::ipvs {

inline constexpr const char* kBackendName = "IPVS";

const config::ForwardCapabilities& capabilities();

}  // namespace halbd::forward::ipvs
