// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// ctl/stats.cc: see stats.hh. The layout is in halbd(8) FILES.
#include "ctl/stats.hh"

#include <sstream>

namespace halbd::ctl {

std::string Statistics::report(const std::vector<Counter>& now, const std::string& header, bool clear) {
    std::ostringstream os;
    os << "# " << header << ", counters since " << (cleared_ ? "the last STATS_CLEAR" : "start") << "\n";
    const std::string* section = nullptr;
    for (const auto& c : now) {
        if (!section || *section != c.section) {
            os << c.section << ":\n";
            section = &c.section;
        }
        const auto it = base_.find({c.section, c.name});
        const uint64_t base = it == base_.end() || it->second > c.value ? 0 : it->second;
        os << "  " << c.name << ": " << c.value - base << "\n";
    }
    if (clear) {
        base_.clear();
        for (const auto& c : now) base_[{c.section, c.name}] = c.value;
        cleared_ = true;
    }
    return os.str();
}

}  // namespace halbd::ctl
