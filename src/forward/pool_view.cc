// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/pool_view.cc: InitialPool and real_weight() (pool_view.hh).
#include "forward/pool_view.hh"

#include <climits>

namespace halbd::forward {

bool InitialPool::is_up(const config::VirtualServer&, const config::RealServer& rs) const {
    // check_api.c: "In Alpha mode also mark any checker that hasn't run as failed."
    for (const auto& c : rs.checkers)
        if (c.alpha.value_or(rs.alpha.value_or(false))) return false;
    return true;
}

int32_t real_weight(int64_t w) {
    if (w < 0) return 0;
    if (w > INT32_MAX) return INT32_MAX;
    return static_cast<int32_t>(w);
}

}  // namespace halbd::forward
