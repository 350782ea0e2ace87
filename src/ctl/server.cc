// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// ctl/server.cc: see server.hh. One Connection per accepted client: reading
// (until a newline, EOF or kMaxRequest bytes), then writing (until the reply
// is out), then gone. Every socket call is non-blocking.
#include "ctl/server.hh"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

#include "core/log.hh"
#include "ctl/accept.hh"
#include "ctl/peer.hh"

namespace halbd::ctl {

namespace {

core::Result<sockaddr_un> unix_address(const std::string& path) {
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof sa.sun_path)
        return core::Error{ENAMETOOLONG, "control socket path '" + path + "' is empty or longer than " +
                                             std::to_string(sizeof sa.sun_path - 1) + " bytes"};
    std::memcpy(sa.sun_path, path.data(), path.size());
    return sa;
}

}  // namespace

core::Status remove_stale_socket(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) return core::Ok{};
        return core::system_error("stat " + path);
    }
    if (!S_ISSOCK(st.st_mode)) return core::Error{EEXIST, path + " exists and is not a socket; not removing it"};
    auto sa = unix_address(path);
    if (!sa) return sa.error();
    core::UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!probe) return core::system_error("socket");
    if (::connect(probe.get(), reinterpret_cast<const sockaddr*>(&*sa), sizeof *sa) == 0 || errno == EAGAIN)
        return core::Error{EADDRINUSE, "another process (a running halbd?) answers on " + path};
    if (errno != ECONNREFUSED) return core::system_error("probe " + path);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return core::system_error("remove stale socket " + path);
    log::info("removed stale control socket ", path);
    return core::Ok{};
}

class Server::Connection {
public:
    Connection(Server& server, uint64_t id, core::UniqueFd fd) : server_(server), id_(id), fd_(std::move(fd)) {
        watch_ = server_.loop_.watch_fd(fd_.get(), core::fd_events::readable, [this](uint32_t ev) { on_event(ev); });
        timer_ = server_.loop_.create_timer([this] { on_timeout(); });
        timer_->arm(server_.opts_.timeout);
    }
    ~Connection() { watch_.reset(); }  // unwatch before the fd closes

    bool watched() const { return watch_ != nullptr; }

    // Queues a reply and switches to writing (the request is not read further).
    void reply(const Reply& r) {
        out_ = format_reply(r);
        reading_ = false;
        waiting_ = false;
        if (!timer_->armed()) timer_->arm(server_.opts_.timeout);
        watch_->set_events(core::fd_events::writable);
    }

private:
    void on_event(uint32_t ev) {
        if (waiting_) {
            // The client hung up before its answer: nothing to wait for.
            if (ev & (core::fd_events::error | core::fd_events::hangup)) return server_.close(id_);
        } else if (reading_) {
            read_some();
        } else if (ev & (core::fd_events::writable | core::fd_events::error | core::fd_events::hangup)) {
            write_some();
        }
    }

    void read_some() {
        char buf[512];
        const ssize_t n = ::recv(fd_.get(), buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) return;
            ++server_.stats_.io_errors;
            return server_.close(id_);
        }
        if (n == 0) {  // EOF: a request without a newline still counts
            if (in_.empty()) return server_.close(id_);
            return dispatch(in_);
        }
        in_.append(buf, static_cast<size_t>(n));
        const size_t nl = in_.find('\n');
        if (nl != std::string::npos && nl < kMaxRequest) return dispatch(in_.substr(0, nl));
        if (in_.size() >= kMaxRequest) {
            ++server_.stats_.too_long;
            return reply(error_reply(Status::Error, "request longer than " + std::to_string(kMaxRequest) + " bytes",
                                     Format::Text));
        }
    }

    void dispatch(const std::string& line) {
        auto req = parse_request(line);
        if (!req) {
            ++server_.stats_.bad_request;
            // A malformed request may still have asked for JSON.
            const bool json = line.find("--json") != std::string::npos;
            return reply(error_reply(Status::Error, req.error().message, json ? Format::Json : Format::Text));
        }
        ++server_.stats_.served;
        // No deadline while the daemon works on the answer (it is bounded by
        // the work itself); the write gets its own.
        timer_->cancel();
        waiting_ = true;
        watch_->set_events(0);  // error and hangup still come: a client gone
        std::weak_ptr<Server*> server = server_.self_;
        server_.handler_(*req, [server, id = id_](Reply r) {
            auto s = server.lock();
            if (!s) return;
            auto it = (*s)->conns_.find(id);
            if (it != (*s)->conns_.end() && it->second->waiting_) it->second->reply(r);
        });
    }

    void write_some() {
        while (written_ < out_.size()) {
            const ssize_t n = ::send(fd_.get(), out_.data() + written_, out_.size() - written_,
                                     MSG_DONTWAIT | MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EAGAIN || errno == EINTR) return;
                ++server_.stats_.io_errors;  // the client went away
                return server_.close(id_);
            }
            written_ += static_cast<size_t>(n);
        }
        // Unread input (the rest of an oversized request) would make close()
        // reset the connection and the client lose the reply: drain a little.
        char sink[4096];
        for (int i = 0; i < 16 && ::recv(fd_.get(), sink, sizeof sink, MSG_DONTWAIT) > 0; ++i) {
        }
        ::shutdown(fd_.get(), SHUT_WR);
        return server_.close(id_);
    }

    void on_timeout() {
        ++server_.stats_.timed_out;
        if (reading_) {  // one best-effort line, never waited for
            const std::string msg = format_reply(error_reply(
                Status::Error, "timed out waiting for a complete request line", Format::Text));
            [[maybe_unused]] ssize_t n = ::send(fd_.get(), msg.data(), msg.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        }
        log::debug("control socket: client timed out ", reading_ ? "before sending its request" : "reading its reply");
        return server_.close(id_);
    }

    Server& server_;
    uint64_t id_;
    core::UniqueFd fd_;
    core::FdWatchPtr watch_;
    core::TimerPtr timer_;
    bool reading_ = true;
    bool waiting_ = false;  // the request is with the handler
    std::string in_;
    std::string out_;
    size_t written_ = 0;
};

core::Result<std::unique_ptr<Server>> Server::open(core::EventLoop& loop, ServerOptions opts, Handler handler) {
    auto sa = unix_address(opts.path);
    if (!sa) return sa.error();
    if (auto st = remove_stale_socket(opts.path); !st) return st.error();
    core::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) return core::system_error("control socket");
    // bind() creates the file with 0777 & ~umask: umask 0177 makes it 0600
    // from its first instant. (fchmod() on a socket fd would not reach the
    // file on Linux; the chmod below only repairs an unusual filesystem.)
    const mode_t old_umask = ::umask(0177);
    const int rc = ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&*sa), sizeof *sa);
    const int bind_errno = errno;
    ::umask(old_umask);
    if (rc != 0) return core::system_error("bind control socket " + opts.path, bind_errno);
    struct stat st {};
    if (::chmod(opts.path.c_str(), 0600) != 0 || ::stat(opts.path.c_str(), &st) != 0) {
        auto err = core::system_error("chmod 0600 " + opts.path);
        ::unlink(opts.path.c_str());
        return err;
    }
    if (::listen(fd.get(), 16) != 0) {
        auto err = core::system_error("listen on " + opts.path);
        ::unlink(opts.path.c_str());
        return err;
    }
    std::unique_ptr<Server> s(new Server(loop, std::move(opts), std::move(handler), std::move(fd), st.st_dev, st.st_ino));
    s->watch_ = loop.watch_fd(s->fd_.get(), core::fd_events::readable, [p = s.get()](uint32_t) { p->on_accept(); });
    if (!s->watch_) return core::system_error("watch control socket " + s->opts_.path);
    return s;
}

Server::Server(core::EventLoop& loop, ServerOptions opts, Handler handler, core::UniqueFd fd, dev_t dev, ino_t ino)
    : loop_(loop), opts_(std::move(opts)), handler_(std::move(handler)), fd_(std::move(fd)), dev_(dev), ino_(ino) {}

Server::~Server() {
    conns_.clear();
    watch_.reset();
    // Only our own file: a successor may already have replaced it.
    struct stat st {};
    if (::lstat(opts_.path.c_str(), &st) == 0 && st.st_dev == dev_ && st.st_ino == ino_) ::unlink(opts_.path.c_str());
}

void Server::on_accept() {
    accept_batch(fd_.get(), "control socket", [this](core::UniqueFd c) {
        ++stats_.accepted;
        const auto peer = peer_cred(c.get());
        const std::string refusal = peer_refusal(peer, opts_.allowed_uid);
        if (conns_.size() >= opts_.max_connections) {  // one best-effort line, no state kept
            ++stats_.busy;
            const std::string msg = format_reply(
                error_reply(Status::Error, "busy: too many control connections, try again", Format::Text));
            [[maybe_unused]] ssize_t n = ::send(c.get(), msg.data(), msg.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
            return;
        }
        const uint64_t id = next_id_++;
        auto conn = std::make_unique<Connection>(*this, id, std::move(c));
        if (!conn->watched()) {
            ++stats_.io_errors;
            return;
        }
        Connection& ref = *conn;
        conns_.emplace(id, std::move(conn));
        if (!refusal.empty()) {
            ++stats_.refused_peer;
            log::warning("control socket: refused pid ", peer ? peer->pid : 0, ": ", refusal);
            ref.reply(error_reply(Status::Error, refusal, Format::Text));
        }
    });
}

void Server::close(uint64_t id) { conns_.erase(id); }

}  // namespace halbd::ctl
