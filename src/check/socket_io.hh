// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/socket_io.hh: SocketIo, the I/O shell every socket checker kind
// (TCP, HTTP/SSL, SMTP, and the datagram kinds of datagram_check.hh) holds
// as a member: the attempt's socket and its watch on the loop, closed in
// the one right order. Sockets come from probe_socket.hh; owns both.
#pragma once

#include <cstdint>
#include <optional>
#include <variant>

#include "check/checker.hh"
#include "core/event_loop.hh"
#include "core/fd.hh"

namespace halbd::check {

class SocketIo {
public:
    SocketIo() = default;
    ~SocketIo() { close(); }
    SocketIo(const SocketIo&) = delete;
    SocketIo& operator=(const SocketIo&) = delete;

    // Takes the socket a probe_socket.hh opener made (closing any previous
    // one), or returns the failure it reported instead.
    std::optional<CheckResult> take(std::variant<core::UniqueFd, CheckResult> opened);
    // Watches the socket for events; a LocalSetup failure when the loop
    // refuses the watch.
    std::optional<CheckResult> watch(core::EventLoop& loop, uint32_t events, core::FdCallback cb);
    // Changes the events watched (nothing when unchanged or not watched).
    void want(uint32_t events);
    int fd() const { return sock_.get(); }
    // The watch before the fd (unregistering needs the fd open). Idempotent.
    void close() {
        watch_.reset();
        sock_.reset();
    }

private:
    core::UniqueFd sock_;
    core::FdWatchPtr watch_;
};

}  // namespace halbd::check
