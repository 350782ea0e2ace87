// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// sync/ftfw_peer.hh: FtfwPeer, the sync::Peer spoken over UDP the way
// conntrackd 1.4.7 speaks FT-FW (unicast peers or a multicast group, port
// 3780 by default), on the event loop. The thin I/O shell around the pure
// parts: ftfw_wire (framing), ftfw_ct_codec (payload), ftfw_session
// (reliability) and, with a key, aead (envelope). Owns its socket, its
// watch and its timers; created by the sync subsystem from a ChannelConfig.
#pragma once

#include <array>
#include <memory>
#include <span>
#include <vector>

#include "core/event_loop.hh"
#include "core/fd.hh"
#include "core/result.hh"
#include "sync/channel_config.hh"
#include "sync/peer.hh"

namespace halbd::sync {

class FtfwPeer final : public Peer {
public:
    // Opens the socket (bound to cfg.interface, joined to the group when
    // multicast) and, if cfg.resync_at_start, asks the peer for its table.
    // Handlers run on the loop and may call send() & co., but must not
    // destroy the peer (defer that to a timer).
    static core::Result<std::unique_ptr<FtfwPeer>> open(core::EventLoop& loop, const ChannelConfig& cfg,
                                                         Handlers handlers);
    ~FtfwPeer() override;

    void send(CtOp op, const nf_conntrack& ct) override;
    void send_exp(CtOp op, const nf_expect& exp) override;
    void resync_sent() override;
    void request_resync() override;
    bool peer_alive() const override { return session_.peer_alive(); }
    const PeerCounters& counters() const override { return session_.counters(); }

    // Sends what is queued now (also done by the flush timer).
    void flush();
    size_t resend_queue_size() const { return session_.resend_queue_size(); }
    // Messages dropped as older than the last one seen (FT-FW does not
    // take late messages), and the malformed ones by decoding error.
    uint64_t stale() const { return session_.stale(); }
    const std::array<uint64_t, ftfw::kWireErrorCount>& wire_errors() const { return wire_errors_; }

private:
    FtfwPeer(core::EventLoop& loop, const ChannelConfig& cfg, Handlers handlers, core::UniqueFd fd,
             size_t max_payload, uint32_t initial_seq, uint64_t epoch, uint32_t salt);
    void on_readable();
    void on_datagram(std::span<const uint8_t> bytes);
    void on_message(const ftfw::Message& m);
    void on_expect_message(const ftfw::Message& m);
    void pump();
    void close_datagram();
    void send_ready();
    bool from_peer(const sockaddr_storage& ss) const;

    core::EventLoop& loop_;
    ChannelConfig cfg_;
    Handlers handlers_;
    core::UniqueFd fd_;
    size_t max_payload_;
    ftfw::Session session_;
    std::unique_ptr<Envelope> envelope_;
    std::vector<uint8_t> pending_;   // messages waiting for the flush
    // Full datagrams (sealed when keyed) back to back, and where each ends:
    // sent together with one sendmmsg at the end of the loop pass, or when
    // kReadyMax of them are waiting (one sendto per datagram was 9% of the
    // master's time at 100,000 events).
    static constexpr size_t kReadyMax = 64;
    std::vector<uint8_t> ready_;
    std::vector<size_t> ready_ends_;
    std::vector<uint8_t> scratch_;
    std::vector<uint8_t> plain_;
    std::vector<std::pair<sockaddr_storage, socklen_t>> dests_;
    std::array<uint64_t, ftfw::kWireErrorCount> wire_errors_{};
    core::FdWatchPtr watch_;
    core::TimerPtr flush_timer_;
    core::TimerPtr ready_timer_;
    core::TimerPtr tick_timer_;
};

}  // namespace halbd::sync
