// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// net/nftables.hh: Nftables, the kernel's nftables as halbd needs it (DESIGN
// principle 7): run a batch of nft(8) commands as one transaction, all or
// nothing, and get nft's output or its error as a value. The real
// implementation is LibNftables (libnftables), the fake is FakeNftables.
// Callers: vrrp/accept_filter (no_accept drop sets), later forward/nft.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hh"

namespace halbd::net {

class Nftables {
public:
    virtual ~Nftables() = default;
    // `batch` is nft(8) input, one command per line ("add table ip x",
    // "add element ip x vips { 192.0.2.1 }", "list table ip x"). It is
    // committed as one transaction: when any command fails, none applies.
    // Returns what the commands print (listings), or the error nft reports.
    virtual core::Result<std::string> run(std::string_view batch) = 0;
};

}  // namespace halbd::net
