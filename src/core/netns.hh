// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// core/netns.hh: joining a named network namespace (`net_namespace NAME`,
// `halbd -s NAME`), as `ip netns` makes them under /run/netns. halbd.cc calls
// it once, after reading the configuration and before any socket is opened,
// so every netlink, VRRP, IPVS and checker socket lives in that namespace.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hh"

namespace halbd::core {

// A namespace name `ip netns` accepts: no '/', not "." or "..", not empty.
bool valid_netns_name(std::string_view name);

// setns(CLONE_NEWNET) into `dir`/NAME (dir is /run/netns/ outside tests).
Status join_net_namespace(std::string_view name, const std::string& dir = "/run/netns/");

}  // namespace halbd::core
