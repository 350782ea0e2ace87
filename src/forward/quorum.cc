// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/quorum.cc: the quorum rule and its state (quorum.hh), as keepalived
// 2.2.7 check/ipwrapper.c update_quorum_state() and weigh_live_realservers().
#include "forward/quorum.hh"

namespace halbd::forward {

bool quorum_up(uint64_t live, uint32_t quorum, uint32_t hysteresis, std::optional<bool> was_up) {
    if (!was_up || !*was_up) return live >= uint64_t{quorum} + hysteresis;
    const uint64_t threshold = quorum > hysteresis ? quorum - hysteresis : 0;
    return live != 0 && live >= threshold;
}

uint64_t live_weight(const config::VirtualServer& vs, const PoolView& pool) {
    uint64_t live = 0;
    for (const auto& rs : vs.real_servers)
        if (pool.is_up(vs, rs)) live += static_cast<uint64_t>(real_weight(pool.effective_weight(vs, rs)));
    return live;
}

bool Quorum::would_be_up(const config::VirtualServer& vs, const PoolView& pool) const {
    return quorum_up(live_weight(vs, pool), vs.quorum, vs.hysteresis, last_);
}

Quorum::Settled Quorum::settle(const config::VirtualServer& vs, const PoolView& pool) {
    Settled s;
    s.live = live_weight(vs, pool);
    s.up = quorum_up(s.live, vs.quorum, vs.hysteresis, last_);
    s.changed = last_ && *last_ != s.up;
    last_ = s.up;
    return s;
}

bool quorum_holds(const config::VirtualServer& vs, const PoolView& pool) {
    return Quorum(pool.quorum_was_up(vs)).would_be_up(vs, pool);
}

}  // namespace halbd::forward
