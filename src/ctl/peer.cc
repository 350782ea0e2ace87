// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// ctl/peer.cc: see peer.hh.
#include "ctl/peer.hh"

#include <sys/socket.h>

namespace halbd::ctl {

std::optional<PeerCred> peer_cred(int fd) {
    struct ucred uc {};
    socklen_t len = sizeof uc;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) != 0 || len != sizeof uc) return std::nullopt;
    return PeerCred{uc.pid, uc.uid, uc.gid};
}

std::string peer_refusal(const std::optional<PeerCred>& peer, uid_t allowed_uid) {
    if (!peer) return "permission denied: cannot read the peer's credentials (SO_PEERCRED)";
    if (peer->uid == allowed_uid) return {};
    if (allowed_uid == 0)
        return "permission denied: the control socket is root-only (uid " + std::to_string(peer->uid) + ")";
    return "permission denied: uid " + std::to_string(peer->uid) + " is not uid " + std::to_string(allowed_uid);
}

}  // namespace halbd::ctl
