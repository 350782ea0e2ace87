// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// sync/ftfw_peer.cc: the UDP shell of the FT-FW channel (see ftfw_peer.hh).
// Every received datagram is checked before use: its source (unicast: one of
// the peers), the envelope when keyed, then each message's framing and
// attributes; what fails is counted and dropped, the rest of that datagram
// with it (its framing can no longer be trusted).
#include "sync/ftfw_peer.hh"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "core/random.hh"
#include "sync/exp_codec.hh"
#include "sync/ftfw_ct_codec.hh"
#include "sync/ftfw_wire.hh"

namespace halbd::sync {

namespace {

core::Error sock_error(const ChannelConfig& cfg, const char* what) {
    return core::system_error("sync channel on " + cfg.interface + ": " + what);
}

ftfw::MsgType msg_type(CtOp op) {
    switch (op) {
    case CtOp::New: return ftfw::MsgType::CtNew;
    case CtOp::Update: return ftfw::MsgType::CtUpdate;
    case CtOp::Delete: return ftfw::MsgType::CtDelete;
    }
    return ftfw::MsgType::CtUpdate;
}

uint64_t realtime_us() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000u + static_cast<uint64_t>(ts.tv_nsec) / 1000u;
}

bool same_addr(const sockaddr_storage& ss, const net::IpAddress& a) {
    if (ss.ss_family == AF_INET && a.is_v4())
        return std::memcmp(&reinterpret_cast<const sockaddr_in&>(ss).sin_addr, a.bytes(), 4) == 0;
    if (ss.ss_family == AF_INET6 && a.is_v6())
        return std::memcmp(&reinterpret_cast<const sockaddr_in6&>(ss).sin6_addr, a.bytes(), 16) == 0;
    return false;
}

}  // namespace

core::Result<std::unique_ptr<FtfwPeer>> FtfwPeer::open(core::EventLoop& loop, const ChannelConfig& cfg,
                                                        Handlers handlers) {
    const bool mcast = cfg.peers.empty();
    bool v6 = mcast ? cfg.mcast_group.is_v6() : cfg.peers.front().is_v6();
    for (const auto& p : cfg.peers)
        if (p.is_v6() != v6) return core::Error{0, "sync channel: peers of both address families"};
    if (cfg.source_ip && cfg.source_ip->is_v6() != v6)
        return core::Error{0, "sync channel: source_ip and peers of different families"};
    const unsigned ifindex = if_nametoindex(cfg.interface.c_str());
    if (ifindex == 0) return sock_error(cfg, "no such interface");

    core::UniqueFd fd(::socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) return sock_error(cfg, "socket");
    const int one = 1;
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) return sock_error(cfg, "SO_REUSEADDR");
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_BINDTODEVICE, cfg.interface.c_str(),
                     static_cast<socklen_t>(cfg.interface.size())) != 0)
        return sock_error(cfg, "SO_BINDTODEVICE");
    if (cfg.socket_buffer > 0) {
        // The FORCE variants (CAP_NET_ADMIN) pass net.core.[rw]mem_max (208 KiB
        // by default: a burst of 100,000 entries overflowed it and was NACKed
        // and sent again); without the capability, best effort under the cap.
        for (auto [force, plain] : {std::pair{SO_RCVBUFFORCE, SO_RCVBUF}, std::pair{SO_SNDBUFFORCE, SO_SNDBUF}})
            if (::setsockopt(fd.get(), SOL_SOCKET, force, &cfg.socket_buffer, sizeof cfg.socket_buffer) != 0)
                (void)::setsockopt(fd.get(), SOL_SOCKET, plain, &cfg.socket_buffer, sizeof cfg.socket_buffer);
    }
    sockaddr_storage ss{};
    // Multicast receives on the group's port whatever the destination
    // address, so it binds the wildcard; unicast binds source_ip if given.
    const net::IpAddress any = v6 ? *net::IpAddress::parse("::") : net::IpAddress::v4(0);
    const net::IpAddress bind_to = (!mcast && cfg.source_ip) ? *cfg.source_ip : any;
    socklen_t sl = net::to_sockaddr(bind_to, cfg.port, ss);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&ss), sl) != 0) return sock_error(cfg, "bind");
    if (cfg.connect_peer && cfg.peers.size() == 1) {
        sockaddr_storage ps{};
        const socklen_t pl = net::to_sockaddr(cfg.peers.front(), cfg.port, ps);
        if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&ps), pl) != 0) return sock_error(cfg, "connect");
    }
    if (mcast && v6) {
        // A link-scope group (ff02::/16) needs the interface: joined and sent on it.
        ipv6_mreq mr{};
        std::memcpy(&mr.ipv6mr_multiaddr, cfg.mcast_group.bytes(), 16);
        mr.ipv6mr_interface = ifindex;
        if (::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof mr) != 0)
            return sock_error(cfg, "IPV6_JOIN_GROUP");
        const int idx = static_cast<int>(ifindex), zero = 0, hops = 1;
        if (::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_MULTICAST_IF, &idx, sizeof idx) != 0)
            return sock_error(cfg, "IPV6_MULTICAST_IF");
        (void)::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &zero, sizeof zero);
        (void)::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops);
        // Only our group's datagrams, not those of every group joined on the host.
        (void)::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_MULTICAST_ALL, &zero, sizeof zero);
    } else if (mcast) {
        ip_mreqn mr{};
        std::memcpy(&mr.imr_multiaddr, cfg.mcast_group.bytes(), 4);
        if (cfg.source_ip) std::memcpy(&mr.imr_address, cfg.source_ip->bytes(), 4);
        mr.imr_ifindex = static_cast<int>(ifindex);
        if (::setsockopt(fd.get(), IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof mr) != 0)
            return sock_error(cfg, "IP_ADD_MEMBERSHIP");
        if (::setsockopt(fd.get(), IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof mr) != 0)
            return sock_error(cfg, "IP_MULTICAST_IF");
        const unsigned char zero = 0, ttl = 1;
        (void)::setsockopt(fd.get(), IPPROTO_IP, IP_MULTICAST_LOOP, &zero, sizeof zero);
        (void)::setsockopt(fd.get(), IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl);
    }

    size_t max_payload = cfg.max_datagram;
    if (max_payload == 0) {
        ifreq ifr{};
        std::strncpy(ifr.ifr_name, cfg.interface.c_str(), IFNAMSIZ - 1);
        const int mtu = ::ioctl(fd.get(), SIOCGIFMTU, &ifr) == 0 ? ifr.ifr_mtu : 1500;
        // Capped at the largest UDP payload IPv4 can carry (loopback's MTU is 64 KiB).
        max_payload = std::min<size_t>(static_cast<size_t>(std::max(mtu, 576)) - (v6 ? 48 : 28), 65507);
    }
    if (cfg.key) max_payload -= std::min(max_payload, kAeadOverhead);
    if (max_payload < 512) return core::Error{0, "sync channel: datagram size below 512 bytes"};

    const uint64_t epoch = realtime_us();
    const uint64_t rnd = core::random_seed();
    // conntrackd starts its sequence numbers at time(NULL); so do we.
    std::unique_ptr<FtfwPeer> p(new FtfwPeer(loop, cfg, std::move(handlers), std::move(fd), max_payload,
                                             static_cast<uint32_t>(epoch / 1000000u), epoch,
                                             static_cast<uint32_t>(rnd ^ (rnd >> 32))));
    p->watch_ = loop.watch_fd(p->fd_.get(), core::fd_events::readable, [raw = p.get()](uint32_t) { raw->on_readable(); });
    if (!p->watch_) return sock_error(cfg, "watch");
    if (cfg.resync_at_start) p->request_resync();
    p->pump();
    return p;
}

FtfwPeer::FtfwPeer(core::EventLoop& loop, const ChannelConfig& cfg, Handlers handlers, core::UniqueFd fd,
                   size_t max_payload, uint32_t initial_seq, uint64_t epoch, uint32_t salt)
    : loop_(loop), cfg_(cfg), handlers_(std::move(handlers)), fd_(std::move(fd)), max_payload_(max_payload),
      session_(cfg.session, initial_seq, loop.now()) {
    if (cfg_.key) envelope_ = std::make_unique<Envelope>(*cfg_.key, epoch, salt);
    const auto& to = cfg_.peers.empty() ? std::vector<net::IpAddress>{cfg_.mcast_group} : cfg_.peers;
    for (const auto& a : to) {
        sockaddr_storage ss{};
        const socklen_t l = net::to_sockaddr(a, cfg_.port, ss);
        dests_.emplace_back(ss, l);
    }
    flush_timer_ = loop_.create_timer([this] { flush(); });
    ready_timer_ = loop_.create_timer([this] { send_ready(); });
    tick_timer_ = loop_.create_timer([this] {
        session_.on_tick(loop_.now());
        pump();
    });
}

// Full datagrams waiting for the end of the loop pass leave now (before the
// batching they were already sent); a partial one is dropped, as before.
FtfwPeer::~FtfwPeer() { send_ready(); }

void FtfwPeer::send(CtOp op, const nf_conntrack& ct) {
    scratch_.clear();
    ftfw::encode_ct(ct, scratch_, cfg_.encode);
    session_.send_state(msg_type(op), scratch_, loop_.now());
    pump();
}

void FtfwPeer::send_exp(CtOp op, const nf_expect& exp) {
    scratch_.clear();
    ftfw::encode_exp(exp, scratch_);
    const auto type = static_cast<uint8_t>(static_cast<uint8_t>(ftfw::MsgType::ExpNew) + static_cast<uint8_t>(op));
    session_.send_state(static_cast<ftfw::MsgType>(type), scratch_, loop_.now());
    pump();
}

void FtfwPeer::resync_sent() {
    session_.resync_sent(loop_.now());
    pump();
}

void FtfwPeer::request_resync() {
    session_.request_resync(loop_.now());
    pump();
}

// Moves what the session produced into datagrams and tells the handlers what
// happened; re-arms the session's timer when its deadline came nearer (a
// later one only lets it fire early once: on_tick checks the time), not at
// every message sent.
void FtfwPeer::pump() {
    session_.drain_output([this](std::span<const uint8_t> msg) {
        if (!pending_.empty() && pending_.size() + msg.size() > max_payload_) close_datagram();
        pending_.insert(pending_.end(), msg.begin(), msg.end());
        ++session_.counters().msgs_sent;
    });
    if (!pending_.empty() && !flush_timer_->armed()) flush_timer_->arm(cfg_.flush_delay);
    if (const MonoTime d = session_.next_deadline(); !tick_timer_->armed() || d < tick_timer_->deadline())
        tick_timer_->arm_at(d);
    for (auto ev : session_.take_events()) {
        switch (ev) {
        case ftfw::Event::PeerUp:
            if (handlers_.on_peer_alive) handlers_.on_peer_alive(true);
            break;
        case ftfw::Event::PeerDown:
            if (handlers_.on_peer_alive) handlers_.on_peer_alive(false);
            break;
        case ftfw::Event::ResyncRequested:
            if (handlers_.on_resync_request) handlers_.on_resync_request();
            else session_.resync_sent(loop_.now());
            break;
        case ftfw::Event::ResyncDone:
            if (handlers_.on_resync_done) handlers_.on_resync_done(true);
            break;
        case ftfw::Event::ResyncIncomplete:
            if (handlers_.on_resync_done) handlers_.on_resync_done(false);
            break;
        }
    }
}

void FtfwPeer::flush() {
    flush_timer_->cancel();
    close_datagram();
    send_ready();
}

// Moves the pending messages, a datagram's worth, to the ready datagrams.
void FtfwPeer::close_datagram() {
    if (pending_.empty()) return;
    if (envelope_) {
        const auto sealed = envelope_->seal(pending_);
        if (sealed.empty()) ++session_.counters().send_errors;
        else ready_.insert(ready_.end(), sealed.begin(), sealed.end());
    } else {
        ready_.insert(ready_.end(), pending_.begin(), pending_.end());
    }
    pending_.clear();
    if (ready_ends_.empty() || ready_ends_.back() != ready_.size()) ready_ends_.push_back(ready_.size());
    if (ready_ends_.size() >= kReadyMax) send_ready();
    else if (!ready_timer_->armed()) ready_timer_->arm(Duration::zero());
}

// Every ready datagram to every destination, kReadyMax per sendmmsg.
void FtfwPeer::send_ready() {
    ready_timer_->cancel();
    std::array<mmsghdr, kReadyMax> mm{};
    std::array<iovec, kReadyMax> iov{};
    for (const auto& [ss, len] : dests_) {
        size_t i = 0;
        while (i < ready_ends_.size()) {
            unsigned n = 0;
            for (; n < kReadyMax && i + n < ready_ends_.size(); ++n) {
                const size_t begin = i + n == 0 ? 0 : ready_ends_[i + n - 1];
                iov[n] = {ready_.data() + begin, ready_ends_[i + n] - begin};
                mm[n] = {};
                mm[n].msg_hdr.msg_iov = &iov[n];
                mm[n].msg_hdr.msg_iovlen = 1;
                mm[n].msg_hdr.msg_name = const_cast<sockaddr_storage*>(&ss);
                mm[n].msg_hdr.msg_namelen = len;
            }
            const int sent = ::sendmmsg(fd_.get(), mm.data(), n, MSG_DONTWAIT);
            if (sent < 0 && errno == EINTR) continue;
            // A datagram the socket refused is counted and not retried: FT-FW's
            // NACK brings it back, as it did for a failed sendto.
            const unsigned ok = sent < 0 ? 0 : static_cast<unsigned>(sent);
            for (unsigned k = 0; k < ok; ++k) session_.counters().bytes_sent += mm[k].msg_len;
            if (ok < n) ++session_.counters().send_errors;
            i += ok < n ? ok + 1 : n;
        }
    }
    ready_.clear();
    ready_ends_.clear();
}

bool FtfwPeer::from_peer(const sockaddr_storage& ss) const {
    if (cfg_.peers.empty()) return true;
    for (const auto& p : cfg_.peers)
        if (same_addr(ss, p)) return true;
    return false;
}

// At most rx_budget datagrams per readable event (conntrackd's
// EventIterationsLimit): the loop comes back if more are queued, and other
// work is not starved by a flood.
void FtfwPeer::on_readable() {
    static thread_local std::vector<uint8_t> buf(65536);
    for (unsigned i = 0; i < cfg_.rx_budget; ++i) {
        sockaddr_storage from{};
        socklen_t fl = sizeof from;
        const ssize_t n = ::recvfrom(fd_.get(), buf.data(), buf.size(), MSG_DONTWAIT,
                                     reinterpret_cast<sockaddr*>(&from), &fl);
        if (n < 0) break;
        if (!from_peer(from)) {
            ++session_.counters().malformed;
            continue;
        }
        session_.counters().bytes_received += static_cast<uint64_t>(n);
        on_datagram(std::span<const uint8_t>(buf.data(), static_cast<size_t>(n)));
    }
    pump();
}

void FtfwPeer::on_datagram(std::span<const uint8_t> bytes) {
    if (envelope_) {
        if (envelope_->open(bytes, plain_)) {
            ++session_.counters().auth_failures;
            return;
        }
        bytes = plain_;
    }
    std::span<const uint8_t> rest = bytes;
    while (!rest.empty()) {
        auto m = ftfw::next_message(rest);
        if (!m) {
            ++session_.counters().malformed;
            ++wire_errors_[static_cast<size_t>(m.error())];
            return;
        }
        on_message(*m);
    }
}

void FtfwPeer::on_message(const ftfw::Message& m) {
    ++session_.counters().msgs_received;
    if (session_.on_message(m, loop_.now()) != ftfw::Session::Verdict::Deliver) return;
    if (m.type > static_cast<uint8_t>(ftfw::MsgType::CtDelete)) return on_expect_message(m);
    auto ct = ftfw::decode_ct(m.payload);
    if (!ct) {
        ++session_.counters().malformed;
        ++wire_errors_[static_cast<size_t>(ct.error())];
        return;
    }
    const CtOp op = m.type == 0 ? CtOp::New : m.type == 1 ? CtOp::Update : CtOp::Delete;
    if (handlers_.on_conntrack) handlers_.on_conntrack(op, std::move(*ct));
}

// Expectations (types ExpNew..ExpDelete): decoded when someone takes them,
// else counted as unsupported, as before expectation_sync existed.
void FtfwPeer::on_expect_message(const ftfw::Message& m) {
    if (!handlers_.on_expect) {
        ++wire_errors_[static_cast<size_t>(ftfw::WireError::Unsupported)];
        return;
    }
    auto exp = ftfw::decode_exp(m.payload);
    if (!exp) {
        ++session_.counters().malformed;
        ++wire_errors_[static_cast<size_t>(exp.error())];
        return;
    }
    const uint8_t k = static_cast<uint8_t>(m.type - static_cast<uint8_t>(ftfw::MsgType::ExpNew));
    handlers_.on_expect(k == 0 ? CtOp::New : k == 1 ? CtOp::Update : CtOp::Delete, std::move(*exp));
}

}  // namespace halbd::sync
