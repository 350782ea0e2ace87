// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// halbctl_client.hh: the control-socket side of halbctl: parses its command
// line, sends one request to halbd's control socket (ctl/protocol.hh), prints
// the reply and maps it to an exit status. Called by halbctl.cc (and the unit
// tests); owns nothing past the call.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "core/result.hh"
#include "core/time.hh"

namespace halbd {

// halbctl's exit statuses (halbctl(8) EXIT STATUS).
inline constexpr int kExitOk = 0;           // the command succeeded
inline constexpr int kExitFailed = 1;       // halbd answered: refused reload, subsystem not running
inline constexpr int kExitUsage = 2;        // bad command line, or halbd refused the request
inline constexpr int kExitUnreachable = 3;  // no answer: not running, no permission, timeout

// args: argv[1..]. Returns the exit status.
int control_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// One request/reply exchange (blocking, bounded by timeout). The error is a
// sentence for the operator ("cannot connect to /run/halbd.ctl: No such file
// or directory — is halbd running?").
core::Result<std::string> control_exchange(const std::string& path, const std::string& request, Duration timeout);

std::string control_usage();

}  // namespace halbd
