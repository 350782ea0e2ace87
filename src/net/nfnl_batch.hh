// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// net/nfnl_batch.hh: NfnlBatchSocket sends a prebuilt nf_tables netlink batch
// (BATCH_BEGIN, messages, BATCH_END) as one kernel transaction and reports
// the first message the kernel refused. Part of the privileged facade (DESIGN
// principle 12): needs CAP_NET_ADMIN. Used by forward/nft/nftnl_sink.
#pragma once

#include <libmnl/libmnl.h>

#include <memory>
#include <string_view>

#include "core/result.hh"

namespace halbd::net {

class NfnlBatchSocket {
public:
    static core::Result<std::unique_ptr<NfnlBatchSocket>> open();
    // Sends `batch`; the kernel handles it within the call (all or nothing).
    // The error names the refused message by its sequence number.
    struct Refused {
        int code = 0;
        uint32_t seq = 0;
    };
    core::Result<core::Ok> send(std::string_view batch, Refused* refused = nullptr);
    uint32_t port() const { return mnl_socket_get_portid(nl_.get()); }

private:
    struct Closer {
        void operator()(mnl_socket* s) const { mnl_socket_close(s); }
    };
    explicit NfnlBatchSocket(std::unique_ptr<mnl_socket, Closer> nl) : nl_(std::move(nl)) {}
    std::unique_ptr<mnl_socket, Closer> nl_;
    size_t sndbuf_ = 0;
};

}  // namespace halbd::net
