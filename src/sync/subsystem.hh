// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// sync/subsystem.hh: SyncSubsystem, connection-state sync on one node (the
// `conntrack_sync` block). It keeps two caches: internal (our kernel's
// connections, from a read in slices at start and ctnetlink events after) and
// external (the peer's, from sync::Peer). It sends the internal one to the
// peer (coalesced, see kCoalesce), answers resync requests with it and asks
// for the peer's at start. It follows its sync_group or instance through
// vrrp::StateEvents: entering MASTER, a before-master hook commits the
// external cache into the kernel within commit_budget before the VIPs go
// up; in BACKUP it only receives. Following several instances
// (active-active, both nodes MASTER of some), each instance's entry commits
// the peer's connections of the buckets it takes (cluster/buckets.hh).
// Until the peer's full table arrived (or bulk_timeout passed) it holds
// preemption of its units (state_events.hh rule 7). Created by the wiring with factories for its kernel adapter and
// its peer channel; owns both, its caches and its timers.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "cluster/buckets.hh"
#include "config/subscriber.hh"
#include "core/event_loop.hh"
#include "sync/conntrack_backend.hh"
#include "sync/exp_sync.hh"
#include "sync/ct_key.hh"
#include "sync/live_commit.hh"
#include "sync/peer.hh"
#include "vrrp/state_events.hh"

namespace halbd::sync {

// Where the wait for the peer's full table stands.
enum class Bulk : uint8_t { Waiting, Received, TimedOut };
const char* to_string(Bulk b);  // "waiting", "received", "timed out"

struct SyncStats {
    bool running = false;
    std::string follows;           // "sync_group LB" / "instance VI_1"
    bool master = false;           // the unit followed is MASTER
    bool peer_alive = false;
    Bulk bulk = Bulk::Waiting;
    size_t internal_size = 0, external_size = 0;
    uint64_t kernel_events = 0;    // ctnetlink events taken into the internal cache
    uint64_t kernel_resyncs = 0;   // re-dumps after an event overrun (ENOBUFS)
    uint64_t sent = 0, received = 0;  // connections handed to / taken from the peer
    uint64_t coalesced = 0;        // updates folded into one already queued
    uint64_t commits = 0;          // MASTER entries that committed
    uint64_t committed = 0, commit_failed = 0;
    uint64_t commits_late = 0;     // commits that outlasted commit_budget
    Duration last_commit{};        // duration of the last commit
    size_t last_commit_entries = 0;
    std::string last_commit_error;
    Duration lag_last{}, lag_max{};  // kernel event -> handed to the peer
    PeerCounters peer;
    bool expectations = false;     // expectation_sync is on
    ExpStats exp;
};

class SyncSubsystem final : public config::ConfigSubscriber {
public:
    using KernelFactory = std::function<core::Result<std::unique_ptr<ConntrackBackend>>()>;
    using PeerFactory =
        std::function<core::Result<std::unique_ptr<Peer>>(const config::ConntrackSync&, Peer::Handlers)>;

    // Updates of one connection read in the same loop pass leave as one
    // message with the latest state: the flush is a bulk timer (it runs
    // after the pass's fd events), armed this long after the first event.
    // Zero: what one pass read (up to 64 reads or 2 ms of events, see
    // nfct_backend) leaves at the end of that pass, as conntrackd sends what
    // one read brought; under load a pass reads more, so more is folded.
    // pfsync waits up to 1 s. It was 2 ms: with one pass to read and one to
    // send, a 100,000 burst's lag p99 was 5-26 ms (10 ms is the aim).
    static constexpr Duration kCoalesce = Duration::zero();
    // After an event overrun the table is read at once and again this long
    // after the last overrun: a dump taken during the burst that overran
    // misses entries created meanwhile (seen: 17% of a 100,000 burst).
    static constexpr Duration kRereadSettle = std::chrono::seconds(1);
    // Longest a flush to the peer runs in one loop pass.
    static constexpr Duration kFlushSlice = std::chrono::milliseconds(5);
    // The commit goes in chunks (one netlink batch run each) for a slice of
    // time per loop turn: the loop (VRRP adverts, the budget) runs between.
    static constexpr size_t kCommitChunk = 2'000;
    static constexpr size_t kCommitChunksPerTurn = 5;
    static constexpr Duration kCommitSlice = std::chrono::milliseconds(20);
    // Buckets reserved in each cache at start (8 bytes each): as many as the
    // kernel's table can hold (nf_conntrack_max, read at start), between
    // these bounds. A cache that outgrows its buckets rehashes at once: at
    // 65,536 entries that stopped the loop for ~11 ms in a burst (the 100k
    // lag p99). Above kCacheReserveMax (8 MiB a cache) it may still rehash.
    static constexpr size_t kCacheReserve = 1 << 16;
    static constexpr size_t kCacheReserveMax = 1 << 20;

    SyncSubsystem(core::EventLoop& loop, vrrp::StateEvents& events, KernelFactory kernel, PeerFactory peer);
    ~SyncSubsystem() override;

    void apply(const config::Model* previous, const config::Model& current) override;
    void stop(const config::StopOptions& opts) override;
    void dump_state(std::ostream& os) const override;

    // Where expectation_sync gets its kernel adapter (unset: it stays off).
    using ExpFactory = std::function<core::Result<std::unique_ptr<ExpBackend>>()>;
    void set_exp_factory(ExpFactory f) { make_exp_ = std::move(f); }

    // route_announce asks before it announces: while a started node waits
    // for its peers' full tables (at most bulk_timeout) the router must not
    // send it flows whose state it lacks. nullopt: nothing to wait for.
    std::optional<std::string> announce_hold() const;
    // Called when that wait ends (tables received or bulk_timeout).
    void set_on_bulk_over(std::function<void()> f) { on_bulk_over_ = std::move(f); }

    SyncStats stats() const;
    // The reason it is not running, when it is not ("no conntrack_sync block").
    const std::string& absent_reason() const { return absent_; }

private:
    struct Queued {
        CtOp op;
        MonoTime since;  // the first change folded into it
        Ct gone;         // Delete: the entry, no longer in the internal cache
    };
    using Cache = std::unordered_map<CtKey, Ct, CtKeyHash>;

    void start(const config::ConntrackSync& cfg);
    void shut(const std::string& why);
    bool ours(const vrrp::MasterEntry& e) const;
    bool ours(const vrrp::StateEvent& e) const;
    bool any_master(const std::optional<vrrp::StateEvent>& now) const;
    bool in_scope(const CtKey& k) const;
    void resume_all();
    void on_state(const vrrp::StateEvent& e);
    void on_before_master(const vrrp::MasterEntry& e, vrrp::Resume resume);
    void commit_step();
    void commit_done();
    void on_kernel(CtOp op, Ct ct);
    void on_kernel_lost();
    void subscribe_kernel();
    void start_expectations(const config::ConntrackSync& cfg);
    void commit_pause();
    void commit_resume();
    void commit_forget();
    void reread_kernel();
    void reread_done(core::Status s);
    void queue(const CtKey& k, CtOp op);
    void flush();
    void on_peer_ct(CtOp op, Ct ct);
    void on_resync_request();
    void serve_step();
    void bulk_over(Bulk how, const std::string& why);

    core::EventLoop& loop_;
    vrrp::StateEvents& events_;
    KernelFactory make_kernel_;
    PeerFactory make_peer_;
    std::optional<config::ConntrackSync> cfg_;
    std::string absent_ = "no conntrack_sync block";
    std::unique_ptr<ConntrackBackend> kernel_;
    std::unique_ptr<Peer> peer_;
    ExpFactory make_exp_;
    std::function<void()> on_bulk_over_;
    std::unique_ptr<ExpSync> exp_;  // expectation_sync on
    std::unique_ptr<LiveCommit> live_;  // commit_mode always
    Cache internal_, external_;
    std::unordered_map<CtKey, Queued, CtKeyHash> queued_;
    core::TimerPtr flush_timer_;
    core::TimerPtr bulk_timer_;
    core::TimerPtr commit_timer_;
    core::TimerPtr reread_timer_;
    core::TimerPtr serve_timer_;
    core::Subscription state_sub_, hook_;
    std::vector<core::Subscription> preempt_holds_;  // one per unit followed
    std::vector<config::ActiveActive> active_active_;  // of the current model
    bool master_ = false;
    Bulk bulk_ = Bulk::Waiting;
    // The commit in progress: what it goes through (each entry's key and the
    // entry itself: no cache lookup per entry), where it is, its Resumes, the
    // instances whose buckets it commits (active-active). An entry the peer
    // deletes meanwhile is kept alive in commit_gone_ (its address is not
    // reused) and skipped.
    std::vector<std::pair<CtKey, const nf_conntrack*>> to_commit_;
    std::vector<Ct> commit_gone_;
    std::unordered_set<const nf_conntrack*> commit_gone_set_;
    size_t commit_pos_ = 0;
    MonoTime commit_start_{};
    size_t cache_reserve_ = kCacheReserve;  // see kCacheReserve
    bool committing_ = false;
    std::vector<vrrp::Resume> resumes_;
    std::vector<std::string> scope_instances_;
    cluster::CommitScope scope_;
    // A re-read of the kernel's table in progress (read in slices): what it
    // found, and the connections the events changed meanwhile (newer than
    // what the read says of them).
    struct Reread {
        Cache seen;
        std::unordered_set<CtKey, CtKeyHash> touched;
    };
    std::unique_ptr<Reread> reread_;
    void reread_apply(Reread& r);
    // The first read of the table at start has ended (or failed); a resync
    // request that came before it waits for it.
    bool loaded_ = false;
    bool serve_deferred_ = false;
    // The table being sent at the peer's request, and where that stands.
    std::vector<CtKey> to_serve_;
    size_t serve_pos_ = 0;
    SyncStats st_;
};

}  // namespace halbd::sync
