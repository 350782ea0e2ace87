// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/sync_live_commit_test.cc: LiveCommit (sync/live_commit.cc,
// conntrack_sync commit_mode always) on SimLoop over FakeConntrack: what
// arrives in one loop pass goes into the kernel in one batch per run of
// creates or deletes, in arrival order, and the results are reported.
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
}

}  // namespace
}  // namespace halbd::sync
