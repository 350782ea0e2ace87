// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/checker.cc: the small shared helpers of checker.hh (reason names,
// duration text). Used by every checker kind and by the scheduler's logs.
#include "check/checker.hh"

#include <cstdio>

namespace halbd::check {

const char* fail_reason_name(FailReason r) {
    switch (r) {
        case FailReason::Refused: return "refused";
        case FailReason::Timeout: return "timeout";
        case FailReason::Unreachable: return "unreachable";
        case FailReason::LocalSetup: return "local-setup";
        case FailReason::Error: return "error";
    }
    return "?";
}

std::string human_duration(Duration d) {
    using namespace std::chrono;
    const long long ms = duration_cast<milliseconds>(d).count();
    if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
    if (ms < 1000) return std::to_string(ms) + "ms";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%lld.%03lld", ms / 1000, ms % 1000);
    std::string s(buf);
    while (s.back() == '0') s.pop_back();  // 1.500 -> 1.5 (ms % 1000 != 0: a digit stays)
    return s + "s";
}

}  // namespace halbd::check
