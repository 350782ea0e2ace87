// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// sync/exp_kernel.hh: ExpBackend, the sync subsystem's door to the kernel's
// conntrack expectations (the helpers' "a data connection will come here"
// entries): a dump, the new/destroy event stream, and a commit. The real one,
// NfexpBackend, speaks ctnetlink's expectation subsystem over libmnl with
// libnetfilter_conntrack's nfexp_* builders; tests put a fake under ExpSync.
#pragma once

#include <functional>
#include <memory>
#include <span>

#include "core/event_loop.hh"
#include "core/result.hh"
#include "sync/conntrack_backend.hh"
#include "sync/ctnetlink_request.hh"
#include "sync/peer.hh"

struct mnl_socket;

namespace halbd::sync {

class ExpBackend {
public:
    using EventFn = std::function<void(CtOp, Exp)>;
    virtual ~ExpBackend() = default;
    virtual core::Status dump(const std::function<void(Exp)>& each) = 0;
    // on_event per change until unsubscribe(); on_lost when the kernel
    // dropped events (the listener dumps again).
    virtual core::Status subscribe(EventFn on_event, std::function<void()> on_lost) = 0;
    virtual void unsubscribe() = 0;
    // Creates each expectation; its master connection must be in the table
    // (ENOENT otherwise). One that exists already counts as done.
    virtual BatchResult commit(std::span<const nf_expect* const> entries) = 0;
};

class NfexpBackend final : public ExpBackend {
public:
    static core::Result<std::unique_ptr<NfexpBackend>> open(core::EventLoop& loop);
    ~NfexpBackend() override;

    core::Status dump(const std::function<void(Exp)>& each) override;
    core::Status subscribe(EventFn on_event, std::function<void()> on_lost) override;
    void unsubscribe() override;
    BatchResult commit(std::span<const nf_expect* const> entries) override;

private:
    NfexpBackend(core::EventLoop& loop, MnlPtr requests) : loop_(loop), requests_(std::move(requests)) {}
    void on_readable();

    core::EventLoop& loop_;
    MnlPtr requests_;
    MnlPtr events_;
    core::FdWatchPtr watch_;
    EventFn on_event_;
    std::function<void()> on_lost_;
    uint32_t seq_ = 0;
};

}  // namespace halbd::sync
