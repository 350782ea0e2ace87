// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/socket_io.cc: see socket_io.hh. The three steps every socket
// checker repeated: adopt the opened socket, watch it, change the watch.
#include "check/socket_io.hh"

#include <cerrno>

#include "check/probe_socket.hh"

namespace halbd::check {

std::optional<CheckResult> SocketIo::take(std::variant<core::UniqueFd, CheckResult> opened) {
    close();
    if (auto* failed = std::get_if<CheckResult>(&opened)) return std::move(*failed);
    sock_ = std::move(std::get<core::UniqueFd>(opened));
    return std::nullopt;
}

std::optional<CheckResult> SocketIo::watch(core::EventLoop& loop, uint32_t events, core::FdCallback cb) {
    watch_ = loop.watch_fd(sock_.get(), events, std::move(cb));
    if (!watch_) return setup_failure("watch socket", errno);
    return std::nullopt;
}

void SocketIo::want(uint32_t events) {
    if (watch_ && watch_->events() != events) watch_->set_events(events);
}

}  // namespace halbd::check
