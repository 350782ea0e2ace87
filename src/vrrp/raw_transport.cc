// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/raw_transport.cc: see raw_transport.hh. Socket options, as RFC 5798
// and keepalived want them:
//  - IPv4: IP_MULTICAST_IF / IP_MULTICAST_TTL 255 / IP_TTL (unicast_ttl),
//    IP_TOS 0xc0, IP_MULTICAST_LOOP off; the kernel builds the IP header and
//    the source address is chosen per packet with IP_PKTINFO. Reads return the
//    whole IP packet (raw IPv4 sockets include the header).
//  - IPv6: IPV6_MULTICAST_IF / IPV6_MULTICAST_HOPS / IPV6_UNICAST_HOPS 255,
//    IPV6_TCLASS 0xc0, loop off, IPV6_RECVPKTINFO and IPV6_RECVHOPLIMIT for
//    the destination and hop limit the validator checks. We compute the VRRP
//    checksum ourselves (encode) and verify it on receipt (decode), so
//    IPV6_CHECKSUM stays off.
#include "vrrp/raw_transport.hh"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "core/log.hh"

namespace halbd::vrrp {

namespace {

constexpr int kTos = 0xc0;
constexpr size_t kMaxPacket = 4096;
constexpr int kMaxReadsPerWakeup = 64;

class RawChannel final : public Channel {
public:
    RawChannel(core::EventLoop& loop, ChannelSpec spec, core::UniqueFd fd, Transport::Receive receive)
        : spec_(std::move(spec)), fd_(std::move(fd)), receive_(std::move(receive)) {
        watch_ = loop.watch_fd(fd_.get(), core::fd_events::readable, [this](uint32_t) { on_readable(); });
    }
    ~RawChannel() override { watch_.reset(); }

    bool watched() const { return watch_ != nullptr; }
    const ChannelSpec& spec() const override { return spec_; }
    core::Status join(const net::IpAddress& group) override { return membership(group, true); }
    core::Status leave(const net::IpAddress& group) override { return membership(group, false); }
    core::Status send(const net::IpAddress& src, const net::IpAddress& dst, std::span<const uint8_t> msg,
                      uint8_t ttl) override;

private:
    core::Status membership(const net::IpAddress& group, bool join);
    void on_readable();

    ChannelSpec spec_;
    core::UniqueFd fd_;
    Transport::Receive receive_;
    core::FdWatchPtr watch_;
    int unicast_ttl_ = kVrrpTtl;  // IP_TTL / IPV6_UNICAST_HOPS as set
};

core::Error sock_error(const ChannelSpec& s, const std::string& what) {
    return core::system_error(std::string("VRRP ") + (s.family == net::Family::V4 ? "IPv4" : "IPv6") +
                              " socket on " + s.ifname + ": " + what);
}

core::Status RawChannel::membership(const net::IpAddress& group, bool join) {
    int rc;
    if (group.is_v4()) {
        ip_mreqn m{};
        std::memcpy(&m.imr_multiaddr, group.bytes(), 4);
        m.imr_ifindex = spec_.ifindex;
        rc = ::setsockopt(fd_.get(), IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &m, sizeof m);
    } else {
        ipv6_mreq m{};
        std::memcpy(&m.ipv6mr_multiaddr, group.bytes(), 16);
        m.ipv6mr_interface = static_cast<unsigned>(spec_.ifindex);
        rc = ::setsockopt(fd_.get(), IPPROTO_IPV6, join ? IPV6_ADD_MEMBERSHIP : IPV6_DROP_MEMBERSHIP, &m, sizeof m);
    }
    if (rc < 0 && !(join && errno == EADDRINUSE))
        return sock_error(spec_, (join ? "join " : "leave ") + group.to_string());
    return core::Ok{};
}

core::Status RawChannel::send(const net::IpAddress& src, const net::IpAddress& dst, std::span<const uint8_t> msg,
                              uint8_t ttl) {
    const bool v4 = spec_.family == net::Family::V4;
    if (!dst.is_multicast() && ttl != unicast_ttl_) {
        int t = ttl;
        if (::setsockopt(fd_.get(), v4 ? IPPROTO_IP : IPPROTO_IPV6, v4 ? IP_TTL : IPV6_UNICAST_HOPS, &t, sizeof t) < 0)
            return sock_error(spec_, "set unicast TTL");
        unicast_ttl_ = ttl;
    }
    iovec iov{const_cast<uint8_t*>(msg.data()), msg.size()};
    alignas(cmsghdr) std::array<uint8_t, CMSG_SPACE(sizeof(in6_pktinfo))> control{};
    msghdr mh{};
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = control.data();
    sockaddr_storage to;
    const bool scoped = !v4 && (dst.is_multicast() || dst.is_link_local());
    mh.msg_name = &to;
    mh.msg_namelen = net::to_sockaddr(dst, 0, to, scoped ? static_cast<uint32_t>(spec_.ifindex) : 0);
    cmsghdr* c;
    if (v4) {
        mh.msg_controllen = CMSG_SPACE(sizeof(in_pktinfo));
        c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = IPPROTO_IP;
        c->cmsg_type = IP_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
        in_pktinfo pi{};
        std::memcpy(&pi.ipi_spec_dst, src.bytes(), 4);
        std::memcpy(CMSG_DATA(c), &pi, sizeof pi);
    } else {
        mh.msg_controllen = CMSG_SPACE(sizeof(in6_pktinfo));
        c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = IPPROTO_IPV6;
        c->cmsg_type = IPV6_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
        in6_pktinfo pi{};
        std::memcpy(&pi.ipi6_addr, src.bytes(), 16);
        pi.ipi6_ifindex = static_cast<unsigned>(spec_.ifindex);
        std::memcpy(CMSG_DATA(c), &pi, sizeof pi);
    }
    if (::sendmsg(fd_.get(), &mh, MSG_DONTWAIT) < 0) return sock_error(spec_, "send to " + dst.to_string());
    return core::Ok{};
}

void RawChannel::on_readable() {
    std::array<uint8_t, kMaxPacket> buf;
    alignas(cmsghdr) std::array<uint8_t, 128> control;
    for (int i = 0; i < kMaxReadsPerWakeup; ++i) {
        iovec iov{buf.data(), buf.size()};
        sockaddr_in6 from{};
        msghdr mh{};
        mh.msg_name = &from;
        mh.msg_namelen = sizeof from;
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        mh.msg_control = control.data();
        mh.msg_controllen = control.size();
        ssize_t n = ::recvmsg(fd_.get(), &mh, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                log::warning(sock_error(spec_, "receive").message);
            return;
        }
        if (mh.msg_flags & MSG_TRUNC) continue;  // larger than any VRRP packet
        RxPacket p;
        p.bytes = std::span<const uint8_t>(buf.data(), static_cast<size_t>(n));
        p.meta.family = spec_.family;
        if (spec_.family == net::Family::V4) {
            p.ip_header = true;
        } else {
            p.meta.src = net::IpAddress::from_bytes(net::Family::V6, from.sin6_addr.s6_addr);
            for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
                if (c->cmsg_level != IPPROTO_IPV6) continue;
                if (c->cmsg_type == IPV6_PKTINFO) {
                    in6_pktinfo pi;
                    std::memcpy(&pi, CMSG_DATA(c), sizeof pi);
                    p.meta.dst = net::IpAddress::from_bytes(net::Family::V6, pi.ipi6_addr.s6_addr);
                } else if (c->cmsg_type == IPV6_HOPLIMIT) {
                    int h;
                    std::memcpy(&h, CMSG_DATA(c), sizeof h);
                    p.meta.ttl = h;
                }
            }
        }
        receive_(p);  // may not destroy this channel (the subsystem defers that)
    }
}

}  // namespace

core::Result<std::unique_ptr<Channel>> RawTransport::open(const ChannelSpec& spec, Receive receive) {
    const bool v4 = spec.family == net::Family::V4;
    core::UniqueFd fd(::socket(v4 ? AF_INET : AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, kIpProtoVrrp));
    if (!fd) return sock_error(spec, "socket");
    auto set = [&](int level, int opt, int value, const char* what) -> core::Status {
        if (::setsockopt(fd.get(), level, opt, &value, sizeof value) < 0) return sock_error(spec, what);
        return core::Ok{};
    };
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_BINDTODEVICE, spec.ifname.c_str(),
                     static_cast<socklen_t>(spec.ifname.size())) < 0)
        return sock_error(spec, "SO_BINDTODEVICE");
    core::Status st = core::Ok{};
    if (v4) {
        ip_mreqn m{};
        m.imr_ifindex = spec.ifindex;
        if (::setsockopt(fd.get(), IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof m) < 0)
            return sock_error(spec, "IP_MULTICAST_IF");
        for (auto s : {set(IPPROTO_IP, IP_MULTICAST_TTL, kVrrpTtl, "IP_MULTICAST_TTL"),
                       set(IPPROTO_IP, IP_TTL, kVrrpTtl, "IP_TTL"), set(IPPROTO_IP, IP_TOS, kTos, "IP_TOS"),
                       set(IPPROTO_IP, IP_MULTICAST_LOOP, 0, "IP_MULTICAST_LOOP")})
            if (!s) return s.error();
    } else {
        for (auto s : {set(IPPROTO_IPV6, IPV6_MULTICAST_IF, spec.ifindex, "IPV6_MULTICAST_IF"),
                       set(IPPROTO_IPV6, IPV6_MULTICAST_HOPS, kVrrpTtl, "IPV6_MULTICAST_HOPS"),
                       set(IPPROTO_IPV6, IPV6_UNICAST_HOPS, kVrrpTtl, "IPV6_UNICAST_HOPS"),
                       set(IPPROTO_IPV6, IPV6_TCLASS, kTos, "IPV6_TCLASS"),
                       set(IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0, "IPV6_MULTICAST_LOOP"),
                       set(IPPROTO_IPV6, IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO"),
                       set(IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT")})
            if (!s) return s.error();
    }
    auto ch = std::make_unique<RawChannel>(loop_, spec, std::move(fd), std::move(receive));
    if (!ch->watched()) return sock_error(spec, "watch");
    return std::unique_ptr<Channel>(std::move(ch));
}

}  // namespace halbd::vrrp
