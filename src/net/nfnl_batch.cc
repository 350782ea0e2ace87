// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// net/nfnl_batch.cc: see nfnl_batch.hh. The messages ask for no ACK: the
// kernel runs a batch synchronously inside sendto(), so when it returns the
// only replies queued are the errors, read without blocking.
#include "net/nfnl_batch.hh"

#include <linux/netfilter/nfnetlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace halbd::net {

core::Result<std::unique_ptr<NfnlBatchSocket>> NfnlBatchSocket::open() {
    std::unique_ptr<mnl_socket, Closer> nl(mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC));
    if (!nl) return core::system_error("nftables: netfilter netlink socket");
    if (mnl_socket_bind(nl.get(), 0, MNL_SOCKET_AUTOPID) < 0) return core::system_error("nftables: bind netlink");
    // Room for the errors of a large batch (each echoes its message).
    const int rcv = 4 << 20;
    setsockopt(mnl_socket_get_fd(nl.get()), SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof rcv);
    return std::unique_ptr<NfnlBatchSocket>(new NfnlBatchSocket(std::move(nl)));
}

core::Result<core::Ok> NfnlBatchSocket::send(std::string_view batch, Refused* refused) {
    const int fd = mnl_socket_get_fd(nl_.get());
    // A netlink message cannot exceed the send buffer: grow it (as nft does).
    if (batch.size() + 4096 > sndbuf_) {
        const int want = int(batch.size() + 4096);
        if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &want, sizeof want) == 0 ||
            setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &want, sizeof want) == 0)
            sndbuf_ = batch.size() + 4096;
    }
    if (mnl_socket_sendto(nl_.get(), batch.data(), batch.size()) < 0)
        return core::system_error("nftables: sending a batch of " + std::to_string(batch.size()) + " bytes");
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE * 4);
    int first = 0;
    uint32_t first_seq = 0;
    for (;;) {
        const ssize_t n = ::recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            if (!first) first = errno;  // ENOBUFS: errors lost, the batch failed
            break;
        }
        int len = int(n);
        for (auto* h = reinterpret_cast<const nlmsghdr*>(buf.data()); mnl_nlmsg_ok(h, len); h = mnl_nlmsg_next(h, &len)) {
            if (h->nlmsg_type != NLMSG_ERROR) continue;
            const auto* e = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(h));
            if (e->error != 0 && !first) {
                first = -e->error;
                first_seq = h->nlmsg_seq;
            }
        }
    }
    if (!first) return core::Ok{};
    if (refused) *refused = Refused{first, first_seq};
    return core::Error{first, std::string("nftables: the kernel refused the batch: ") + std::strerror(first)};
}

}  // namespace halbd::net
