// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// halbctl_drain.hh: the waiting half of `halbctl drain --wait`: once halbd
// has withdrawn the node's announcements, halbctl watches the kernel's
// connection-tracking table (ctnetlink, libnetfilter_conntrack) until the
// connections to the drained addresses fall to the threshold or time runs
// out. In halbctl, not halbd, so a dump of a large table never holds up
// halbd's event loop.
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hh"
#include "net/address.hh"

namespace halbd {

// The addresses of a drain/announce reply in JSON ("address":"..." members).
std::vector<net::IpAddress> drained_addresses(std::string_view json);

// Connections whose original destination is one of addrs and that are
// still in use: TCP ones ESTABLISHED with a packet in the last idle_s
// seconds (an entry's timeout restarts at nf_conntrack_tcp_timeout_established
// with each packet, so its age is that minus what is left; a flow the
// router moved to another node stays ESTABLISHED here for days), and every
// entry of another protocol (those expire within minutes).
core::Result<size_t> count_connections(const std::vector<net::IpAddress>& addrs, uint32_t idle_s);

// Polls count_connections every 200 ms until it is <= below or wait_s
// passed; reports progress on out. Exit status: 0 drained, 1 timed out,
// 3 the table cannot be read.
int wait_for_drain(const std::vector<net::IpAddress>& addrs, size_t below, uint32_t idle_s, double wait_s,
                   std::ostream& out, std::ostream& err);

}  // namespace halbd
