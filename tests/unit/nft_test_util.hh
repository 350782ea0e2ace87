// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/nft_test_util.hh: the recording kernel doubles the nft_*_test.cc
// unit tests share: libnftables text and libnftnl batches (as text), each
// able to fail every commit or refuse one holding a given string, as the
// kernel refuses a whole transaction for one bad object. Header-only.
#pragma once

#include <cerrno>
#include <string>
#include <string_view>
#include <vector>

#include "forward/nft/nl_batch.hh"
#include "net/nftables.hh"

namespace halbd::forward::nft::nft_test {

// `fail`: every commit is recorded, then fails with it. `refuse`: a commit
// whose text holds it fails ("refused") and is not recorded.
struct TextRecorder final : net::Nftables {
    std::vector<std::string> batches;
    std::string fail, refuse;
    core::Result<std::string> run(std::string_view batch) override {
        if (!refuse.empty() && batch.find(refuse) != std::string_view::npos) return core::Error{EINVAL, "refused"};
        batches.emplace_back(batch);
        if (!fail.empty()) return core::Error{0, fail};
        return std::string();
    }
};

struct BatchRecorder final : NlSink {
    std::vector<std::string> batches;  // as nft text (batch_text)
    std::string fail, refuse;
    core::Status send(const NlBatch& b) override {
        std::string t = batch_text(b);
        if (!refuse.empty() && t.find(refuse) != std::string::npos) return core::Error{EINVAL, "refused"};
        batches.push_back(std::move(t));
        if (!fail.empty()) return core::Error{0, fail};
        return core::Ok{};
    }
};

inline bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

}  // namespace halbd::forward::nft::nft_test
