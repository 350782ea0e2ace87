// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// sync/ftfw_session.hh: FT-FW reliability as a pure state machine (events +
// now -> messages to send and events to report), written after conntrackd
// 1.4.7's sync-ftfw.c so that the two interoperate:
//  - every message (state or control) takes the next 32-bit sequence number;
//  - the receiver acknowledges each window of in-order messages (ACK from-to),
//    asks for a gap again (NACK from-to) and drops anything older than what it
//    has seen; after one alive interval without sending, it sends its pending
//    ACK or else an ALIVE;
//  - the sender keeps state and ACK/NACK/RESYNC messages in a bounded resend
//    queue until acknowledged and sends a NACKed range again under new
//    sequence numbers;
//  - HELLO / HELLO_BACK flags tell a peer we (re)started: seq tracking is
//    bypassed and its resend queue flushed. So losses in that phase go
//    unseen; ours: state we sent while saying HELLO is sent again once the
//    peer answers with HELLO_BACK (duplicates are harmless updates), and a
//    RESYNC asked for in that phase is only sent then.
// Additions of ours, compatible with conntrackd: a gap larger than max_gap,
// or a NACK for messages the bounded queue already dropped, turns into a full
// resync; the peer restarting (HELLO after we knew it) makes us offer our
// table; the end of a requested bulk transfer is the peer's ACK covering our
// RESYNC (it comes after the bulk in the peer's send order), bounded by
// resync_timeout. The adapter (ftfw_peer) owns sockets, timers and framing.
#pragma once

#include <cstdint>
#include <deque>
#include <utility>
#include <span>
#include <vector>

#include "core/time.hh"
#include "sync/ftfw_wire.hh"
#include "sync/peer.hh"

namespace halbd::sync::ftfw {

struct SessionConfig {
    uint32_t ack_window = 300;       // conntrackd's ACKWindowSize default
    size_t resend_queue = 131072;    // conntrackd's ResendQueueSize default
    uint32_t max_gap = 131072;       // a larger gap is resynced, not NACKed
    Duration alive_interval = std::chrono::seconds(1);  // conntrackd's ALIVE_INT
    Duration peer_timeout = std::chrono::seconds(3);
    Duration resync_timeout = std::chrono::seconds(30);
    Duration serve_timeout = std::chrono::seconds(30);  // wait for resync_sent()
};

enum class Event : uint8_t { PeerUp, PeerDown, ResyncRequested, ResyncDone, ResyncIncomplete };

class Session {
public:
    Session(const SessionConfig& cfg, uint32_t initial_seq, MonoTime now);

    // Sending side.
    void send_state(MsgType type, std::span<const uint8_t> payload, MonoTime now);
    void request_resync(MonoTime now);
    void resync_sent(MonoTime now);  // the table asked for has been queued

    // Receiving side: what to do with a decoded message.
    enum class Verdict : uint8_t { Deliver, Consumed, Stale };
    Verdict on_message(const Message& m, MonoTime now);

    // Timers: call on_tick at (or after) next_deadline().
    void on_tick(MonoTime now);
    MonoTime next_deadline() const;

    // Messages to send, in order, each a whole FT-FW message; cleared by take.
    std::vector<std::vector<uint8_t>> take_output();
    // The same without a copy: each message to fn, in order, then cleared
    // (the buffer is kept: no allocation per message at 100,000/s).
    template <class Fn> void drain_output(Fn&& fn) {
        size_t at = 0;
        for (size_t end : out_ends_) {
            fn(std::span<const uint8_t>(out_.data() + at, end - at));
            at = end;
        }
        out_.clear();
        out_ends_.clear();
    }
    std::vector<Event> take_events();
    bool has_output() const { return !out_.empty(); }

    bool peer_alive() const { return peer_alive_; }
    bool resync_pending() const { return resync_pending_; }
    size_t resend_queue_size() const { return rs_.size(); }
    uint64_t stale() const { return stale_; }
    // Counters this machine keeps (retransmitted, nacks, resyncs); the
    // adapter adds its own (messages, bytes, malformed, auth).
    const PeerCounters& counters() const { return c_; }
    PeerCounters& counters() { return c_; }

private:
    struct Held {
        uint32_t seq;
        bool resync;                 // a RESYNC request of ours
        std::vector<uint8_t> msg;    // whole message as sent
    };
    enum class Hello : uint8_t { Say, Done };

    uint8_t hello_flags();
    void emit(std::vector<uint8_t> msg, bool hold, bool resync, MonoTime now);
    void send_control(Kind k, uint32_t from, uint32_t to, MonoTime now);
    void send_ack(uint32_t from, uint32_t to, MonoTime now);
    void digest(const Message& m, MonoTime now);
    void on_ack(uint32_t from, uint32_t to);
    void on_nack(uint32_t from, uint32_t to, MonoTime now);
    void start_serving(MonoTime now);
    void heard(MonoTime now);

    SessionConfig cfg_;
    uint32_t next_seq_;
    Hello hello_ = Hello::Say;
    bool say_hello_back_ = false;
    bool peer_in_hello_ = false;
    std::vector<std::vector<uint8_t>> hello_backlog_;  // state sent while saying HELLO
    bool hello_overflow_ = false;                       // backlog past resend_queue: resync
    bool resync_deferred_ = false;                      // RESYNC waits for HELLO_BACK

    // Receiver.
    bool seq_set_ = false;
    uint32_t last_seq_ = 0;
    uint32_t window_;
    bool ack_from_set_ = false;
    uint32_t ack_from_ = 0;

    // Sender.
    std::deque<Held> rs_;
    bool dropped_any_ = false;
    uint32_t dropped_upto_ = 0;     // highest sequence number dropped unacknowledged
    MonoTime next_alive_;

    // Peer and resync.
    bool peer_alive_ = false;
    MonoTime last_heard_{};
    bool resync_pending_ = false;
    uint32_t resync_seq_ = 0;
    MonoTime resync_deadline_{};
    bool serving_ = false;
    std::vector<std::pair<uint32_t, uint32_t>> held_acks_;  // ACKs held while serving
    MonoTime serve_deadline_{};

    std::vector<uint8_t> out_;     // messages back to back
    std::vector<size_t> out_ends_;  // where each ends in out_
    std::vector<Event> events_;
    PeerCounters c_;
    uint64_t stale_ = 0;
};

}  // namespace halbd::sync::ftfw
