// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// sync/exp_sync.cc: see exp_sync.hh. Expectations are few and short-lived,
// so each change is sent at once (no coalescing) and a commit is one pass.
#include "sync/exp_sync.hh"

#include <algorithm>
#include <cstring>

#include "core/log.hh"

namespace halbd::sync {

bool exp_selected(const std::vector<std::string>& helpers, const nf_expect& exp) {
    if (helpers.empty()) return true;
    if (nfexp_attr_is_set(&exp, ATTR_EXP_HELPER_NAME) <= 0) return false;
    const char* name = static_cast<const char*>(nfexp_get_attr(&exp, ATTR_EXP_HELPER_NAME));
    return std::any_of(helpers.begin(), helpers.end(), [&](const std::string& h) { return h == name; });
}

CtKey exp_key(const nf_expect& exp) {
    const auto* t = static_cast<const nf_conntrack*>(nfexp_get_attr(&exp, ATTR_EXP_EXPECTED));
    return t ? ct_key(*t) : CtKey{};
}

ExpSync::ExpSync(std::unique_ptr<ExpBackend> kernel, Peer& peer, std::vector<std::string> helpers)
    : kernel_(std::move(kernel)), peer_(peer), helpers_(std::move(helpers)) {}

ExpSync::~ExpSync() { kernel_->unsubscribe(); }

void ExpSync::start() {
    reread(false);  // the peer asks for our table itself
    if (auto s = kernel_->subscribe([this](CtOp op, Exp e) { on_kernel(op, std::move(e)); }, [this] { reread(true); }); !s)
        log::error("conntrack sync: no expectation events (local expectations are not replicated): ",
                   s.error().message);
}

// After an event overrun (announce): what changed meanwhile goes to the peer.
void ExpSync::reread(bool announce) {
    Cache old = std::move(internal_);
    internal_.clear();
    if (auto s = kernel_->dump([this](Exp e) {
            if (exp_selected(helpers_, *e)) internal_[exp_key(*e)] = std::move(e);
        });
        !s)
        log::error("conntrack sync: cannot read the expectation table: ", s.error().message);
    if (!announce) return;
    for (auto& [k, e] : old)
        if (!internal_.count(k)) peer_.send_exp(CtOp::Delete, *e), ++st_.sent;
    for (const auto& [k, e] : internal_) peer_.send_exp(CtOp::New, *e), ++st_.sent;
}

void ExpSync::on_kernel(CtOp op, Exp e) {
    if (!e) return;
    ++st_.kernel_events;
    if (!exp_selected(helpers_, *e)) {
        ++st_.filtered;
        return;
    }
    const CtKey k = exp_key(*e);
    peer_.send_exp(op, *e);
    ++st_.sent;
    if (op == CtOp::Delete) internal_.erase(k);
    else internal_.insert_or_assign(k, std::move(e));
}

void ExpSync::on_peer(CtOp op, Exp e) {
    if (!e) return;
    ++st_.received;
    const CtKey k = exp_key(*e);
    if (op == CtOp::Delete) external_.erase(k);
    else external_.insert_or_assign(k, std::move(e));
}

void ExpSync::serve() {
    for (const auto& [k, e] : internal_) peer_.send_exp(CtOp::New, *e), ++st_.sent;
}

void ExpSync::commit() {
    if (external_.empty()) return;
    std::vector<const nf_expect*> list;
    list.reserve(external_.size());
    for (const auto& [k, e] : external_) list.push_back(e.get());
    const BatchResult r = kernel_->commit(list);
    st_.committed += r.done;
    st_.commit_failed += r.failed;
    if (!r.first_error.empty()) st_.last_commit_error = r.first_error;
    log::info("conntrack sync: committed ", r.done, " of the peer's ", list.size(), " expectation(s)",
              r.first_error.empty() ? "" : "; refused: ", r.first_error);
    // Ours now: the kernel's events bring them into the internal cache.
    external_.clear();
}

ExpStats ExpSync::stats() const {
    ExpStats s = st_;
    s.internal = internal_.size();
    s.external = external_.size();
    return s;
}

}  // namespace halbd::sync
