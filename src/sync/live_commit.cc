// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// sync/live_commit.cc: see live_commit.hh.
#include "sync/live_commit.hh"

namespace halbd::sync {

LiveCommit::LiveCommit(core::EventLoop& loop, ConntrackBackend& kernel, ResultFn on_result)
    : kernel_(kernel), on_result_(std::move(on_result)) {
    timer_ = loop.create_timer([this] { flush(); });
}

void LiveCommit::add(CtOp op, const nf_conntrack& ct) {
    Ct c(nfct_clone(&ct));
    if (!c) return;
    queue_.emplace_back(op == CtOp::Delete, std::move(c));
    if (!timer_->armed()) timer_->arm(Duration::zero());
}

// In arrival order, each run of creates or of deletes in one batch.
void LiveCommit::flush() {
    std::vector<const nf_conntrack*> run;
    for (size_t i = 0; i < queue_.size();) {
        const bool del = queue_[i].first;
        run.clear();
        for (; i < queue_.size() && queue_[i].first == del; ++i) run.push_back(queue_[i].second.get());
        const BatchResult r = del ? kernel_.remove(run) : kernel_.create(run);
        if (on_result_) on_result_(r);
    }
    queue_.clear();
}

}  // namespace halbd::sync
