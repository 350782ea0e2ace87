// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// halbctl_client.cc: see halbctl_client.hh.
#include "halbctl_client.hh"
#include "halbctl_drain.hh"

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <boost/program_options.hpp>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <sstream>
#include <thread>

#include "core/fd.hh"
#include "ctl/protocol.hh"
#include "halbd_options.hh"

namespace po = boost::program_options;

namespace halbd {

namespace {

constexpr size_t kMaxReply = 64u << 20;  // far past any real table; stops a runaway peer

po::options_description describe() {
    po::options_description d("Options");
    // clang-format off
    d.add_options()
        ("socket,s", po::value<std::string>()->value_name("PATH"),
         "halbd's control socket (default " RUNSTATEDIR "/halbd.ctl)")
        ("json,j", "reply as JSON (one value on standard output)")
        ("timeout,t", po::value<double>()->value_name("SECONDS"), "give up after SECONDS (default 10)")
        ("wait", po::value<double>()->value_name("SECONDS"),
         "drain: then wait up to SECONDS until the connections to the drained addresses fall to --below")
        ("below", po::value<size_t>()->value_name("N"), "drain --wait: connections that may remain (default 0)")
        ("idle", po::value<uint32_t>()->value_name("SECONDS"),
         "drain --wait: a TCP connection with no packet for SECONDS no longer counts (default 10)")
        ("help,h", "print this help and exit")
        ("version,v", "print the version and exit");
    // clang-format on
    return d;
}

std::string connect_hint(int code) {
    switch (code) {
        case ENOENT:
        case ECONNREFUSED: return " \u2014 is halbd running?";
        case EACCES:
        case EPERM: return " \u2014 the control socket is root-only";
        default: return "";
    }
}

}  // namespace

std::string control_usage() {
    std::ostringstream os;
    os << "Usage: halbctl [--socket PATH] [--json] COMMAND\n"
          "       halbctl genhash OPTIONS\n"
          "Control client for halbd(8). Commands:\n"
          "  status   generation, configuration file, uptime, subsystems\n"
          "  ipvs     what halbd programmed into IPVS, as ipvsadm -Ln --sort prints it\n"
          "  vrrp     each VRRP instance: state, priority, master, VIPs, drops\n"
          "  checks   each real server: up/down, failing checkers, last failure\n"
          "  sync     connection sync: peer, bulk transfer, caches, counters, last commit\n"
          "  announce what this node announces to its routing daemon (route_announce), and why not\n"
          "  drain    withdraw every announcement (maintenance); with --wait, then wait for\n"
          "           the connections to the drained addresses to end\n"
          "  undrain  announce again what serves\n"
          "  reload   reload the configuration (as SIGHUP) and say whether it was accepted\n"
          "  dump     the state dump SIGUSR1 writes\n"
          "  metrics  the Prometheus text /metrics serves (metrics_listen)\n"
          "  genhash  digest of a web page for HTTP_GET/SSL_GET (see halbctl genhash --help)\n\n"
       << describe()
       << "\nExit status: 0 done, 1 halbd said no (reload refused, subsystem not running),\n"
          "2 usage error, 3 halbd could not be reached. See halbctl(8).\n";
    return os.str();
}

core::Result<std::string> control_exchange(const std::string& path, const std::string& request, Duration timeout) {
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof sa.sun_path)
        return core::Error{ENAMETOOLONG, "control socket path '" + path + "' is too long"};
    std::memcpy(sa.sun_path, path.data(), path.size());
    core::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) return core::system_error("socket");
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(timeout).count();
    timeval tv{static_cast<time_t>(us / 1000000), static_cast<suseconds_t>(us % 1000000)};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0) {
        const int e = errno;
        return core::Error{e, "cannot connect to " + path + ": " + std::strerror(e) + connect_hint(e)};
    }
    for (size_t off = 0; off < request.size();) {
        const ssize_t n = ::send(fd.get(), request.data() + off, request.size() - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        // Refused before reading (not root, busy): its reply is waiting to be read.
        if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) break;
        if (n < 0) return core::system_error("send to " + path);
        off += static_cast<size_t>(n);
    }
    std::string reply;
    char buf[65536];
    for (;;) {
        const ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return core::Error{ETIMEDOUT, "no complete reply from halbd on " + path + " within the timeout"};
        if (n < 0 && errno == ECONNRESET && !reply.empty()) break;
        if (n < 0) return core::system_error("read from " + path);
        if (n == 0) break;
        reply.append(buf, static_cast<size_t>(n));
        if (reply.size() > kMaxReply) return core::Error{EMSGSIZE, "reply from " + path + " is too large"};
    }
    return reply;
}

// halbd answers "busy" without reading the request when it has too many
// control connections: nothing was done, so asking again is safe. Retried
// with a growing pause (20 ms to 0.5 s) until the deadline.
core::Result<std::string> exchange_until_not_busy(const std::string& path, const std::string& request,
                                                  std::chrono::steady_clock::time_point deadline) {
    auto pause = std::chrono::milliseconds(20);
    for (;;) {
        const auto left = deadline - std::chrono::steady_clock::now();
        if (left <= Duration::zero())
            return core::Error{ETIMEDOUT, "halbd on " + path + " stayed busy (too many control connections)"};
        auto wire = control_exchange(path, request, std::chrono::duration_cast<Duration>(left));
        if (!wire) return wire;
        auto reply = ctl::parse_reply(*wire);
        if (!reply || reply->status != ctl::Status::Error || reply->body.rfind("busy:", 0) != 0) return wire;
        std::this_thread::sleep_for(std::min<Duration>(pause, deadline - std::chrono::steady_clock::now()));
        pause = std::min(pause * 2, std::chrono::milliseconds(500));
    }
}

int control_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    po::options_description opts = describe();
    po::options_description hidden;
    hidden.add_options()("command", po::value<std::vector<std::string>>(), "");
    po::options_description all;
    all.add(opts).add(hidden);
    po::positional_options_description pos;
    pos.add("command", -1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        err << "halbctl: " << e.what() << " (see halbctl --help)\n";
        return kExitUsage;
    }
    if (vm.count("help")) {
        out << control_usage();
        return kExitOk;
    }
    if (vm.count("version")) {
        out << "halbctl " PACKAGE_VERSION "\n";
        return kExitOk;
    }
    std::vector<std::string> words;
    if (vm.count("command")) words = vm["command"].as<std::vector<std::string>>();
    if (words.empty()) {
        err << "halbctl: no command given (see halbctl --help)\n";
        return kExitUsage;
    }
    if (words.size() > 1) {
        err << "halbctl: unexpected argument '" << words[1] << "' after " << words[0] << " (see halbctl --help)\n";
        return kExitUsage;
    }
    auto cmd = ctl::command_from_name(words[0]);
    if (!cmd) {
        err << "halbctl: unknown command '" << words[0] << "' (see halbctl --help)\n";
        return kExitUsage;
    }
    if ((vm.count("wait") || vm.count("below") || vm.count("idle")) && *cmd != ctl::Command::Drain) {
        err << "halbctl: --wait, --below and --idle go with drain only\n";
        return kExitUsage;
    }
    double wait_s = 0;
    if (vm.count("wait")) {
        wait_s = vm["wait"].as<double>();
        if (!(wait_s >= 0 && wait_s <= 86400)) {
            err << "halbctl: --wait must be between 0 and 86400 seconds\n";
            return kExitUsage;
        }
    }
    ctl::Request req{*cmd, vm.count("json") ? ctl::Format::Json : ctl::Format::Text};
    double secs = 10;
    if (vm.count("timeout")) {
        secs = vm["timeout"].as<double>();
        if (!(secs > 0 && secs <= 3600)) {
            err << "halbctl: --timeout must be between 0 and 3600 seconds\n";
            return kExitUsage;
        }
    }
    const std::string path = vm.count("socket") ? vm["socket"].as<std::string>() : kDefaultControlSocket;
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::duration_cast<Duration>(std::chrono::duration<double>(secs));
    auto wire = exchange_until_not_busy(path, ctl::format_request(req), deadline);
    if (!wire) {
        err << "halbctl: " << wire.error().message << "\n";
        return kExitUnreachable;
    }
    auto reply = ctl::parse_reply(*wire);
    if (!reply) {
        err << "halbctl: " << path << ": " << reply.error().message << "\n";
        return kExitUnreachable;
    }
    const bool json = req.format == ctl::Format::Json;
    switch (reply->status) {
        case ctl::Status::Ok:
            out << reply->body;
            if (vm.count("wait")) {
                // The drained addresses, then the kernel's table (halbctl_drain.hh).
                auto again = exchange_until_not_busy(
                    path, ctl::format_request({ctl::Command::Announce, ctl::Format::Json}), deadline);
                auto ann = again ? ctl::parse_reply(*again) : core::Result<ctl::Reply>(again.error());
                if (!ann || ann->status != ctl::Status::Ok) {
                    err << "halbctl: cannot read the drained addresses\n";
                    return kExitUnreachable;
                }
                const size_t below = vm.count("below") ? vm["below"].as<size_t>() : 0;
                const uint32_t idle = vm.count("idle") ? vm["idle"].as<uint32_t>() : 10;
                const int rc = wait_for_drain(drained_addresses(ann->body), below, idle, wait_s, json ? err : out, err);
                return rc == 0 ? kExitOk : rc == 1 ? kExitFailed : kExitUnreachable;
            }
            return kExitOk;
        case ctl::Status::Failed: out << reply->body; return kExitFailed;
        case ctl::Status::Unavailable:
            (json ? out : err << "halbctl: ") << reply->body;
            return kExitFailed;
        case ctl::Status::Error:
            (json ? out : err << "halbctl: ") << reply->body;
            // A permission refusal is "cannot reach"; anything else, a bad request.
            return reply->body.find("permission denied") != std::string::npos ? kExitUnreachable : kExitUsage;
    }
    return kExitUnreachable;
}

}  // namespace halbd
