// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/sync_live_commit_test.cc: LiveCommit (sync/live_commit.cc,
// conntrack_sync commit_mode always) on SimLoop over FakeConntrack: what
// arrives in one loop pass goes into the kernel in one batch per run of
// creates, updates or deletes, in arrival order, and the results are
// reported; an update reaches an entry that exists.
#include <libnetfilter_conntrack/libnetfilter_conntrack_tcp.h>

#include <gtest/gtest.h>

#include "support/fake_conntrack.hh"
#include "support/sim_loop.hh"
#include "sync/live_commit.hh"

namespace halbd::sync {
namespace {

TEST(LiveCommitTest, ThePeersConnectionsGoInAtTheNextPassInOrder) {
    core::SimLoop loop;
    test::FakeConntrack kernel;
    size_t done = 0, calls = 0;
    LiveCommit live(loop, kernel, [&](const BatchResult& r) {
        done += r.done;
        ++calls;
    });
    for (uint32_t i = 0; i < 3; ++i) live.add(CtOp::New, *test::make_tcp_ct(i));
    EXPECT_EQ(kernel.size(), 0u);  // not before the loop runs
    EXPECT_EQ(live.queued(), 3u);
    loop.advance(Duration::zero());
    EXPECT_EQ(kernel.size(), 3u);
    EXPECT_EQ(kernel.commit_calls, 1u);  // one batch
    EXPECT_EQ(done, 3u);
    // An update of one, the delete of another, then a connection created and
    // deleted in the same pass: it ends deleted.
    live.add(CtOp::Update, *test::make_tcp_ct(0));
    live.add(CtOp::Delete, *test::make_tcp_ct(1));
    live.add(CtOp::New, *test::make_tcp_ct(7));
    live.add(CtOp::Delete, *test::make_tcp_ct(7));
    loop.advance(Duration::zero());
    EXPECT_EQ(live.queued(), 0u);
    EXPECT_TRUE(kernel.has(*test::make_tcp_ct(0)));
    EXPECT_FALSE(kernel.has(*test::make_tcp_ct(1)));
    EXPECT_FALSE(kernel.has(*test::make_tcp_ct(7)));
    EXPECT_TRUE(kernel.has(*test::make_tcp_ct(2)));
    EXPECT_EQ(calls, 5u);  // the first batch, then update, delete, create, delete
    EXPECT_EQ(kernel.updated, 1u);
}

// A connection the peer sent while its handshake was under way is created
// in SYN_SENT; its updates must reach the kernel, or a packet of it that
// comes here later is invalid (not NATed) and the local stack resets it.
TEST(LiveCommitTest, APeersUpdateReachesTheEntryItCreated) {
    core::SimLoop loop;
    test::FakeConntrack kernel;
    LiveCommit live(loop, kernel, nullptr);
    Ct c = test::make_tcp_ct(5);
    nfct_set_attr_u8(c.get(), ATTR_TCP_STATE, TCP_CONNTRACK_SYN_SENT);
    live.add(CtOp::New, *c);
    loop.advance(Duration::zero());
    ASSERT_NE(kernel.find(*c), nullptr);
    EXPECT_EQ(nfct_get_attr_u8(kernel.find(*c), ATTR_TCP_STATE), TCP_CONNTRACK_SYN_SENT);
    nfct_set_attr_u8(c.get(), ATTR_TCP_STATE, TCP_CONNTRACK_SYN_RECV);
    live.add(CtOp::Update, *c);
    nfct_set_attr_u8(c.get(), ATTR_TCP_STATE, TCP_CONNTRACK_ESTABLISHED);
    live.add(CtOp::Update, *c);
    loop.advance(Duration::zero());
    EXPECT_EQ(nfct_get_attr_u8(kernel.find(*c), ATTR_TCP_STATE), TCP_CONNTRACK_ESTABLISHED);
    // An update of a connection this node never heard of creates it.
    live.add(CtOp::Update, *test::make_tcp_ct(6));
    loop.advance(Duration::zero());
    EXPECT_TRUE(kernel.has(*test::make_tcp_ct(6)));
}

}  // namespace
}  // namespace halbd::sync
