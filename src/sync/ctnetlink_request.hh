// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// sync/ctnetlink_request.hh: the request side both ctnetlink adapters share
// (connections: nfct_backend.cc; expectations: exp_kernel.cc): an nfnetlink
// message header for a subsystem, the socket (opened and bound to its
// multicast groups), and a blocking dump that hands every answer to a libmnl
// callback.
#pragma once

#include <libmnl/libmnl.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/result.hh"

namespace halbd::sync {

struct MnlClose {
    void operator()(mnl_socket* s) const { mnl_socket_close(s); }
};
using MnlPtr = std::unique_ptr<mnl_socket, MnlClose>;

// A NETLINK_NETFILTER socket (SOCK_CLOEXEC | extra_flags) bound to groups
// (0: requests only; NF_NETLINK_CONNTRACK_* for events). Errors name `who`
// and the step ("socket", "bind").
core::Result<MnlPtr> open_nfnl_socket(int extra_flags, unsigned groups, const std::string& who);

// An nfnetlink request header (NLM_F_REQUEST | flags) for subsys
// (NFNL_SUBSYS_CTNETLINK or _EXP) and message type, at buf.
nlmsghdr* put_nfnl_header(void* buf, uint8_t subsys, uint16_t type, uint16_t flags, uint8_t family, uint32_t seq);

// Sends the dump request at request (built in buf) and reads the answers
// into buf until the dump's end, calling cb(message, data) for each.
// Errors name `who` ("ctnetlink", "ctnetlink expectations").
core::Status run_dump(mnl_socket* sock, nlmsghdr* request, std::vector<char>& buf, mnl_cb_t cb, void* data,
                      const std::string& who);

}  // namespace halbd::sync
