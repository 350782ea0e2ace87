// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// sync/ctnetlink_request.cc: see the header.
#include "sync/ctnetlink_request.hh"

#include <linux/netfilter/nfnetlink.h>

#include <cerrno>

namespace halbd::sync {

nlmsghdr* put_nfnl_header(void* buf, uint8_t subsys, uint16_t type, uint16_t flags, uint8_t family, uint32_t seq) {
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = static_cast<uint16_t>((subsys << 8) | type);
    nlh->nlmsg_flags = static_cast<uint16_t>(NLM_F_REQUEST | flags);
    nlh->nlmsg_seq = seq;
    auto* nfh = static_cast<nfgenmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(nfgenmsg)));
    nfh->nfgen_family = family;
    nfh->version = NFNETLINK_V0;
    nfh->res_id = 0;
    return nlh;
}

core::Result<MnlPtr> open_nfnl_socket(int extra_flags, unsigned groups, const std::string& who) {
    MnlPtr s(mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC | extra_flags));
    if (!s) return core::system_error(who + ": socket");
    if (mnl_socket_bind(s.get(), groups, MNL_SOCKET_AUTOPID) < 0)
        return core::system_error(who + (groups ? ": event subscription" : ": bind"));
    return s;
}

core::Status run_dump(mnl_socket* sock, nlmsghdr* request, std::vector<char>& buf, mnl_cb_t cb, void* data,
                      const std::string& who) {
    if (mnl_socket_sendto(sock, request, request->nlmsg_len) < 0) return core::system_error(who + ": dump request");
    const uint32_t seq = request->nlmsg_seq;
    const uint32_t portid = mnl_socket_get_portid(sock);
    for (;;) {
        const ssize_t n = mnl_socket_recvfrom(sock, buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return core::system_error(who + ": dump");
        }
        const int r = mnl_cb_run(buf.data(), static_cast<size_t>(n), seq, portid, cb, data);
        if (r == MNL_CB_STOP) return core::Ok{};
        if (r < 0) return core::system_error(who + ": dump");
    }
}

}  // namespace halbd::sync
