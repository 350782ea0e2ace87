// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// ctl/server.hh: Server, the control socket on the event loop. Listens on an
// AF_UNIX stream socket (mode 0600), accepts without blocking, checks each
// peer (ctl/peer.hh), reads one request line of at most kMaxRequest bytes,
// hands it to the handler (ctl/commands.cc in the daemon), which answers at
// once or later (a reload answers once the file has been read), and writes
// the reply as the socket drains, then closes. Each connection has a
// deadline on the loop's timer for reading and for writing, so a slow or
// silent client never holds anything. Created
// by halbd.cc; owns the listening socket (unlinked on destruction if it is
// still ours) and the connections.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "core/event_loop.hh"
#include "core/fd.hh"
#include "core/result.hh"
#include "ctl/protocol.hh"

namespace halbd::ctl {

struct ServerOptions {
    std::string path;                       // the socket file
    uid_t allowed_uid = 0;                  // the only uid served (root in the daemon)
    Duration timeout = std::chrono::seconds(5);  // accept to last byte written
    size_t max_connections = 16;            // more are answered `error busy` and closed at once
};

struct ServerStats {
    uint64_t accepted = 0, served = 0, refused_peer = 0, too_long = 0, bad_request = 0, timed_out = 0,
             busy = 0, io_errors = 0;
};

class Server {
public:
    // Answers a request: now, or later from the loop. Calling it after the
    // client or the server went away does nothing; call it once.
    using Respond = std::function<void(Reply)>;
    using Handler = std::function<void(const Request&, Respond)>;

    // Creates the socket file: a stale socket (nobody answers on it) is
    // removed; a live one, or a file that is not a socket, is an error.
    static core::Result<std::unique_ptr<Server>> open(core::EventLoop& loop, ServerOptions opts, Handler handler);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    const std::string& path() const { return opts_.path; }
    size_t connections() const { return conns_.size(); }
    const ServerStats& stats() const { return stats_; }

private:
    class Connection;
    Server(core::EventLoop& loop, ServerOptions opts, Handler handler, core::UniqueFd fd, dev_t dev, ino_t ino);
    void on_accept();
    void close(uint64_t id);  // destroys the connection: return right after calling it

    core::EventLoop& loop_;
    ServerOptions opts_;
    Handler handler_;
    core::UniqueFd fd_;
    dev_t dev_;
    ino_t ino_;
    core::FdWatchPtr watch_;
    std::map<uint64_t, std::unique_ptr<Connection>> conns_;
    uint64_t next_id_ = 1;
    ServerStats stats_;
    std::shared_ptr<Server*> self_ = std::make_shared<Server*>(this);  // Respond's weak handle
};

// A stale socket file at path: one nobody accepts on. Fails (with the reason)
// when path exists and is not a socket, or when something answers on it.
core::Status remove_stale_socket(const std::string& path);

}  // namespace halbd::ctl
