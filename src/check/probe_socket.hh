// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/probe_socket.hh: the socket setup every network checker kind shares
// (TCP_CHECK, HTTP_GET, SSL_GET, UDP_CHECK, DNS_CHECK, SMTP_CHECK,
// PING_CHECK): a non-blocking socket of the target's family with fwmark,
// bind_if and bindto/bind_port applied, the outcome of a non-blocking
// connect, and errno -> typed failure. Every socket a checker opens is made
// here (the narrow adapter of DESIGN principle 12: PING_CHECK's raw socket
// is the one that needs CAP_NET_RAW, SO_MARK and SO_BINDTODEVICE need
// CAP_NET_ADMIN/CAP_NET_RAW). Owns nothing: the caller holds the fd (in a
// SocketIo, socket_io.hh).
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <variant>

#include "check/checker.hh"
#include "check/tcp_check.hh"
#include "core/fd.hh"
#include "net/address.hh"

namespace halbd::check {

// A LocalSetup result without a verdict (CheckResult::verdict false, the
// state is kept, as keepalived): "not attempted: WHAT: strerror(e)".
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

// An ICMP echo socket: a ping socket (SOCK_DGRAM, no privilege, when
// net.ipv4.ping_group_range admits our group) or a raw one (CAP_NET_RAW).
enum class PingSocket : uint8_t { Auto, Datagram, Raw };

// open_probe_socket() of an ICMP/ICMPv6 echo socket of `kind` (Auto is
// first resolved to a ping socket when the range admits us, else raw, and
// `kind` says which), with ICMP errors reported as recv() errors, a raw
// ICMPv6 socket filtered to echo replies and unreachables, connect()ed to
// t.address so that the kernel delivers only the target's packets.
std::variant<core::UniqueFd, CheckResult> open_ping_socket(const TcpTarget& t, PingSocket& kind);

// `opened` with a setup failure turned into a verdict: keepalived 2.2.7's
// UDP_CHECK (udp_bind_connect) and PING_CHECK count a socket they could not
// set up as a failed attempt, where TCP/HTTP/SMTP/DNS reschedule it.
std::variant<core::UniqueFd, CheckResult> setup_failure_counts(std::variant<core::UniqueFd, CheckResult> opened);

}  // namespace halbd::check
