// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// sync/subsystem.cc: see subsystem.hh. The commit runs in chunks of
// kCommitChunk entries, one per loop turn, so adverts keep their pace while
// a large table goes in; the hook's Resume is called after the last chunk.
#include "sync/subsystem.hh"

#include <netinet/in.h>

#include <algorithm>
#include <fstream>
#include <ostream>
#include <unordered_set>

#include "core/log.hh"

namespace halbd::sync {

namespace {

using std::chrono::duration_cast;
using std::chrono::microseconds;

bool same_filters(const std::vector<config::CtFilter>& a, const std::vector<config::CtFilter>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
        return x.kind == y.kind && x.accept == y.accept && x.prefixes == y.prefixes && x.values == y.values &&
               x.marks == y.marks;
    });
}

// Everything but source locations.
bool same(const config::ConntrackSync& a, const config::ConntrackSync& b) {
    return a.interface == b.interface && a.peers == b.peers && a.mcast_group == b.mcast_group && a.port == b.port &&
           a.source_ip == b.source_ip && a.sync_group == b.sync_group && a.instances == b.instances &&
           a.auth_key_file == b.auth_key_file && a.commit_budget == b.commit_budget &&
           a.bulk_timeout == b.bulk_timeout && a.commit_mode == b.commit_mode && same_filters(a.filters, b.filters) &&
           a.expectation_sync == b.expectation_sync && a.expectation_helpers == b.expectation_helpers;
}

// The kernel's table limit in this namespace, within the reserve bounds.
size_t cache_reserve() {
    size_t max = 0;
    std::ifstream("/proc/sys/net/netfilter/nf_conntrack_max") >> max;
    return std::clamp(max, SyncSubsystem::kCacheReserve, SyncSubsystem::kCacheReserveMax);
}

std::string follows(const config::ConntrackSync& c) {
    if (!c.sync_group.empty()) return "sync_group " + c.sync_group;
    std::string out = c.instances.size() > 1 ? "instances" : "instance";
    for (const auto& n : c.instances) out += " " + n;
    return out;
}

std::array<uint8_t, 4> v4(const std::array<uint8_t, 16>& a) { return {a[0], a[1], a[2], a[3]}; }

std::string ms(Duration d) {
    return log::concat(duration_cast<microseconds>(d).count() / 1000.0, " ms");
}

}  // namespace

const char* to_string(Bulk b) {
    switch (b) {
        case Bulk::Waiting: return "waiting";
        case Bulk::Received: return "received";
        case Bulk::TimedOut: return "timed out";
    }
    return "waiting";
}

SyncSubsystem::SyncSubsystem(core::EventLoop& loop, vrrp::StateEvents& events, KernelFactory kernel,
                             PeerFactory peer)
    : loop_(loop), events_(events), make_kernel_(std::move(kernel)), make_peer_(std::move(peer)) {
    flush_timer_ = loop_.create_bulk_timer([this] { flush(); });
    reread_timer_ = loop_.create_timer([this] { reread_kernel(); });
    bulk_timer_ = loop_.create_timer([this] {
        bulk_over(Bulk::TimedOut, "not received within " + log::secs(cfg_->bulk_timeout));
    });
    commit_timer_ = loop_.create_timer([this] { commit_step(); });
    serve_timer_ = loop_.create_timer([this] { serve_step(); });
}

SyncSubsystem::~SyncSubsystem() = default;

void SyncSubsystem::apply(const config::Model* /*previous*/, const config::Model& current) {
    active_active_ = current.active_active;
    if (!current.conntrack_sync) {
        if (cfg_) shut("conntrack_sync removed from the configuration");
        absent_ = "no conntrack_sync block";
        return;
    }
    if (cfg_ && same(*cfg_, *current.conntrack_sync)) return;
    if (cfg_) shut("conntrack_sync changed");
    start(*current.conntrack_sync);
}

void SyncSubsystem::start(const config::ConntrackSync& cfg) {
    auto k = make_kernel_();
    if (!k) {
        absent_ = "conntrack table unavailable: " + k.error().message;
        log::error("conntrack sync: ", absent_);
        return;
    }
    kernel_ = std::move(k.value());
    Peer::Handlers h;
    h.on_conntrack = [this](CtOp op, Ct ct) { on_peer_ct(op, std::move(ct)); };
    h.on_resync_request = [this] { on_resync_request(); };
    h.on_resync_done = [this](bool complete) {
        bulk_over(complete ? Bulk::Received : Bulk::TimedOut, complete ? "received" : "incomplete");
    };
    h.on_peer_alive = [this](bool alive) { log::info("conntrack sync: peer ", alive ? "up" : "down"); };
    if (cfg.expectation_sync) h.on_expect = [this](CtOp op, Exp e) { if (exp_) exp_->on_peer(op, std::move(e)); };
    auto p = make_peer_(cfg, std::move(h));
    if (!p) {
        absent_ = "sync channel unavailable: " + p.error().message;
        log::error("conntrack sync: ", absent_);
        kernel_.reset();
        return;
    }
    peer_ = std::move(p.value());
    cfg_ = cfg;
    if (cfg.commit_mode == config::ConntrackSync::CommitMode::Always)
        live_ = std::make_unique<LiveCommit>(loop_, *kernel_, [this](const BatchResult& r) {
            st_.committed += r.done;
            st_.commit_failed += r.failed;
            if (st_.last_commit_error.empty()) st_.last_commit_error = r.first_error;
        });
    absent_.clear();
    st_ = SyncStats{};
    master_ = false;
    cache_reserve_ = cache_reserve();
    external_.reserve(cache_reserve_);
    queued_.reserve(cache_reserve_);
    internal_.clear();
    internal_.reserve(cache_reserve_);
    loaded_ = false;
    serve_deferred_ = false;
    subscribe_kernel();
    reread_kernel();  // the first read of the table, in slices (reread_done)
    start_expectations(cfg);
    state_sub_ = events_.subscribe([this](const vrrp::StateEvent& e) { on_state(e); });
    // Added by a reload while the unit is MASTER: nothing to commit (the
    // addresses are up), the peer's table is received and kept as in BACKUP.
    master_ = any_master(std::nullopt);
    hook_ = events_.before_master_async("conntrack sync", cfg.commit_budget,
                                        [this](const vrrp::MasterEntry& e, vrrp::Resume r) { on_before_master(e, std::move(r)); });
    bulk_ = Bulk::Waiting;
    if (cfg.bulk_timeout > Duration::zero()) {
        for (const std::string& unit : cfg.sync_group.empty() ? cfg.instances : std::vector{cfg.sync_group})
            preempt_holds_.push_back(
                events_.hold_preemption(unit, "conntrack sync", "waiting for the peer's full table"));
        bulk_timer_->arm(cfg.bulk_timeout);
    } else {
        bulk_ = Bulk::TimedOut;
    }
    peer_->request_resync();
    log::info("conntrack sync: started on ", cfg.interface, ", following ", follows(cfg),
              master_ ? " (MASTER)" : "", "; reading the local table; asked the peer for its table");
}

void SyncSubsystem::start_expectations(const config::ConntrackSync& cfg) {
    if (!cfg.expectation_sync || !make_exp_) return;
    auto k = make_exp_();
    if (!k) return log::error("conntrack sync: expectations not replicated: ", k.error().message);
    exp_ = std::make_unique<ExpSync>(std::move(k.value()), *peer_, cfg.expectation_helpers);
    exp_->start();
}

void SyncSubsystem::subscribe_kernel() {
    if (auto s = kernel_->subscribe([this](CtOp op, Ct ct) { on_kernel(op, std::move(ct)); },
                                    [this] { on_kernel_lost(); });
        !s)
        log::error("conntrack sync: no conntrack events (local changes are not replicated): ", s.error().message);
}

// The events are off while a commit runs (commit_pause): the kernel then
// builds none for the entries created (ctnetlink skips a group without
// listeners), and the loop does not read back, between commit slices, the
// 100,000 events of its own commit: the two took half of a 100,000-entry
// commit's time. What is committed goes into the internal cache from the
// external one; changes to other connections during the commit are read
// from a dump kRereadSettle after it.
void SyncSubsystem::commit_pause() {
    kernel_->unsubscribe();
    kernel_->cancel_dump();
    // A first read cut short: the read after the commit sends the peer
    // everything it finds, as any re-read does.
    if (reread_) loaded_ = true;
    reread_.reset();
    reread_timer_->cancel();
}

void SyncSubsystem::commit_forget() {
    to_commit_.clear();
    commit_gone_.clear();
    commit_gone_set_.clear();
}

void SyncSubsystem::commit_resume() {
    subscribe_kernel();
    reread_timer_->arm(kRereadSettle);
}

void SyncSubsystem::shut(const std::string& why) {
    if (committing_) log::warning("conntrack sync: commit abandoned (", why, ")");
    committing_ = false;
    // A MASTER entry held by our commit goes on now, not when its budget passes.
    resume_all();
    hook_.reset();
    state_sub_.reset();
    exp_.reset();
    preempt_holds_.clear();
    flush_timer_->cancel();
    bulk_timer_->cancel();
    commit_timer_->cancel();
    reread_timer_->cancel();
    serve_timer_->cancel();
    to_serve_.clear();
    reread_.reset();
    if (kernel_) kernel_->unsubscribe();
    peer_.reset();
    live_.reset();
    kernel_.reset();
    internal_.clear();
    external_.clear();
    queued_.clear();
    commit_forget();
    cfg_.reset();
    log::info("conntrack sync: stopped (", why, ")");
}

void SyncSubsystem::stop(const config::StopOptions&) {
    if (cfg_) shut("halbd stops");
}

bool SyncSubsystem::ours(const vrrp::StateEvent& e) const {
    if (!cfg_->sync_group.empty()) return e.of == vrrp::StateEvent::Of::SyncGroup && e.name == cfg_->sync_group;
    const auto& is = cfg_->instances;
    return e.of == vrrp::StateEvent::Of::Instance && std::find(is.begin(), is.end(), e.name) != is.end();
}

bool SyncSubsystem::ours(const vrrp::MasterEntry& e) const {
    if (!cfg_->sync_group.empty()) return e.sync_group && e.name == cfg_->sync_group;
    const auto& is = cfg_->instances;
    return std::any_of(e.instances.begin(), e.instances.end(),
                       [&](const std::string& n) { return std::find(is.begin(), is.end(), n) != is.end(); });
}

// Whether a unit followed is MASTER; `now` is the event being delivered
// (state_of may not say it yet).
bool SyncSubsystem::any_master(const std::optional<vrrp::StateEvent>& now) const {
    auto is_master = [&](vrrp::StateEvent::Of of, const std::string& name) {
        if (now && now->of == of && now->name == name) return now->to == vrrp::State::Master;
        return events_.state_of(of, name) == vrrp::State::Master;
    };
    if (!cfg_->sync_group.empty()) return is_master(vrrp::StateEvent::Of::SyncGroup, cfg_->sync_group);
    return std::any_of(cfg_->instances.begin(), cfg_->instances.end(),
                       [&](const std::string& n) { return is_master(vrrp::StateEvent::Of::Instance, n); });
}

void SyncSubsystem::resume_all() {
    auto rs = std::exchange(resumes_, {});
    for (auto& r : rs) r();
}

void SyncSubsystem::on_state(const vrrp::StateEvent& e) {
    if (!ours(e)) return;
    master_ = any_master(e);
    if (!master_ && committing_) {
        // BACKUP (or FAULT) again: stop committing, keep receiving.
        committing_ = false;
        commit_timer_->cancel();
        resumes_.clear();
        log::warning("conntrack sync: commit stopped after ", commit_pos_, " of ", to_commit_.size(), " (", e.name,
                     " went ", vrrp::to_string(e.to), ")");
        commit_forget();
        commit_resume();
    }
}

bool SyncSubsystem::in_scope(const CtKey& k) const {
    return k.family != AF_INET || scope_.commits(v4(k.src), v4(k.dst));
}

// Active-active: an instance taking a bucket set commits the peer's
// connections of those buckets only (the others are the peer's, still
// served there: committed here they would linger unused); connections not
// to an active_active VIP are committed as without it. A second entry while
// one commits (two instances at once) joins the commit in progress.
void SyncSubsystem::on_before_master(const vrrp::MasterEntry& e, vrrp::Resume resume) {
    // commit_mode always: the peers' connections are in the kernel already.
    if (!ours(e) || live_) return resume();
    const bool joining = committing_;
    if (!joining) {
        commit_forget();
        commit_pos_ = 0;
        commit_start_ = loop_.now();
        scope_instances_.clear();
        st_.last_commit_error.clear();
        to_commit_.reserve(external_.size());
    }
    scope_instances_.insert(scope_instances_.end(), e.instances.begin(), e.instances.end());
    scope_ = cluster::CommitScope(active_active_, scope_instances_);
    const size_t before = to_commit_.size();
    std::unordered_set<CtKey, CtKeyHash> queued;
    if (joining)
        for (const auto& [k, ct] : to_commit_) queued.insert(k);
    for (const auto& [k, ct] : external_)
        if (in_scope(k) && !queued.count(k)) to_commit_.emplace_back(k, ct.get());
    committing_ = true;
    resumes_.push_back(std::move(resume));
    log::info("conntrack sync: committing ", to_commit_.size() - before, " of the peer's ", external_.size(),
              " connection(s) before ", e.name, " takes its addresses");
    if (joining) return;
    commit_pause();
    commit_step();
}

// Commits chunks of kCommitChunk entries for up to kCommitSlice, then lets
// the loop run (adverts, the budget's timer) before the next slice. Past
// commit_budget the MASTER entry goes on (VIPs up) and the rest follows.
void SyncSubsystem::commit_step() {
    if (!committing_) return;
    std::vector<const nf_conntrack*> chunk;
    const MonoTime until = loop_.now() + kCommitSlice;
    size_t chunks = 0;
    do {
        chunk.clear();
        const size_t end = std::min(to_commit_.size(), commit_pos_ + kCommitChunk);
        for (; commit_pos_ < end; ++commit_pos_)
            if (const nf_conntrack* ct = to_commit_[commit_pos_].second;
                commit_gone_set_.empty() || !commit_gone_set_.count(ct))
                chunk.push_back(ct);
        if (!chunk.empty()) {
            const BatchResult r = kernel_->commit(chunk);
            st_.committed += r.done;
            st_.commit_failed += r.failed;
            if (st_.last_commit_error.empty()) st_.last_commit_error = r.first_error;
        }
    } while (commit_pos_ < to_commit_.size() && ++chunks < kCommitChunksPerTurn && loop_.now() < until);
    if (commit_pos_ < to_commit_.size()) {
        if (!resumes_.empty() && loop_.now() - commit_start_ >= cfg_->commit_budget) {
            log::warning("conntrack sync: commit_budget ", log::secs(cfg_->commit_budget), " passed after ", commit_pos_,
                         " of ", to_commit_.size(), "; the addresses go up, the rest follows");
            resume_all();
        }
        return commit_timer_->arm(Duration::zero());
    }
    commit_done();
}

void SyncSubsystem::commit_done() {
    committing_ = false;
    const Duration took = loop_.now() - commit_start_;
    st_.last_commit = took;
    st_.last_commit_entries = to_commit_.size();
    ++st_.commits;
    if (took > cfg_->commit_budget) ++st_.commits_late;
    log::info("conntrack sync: committed ", to_commit_.size(), " connection(s) in ", ms(took),
              st_.last_commit_error.empty() ? "" : "; refused: ", st_.last_commit_error);
    // Expectations after their master connections, before the addresses.
    if (exp_) exp_->commit();
    // The addresses first; then the committed entries become ours, in the
    // internal cache and so to the peer (the kernel's events would have
    // brought them there; they are off).
    resume_all();
    if (!cfg_) return;  // the MASTER entry shut us
    for (const auto& [k, ptr] : to_commit_) {
        auto it = external_.find(k);
        if (it == external_.end()) continue;
        if (ct_selected(*cfg_, *it->second)) {
            internal_.insert_or_assign(k, std::move(it->second));
            queue(k, CtOp::New);
        }
        external_.erase(it);
    }
    if (!queued_.empty() && !flush_timer_->armed()) flush_timer_->arm(kCoalesce);
    commit_forget();
    commit_resume();
}

// An update event carries what changed with it (the TCP state only when
// it changed: not for a status change such as the first reply packet's),
// so an update is merged into the cached entry (NFCT_CP_META: what it
// carries replaces, the rest stays, as conntrackd's cache does); it used to
// replace the whole entry, and the peer then got connections without their
// TCP state, which its kernel created in state NONE: their next packet was
// invalid there, not NATed, and reset (tests/netns/ecmp-nat.sh saw it).
void SyncSubsystem::on_kernel(CtOp op, Ct ct) {
    if (!ct || !ct_selected(*cfg_, *ct)) return;
    ++st_.kernel_events;
    const CtKey k = ct_key(*ct);
    if (reread_) reread_->touched.insert(k);
    if (op == CtOp::Delete) {
        internal_.erase(k);
        auto [it, fresh] = queued_.try_emplace(k, Queued{op, loop_.now(), std::move(ct)});
        if (!fresh) {
            ++st_.coalesced;
            it->second.op = CtOp::Delete;
            it->second.gone = std::move(ct);
        }
    } else {
        auto it = internal_.find(k);
        if (it != internal_.end() && op == CtOp::Update) {
            nfct_copy(it->second.get(), ct.get(), NFCT_CP_META);
        } else if (auto ex = external_.find(k); op == CtOp::Update && ex != external_.end()) {
            // A peer's connection in our kernel (committed, or commit_mode
            // always) that our traffic now changes: ours from here on, and
            // what the event does not carry comes from the peer's entry.
            Ct merged = ct_clone(*ex->second);
            nfct_copy(merged.get(), ct.get(), NFCT_CP_META);
            internal_[k] = std::move(merged);
        } else {
            internal_[k] = std::move(ct);
        }
        queue(k, op);
    }
    if (!flush_timer_->armed()) flush_timer_->arm(kCoalesce);
}

void SyncSubsystem::queue(const CtKey& k, CtOp op) {
    auto [it, fresh] = queued_.try_emplace(k, Queued{op, loop_.now(), nullptr});
    if (fresh) return;
    ++st_.coalesced;
    // New then Update stays New; Delete then New is New again.
    if (it->second.op == CtOp::Delete || op == CtOp::New) it->second.op = op == CtOp::Update ? CtOp::New : op;
    it->second.gone.reset();
}

// Sends what is queued for kFlushSlice at most; the rest goes on the next
// loop pass (after a re-read of the table, 100,000 entries are queued).
void SyncSubsystem::flush() {
    if (!peer_) return;
    const MonoTime now = loop_.now();
    const MonoTime until = now + kFlushSlice;
    size_t n = 0;
    auto it = queued_.begin();
    for (; it != queued_.end(); it = queued_.erase(it)) {
        if ((++n & 255) == 0 && loop_.now() >= until) break;
        const Queued& q = it->second;
        const nf_conntrack* ct = nullptr;
        if (q.op == CtOp::Delete) ct = q.gone.get();
        else if (auto c = internal_.find(it->first); c != internal_.end()) ct = c->second.get();
        if (!ct) continue;
        peer_->send(q.op, *ct);
        ++st_.sent;
        st_.lag_last = now - q.since;
        st_.lag_max = std::max(st_.lag_max, st_.lag_last);
    }
    if (!queued_.empty()) flush_timer_->arm(Duration::zero());
}

void SyncSubsystem::on_kernel_lost() {
    // Events were dropped: the table is read again, and what changed meanwhile
    // goes to the peer (all as updates; what vanished as deletes).
    ++st_.kernel_resyncs;
    log::warning("conntrack sync: conntrack events lost (socket overrun); re-reading the table");
    reread_kernel();
    reread_timer_->cancel();
    reread_timer_->arm(kRereadSettle);
}

// Reads the table again in slices (a new read replaces one running). What
// the events say meanwhile stays: it is newer than what the read saw.
void SyncSubsystem::reread_kernel() {
    reread_ = std::make_unique<Reread>();
    reread_->seen.reserve(std::max(cache_reserve_, internal_.size()));
    kernel_->dump_sliced(
        [this](Ct ct) {
            if (reread_ && ct_selected(*cfg_, *ct)) reread_->seen.insert_or_assign(ct_key(*ct), std::move(ct));
        },
        [this](core::Status s) { reread_done(std::move(s)); });
}

// What the table no longer has goes to the peer as deletes, the rest as
// updates. The first read at start fills the internal cache only (the peer
// asks for it), then serves a request that came while it ran.
void SyncSubsystem::reread_done(core::Status s) {
    const std::unique_ptr<Reread> r = std::move(reread_);
    if (!r) return;
    const bool first = !loaded_;
    loaded_ = true;
    if (!s) log::error("conntrack sync: cannot read the conntrack table: ", s.error().message);
    if (s && first) {
        for (auto& [k, ct] : r->seen)
            if (!r->touched.count(k)) internal_.insert_or_assign(k, std::move(ct));
        log::info("conntrack sync: ", internal_.size(), " local connection(s) read");
    } else if (s) {
        reread_apply(*r);
    }
    if (serve_deferred_) {
        serve_deferred_ = false;
        on_resync_request();
    }
}

void SyncSubsystem::reread_apply(Reread& r) {
    const MonoTime now = loop_.now();
    for (auto it = internal_.begin(); it != internal_.end();) {
        if (r.seen.count(it->first) || r.touched.count(it->first)) {
            ++it;
            continue;
        }
        queued_.insert_or_assign(it->first, Queued{CtOp::Delete, now, std::move(it->second)});
        it = internal_.erase(it);
    }
    for (auto& [k, ct] : r.seen) {
        if (r.touched.count(k)) continue;
        internal_.insert_or_assign(k, std::move(ct));
        queue(k, CtOp::Update);
    }
    if (!queued_.empty() && !flush_timer_->armed()) flush_timer_->arm(kCoalesce);
}

// A peer's update is merged into the cached entry too (see on_kernel): a
// conntrackd peer sends what its cache holds, halbd what its merge holds.
void SyncSubsystem::on_peer_ct(CtOp op, Ct ct) {
    if (!ct) return;
    ++st_.received;
    if (live_) live_->add(op, *ct);
    const CtKey k = ct_key(*ct);
    if (op == CtOp::Delete) {
        if (auto it = external_.find(k); it != external_.end()) {
            if (committing_) {  // to_commit_ points at it: kept, skipped
                commit_gone_set_.insert(it->second.get());
                commit_gone_.push_back(std::move(it->second));
            }
            external_.erase(it);
        }
        return;
    }
    auto [it, fresh] = external_.try_emplace(k);  // one lookup: 25% of the backup's time was lookups
    if (!fresh) {
        nfct_copy(it->second.get(), ct.get(), NFCT_CP_META);
        return;
    }
    ensure_reply(*ct);  // once here, not at every commit
    const nf_conntrack* added = ct.get();
    it->second = std::move(ct);
    if (committing_ && in_scope(k)) to_commit_.emplace_back(k, added);  // arrived during the commit: it goes in too
}

void SyncSubsystem::on_resync_request() {
    if (!peer_) return;
    // Asked before the first read of our table ended: served once it has.
    if (!loaded_) {
        serve_deferred_ = true;
        return;
    }
    if (exp_) exp_->serve();
    // A request during a send starts it again: the table may have changed.
    to_serve_.clear();
    to_serve_.reserve(internal_.size());
    for (const auto& [k, ct] : internal_) to_serve_.push_back(k);
    // commit_mode always: the other peers' connections are in our kernel
    // too (a node that comes back needs those of a node that died).
    if (live_)
        for (const auto& [k, ct] : external_)
            if (!internal_.count(k)) to_serve_.push_back(k);
    serve_pos_ = 0;
    serve_step();
}

// Sends the table asked for kFlushSlice at a time, one slice per loop pass.
void SyncSubsystem::serve_step() {
    if (!peer_) return;
    const MonoTime until = loop_.now() + kFlushSlice;
    for (size_t n = 1; serve_pos_ < to_serve_.size(); ++n) {
        if ((n & 255) == 0 && loop_.now() >= until) return serve_timer_->arm(Duration::zero());
        const CtKey& k = to_serve_[serve_pos_++];
        const nf_conntrack* ct = nullptr;
        if (auto it = internal_.find(k); it != internal_.end()) ct = it->second.get();
        else if (auto e = external_.find(k); live_ && e != external_.end()) ct = e->second.get();
        if (ct) {
            peer_->send(CtOp::New, *ct);
            ++st_.sent;
        }
    }
    peer_->resync_sent();
    log::info("conntrack sync: sent our table (", to_serve_.size(), " connection(s)) at the peer's request");
    to_serve_.clear();
}

void SyncSubsystem::bulk_over(Bulk how, const std::string& why) {
    if (!cfg_ || bulk_ != Bulk::Waiting) return;
    bulk_ = how;
    bulk_timer_->cancel();
    preempt_holds_.clear();
    if (how == Bulk::Received)
        log::info("conntrack sync: the peer's full table ", why, " (", external_.size(), " connection(s)); ",
                  follows(*cfg_), " may preempt");
    else
        log::warning("conntrack sync: the peer's full table ", why, "; ", follows(*cfg_),
                     " may preempt without it (", external_.size(), " connection(s) known)");
    if (on_bulk_over_) on_bulk_over_();
}

std::optional<std::string> SyncSubsystem::announce_hold() const {
    if (!cfg_ || bulk_ != Bulk::Waiting) return std::nullopt;
    return "conntrack sync: waiting for the peers' full tables (at most bulk_timeout " +
           log::secs(cfg_->bulk_timeout) + ")";
}

SyncStats SyncSubsystem::stats() const {
    SyncStats s = st_;
    s.running = cfg_.has_value();
    if (!cfg_) return s;
    s.follows = follows(*cfg_);
    s.master = master_;
    s.bulk = bulk_;
    s.internal_size = internal_.size();
    s.external_size = external_.size();
    s.expectations = exp_ != nullptr;
    if (exp_) s.exp = exp_->stats();
    if (peer_) {
        s.peer_alive = peer_->peer_alive();
        s.peer = peer_->counters();
    }
    return s;
}

void SyncSubsystem::dump_state(std::ostream& os) const {
    const SyncStats s = stats();
    if (!s.running) return;
    os << "# conntrack sync: following " << s.follows << " (" << (s.master ? "MASTER" : "not MASTER") << "), peer "
       << (s.peer_alive ? "up" : "down") << ", peer's full table " << to_string(s.bulk) << "\n"
       << "#  caches: internal " << s.internal_size << ", external " << s.external_size << "\n"
       << "#  sent " << s.sent << ", received " << s.received << ", retransmitted " << s.peer.retransmitted
       << ", NACKs sent/received " << s.peer.nacks_sent << "/" << s.peer.nacks_received << ", resyncs requested/served "
       << s.peer.resyncs_requested << "/" << s.peer.resyncs_served << ", auth failures " << s.peer.auth_failures
       << ", malformed " << s.peer.malformed << "\n"
       << "#  kernel events " << s.kernel_events << ", kernel re-reads (overrun) " << s.kernel_resyncs << ", coalesced "
       << s.coalesced << "\n"
       << "#  commits " << s.commits << " (late " << s.commits_late << "), committed " << s.committed << ", refused "
       << s.commit_failed << ", last commit " << s.last_commit_entries << " in " << ms(s.last_commit) << "\n"
       << "#  replication lag (kernel event to peer) last " << ms(s.lag_last) << ", max " << ms(s.lag_max) << "\n";
    if (s.expectations)
        os << "#  expectations: ours " << s.exp.internal << ", peer's " << s.exp.external << ", sent " << s.exp.sent
           << ", received " << s.exp.received << ", committed " << s.exp.committed << ", refused "
           << s.exp.commit_failed << "\n";
}

}  // namespace halbd::sync
