// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/quorum.hh: the one owner of a virtual server's quorum (keepalived
// ipwrapper.c update_quorum_state, weigh_live_realservers): the rule with its
// hysteresis, the live weight it weighs, and the state last decided (Quorum).
// The health-check subsystem holds one Quorum per virtual server and settles
// it after each pool change; desired.cc asks quorum_holds() what to program.
#pragma once

#include <cstdint>
#include <optional>

#include "config/model.hh"
#include "forward/pool_view.hh"

namespace halbd::forward {

// The rule. live_weight is the sum of the clamped effective weights of the
// live real servers.
//  - nothing decided yet (set_quorum_states), or was down: up iff live >= quorum + hysteresis
//  - was up: stays up iff live > 0 and live >= quorum - hysteresis
bool quorum_up(uint64_t live_weight, uint32_t quorum, uint32_t hysteresis, std::optional<bool> was_up);

// The sum of the clamped effective weights of the live real servers of vs
// (what the rule weighs).
uint64_t live_weight(const config::VirtualServer& vs, const PoolView& pool);

// One virtual server's quorum: the decision last recorded, and the rule
// applied against it.
class Quorum {
public:
    Quorum() = default;  // nothing decided yet
    explicit Quorum(std::optional<bool> last) : last_(last) {}

    // What the rule decides for vs with this pool, against the last decision.
    bool would_be_up(const config::VirtualServer& vs, const PoolView& pool) const;

    struct Settled {
        bool up = false;       // the decision now recorded
        bool changed = false;  // a previous decision differed
        uint64_t live = 0;     // the live weight it weighed
    };
    // Decides with the pool now and records the decision.
    Settled settle(const config::VirtualServer& vs, const PoolView& pool);

    std::optional<bool> last() const { return last_; }

private:
    std::optional<bool> last_;
};

// The quorum forwarding programs for vs now: the rule against the decision
// the pool last recorded (PoolView::quorum_was_up).
bool quorum_holds(const config::VirtualServer& vs, const PoolView& pool);

}  // namespace halbd::forward
