// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// ctl/protocol.hh: the control socket's wire protocol, shared by the server
// (ctl/server.cc, ctl/commands.cc) and halbctl. A request is one line: a
// command word, then arguments, `--json` anywhere among them; a reply is a
// status line (`ok`, `failed`, `unavailable`, `error`) and the body up to
// EOF. Pure functions: no I/O, unit-tested in tests/unit/ctl_protocol_test.cc.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hh"

namespace halbd::ctl {

// A request line longer than this (newline included) is refused unread.
inline constexpr size_t kMaxRequest = 1024;

enum class Command { Ipvs, Vrrp, Checks, Status, Reload, Dump, Sync, Metrics, Announce, Drain, Undrain };
inline constexpr Command kCommands[] = {Command::Ipvs,     Command::Vrrp,  Command::Checks,  Command::Status,
                                        Command::Reload,   Command::Dump,  Command::Sync,    Command::Metrics,
                                        Command::Announce, Command::Drain, Command::Undrain};
const char* command_name(Command c);  // "ipvs", ...
std::optional<Command> command_from_name(std::string_view word);

enum class Format { Text, Json };

struct Request {
    Command command = Command::Status;
    Format format = Format::Text;
};

// Parses one request line (without its newline; a trailing '\r' is ignored).
// Errors name the problem in one line ("unknown command 'foo'").
core::Result<Request> parse_request(std::string_view line);
// The line halbctl sends (newline included).
std::string format_request(const Request& r);

// Reply status. ok: the command ran; failed: it ran and did not succeed
// (a reload refused); unavailable: the subsystem it asks about is not
// running; error: the request was refused (malformed, too long, not root,
// timed out, server busy).
enum class Status { Ok, Failed, Unavailable, Error };
const char* status_name(Status s);
std::optional<Status> status_from_name(std::string_view word);

struct Reply {
    Status status = Status::Ok;
    std::string body;  // text (ends with '\n' unless empty) or one JSON value
};

// The reply on the wire: "<status>\n<body>". Every JSON body is one envelope
// (json_envelope): {"ok":true,"data":DATA} when the command ran, else
// {"ok":false,"status":"failed|unavailable|error","error":MESSAGE} with
// "data" too when there is some (a refused reload's report).
std::string format_reply(const Reply& r);
// The envelope around data (a JSON value; empty: none) for status s.
std::string json_envelope(Status s, const std::string& data, const std::string& error);
// An error reply in the request's format.
Reply error_reply(Status s, const std::string& message, Format f);
// Splits what the server sent (up to EOF). Error: no status line.
core::Result<Reply> parse_reply(std::string_view wire);

}  // namespace halbd::ctl
