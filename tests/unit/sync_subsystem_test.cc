// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/sync_subsystem_test.cc: SyncSubsystem (sync/subsystem.cc) on
// SimLoop, two nodes back to back through FakeSyncPeer, each over a
// FakeConntrack and a vrrp::StateHub: start-up resync, coalesced
// replication, the commit before the VIPs (chunked, within the budget), no
// commit in BACKUP, the preemption hold until the peer's table arrived or
// bulk_timeout passed, an event overrun, and the filters.
#include <libnetfilter_conntrack/libnetfilter_conntrack_tcp.h>

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "core/log.hh"
#include "support/fake_conntrack.hh"
#include "support/fake_sync_peer.hh"
#include "support/sim_loop.hh"
#include "sync/subsystem.hh"
#include "vrrp/state_hub.hh"

namespace halbd::sync {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

config::Model model(Duration bulk_timeout = seconds(30)) {
    config::Model m;
    auto& s = m.conntrack_sync.emplace();
    s.interface = "eth2";
    s.peers = {*net::IpAddress::parse("192.0.2.2")};
    s.sync_group = "LB";
    s.bulk_timeout = bulk_timeout;
    return m;
}

struct Node {
    core::SimLoop& loop;
    vrrp::StateHub hub{loop};
    test::FakeConntrack* kernel = nullptr;
    test::FakeSyncPeer* peer = nullptr;
    Node* partner = nullptr;
    std::unique_ptr<test::FakeConntrack> kernel_owned = std::make_unique<test::FakeConntrack>();
    SyncSubsystem sync;

    explicit Node(core::SimLoop& l)
        : loop(l),
          sync(l, hub,
               [this]() -> core::Result<std::unique_ptr<ConntrackBackend>> {
                   kernel = kernel_owned.get();
                   return std::unique_ptr<ConntrackBackend>(std::move(kernel_owned));
               },
               [this](const config::ConntrackSync&, Peer::Handlers h) -> core::Result<std::unique_ptr<Peer>> {
                   auto p = std::make_unique<test::FakeSyncPeer>(std::move(h));
                   peer = p.get();
                   if (partner && partner->peer) test::FakeSyncPeer::link(*peer, *partner->peer);
                   return std::unique_ptr<Peer>(std::move(p));
               }) {}

    // The sync group LB enters MASTER: hooks, then `took` is set.
    bool took = false;
    void enter_master() {
        vrrp::MasterEntry e;
        e.name = "LB";
        e.sync_group = true;
        e.instances = {"VI_1"};
        e.reason = "test";
        hub.enter_master(e, [this] {
            took = true;
            hub.publish({vrrp::StateEvent::Of::SyncGroup, "LB", {}, vrrp::State::Backup, vrrp::State::Master, "test", loop.now()});
        }, [] { return true; });
    }
    void go_backup() {
        took = false;
        hub.publish({vrrp::StateEvent::Of::SyncGroup, "LB", {}, vrrp::State::Master, vrrp::State::Backup, "test", loop.now()});
    }
};

struct SyncSubsystemTest : ::testing::Test {
    core::SimLoop loop;
    log::ScopedCapture cap;
    Node a{loop}, b{loop};
    SyncSubsystemTest() {
        a.partner = &b;
        b.partner = &a;
    }
    // b holds n connections in its kernel before anything starts.
    void seed_b(uint32_t n) {
        for (uint32_t i = 0; i < n; ++i) b.kernel_owned->emit(CtOp::New, *test::make_tcp_ct(i));
    }
    void start_both(Duration bulk_timeout = seconds(30)) {
        b.sync.apply(nullptr, model(bulk_timeout));
        a.sync.apply(nullptr, model(bulk_timeout));
    }
};

TEST_F(SyncSubsystemTest, StartReadsTheKernelAndFetchesThePeersTable) {
    seed_b(100);
    start_both();
    EXPECT_EQ(b.sync.stats().internal_size, 100u);
    EXPECT_EQ(a.sync.stats().external_size, 100u);
    EXPECT_EQ(a.sync.stats().bulk, Bulk::Received);
    EXPECT_EQ(a.hub.preemption_held("LB"), std::nullopt);
    // b started alone: it still waits for a's table (and holds preemption).
    EXPECT_EQ(b.sync.stats().bulk, Bulk::Waiting);
    EXPECT_EQ(b.hub.preemption_held("LB"), "conntrack sync: waiting for the peer's full table");
    EXPECT_TRUE(cap.contains("conntrack sync: the peer's full table received (100 connection(s)); sync_group LB may preempt"));
}

TEST_F(SyncSubsystemTest, BulkTimeoutReleasesThePreemptionHold) {
    start_both(seconds(10));
    loop.advance(seconds(9));
    EXPECT_TRUE(b.hub.preemption_held("LB"));
    loop.advance(seconds(1));
    EXPECT_FALSE(b.hub.preemption_held("LB"));
    EXPECT_EQ(b.sync.stats().bulk, Bulk::TimedOut);
    EXPECT_TRUE(cap.contains("conntrack sync: the peer's full table not received within 10.00s; sync_group LB may "
                             "preempt without it"));
}

// route_announce asks announce_hold() before it announces (src/wiring.cc):
// a node waiting for its peers' tables must not attract their flows yet.
TEST_F(SyncSubsystemTest, AnnouncingWaitsForThePeersTableOrTheBulkTimeout) {
    int over_a = 0, over_b = 0;
    a.sync.set_on_bulk_over([&] { ++over_a; });
    b.sync.set_on_bulk_over([&] { ++over_b; });
    EXPECT_EQ(a.sync.announce_hold(), std::nullopt);  // no conntrack_sync: nothing to wait for
    start_both(seconds(10));
    EXPECT_EQ(a.sync.announce_hold(), std::nullopt);  // a received b's table at start
    EXPECT_EQ(over_a, 1);
    ASSERT_TRUE(b.sync.announce_hold());  // b started alone: it waits
    EXPECT_NE(b.sync.announce_hold()->find("waiting for the peers' full tables"), std::string::npos);
    EXPECT_EQ(over_b, 0);
    loop.advance(seconds(10));
    EXPECT_EQ(b.sync.announce_hold(), std::nullopt);
    EXPECT_EQ(over_b, 1);
}

TEST_F(SyncSubsystemTest, KernelChangesReachThePeerCoalescedWithinTheWindow) {
    start_both();
    Ct c = test::make_tcp_ct(7);
    b.kernel->emit(CtOp::New, *c);
    nfct_set_attr_u32(c.get(), ATTR_TIMEOUT, 120);
    b.kernel->emit(CtOp::Update, *c);
    b.kernel->emit(CtOp::Update, *c);
    EXPECT_EQ(a.sync.stats().external_size, 0u);  // still in the window
    loop.advance(SyncSubsystem::kCoalesce);
    EXPECT_EQ(a.sync.stats().external_size, 1u);
    ASSERT_EQ(b.peer->sent.size(), 1u);
    EXPECT_EQ(b.peer->sent[0].first, CtOp::New);
    EXPECT_EQ(b.sync.stats().coalesced, 2u);
    EXPECT_EQ(b.sync.stats().lag_max, SyncSubsystem::kCoalesce);
    // Expired on b: gone from a's cache too.
    b.kernel->emit(CtOp::Delete, *c);
    loop.advance(SyncSubsystem::kCoalesce);
    EXPECT_EQ(a.sync.stats().external_size, 0u);
}

TEST_F(SyncSubsystemTest, EnteringMasterCommitsThePeersTableBeforeTheAddresses) {
    seed_b(25'000);
    start_both();
    ASSERT_EQ(a.sync.stats().external_size, 25'000u);
    a.enter_master();
    EXPECT_FALSE(a.took);  // three turns: the loop runs between them
    EXPECT_EQ(a.kernel->commit_calls, SyncSubsystem::kCommitChunksPerTurn);
    EXPECT_EQ(a.kernel->size(), SyncSubsystem::kCommitChunksPerTurn * SyncSubsystem::kCommitChunk);
    loop.advance(Duration::zero());
    loop.advance(Duration::zero());
    EXPECT_TRUE(a.took);
    EXPECT_EQ(a.kernel->commit_calls, (25'000 + SyncSubsystem::kCommitChunk - 1) / SyncSubsystem::kCommitChunk);
    EXPECT_EQ(a.kernel->size(), 25'000u);
    const SyncStats s = a.sync.stats();
    EXPECT_EQ(s.committed, 25'000u);
    EXPECT_EQ(s.commits, 1u);
    EXPECT_EQ(s.commits_late, 0u);
    EXPECT_EQ(s.external_size, 0u);  // ours now: the kernel's echo put them in the internal cache
    EXPECT_EQ(s.internal_size, 25'000u);
    EXPECT_TRUE(s.master);
    EXPECT_TRUE(cap.contains("conntrack sync: committed 25000 connection(s) in"));
}

// The wire carries no reply tuple: the subsystem adds it once on receipt
// (an update from the peer replaces the whole object, so again then), not
// with a copy of every entry during the commit.
TEST_F(SyncSubsystemTest, PeersEntriesAreCommittedWithTheirReplyTuple) {
    start_both();
    Ct c = test::make_tcp_ct(3);
    b.kernel->emit(CtOp::New, *c);
    loop.advance(SyncSubsystem::kCoalesce);
    nfct_set_attr_u32(c.get(), ATTR_TIMEOUT, 120);
    b.kernel->emit(CtOp::Update, *c);
    b.kernel->emit(CtOp::New, *test::make_tcp_ct(4));
    loop.advance(SyncSubsystem::kCoalesce);
    ASSERT_EQ(a.sync.stats().external_size, 2u);
    a.enter_master();
    loop.advance(Duration::zero());
    ASSERT_TRUE(a.took);
    EXPECT_EQ(a.kernel->committed, 2u);
    EXPECT_EQ(a.kernel->committed_without_reply, 0u);
}

// The kernel's update event carries the TCP state only when it changed
// (a status-only change, such as the first reply packet's, comes without
// it): the caches merge an update, so the peer's cache and its commit keep
// the state; replacing the entry gave the peer's kernel an entry in state
// NONE, where the connection's next packet was invalid.
TEST_F(SyncSubsystemTest, AnUpdateWithoutTheTcpStateKeepsIt) {
    start_both();
    Ct c = test::make_tcp_ct(8);
    b.kernel->emit(CtOp::New, *c);
    loop.advance(SyncSubsystem::kCoalesce);
    Ct partial = test::make_tcp_ct(8);
    nfct_attr_unset(partial.get(), ATTR_TCP_STATE);
    nfct_set_attr_u32(partial.get(), ATTR_TIMEOUT, 431000);
    b.kernel->emit(CtOp::Update, *partial);
    loop.advance(SyncSubsystem::kCoalesce);
    ASSERT_EQ(b.peer->sent.size(), 2u);
    a.enter_master();
    loop.advance(Duration::zero());
    ASSERT_TRUE(a.took);
    const nf_conntrack* in = a.kernel->find(*c);
    ASSERT_NE(in, nullptr);
    ASSERT_TRUE(nfct_attr_is_set(in, ATTR_TCP_STATE));
    EXPECT_EQ(nfct_get_attr_u8(in, ATTR_TCP_STATE), TCP_CONNTRACK_ESTABLISHED);
    EXPECT_EQ(nfct_get_attr_u32(in, ATTR_TIMEOUT), 431000u);  // what the update carried
}

// commit_mode always: a peer's connection sits in our kernel and in the
// external cache only; when our own traffic changes it (an update event
// without the TCP state), our entry for it starts from the peer's, so what
// we send keeps the state.
TEST_F(SyncSubsystemTest, OurUpdateOfAPeersConnectionKeepsItsTcpState) {
    config::Model m = model();
    m.conntrack_sync->commit_mode = config::ConntrackSync::CommitMode::Always;
    // The kernel's events of halbd's own changes carry its port id and are
    // skipped; the fake's echo would bounce every live commit back.
    a.kernel_owned->echo_events = false;
    b.kernel_owned->echo_events = false;
    b.sync.apply(nullptr, m);
    a.sync.apply(nullptr, m);
    Ct c = test::make_tcp_ct(9);
    b.kernel->emit(CtOp::New, *c);
    loop.advance(SyncSubsystem::kCoalesce);
    loop.advance(Duration::zero());
    ASSERT_NE(a.kernel->find(*c), nullptr);  // live commit
    Ct partial = test::make_tcp_ct(9);
    nfct_attr_unset(partial.get(), ATTR_TCP_STATE);
    a.kernel->emit(CtOp::Update, *partial);
    loop.advance(SyncSubsystem::kCoalesce);
    ASSERT_TRUE(a.peer->last_sent);
    EXPECT_EQ(sync::ct_key(*a.peer->last_sent), sync::ct_key(*c));
    ASSERT_TRUE(nfct_attr_is_set(a.peer->last_sent.get(), ATTR_TCP_STATE));
    EXPECT_EQ(nfct_get_attr_u8(a.peer->last_sent.get(), ATTR_TCP_STATE), TCP_CONNTRACK_ESTABLISHED);
}

// The events are off during the commit (the kernel builds none, the loop
// reads none back); what changed meanwhile comes from a dump kRereadSettle
// after it, and the committed entries reach the peer from the caches.
TEST_F(SyncSubsystemTest, ACommitRunsWithoutEventsAndRereadsTheTableAfter) {
    seed_b(5'000);
    start_both();
    a.kernel->echo_events = false;  // nothing may come back by events
    const size_t dumps = a.kernel->dumps;
    a.enter_master();
    ASSERT_TRUE(a.took);  // 5,000: one turn
    EXPECT_TRUE(a.kernel->subscribed());
    // A local connection created while the events were off: the table
    // holds it, no event was delivered.
    a.kernel->muted = true;
    a.kernel->emit(CtOp::New, *test::make_tcp_ct(90'000));
    a.kernel->muted = false;
    SyncStats s = a.sync.stats();
    EXPECT_EQ(s.external_size, 0u);
    EXPECT_EQ(s.internal_size, 5'000u);  // from the external cache, not from events
    loop.advance(SyncSubsystem::kCoalesce);
    EXPECT_EQ(a.peer->sent.size(), 5'000u);  // the committed entries, to the peer
    EXPECT_EQ(a.kernel->dumps, dumps);
    loop.advance(SyncSubsystem::kRereadSettle);
    EXPECT_EQ(a.kernel->dumps, dumps + 1);
    EXPECT_EQ(a.sync.stats().internal_size, 5'001u);  // the one the events missed
}

TEST_F(SyncSubsystemTest, DuringACommitTheKernelEventsAreOff) {
    seed_b(25'000);
    start_both();
    a.enter_master();
    ASSERT_FALSE(a.took);  // still committing
    EXPECT_FALSE(a.kernel->subscribed());
    loop.advance(Duration::zero());
    loop.advance(Duration::zero());
    ASSERT_TRUE(a.took);
    EXPECT_TRUE(a.kernel->subscribed());
}

// The commit holds pointers to the entries: one the peer deletes meanwhile
// is skipped (and not freed under it: ASan would see the use).
TEST_F(SyncSubsystemTest, AnEntryDeletedByThePeerDuringTheCommitIsNotCommitted) {
    seed_b(25'000);
    start_both();
    a.enter_master();
    ASSERT_FALSE(a.took);
    uint32_t i = 0;
    while (a.kernel->has(*test::make_tcp_ct(i))) ++i;  // one not committed yet
    b.peer->send(CtOp::Delete, *test::make_tcp_ct(i));  // b's message arrives now
    loop.advance(Duration::zero());
    loop.advance(Duration::zero());
    ASSERT_TRUE(a.took);
    EXPECT_EQ(a.kernel->size(), 24'999u);
    EXPECT_FALSE(a.kernel->has(*test::make_tcp_ct(i)));
}

TEST_F(SyncSubsystemTest, InBackupNothingIsCommittedAndReceivingGoesOn) {
    seed_b(10);
    start_both();
    a.go_backup();
    b.kernel->emit(CtOp::New, *test::make_tcp_ct(500));
    loop.advance(SyncSubsystem::kCoalesce);
    EXPECT_EQ(a.sync.stats().external_size, 11u);
    EXPECT_EQ(a.kernel->commit_calls, 0u);
    EXPECT_EQ(a.kernel->size(), 0u);
}

TEST_F(SyncSubsystemTest, GoingBackupStopsACommitInProgress) {
    seed_b(25'000);
    start_both();
    a.enter_master();
    a.go_backup();  // e.g. a higher priority master appeared during the hold
    loop.advance(seconds(1));
    EXPECT_EQ(a.kernel->commit_calls, SyncSubsystem::kCommitChunksPerTurn);  // one turn's
    EXPECT_TRUE(cap.contains("conntrack sync: commit stopped after 10000 of 25000"));
}

// Active-active: conntrack_sync follows VI_1 and VI_2, each owning half the
// buckets of 198.51.100.1 (make_tcp_ct's VIP); each entry commits only the
// peer's clients of its buckets.
TEST_F(SyncSubsystemTest, ActiveActiveEntryCommitsItsBucketsOnly) {
    config::Model m = model();
    m.conntrack_sync->sync_group.clear();
    m.conntrack_sync->instances = {"VI_1", "VI_2"};
    auto& c = m.active_active.emplace_back();
    c.name = "WEB";
    c.vip = net::Prefix::parse("198.51.100.1/32");
    c.buckets = 16;
    c.hash_seed = 0x1234;
    c.owners = {{"VI_1", {0, 1, 2, 3, 4, 5, 6, 7}, {}}, {"VI_2", {8, 9, 10, 11, 12, 13, 14, 15}, {}}};
    size_t low = 0;
    for (uint8_t k = 0; k < 50; ++k) {  // clients 192.0.2.1-50, one connection each
        b.kernel_owned->emit(CtOp::New, *test::make_tcp_ct(60'000u * k));
        low += cluster::bucket_of({192, 0, 2, uint8_t(k + 1)}, 0x1234, 16) < 8;
    }
    b.sync.apply(nullptr, m);
    a.sync.apply(nullptr, m);
    ASSERT_EQ(a.sync.stats().external_size, 50u);
    ASSERT_GT(low, 5u);
    ASSERT_LT(low, 45u);
    auto enter = [&](const char* name) {
        vrrp::MasterEntry e;
        e.name = name;
        e.instances = {name};
        bool took = false;
        a.hub.enter_master(e, [&] { took = true; }, [] { return true; });
        a.hub.publish({vrrp::StateEvent::Of::Instance, name, {}, vrrp::State::Backup, vrrp::State::Master, "test", loop.now()});
        return took;
    };
    EXPECT_TRUE(enter("VI_1"));
    EXPECT_EQ(a.kernel->size(), low);
    EXPECT_EQ(a.sync.stats().external_size, 50u - low);
    EXPECT_TRUE(a.sync.stats().master);
    EXPECT_TRUE(enter("VI_2"));
    EXPECT_EQ(a.kernel->size(), 50u);
    EXPECT_EQ(a.sync.stats().follows, "instances VI_1 VI_2");
}

TEST_F(SyncSubsystemTest, AnEventOverrunRereadsTheKernelTable) {
    start_both();
    Ct gone = test::make_tcp_ct(1);
    b.kernel->emit(CtOp::New, *gone);
    loop.advance(SyncSubsystem::kCoalesce);
    ASSERT_EQ(a.sync.stats().external_size, 1u);
    // Changes the event socket lost: one entry gone, one new.
    b.kernel->muted = true;
    b.kernel->emit(CtOp::Delete, *gone);
    b.kernel->emit(CtOp::New, *test::make_tcp_ct(2));
    b.kernel->emit(CtOp::New, *test::make_tcp_ct(3));
    b.kernel->muted = false;
    EXPECT_EQ(b.sync.stats().internal_size, 1u);  // stale
    b.kernel->lose_events();
    EXPECT_EQ(b.kernel->dumps, 2u);
    EXPECT_EQ(b.sync.stats().kernel_resyncs, 1u);
    EXPECT_EQ(b.sync.stats().internal_size, 2u);
    loop.advance(SyncSubsystem::kCoalesce);
    EXPECT_EQ(a.sync.stats().external_size, 2u);
    EXPECT_TRUE(cap.contains("conntrack sync: conntrack events lost (socket overrun); re-reading the table"));
    // A connection the first dump missed (created while the burst went on, its
    // event lost too): the settle re-read a second later finds it.
    b.kernel->muted = true;
    b.kernel->emit(CtOp::New, *test::make_tcp_ct(4));
    b.kernel->muted = false;
    loop.advance(SyncSubsystem::kRereadSettle);
    EXPECT_EQ(b.kernel->dumps, 3u);
    EXPECT_EQ(b.sync.stats().internal_size, 3u);
    loop.advance(SyncSubsystem::kCoalesce);
    EXPECT_EQ(a.sync.stats().external_size, 3u);
    loop.advance(seconds(5));
    EXPECT_EQ(b.kernel->dumps, 3u);  // once, not every second
}

// The re-read after an overrun goes in slices across loop passes (the loop
// runs its timers between them); an event that arrives meanwhile is newer
// than what the read says, and is kept: a connection it deleted is not
// brought back, one it created is not deleted.
TEST_F(SyncSubsystemTest, TheRereadGoesInSlicesAndKeepsTheEventsThatCameMeanwhile) {
    start_both();
    for (uint32_t i = 1; i <= 4; ++i) b.kernel->emit(CtOp::New, *test::make_tcp_ct(i));
    loop.advance(SyncSubsystem::kCoalesce);
    ASSERT_EQ(a.sync.stats().external_size, 4u);
    b.kernel->muted = true;
    b.kernel->emit(CtOp::Delete, *test::make_tcp_ct(4));  // lost: only the read can tell
    b.kernel->muted = false;
    b.kernel->hold_dumps = true;
    b.kernel->lose_events();
    ASSERT_TRUE(b.kernel->dumping());
    EXPECT_EQ(b.kernel->dump_step(1), 1u);
    loop.advance(milliseconds(1));  // the loop runs between slices
    // Meanwhile: 1 deleted, 9 created; the held read still has 1 and not 9.
    b.kernel->emit(CtOp::Delete, *test::make_tcp_ct(1));
    b.kernel->emit(CtOp::New, *test::make_tcp_ct(9));
    EXPECT_EQ(b.kernel->dump_step(100), 2u);
    EXPECT_FALSE(b.kernel->dumping());
    EXPECT_EQ(b.sync.stats().internal_size, 3u);  // 2, 3, 9
    loop.advance(SyncSubsystem::kCoalesce);
    EXPECT_EQ(a.sync.stats().external_size, 3u);
    // What a holds is what b's kernel has: a commits it and has 2, 3, 9.
    a.enter_master();
    ASSERT_TRUE(a.took);
    for (uint32_t i : {2u, 3u, 9u}) EXPECT_TRUE(a.kernel->has(*test::make_tcp_ct(i))) << i;
    for (uint32_t i : {1u, 4u}) EXPECT_FALSE(a.kernel->has(*test::make_tcp_ct(i))) << i;
    b.kernel->hold_dumps = false;
    loop.advance(SyncSubsystem::kRereadSettle);  // the settle re-read agrees
    loop.advance(SyncSubsystem::kCoalesce);
    EXPECT_EQ(b.sync.stats().internal_size, 3u);
    EXPECT_EQ(a.sync.stats().external_size, 3u);
}

// The first read of the table at start goes in slices too (the loop runs
// between them: 100,000 entries read at once held it ~0.2 s); a peer that
// asks for our table meanwhile gets it whole once the read has ended, and
// the events that came meanwhile are sent at once and kept.
TEST_F(SyncSubsystemTest, TheFirstReadGoesInSlicesAndAPeersRequestWaitsForIt) {
    seed_b(100);
    b.kernel_owned->hold_dumps = true;
    b.sync.apply(nullptr, model());
    ASSERT_TRUE(b.kernel->dumping());
    EXPECT_EQ(b.kernel->dump_step(40), 40u);
    loop.advance(milliseconds(1));  // the loop runs between slices
    a.sync.apply(nullptr, model());  // a starts and asks b for its table
    EXPECT_EQ(a.sync.stats().external_size, 0u);
    EXPECT_EQ(a.sync.stats().bulk, Bulk::Waiting);
    b.kernel->emit(CtOp::New, *test::make_tcp_ct(500));
    loop.advance(SyncSubsystem::kCoalesce);
    EXPECT_EQ(a.sync.stats().external_size, 1u);
    EXPECT_EQ(b.kernel->dump_step(1000), 60u);
    EXPECT_FALSE(b.kernel->dumping());
    EXPECT_EQ(b.sync.stats().internal_size, 101u);
    EXPECT_TRUE(cap.contains("conntrack sync: 101 local connection(s) read"));
    loop.advance(SyncSubsystem::kCoalesce);
    EXPECT_EQ(a.sync.stats().external_size, 101u);
    EXPECT_EQ(a.sync.stats().bulk, Bulk::Received);
}

TEST_F(SyncSubsystemTest, LoopbackSyncTrafficAndFilteredConnectionsAreNotReplicated) {
    config::Model m = model();
    config::CtFilter f;
    f.kind = config::CtFilter::Kind::Address;
    f.accept = false;
    f.prefixes = {*net::Prefix::parse("192.0.2.9/32")};
    m.conntrack_sync->filters.push_back(f);
    b.sync.apply(nullptr, m);
    a.sync.apply(nullptr, m);
    auto with = [](uint32_t src, uint32_t dst, uint8_t proto, uint16_t dport) {
        Ct c = test::make_tcp_ct(3);
        nfct_set_attr_u32(c.get(), ATTR_IPV4_SRC, htonl(src));
        nfct_set_attr_u32(c.get(), ATTR_IPV4_DST, htonl(dst));
        nfct_set_attr_u8(c.get(), ATTR_L4PROTO, proto);
        nfct_set_attr_u16(c.get(), ATTR_PORT_DST, htons(dport));
        return c;
    };
    b.kernel->emit(CtOp::New, *with(0x7f000001, 0x7f000001, IPPROTO_TCP, 80));    // loopback
    b.kernel->emit(CtOp::New, *with(0xc0000201, 0xc0000202, IPPROTO_UDP, 3780));  // the sync channel
    b.kernel->emit(CtOp::New, *with(0xc0000209, 0xc6336401, IPPROTO_TCP, 80));    // address ignore
    b.kernel->emit(CtOp::New, *with(0xc0000208, 0xc6336401, IPPROTO_TCP, 80));    // replicated
    loop.advance(SyncSubsystem::kCoalesce);
    EXPECT_EQ(b.sync.stats().internal_size, 1u);
    EXPECT_EQ(a.sync.stats().external_size, 1u);
}

TEST_F(SyncSubsystemTest, RemovingTheBlockStopsAndReleasesTheHold) {
    start_both();
    EXPECT_TRUE(b.hub.preemption_held("LB"));
    const config::Model none;
    b.sync.apply(nullptr, none);
    EXPECT_FALSE(b.hub.preemption_held("LB"));
    EXPECT_FALSE(b.sync.stats().running);
    EXPECT_EQ(b.hub.hook_count(), 0u);
    EXPECT_EQ(b.sync.absent_reason(), "no conntrack_sync block");
}

TEST_F(SyncSubsystemTest, AddedByAReloadWhileMasterFollowsTheMasterWithoutACommit) {
    seed_b(10);
    b.sync.apply(nullptr, model());
    // a runs without sync and is MASTER when a reload adds the block.
    a.hub.publish({vrrp::StateEvent::Of::SyncGroup, "LB", {}, vrrp::State::Backup, vrrp::State::Master, "test", loop.now()});
    a.sync.apply(nullptr, model());
    SyncStats s = a.sync.stats();
    EXPECT_TRUE(s.running);
    EXPECT_TRUE(s.master);
    EXPECT_EQ(s.external_size, 10u);  // the peer's table, kept as a backup keeps it
    EXPECT_EQ(s.commits, 0u);
    EXPECT_EQ(a.kernel->commit_calls, 0u);
    EXPECT_TRUE(cap.contains("conntrack sync: started on eth2, following sync_group LB (MASTER);"));
    // Its own connections reach the peer at once.
    a.kernel->emit(CtOp::New, *test::make_tcp_ct(700));
    loop.advance(SyncSubsystem::kCoalesce);
    EXPECT_EQ(b.sync.stats().external_size, 1u);
    a.go_backup();
    EXPECT_FALSE(a.sync.stats().master);
}

TEST_F(SyncSubsystemTest, RemovedByAReloadDuringACommitLetsTheAddressesUpAtOnce) {
    seed_b(25'000);
    start_both();
    a.enter_master();
    ASSERT_FALSE(a.took);  // held by the commit (three turns)
    const config::Model none;
    a.sync.apply(nullptr, none);
    EXPECT_TRUE(a.took);  // not after commit_budget: the hold is released with the block
    EXPECT_TRUE(cap.contains("conntrack sync: commit abandoned (conntrack_sync removed from the configuration)"));
    EXPECT_EQ(a.hub.stats().late, 0u);
    EXPECT_EQ(a.hub.hook_count(), 0u);
    loop.advance(seconds(5));  // no timer of the stopped sync fires
    EXPECT_EQ(a.hub.stats().late, 0u);
}

}  // namespace
}  // namespace halbd::sync
