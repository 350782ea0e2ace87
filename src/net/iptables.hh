// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// net/iptables.hh: Iptables, keepalived's vrrp_iptables/vrrp_ipsets way of
// filtering for hosts that use iptables (DESIGN principle 7: an adapter,
// faked in tests). A batch is lines run in order, stopping at the first that
// fails: "ipset CMD..." (libipset, the restore syntax), "iptables ARGS..." and
// "ip6tables ARGS..." (the programs found in halbd's PATH: iptables-legacy
// or -nft, whichever the host's `iptables` is). A line starting with '-' may fail
// (removing what may not be there). Not one transaction, as in keepalived.
// Used by vrrp/accept_filter; SystemIptables is created by the wiring.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hh"

namespace halbd::net {

class Iptables {
public:
    virtual ~Iptables() = default;
    // What failed as the error: the line and the program's/libipset's message.
    virtual core::Status run(std::string_view batch) = 0;
};

// The real one: ipset lines through libipset (netlink), iptables lines by
// running the program (synchronously, on the loop: only at start, reload
// and stop; VIP membership changes are ipset lines only).
class SystemIptables final : public Iptables {
public:
    core::Status run(std::string_view batch) override;
};

}  // namespace halbd::net
