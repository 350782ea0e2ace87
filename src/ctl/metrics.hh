// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// ctl/metrics.hh: what /metrics (ctl/metrics_server.hh) and `halbctl metrics`
// print: the daemon's state and counters in the Prometheus text format, read
// from the same inspection methods as the halbctl views (they own the state;
// this only reads it). Metric names and labels are documented in halbd(8)
// METRICS and stay stable.
#pragma once

#include <chrono>
#include <string>

#include "ctl/commands.hh"

namespace halbd::ctl {

// wall_now: the wall clock now (process start time = wall_now - uptime).
std::string metrics_text(const Sources& s, std::chrono::system_clock::time_point wall_now);

}  // namespace halbd::ctl
