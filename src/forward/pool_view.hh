// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/pool_view.hh: how forwarding sees the real servers: the PoolView
// interface the health-check subsystem implements (up/down, effective weight,
// the quorum it last decided), keepalived's initial pool, and the weight
// clamp. Read by desired.cc and quorum.cc; implemented by check/subsystem.
#pragma once

#include <cstdint>
#include <optional>

#include "config/model.hh"

namespace halbd::forward {

// The health-check subsystem's view of the real servers. The config objects
// passed in are those of the Model being programmed.
class PoolView {
public:
    virtual ~PoolView() = default;
    // Is this real server alive (keepalived ISALIVE)?
    virtual bool is_up(const config::VirtualServer& vs, const config::RealServer& rs) const = 0;
    // keepalived's effective_weight (MISC_CHECK dynamic, FILE_CHECK and BFD
    // weights change it); before clamping to 0..INT32_MAX.
    virtual int64_t effective_weight(const config::VirtualServer&, const config::RealServer& rs) const {
        return rs.weight ? *rs.weight : 1;
    }
    // The quorum state last decided for this virtual server (its Quorum's
    // last(), quorum.hh), for hysteresis; nullopt when there is none yet
    // (start): then the rule decides as keepalived's set_quorum_states() does.
    virtual std::optional<bool> quorum_was_up(const config::VirtualServer&) const { return std::nullopt; }
};

// keepalived's state before any check ran (check_api.c / ipwrapper.c
// init_service_rs): a real server is up unless one of its checkers has
// `alpha` (such a checker starts failed); no checker = up.
class InitialPool : public PoolView {
public:
    bool is_up(const config::VirtualServer& vs, const config::RealServer& rs) const override;
};

// Clamp of an effective weight to what a backend accepts, 0..INT32_MAX
// (keepalived real_weight()).
int32_t real_weight(int64_t effective_weight);

}  // namespace halbd::forward
