// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// sync/ftfw_session.cc: the FT-FW state machine (see ftfw_session.hh). The
// receive path follows conntrackd's ftfw_recv/digest_msg step by step; the
// comments name the places where we add to it.
#include "sync/ftfw_session.hh"

#include <algorithm>

namespace halbd::sync::ftfw {

namespace {

void patch_header(std::vector<uint8_t>& msg, uint8_t hello, uint32_t seq) {
    msg[1] = static_cast<uint8_t>((msg[1] & ~flag::hellos) | hello);
    msg[4] = static_cast<uint8_t>(seq >> 24);
    msg[5] = static_cast<uint8_t>(seq >> 16);
    msg[6] = static_cast<uint8_t>(seq >> 8);
    msg[7] = static_cast<uint8_t>(seq);
}

}  // namespace

Session::Session(const SessionConfig& cfg, uint32_t initial_seq, MonoTime now)
    : cfg_(cfg), next_seq_(initial_seq), window_(cfg.ack_window), next_alive_(now + cfg.alive_interval) {
    if (cfg_.ack_window == 0) cfg_.ack_window = window_ = 1;
    if (cfg_.resend_queue == 0) cfg_.resend_queue = 1;
}

// Every message we send says HELLO until the peer answered one with
// HELLO_BACK; the first message after a peer's HELLO carries HELLO_BACK.
uint8_t Session::hello_flags() {
    uint8_t f = hello_ == Hello::Say ? flag::hello : 0;
    if (say_hello_back_) {
        f |= flag::hello_back;
        say_hello_back_ = false;
    }
    return f;
}

void Session::emit(std::vector<uint8_t> msg, bool hold, bool resync, MonoTime now) {
    const uint32_t seq = next_seq_++;
    patch_header(msg, hello_flags(), seq);
    if (resync) resync_seq_ = seq;
    // Ours: while we say HELLO the peer bypasses its sequence tracking, so
    // it can neither NACK what it lost nor be trusted with its ACK ranges;
    // what we say in that phase is said again once it answers.
    if (hello_ == Hello::Say && hold && (msg[0] & 0x0f) <= kLastStateType) {
        // Bounded like the resend queue; past it, the whole table is sent
        // again instead once the peer answers.
        if (hello_backlog_.size() >= cfg_.resend_queue) {
            hello_backlog_.clear();
            hello_overflow_ = true;
        }
        if (!hello_overflow_) hello_backlog_.push_back(msg);
    }
    if (hold) {
        if (rs_.size() >= cfg_.resend_queue) {
            // Full: drop the oldest, as conntrackd does; a NACK for it later
            // becomes a full resync (on_nack).
            dropped_any_ = true;
            dropped_upto_ = rs_.front().seq;
            rs_.pop_front();
        }
    }
    out_.insert(out_.end(), msg.begin(), msg.end());
    out_ends_.push_back(out_.size());
    if (hold) rs_.push_back(Held{seq, resync, std::move(msg)});
    next_alive_ = now + cfg_.alive_interval;
}

void Session::send_state(MsgType type, std::span<const uint8_t> payload, MonoTime now) {
    std::vector<uint8_t> msg;
    msg.reserve(data_size(payload.size()));
    append_data(msg, type, 0, 0, payload);
    emit(std::move(msg), true, false, now);
}

void Session::send_control(Kind k, uint32_t from, uint32_t to, MonoTime now) {
    std::vector<uint8_t> msg;
    append_control(msg, k, 0, 0, from, to);
    // conntrackd keeps ACK, NACK and RESYNC for retransmission; ALIVE not.
    emit(std::move(msg), k != Kind::Alive, k == Kind::Resync, now);
}

void Session::send_ack(uint32_t from, uint32_t to, MonoTime now) {
    send_control(Kind::Ack, from, to, now);
    ack_from_set_ = false;
}

// Ours: asked while we still say HELLO, the request waits for the peer's
// answer (an ALIVE carrying HELLO asks for it now): a RESYNC lost in that
// phase would go unseen, and sending it twice would cost a second table.
void Session::request_resync(MonoTime now) {
    if (hello_ == Hello::Say) {
        if (!resync_deferred_) send_control(Kind::Alive, 0, 0, now);
        resync_deferred_ = true;
    } else {
        send_control(Kind::Resync, 0, 0, now);
    }
    resync_pending_ = true;
    resync_deadline_ = now + cfg_.resync_timeout;
    ++c_.resyncs_requested;
}

void Session::start_serving(MonoTime now) {
    serving_ = true;
    serve_deadline_ = now + cfg_.serve_timeout;
    ++c_.resyncs_served;
    events_.push_back(Event::ResyncRequested);
}

// Ours: while the table a peer asked for is being queued, our ACK of its
// RESYNC is held back, so that it follows the whole table (the requester
// takes that ACK as "bulk complete").
void Session::resync_sent(MonoTime now) {
    if (!serving_) return;
    serving_ = false;
    for (auto [from, to] : std::exchange(held_acks_, {})) send_control(Kind::Ack, from, to, now);
    if (ack_from_set_ && seq_set_) send_ack(ack_from_, last_seq_, now);
}

void Session::heard(MonoTime now) {
    last_heard_ = now;
    if (!peer_alive_) {
        peer_alive_ = true;
        events_.push_back(Event::PeerUp);
    }
}

void Session::on_ack(uint32_t from, uint32_t to) {
    // rs_queue_empty: forget what the peer has. rs_ is in sending order, so
    // an ACK usually covers its head: popped there, not a scan of the whole
    // queue (up to resend_queue entries) per ACK; other ranges are searched.
    while (!rs_.empty() && seq_between(rs_.front().seq, from, to)) rs_.pop_front();
    if (!rs_.empty() && !seq_before(to, rs_.front().seq)) std::erase_if(rs_, [&](const Held& h) { return seq_between(h.seq, from, to); });
    if (resync_pending_ && hello_ == Hello::Done && seq_between(resync_seq_, from, to)) {
        resync_pending_ = false;
        events_.push_back(Event::ResyncDone);
    }
}

void Session::on_nack(uint32_t from, uint32_t to, MonoTime now) {
    ++c_.nacks_received;
    // Ours: the peer lost messages the bounded queue no longer holds: only
    // our whole table can repair that.
    if (dropped_any_ && !seq_after(from, dropped_upto_)) {
        dropped_any_ = false;
        start_serving(now);
    }
    // rs_queue_to_tx: send the range again, in order, under new numbers.
    std::vector<Held> again;
    for (auto it = rs_.begin(); it != rs_.end();) {
        if (seq_between(it->seq, from, to)) {
            again.push_back(std::move(*it));
            it = rs_.erase(it);
        } else {
            ++it;
        }
    }
    for (auto& h : again) {
        ++c_.retransmitted;
        emit(std::move(h.msg), true, h.resync, now);
    }
}

void Session::digest(const Message& m, MonoTime now) {
    switch (m.kind) {
    case Kind::Data: break;
    case Kind::Ack: on_ack(m.from, m.to); break;
    case Kind::Nack: on_nack(m.from, m.to, now); break;
    case Kind::Resync: start_serving(now); break;
    case Kind::Alive: break;
    }
}

Session::Verdict Session::on_message(const Message& m, MonoTime now) {
    heard(now);
    const bool hello = (m.flags & flag::hello) != 0;
    if (hello) say_hello_back_ = true;
    if ((m.flags & flag::hello_back) && hello_ == Hello::Say) {
        hello_ = Hello::Done;
        auto backlog = std::exchange(hello_backlog_, {});
        if (std::exchange(hello_overflow_, false)) {
            start_serving(now);
        } else {
            for (auto& msg : backlog) {
                ++c_.retransmitted;
                emit(std::move(msg), true, false, now);
            }
        }
        if (resync_deferred_) {
            resync_deferred_ = false;
            send_control(Kind::Resync, 0, 0, now);
        }
    }

    bool bypass = false;
    if (hello) {
        // Ours: a HELLO from a peer we already knew means it restarted and
        // lost its copy of our table: offer it again.
        if (seq_set_ && !peer_in_hello_) start_serving(now);
        peer_in_hello_ = true;
        if (ack_from_set_ && seq_before(m.seq, ack_from_)) {
            window_ = cfg_.ack_window - 1;
            ack_from_ = m.seq;
        }
        // The peer knows nothing of what we sent before: stop holding it.
        rs_.clear();
        dropped_any_ = false;
        bypass = true;
    } else {
        peer_in_hello_ = false;
    }

    if (!bypass && seq_set_ && m.seq != last_seq_ + 1) {
        const uint32_t expected = last_seq_ + 1;
        if (seq_before(m.seq, expected)) {
            ++stale_;  // conntrackd: "we don't accept delayed packets"
            return Verdict::Stale;
        }
        // A gap: acknowledge what came before it, ask for the missing range.
        digest(m, now);
        if (ack_from_set_) {
            if (serving_) held_acks_.emplace_back(ack_from_, expected - 1);
            else send_ack(ack_from_, expected - 1, now);
        }
        ack_from_set_ = false;
        if (m.seq - expected > cfg_.max_gap) {
            request_resync(now);  // ours: too much lost to ask for piecemeal
        } else {
            send_control(Kind::Nack, expected, m.seq - 1, now);
            ++c_.nacks_sent;
        }
        window_ = cfg_.ack_window - 1;
        ack_from_ = m.seq;
        ack_from_set_ = true;
    } else {
        digest(m, now);
        if (!ack_from_set_) {
            ack_from_set_ = true;
            ack_from_ = m.seq;
        }
        if (--window_ == 0) {
            window_ = cfg_.ack_window;
            if (!serving_) send_ack(ack_from_, m.seq, now);
        }
    }
    seq_set_ = true;
    last_seq_ = m.seq;
    return m.kind == Kind::Data ? Verdict::Deliver : Verdict::Consumed;
}

void Session::on_tick(MonoTime now) {
    if (peer_alive_ && now - last_heard_ >= cfg_.peer_timeout) {
        peer_alive_ = false;
        events_.push_back(Event::PeerDown);
    }
    if (resync_pending_ && now >= resync_deadline_) {
        resync_pending_ = false;
        events_.push_back(Event::ResyncIncomplete);
    }
    if (serving_ && now >= serve_deadline_) resync_sent(now);
    if (now >= next_alive_) {
        // do_alive_alarm: the pending ACK, or else a sign of life.
        if (ack_from_set_ && seq_set_ && !serving_) send_ack(ack_from_, last_seq_, now);
        else send_control(Kind::Alive, 0, 0, now);
    }
}

MonoTime Session::next_deadline() const {
    MonoTime t = next_alive_;
    if (peer_alive_) t = std::min(t, last_heard_ + cfg_.peer_timeout);
    if (resync_pending_) t = std::min(t, resync_deadline_);
    if (serving_) t = std::min(t, serve_deadline_);
    return t;
}

std::vector<std::vector<uint8_t>> Session::take_output() {
    std::vector<std::vector<uint8_t>> all;
    drain_output([&](std::span<const uint8_t> m) { all.emplace_back(m.begin(), m.end()); });
    return all;
}
std::vector<Event> Session::take_events() { return std::exchange(events_, {}); }

}  // namespace halbd::sync::ftfw
