// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/sync_ftfw_session_test.cc: the FT-FW state machine, two
// sessions joined by a simulated link on the SimLoop clock: in-order
// delivery and acknowledgement, loss (NACK and retransmission), reordering
// (stale drop and recovery), resync on request, on a too-large gap and on a
// resend-queue overflow, HELLO on restart, ALIVE when idle, peer liveness.
#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <map>
#include <optional>

#include "support/sim_loop.hh"
#include "sync/ftfw_session.hh"

namespace halbd::sync::ftfw {
namespace {

using namespace std::chrono_literals;
using Bytes = std::vector<uint8_t>;

enum class Fate { Deliver, Drop, Hold };

struct Node {
    std::optional<Session> s;
    std::vector<uint32_t> got;      // ids of delivered state messages, in order
    std::vector<Event> events;
    core::TimerPtr timer;
    bool has(Event e) const { return std::find(events.begin(), events.end(), e) != events.end(); }
};

// Two sessions and the link between them. A filter decides each message's
// fate; held messages arrive when the test releases them (reordering).
class Link {
public:
    explicit Link(SessionConfig cfg = {}) : cfg_(cfg) {
        restart(0, 1000);
        restart(1, 500000);
    }

    void restart(int i, uint32_t seq) {
        Node& n = node(i);
        n.s.emplace(cfg_, seq, loop.now());
        n.timer = loop.create_timer([this, i] {
            node(i).s->on_tick(loop.now());
            pump();
        });
        pump();
    }

    Node& node(int i) { return i == 0 ? a : b; }
    Session& sa() { return *a.s; }
    Session& sb() { return *b.s; }

    void send(int from, uint32_t id) {
        const Bytes payload = {static_cast<uint8_t>(id >> 24), static_cast<uint8_t>(id >> 16),
                               static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id)};
        node(from).s->send_state(MsgType::CtUpdate, payload, loop.now());
        pump();
    }

    // Runs the exchange until nobody has anything to send.
    void pump() {
        if (!a.s || !b.s) return;
        for (int round = 0; round < 100000; ++round) {
            bool moved = false;
            for (int i = 0; i < 2; ++i) {
                for (auto& msg : node(i).s->take_output()) {
                    moved = true;
                    ++sent[i];
                    const Fate f = filter ? filter(i, msg) : Fate::Deliver;
                    if (f == Fate::Drop) continue;
                    if (f == Fate::Hold) held.emplace_back(1 - i, msg);
                    else deliver(1 - i, msg);
                }
            }
            if (!moved) break;
        }
        for (int i = 0; i < 2; ++i) {
            Node& n = node(i);
            for (auto e : n.s->take_events()) n.events.push_back(e);
            n.timer->arm_at(n.s->next_deadline());
        }
    }

    // Held messages arrive now, after everything sent since.
    void release() {
        while (!held.empty()) {
            auto [to, msg] = held.front();
            held.pop_front();
            deliver(to, msg);
        }
        pump();
    }

    void deliver(int to, const Bytes& msg) {
        std::span<const uint8_t> rest = msg;
        auto m = next_message(rest);
        ASSERT_TRUE(m);
        Node& n = node(to);
        if (n.s->on_message(*m, loop.now()) == Session::Verdict::Deliver) {
            const auto& p = m->payload;
            n.got.push_back(uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3]);
        }
        for (auto e : n.s->take_events()) n.events.push_back(e);
    }

    static bool is_data(const Bytes& msg) { return (msg[0] & 0x0f) <= kLastStateType; }

    core::SimLoop loop;
    std::function<Fate(int from, const Bytes& msg)> filter;
    std::deque<std::pair<int, Bytes>> held;
    int sent[2] = {0, 0};
    Node a, b;

private:
    SessionConfig cfg_;
};

std::map<uint32_t, int> counts(const std::vector<uint32_t>& v) {
    std::map<uint32_t, int> m;
    for (auto x : v) ++m[x];
    return m;
}

TEST(SyncFtfwSession, DeliversInOrderAndAcknowledgementsEmptyTheResendQueue) {
    Link l;
    l.loop.advance(2s);  // HELLO exchanged
    for (uint32_t i = 0; i < 1000; ++i) l.send(0, i);
    ASSERT_EQ(l.b.got.size(), 1000u);
    for (uint32_t i = 0; i < 1000; ++i) EXPECT_EQ(l.b.got[i], i);
    EXPECT_LT(l.sa().resend_queue_size(), 300u);  // windows of 300 acknowledged
    l.loop.advance(1500ms);                        // the idle ACK covers the rest
    EXPECT_EQ(l.sa().resend_queue_size(), 0u);
    EXPECT_EQ(l.sa().counters().retransmitted, 0u);
    EXPECT_TRUE(l.a.has(Event::PeerUp));
    EXPECT_TRUE(l.b.has(Event::PeerUp));
}

TEST(SyncFtfwSession, LostMessagesAreNackedAndSentAgain) {
    Link l;
    l.loop.advance(2s);  // HELLO exchanged
    int n = 0;
    l.filter = [&](int from, const Bytes& m) {
        return from == 0 && Link::is_data(m) && ++n % 7 == 0 ? Fate::Drop : Fate::Deliver;
    };
    for (uint32_t i = 0; i < 1000; ++i) l.send(0, i);
    l.filter = nullptr;
    l.send(0, 1000);  // the gap before the last drop shows only with a later message
    l.loop.advance(3s);
    const auto c = counts(l.b.got);
    EXPECT_EQ(c.size(), 1001u);
    for (const auto& [id, k] : c) EXPECT_EQ(k, 1) << id;
    EXPECT_GT(l.sb().counters().nacks_sent, 100u);
    EXPECT_GE(l.sa().counters().retransmitted, 142u);
    EXPECT_EQ(l.sa().resend_queue_size(), 0u);
}

TEST(SyncFtfwSession, ALateMessageIsStaleAndTheGapRecovered) {
    Link l;
    l.loop.advance(2s);
    bool held = false;
    l.filter = [&](int from, const Bytes& m) {
        if (from != 0 || !Link::is_data(m) || m[11] != 5 || held) return Fate::Deliver;
        held = true;  // the first id 5 arrives last
        return Fate::Hold;
    };
    for (uint32_t i = 0; i < 10; ++i) l.send(0, i);
    l.filter = nullptr;
    l.release();
    l.loop.advance(2s);
    const auto c = counts(l.b.got);
    EXPECT_EQ(c.size(), 10u);
    EXPECT_EQ(c.at(5), 1);                  // once: the retransmission, not the late original
    EXPECT_EQ(l.sb().stale(), 1u);
    EXPECT_EQ(l.sb().counters().nacks_sent, 1u);
}

TEST(SyncFtfwSession, ResyncRequestIsServedAndEndsWithTheAcknowledgement) {
    Link l;
    l.loop.advance(2s);
    l.sb().request_resync(l.loop.now());
    l.pump();
    ASSERT_TRUE(l.a.has(Event::ResyncRequested));
    EXPECT_FALSE(l.b.has(Event::ResyncDone));
    for (uint32_t i = 0; i < 500; ++i) l.send(0, i);
    EXPECT_FALSE(l.b.has(Event::ResyncDone));  // the ACK of the RESYNC waits for the table
    l.sa().resync_sent(l.loop.now());
    l.pump();
    EXPECT_TRUE(l.b.has(Event::ResyncDone));
    EXPECT_EQ(l.b.got.size(), 500u);
    EXPECT_EQ(l.sb().counters().resyncs_requested, 1u);
    EXPECT_EQ(l.sa().counters().resyncs_served, 1u);
}

TEST(SyncFtfwSession, AcknowledgementsHeldWhileServingAreSentAfterTheTable) {
    Link l;
    l.loop.advance(2s);
    l.sb().request_resync(l.loop.now());
    l.pump();
    ASSERT_TRUE(l.a.has(Event::ResyncRequested));
    int n = 0;
    l.filter = [&](int from, const Bytes& m) {
        return from == 1 && Link::is_data(m) && ++n == 3 ? Fate::Drop : Fate::Deliver;
    };
    for (uint32_t i = 0; i < 10; ++i) l.send(1, i);  // b -> a with a gap, while a serves
    l.filter = nullptr;
    EXPECT_GT(l.sb().resend_queue_size(), 0u);
    l.sa().resync_sent(l.loop.now());
    l.pump();
    l.loop.advance(1500ms);
    EXPECT_EQ(counts(l.a.got).size(), 10u);
    EXPECT_EQ(l.sb().counters().retransmitted, 1u);
    // Everything b sent before the table's end is acknowledged; at most its
    // latest control message is still in flight.
    EXPECT_LE(l.sb().resend_queue_size(), 1u);
    EXPECT_TRUE(l.b.has(Event::ResyncDone));
}

TEST(SyncFtfwSession, ResyncWithoutAnswerEndsIncompleteAndThePeerGoesDown) {
    Link l;
    l.loop.advance(2s);
    l.filter = [](int from, const Bytes&) { return from == 0 ? Fate::Drop : Fate::Deliver; };
    l.sb().request_resync(l.loop.now());
    l.pump();
    l.loop.advance(4s);
    EXPECT_TRUE(l.b.has(Event::PeerDown));
    EXPECT_FALSE(l.b.has(Event::ResyncIncomplete));
    l.loop.advance(27s);
    EXPECT_TRUE(l.b.has(Event::ResyncIncomplete));
    EXPECT_FALSE(l.sb().resync_pending());
}

TEST(SyncFtfwSession, IdleSessionsSendAliveAndStayUp) {
    Link l;
    l.loop.advance(10s);
    EXPECT_TRUE(l.sa().peer_alive());
    EXPECT_TRUE(l.sb().peer_alive());
    EXPECT_GE(l.sent[0], 9);
    EXPECT_LE(l.sent[0], 12);  // about one a second
    EXPECT_FALSE(l.a.has(Event::PeerDown));
}

TEST(SyncFtfwSession, APeerThatRestartsIsOfferedOurTable) {
    Link l;
    for (uint32_t i = 0; i < 10; ++i) l.send(0, i);
    l.loop.advance(2s);
    EXPECT_FALSE(l.a.has(Event::ResyncRequested));
    l.b.got.clear();
    l.restart(1, 7);  // new sequence space, HELLO again
    l.loop.advance(2s);
    EXPECT_TRUE(l.a.has(Event::ResyncRequested));
    for (uint32_t i = 0; i < 10; ++i) l.send(0, 100 + i);
    EXPECT_EQ(l.b.got.size(), 10u);  // the restarted node accepts our numbering
}

TEST(SyncFtfwSession, AGapLargerThanMaxGapAsksForAResync) {
    SessionConfig cfg;
    cfg.max_gap = 5;
    Link l(cfg);
    l.loop.advance(2s);
    l.filter = [](int from, const Bytes& m) { return from == 0 && Link::is_data(m) ? Fate::Drop : Fate::Deliver; };
    for (uint32_t i = 0; i < 10; ++i) l.send(0, i);
    l.filter = nullptr;
    l.send(0, 10);
    EXPECT_EQ(l.sb().counters().resyncs_requested, 1u);
    EXPECT_EQ(l.sb().counters().nacks_sent, 0u);
    EXPECT_TRUE(l.a.has(Event::ResyncRequested));
}

TEST(SyncFtfwSession, ANackForWhatTheFullQueueDroppedBecomesAResync) {
    SessionConfig cfg;
    cfg.resend_queue = 10;
    Link l(cfg);
    l.loop.advance(2s);
    l.filter = [](int from, const Bytes&) { return from == 0 ? Fate::Drop : Fate::Deliver; };
    for (uint32_t i = 0; i < 30; ++i) l.send(0, i);
    EXPECT_EQ(l.sa().resend_queue_size(), 10u);
    l.filter = nullptr;
    l.send(0, 30);
    EXPECT_TRUE(l.a.has(Event::ResyncRequested));
    EXPECT_EQ(l.sa().counters().resyncs_served, 1u);
}

TEST(SyncFtfwSession, WhatWasLostWhileSayingHelloIsSentAgain) {
    Link l;
    // Before any answer: the peer bypasses its sequence tracking, so these
    // losses would go unnoticed.
    int n = 0;
    l.filter = [&](int from, const Bytes& m) {
        return from == 0 && Link::is_data(m) && ++n % 3 == 0 ? Fate::Drop : Fate::Deliver;
    };
    for (uint32_t i = 0; i < 30; ++i) l.send(0, i);
    l.filter = nullptr;
    l.loop.advance(3s);
    EXPECT_EQ(counts(l.b.got).size(), 30u);
    EXPECT_EQ(l.sa().counters().retransmitted, 30u);
}

TEST(SyncFtfwSession, ABacklogPastTheQueueBoundBecomesAResync) {
    SessionConfig cfg;
    cfg.resend_queue = 10;
    Link l(cfg);
    l.filter = [](int from, const Bytes&) { return from == 0 ? Fate::Drop : Fate::Deliver; };
    for (uint32_t i = 0; i < 25; ++i) l.send(0, i);  // nobody answers HELLO yet
    l.filter = nullptr;
    l.loop.advance(3s);
    EXPECT_TRUE(l.a.has(Event::ResyncRequested));  // our whole table, not 25 messages kept
    EXPECT_EQ(l.sa().counters().retransmitted, 0u);
}

TEST(SyncFtfwSession, HelloIsSaidUntilAnswered) {
    Link l;
    Bytes last;
    l.filter = [&](int from, const Bytes& m) {
        if (from == 0) last = m;
        return from == 1 ? Fate::Drop : Fate::Deliver;
    };
    l.send(0, 1);
    EXPECT_TRUE(last[1] & flag::hello);
    l.filter = [&](int from, const Bytes& m) {
        if (from == 0) last = m;
        return Fate::Deliver;
    };
    l.loop.advance(3s);
    l.send(0, 2);
    EXPECT_FALSE(last[1] & flag::hello);
}

}  // namespace
}  // namespace halbd::sync::ftfw
