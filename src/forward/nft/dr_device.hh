// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/nft/dr_device.hh: the interface through which the nftables DR path
// reaches a real server: the one holding a connected subnet (an address and
// its prefix) that contains it. DR forwards in one hop, on the real servers'
// own link; an address on no connected subnet is refused with why. The
// default DeviceResolver of NftBackend (tests inject their own).
#pragma once

#include <string>

#include "core/result.hh"
#include "net/address.hh"

namespace halbd::forward::nft {

// The interface of the longest connected prefix containing `address`
// (getifaddrs(3)); loopback and interfaces that are down do not count.
core::Result<std::string> connected_device(const net::IpAddress& address);

}  // namespace halbd::forward::nft
