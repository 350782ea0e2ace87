// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/nft/nftnl_sink.hh: the real NlSink. encode() turns an NlBatch into
// the nf_tables netlink batch nft(8) would send for its text (same
// expressions, registers and element bytes, so `nft list table` reads the
// same), with libnftnl; NftnlSink sends it through net::NfnlBatchSocket.
// Objects whose expressions RuleSpec does not describe (tables, maps, base
// chains, persistence, DR) come as nl_objects.hh's values. Made by
// NftBackend::open().
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "forward/nft/nl_batch.hh"
#include "net/nfnl_batch.hh"

namespace halbd::forward::nft {

// The batch's bytes; `op_of_seq[seq - first_seq]` is the op a message came
// from (npos for BATCH_BEGIN/END), to name the one the kernel refuses.
struct EncodedBatch {
    std::string bytes;
    std::vector<size_t> op_of_seq;
    uint32_t first_seq = 0;
};
EncodedBatch encode(const NlBatch& batch, uint32_t first_seq);
// Elements per netlink message: a message's element list is one attribute,
// whose length must fit in 16 bits.
inline constexpr size_t kElementsPerMessage = 256;

class NftnlSink final : public NlSink {
public:
    static core::Result<std::unique_ptr<NftnlSink>> open();
    core::Status send(const NlBatch& batch) override;

private:
    explicit NftnlSink(std::unique_ptr<net::NfnlBatchSocket> s) : socket_(std::move(s)) {}
    std::unique_ptr<net::NfnlBatchSocket> socket_;
    uint32_t seq_ = 1;
};

}  // namespace halbd::forward::nft
