// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// ctl/stats.hh: the statistics file keepalived writes on its STATS signal
// (keepalived.stats), halbd's halbd.stats: named counters grouped by section
// ("daemon", "VRRP instance VI_1"), written on USR2; on STATS_CLEAR
// (SIGRTMIN+1) written and then started again from zero. Clearing never
// touches the subsystems' own counters (halbctl still shows totals since
// start): Statistics keeps the values at the last clear and reports the
// difference. Used by ctl::Commands; pure, no I/O.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace halbd::ctl {

struct Counter {
    std::string section;  // "daemon", "VRRP instance VI_1"
    std::string name;     // "adverts_sent"
    uint64_t value = 0;   // since start
};

class Statistics {
public:
    // The file's text for counters read now, each less its value at the last
    // clear (a counter that went down, e.g. an instance recreated by a
    // reload, counts from zero). With clear, these values become the new zero.
    // header: the first line's text after "# ".
    std::string report(const std::vector<Counter>& now, const std::string& header, bool clear);

private:
    std::map<std::pair<std::string, std::string>, uint64_t> base_;
    bool cleared_ = false;
};

}  // namespace halbd::ctl
