// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// net/libnftables.hh: the real Nftables, over one libnftables context (nft's
// own library: it parses the commands and sends one netlink transaction).
// Part of the privileged facade (DESIGN principle 12): changing the ruleset
// needs CAP_NET_ADMIN. Created by halbd.cc; owns the nft context.
#pragma once

#include <memory>

#include "net/nftables.hh"

struct nft_ctx;

namespace halbd::net {

class LibNftables final : public Nftables {
public:
    static core::Result<std::unique_ptr<LibNftables>> open();
    ~LibNftables() override;

    core::Result<std::string> run(std::string_view batch) override;

private:
    struct CtxDeleter {
        void operator()(nft_ctx* c) const;
    };
    explicit LibNftables(std::unique_ptr<nft_ctx, CtxDeleter> ctx) : ctx_(std::move(ctx)) {}

    std::unique_ptr<nft_ctx, CtxDeleter> ctx_;
};

}  // namespace halbd::net
