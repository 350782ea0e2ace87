// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/keywords_process.cc: keepalived's per-process keywords of
// global_defs (vrrp_rt_priority, checker_priority, vrrp_no_swap, ...), each
// filling one ProcessDefs (model_global.hh). keepalived applies each set to
// its own child process; halbd is one process and core/process_settings.cc
// combines the two sets. The table rows are in section_global.cc.
#include <algorithm>
#include <charconv>

#include "config/model.hh"
#include "config/sections.hh"

namespace halbd::config {

// vrrp_rt_priority N: SCHED_RR at N (1..99, sched_get_priority_max(SCHED_RR)).
void process_rt_priority(ProcessDefs& p, Args& a) {
    if (!a.count(1)) return;
    if (auto v = a.uint(0, 1, 99)) p.rt_priority = static_cast<uint32_t>(*v);
}

// vrrp_priority N: the nice value, -20..19.
void process_nice(ProcessDefs& p, Args& a) {
    if (!a.count(1)) return;
    if (auto v = a.integer(0, -20, 19)) p.nice = static_cast<int32_t>(*v);
}

// vrrp_no_swap: lock the process's memory (a flag).
void process_no_swap(ProcessDefs& p, Args& a) {
    if (!a.at_most(1)) return;
    if (!a.has(0)) {
        p.no_swap = true;
        return;
    }
    if (auto v = a.boolean(0)) p.no_swap = *v;
}

// vrrp_cpu_affinity CPU... : CPU numbers or ranges (0 2-3).
void process_cpu_affinity(ProcessDefs& p, Args& a) {
    if (!a.count(1, SIZE_MAX)) return;
    constexpr uint32_t kMaxCpu = 1023;  // CPU_SETSIZE - 1
    std::vector<uint32_t> cpus;
    for (size_t i = 0; i < a.size(); ++i) {
        const std::string& w = a.str(i);
        const auto dash = w.find('-');
        auto num = [&](std::string_view s, uint32_t& out) {
            const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
            return !s.empty() && r.ec == std::errc{} && r.ptr == s.data() + s.size() && out <= kMaxCpu;
        };
        uint32_t lo = 0, hi = 0;
        const bool ok = dash == std::string::npos
                            ? num(w, lo) && (hi = lo, true)
                            : num(std::string_view(w).substr(0, dash), lo) &&
                                  num(std::string_view(w).substr(dash + 1), hi) && lo <= hi;
        if (!ok) {
            a.error(i, "expected a CPU number or range (0-" + std::to_string(kMaxCpu) + ", e.g. 2 or 0-3), got '" +
                           w + "'");
            return;
        }
        for (uint32_t c = lo; c <= hi; ++c) cpus.push_back(c);
    }
    std::sort(cpus.begin(), cpus.end());
    cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
    p.cpu_affinity = std::move(cpus);
}

// vrrp_rlimit_rttime MICROSECONDS: RLIMIT_RTTIME (soft and hard).
void process_rlimit_rttime(ProcessDefs& p, Args& a) {
    if (!a.count(1)) return;
    if (auto v = a.uint(0, 1, UINT32_MAX)) p.rlimit_rttime_us = *v;
}

}  // namespace halbd::config
