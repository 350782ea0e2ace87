// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// ctl/accept.hh: the accept loop the control socket and the metrics listener
// share. A bounded batch per wakeup keeps the loop fair to VRRP and the
// checks; EAGAIN, EINTR and ECONNABORTED end the batch silently.
#pragma once

#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "core/fd.hh"
#include "core/log.hh"

namespace halbd::ctl {

inline constexpr int kAcceptBatch = 16;

// Calls on_client(core::UniqueFd) for each connection accepted on listen_fd
// (non-blocking, close-on-exec), at most kAcceptBatch of them.
template <class OnClient>
void accept_batch(int listen_fd, std::string_view what, OnClient&& on_client) {
    for (int i = 0; i < kAcceptBatch; ++i) {
        core::UniqueFd c(::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (!c) {
            if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
                log::warning(what, ": accept: ", std::strerror(errno));
            return;
        }
        on_client(std::move(c));
    }
}

}  // namespace halbd::ctl
