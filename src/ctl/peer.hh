// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// ctl/peer.hh: who may talk to the control socket. The socket file is 0600
// root (the first gate); every accepted connection is then checked with
// SO_PEERCRED (the second, which holds even if someone loosens the file's
// mode). Used by ctl/server.cc; the decision is a pure function for tests.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace halbd::ctl {

struct PeerCred {
    pid_t pid = 0;
    uid_t uid = 0;
    gid_t gid = 0;
};

// The credentials of the process at the other end of a connected AF_UNIX
// socket, as of its connect(); nullopt when the kernel cannot say.
std::optional<PeerCred> peer_cred(int fd);

// Empty when `peer` may use the socket (its uid is allowed_uid, 0 in the
// daemon); otherwise the refusal sent to it. Unknown credentials are refused.
std::string peer_refusal(const std::optional<PeerCred>& peer, uid_t allowed_uid);

}  // namespace halbd::ctl
