// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/subscriber.hh: ConfigSubscriber, what every subsystem that follows
// the configuration implements (vrrp, check, forward, the no_accept filter),
// and StopOptions, the little a clean stop needs from the command line. The
// Daemon (src/halbd_daemon.hh) calls them in the order of the wiring table
// (src/wiring.cc); a subsystem never sees the command line.
#pragma once

#include <functional>
#include <iosfwd>

#include "config/model.hh"
#include "core/time.hh"

namespace halbd::config {

// The longest drain_before_stop() the Daemon waits for (withdraw_grace is
// at most 60 s); systemd's default stop timeout is 90 s.
inline constexpr Duration kDrainBound = std::chrono::seconds(65);

// What a clean stop (TERM/INT) leaves in the kernel.
struct StopOptions {
    bool keep_addresses = false;   // -V: VIPs, VMACs and virtual routes stay; no priority 0 advert
    bool keep_forwarding = false;  // -I: IPVS services and destinations stay
};

// A subsystem that follows the configuration. apply() gets the previous
// model (null at start) and the new one; it must change only what differs.
class ConfigSubscriber {
public:
    virtual ~ConfigSubscriber() = default;
    virtual void apply(const Model* previous, const Model& current) = 0;
    // TERM/INT, before any stop(): a subsystem whose first step must be
    // followed by a wait while everything else keeps running (route_announce:
    // forwarding stays while the router drops the withdrawn path) takes that
    // step here and calls done() when the others may stop (at once, or later
    // from the loop, which meanwhile runs as usual: adverts, checks, sync).
    // The Daemon bounds the wait (kDrainBound). Default: nothing to drain.
    virtual void drain_before_stop(const StopOptions& /*opts*/, std::function<void()> done) { done(); }
    // Clean stop: release what the subsystem created unless told to keep it.
    virtual void stop(const StopOptions& opts) = 0;
    // USR1: appends the subsystem's runtime state to the state dump (after the
    // configuration); lines starting with '#' are comments.
    virtual void dump_state(std::ostream& /*os*/) const {}
    // For a dump too large to format on the loop: a function that writes a
    // snapshot taken now, run later on the dump's worker thread (it must
    // hold copies, nothing of the subsystem). Empty (the default): the
    // Daemon calls dump_state() on the loop instead.
    virtual std::function<void(std::ostream&)> dump_state_later() const { return {}; }
};

}  // namespace halbd::config
