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
    queue_.emplace_back(op, std::move(c));
    if (!timer_->armed()) timer_->arm(Duration::zero());
}

// In arrival order, each run of creates, updates or deletes in one batch.
// The updates matter: a connection first sent while its handshake was
// under way was created in SYN_SENT, and a packet of it that reached this
// node later was invalid there (not NATed: the local stack reset it).
void LiveCommit::flush() {
    std::vector<const nf_conntrack*> run;
    for (size_t i = 0; i < queue_.size();) {
        const CtOp op = queue_[i].first;
        run.clear();
        for (; i < queue_.size() && queue_[i].first == op; ++i) run.push_back(queue_[i].second.get());
        const BatchResult r = op == CtOp::Delete ? kernel_.remove(run)
                              : op == CtOp::Update ? kernel_.update(run)
                                                   : kernel_.create(run);
        if (on_result_) on_result_(r);
    }
    queue_.clear();
}

}  // namespace halbd::sync
