// check/probe_socket.hh: the socket setup every network checker kind shares
// (TCP_CHECK, HTTP_GET, SSL_GET, UDP_CHECK, DNS_CHECK, SMTP_CHECK,
// PING_CHECK): a non-blocking socket of the target's family with fwmark,
// bind_if and bindto/bind_port applied, the outcome of a non-blocking
// connect, and errno -> typed failure. Owns nothing: the caller holds the fd.
#pragma once

#include <sys/socket.h>

#include <string>
#include <variant>

#include "check/checker.hh"
#include "check/tcp_check.hh"
#include "core/fd.hh"
#include "net/address.hh"

namespace halbd::check {

// A LocalSetup failure: "not attempted: WHAT: strerror(e)".
CheckResult setup_failure(const std::string& what, int e);
// A connect/send/recv error as a typed result (ECONNREFUSED -> Refused, ...).
CheckResult socket_failure(int e);

// socket(family of t.address, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol)
// with SO_MARK, SO_BINDTODEVICE and bind() as t asks. bind_port is ignored
// when `with_port` is false (ICMP sockets have no port to bind).
std::variant<core::UniqueFd, CheckResult> open_probe_socket(const TcpTarget& t, int type, int protocol,
                                                            bool with_port = true);

// open_probe_socket() then a non-blocking connect() to t.address:t.port.
// in_progress is set when the connect has not completed yet (TCP); for UDP it
// completes at once.
std::variant<core::UniqueFd, CheckResult> connect_probe_socket(const TcpTarget& t, int type, bool& in_progress);
// Once a connect_probe_socket() in progress made the socket writable:
// success, or the typed connect failure (SO_ERROR through socket_failure()).
CheckResult connect_outcome(int fd);

}  // namespace halbd::check
