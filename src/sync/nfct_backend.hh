// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// sync/nfct_backend.hh: NfctBackend, the real ConntrackBackend: ctnetlink
// over libmnl, messages built and parsed by libnetfilter_conntrack. Three
// sockets: one for requests (dump, batched commit/delete; blocking, each
// batch answered before the next), one subscribed to the conntrack event
// groups, read on the loop with a large receive buffer, and one for a dump
// read in slices on the loop. Created by the wiring when a configuration
// has conntrack_sync; owns the sockets.
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "core/event_loop.hh"
#include "sync/conntrack_backend.hh"
#include "sync/ctnetlink_request.hh"

struct mnl_socket;
struct nlmsghdr;

namespace halbd::sync {

class NfctBackend final : public ConntrackBackend {
public:
    static core::Result<std::unique_ptr<NfctBackend>> open(core::EventLoop& loop);
    ~NfctBackend() override;

    core::Status dump(const std::function<void(Ct)>& each) override;
    void dump_sliced(std::function<void(Ct)> each, std::function<void(core::Status)> done) override;
    void cancel_dump() override;
    core::Status subscribe(EventFn on_event, std::function<void()> on_lost) override;
    void unsubscribe() override;
    BatchResult commit(std::span<const nf_conntrack* const> entries) override;
    BatchResult create(std::span<const nf_conntrack* const> entries) override;
    BatchResult update(std::span<const nf_conntrack* const> entries) override;
    BatchResult remove(std::span<const nf_conntrack* const> entries) override;

private:
    NfctBackend(core::EventLoop& loop, MnlPtr requests) : loop_(loop), requests_(std::move(requests)) {}
    std::vector<std::pair<size_t, int>> send_all(size_t count, uint16_t type, uint16_t flags,
                                                 const std::function<void(size_t, nlmsghdr*)>& build);
    std::vector<std::pair<size_t, int>> create_excl(std::span<const nf_conntrack* const> list);
    void on_readable();
    void on_dump_readable();
    void dump_finished(core::Status s);
    void grow_event_buffer();

    core::EventLoop& loop_;
    MnlPtr requests_;
    MnlPtr events_;
    core::FdWatchPtr watch_;
    EventFn on_event_;
    std::function<void()> on_lost_;
    uint32_t seq_ = 0;
    uint32_t own_portid_ = 0;  // requests_'s: events of our own changes are skipped
    size_t batch_limit_ = 32 * 1024;
    int event_rcvbuf_ = 0;
    std::vector<char> event_buf_;                    // reused by on_readable
    std::vector<char> batch_buf_, reply_buf_;        // reused by send_all
    std::vector<std::pair<CtOp, Ct>> event_batch_;  // the events of one read
    // The sliced dump in progress: its own socket, read on the loop.
    MnlPtr dump_sock_;
    core::FdWatchPtr dump_watch_;
    uint32_t dump_seq_ = 0;
    std::function<void(Ct)> dump_each_;
    std::function<void(core::Status)> dump_done_;
};

}  // namespace halbd::sync
