// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/support/fake_conntrack.hh: FakeConntrack, a kernel conntrack table
// in memory behind sync::ConntrackBackend (DESIGN principle 7), and
// make_tcp_ct(), a NATed TCP connection to build tables from. A test feeds
// kernel events with emit() and overruns with lose_events(); commits and
// deletes change the table, echo events as the kernel does, and are counted.
// A sliced dump can be held and handed out by the test (hold_dumps).
#pragma once

#include <unordered_map>
#include <vector>

#include "sync/conntrack_backend.hh"
#include "sync/ct_key.hh"

namespace halbd::test {

// Connection i: 192.0.2.(1 + i/60000 % 250):(1024 + i%60000) -> 198.51.100.1:80,
// DNATed to 203.0.113.(1 + i%2):8080, TCP ESTABLISHED, timeout seconds.
sync::Ct make_tcp_ct(uint32_t i, uint32_t timeout = 300);

class FakeConntrack final : public sync::ConntrackBackend {
public:
    core::Status dump(const std::function<void(sync::Ct)>& each) override;
    // Runs at once unless hold_dumps: then the test hands out the table
    // (as it was when the dump began) with dump_step().
    void dump_sliced(std::function<void(sync::Ct)> each, std::function<void(core::Status)> done) override;
    void cancel_dump() override;
    core::Status subscribe(EventFn on_event, std::function<void()> on_lost) override;
    void unsubscribe() override;
    sync::BatchResult commit(std::span<const nf_conntrack* const> entries) override;
    // An existing entry takes the given TCP state and timeout (its NAT
    // binding stays); a missing one is created.
    sync::BatchResult update(std::span<const nf_conntrack* const> entries) override;
    sync::BatchResult remove(std::span<const nf_conntrack* const> entries) override;

    // The kernel changed an entry: the table follows, the listener hears it.
    void emit(sync::CtOp op, const nf_conntrack& ct);
    // The event socket overran (ENOBUFS).
    void lose_events();
    // Delivers up to n entries of the held dump, and its end when none are
    // left; returns how many it delivered.
    size_t dump_step(size_t n);
    bool dumping() const { return static_cast<bool>(dump_done_); }

    bool has(const nf_conntrack& ct) const { return table_.count(sync::ct_key(ct)) != 0; }
    // The table's entry of ct's connection, or null.
    const nf_conntrack* find(const nf_conntrack& ct) const {
        auto it = table_.find(sync::ct_key(ct));
        return it == table_.end() ? nullptr : it->second.get();
    }
    size_t size() const { return table_.size(); }
    bool subscribed() const { return static_cast<bool>(on_event_); }

    // Changes reach the table but not the listener (events the socket lost).
    bool muted = false;
    // Echo committed/deleted entries as events (the kernel does).
    bool echo_events = true;
    bool hold_dumps = false;
    size_t dumps = 0, commit_calls = 0, committed = 0, removed = 0, updated = 0;
    // Entries handed to commit() without their reply tuple: the real
    // backend then copies each to add it (the subsystem adds it on receipt).
    size_t committed_without_reply = 0;

private:
    std::unordered_map<sync::CtKey, sync::Ct, sync::CtKeyHash> table_;
    EventFn on_event_;
    std::function<void()> on_lost_;
    std::vector<sync::Ct> held_;
    std::function<void(sync::Ct)> dump_each_;
    std::function<void(core::Status)> dump_done_;
};

}  // namespace halbd::test
