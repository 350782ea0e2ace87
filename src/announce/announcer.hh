// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// announce/announcer.hh: Announcer, the seam between the announce subsystem
// (which decides what this node announces) and a routing daemon (which
// speaks BGP): BIRD through its control socket (bird_announcer.hh), FRR
// through vtysh (frr_announcer.hh). The subsystem says which of the daemon's
// protocols it wants enabled; the announcer makes the daemon agree, again
// after every reconnect (the daemon may have restarted with them disabled).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "core/time.hh"

namespace halbd::announce {

struct ProtocolStatus {
    bool wanted = false;                 // what halbd asks for
    std::optional<bool> enabled;         // what the daemon last confirmed (nullopt: not known)
    std::string refused;                 // the daemon's last refusal ("syntax error, ..."), if any
};

struct AnnouncerStatus {
    std::string daemon;    // "BIRD", "FRR"
    std::string endpoint;  // its control socket, or vtysh and bgpd's instance
    std::string unit = "protocol";  // what the names are: BIRD "protocol", FRR "network"
    bool connected = false;
    std::string last_error;       // why it is not connected, or the last failure
    uint64_t commands = 0;        // commands the daemon answered
    uint64_t refusals = 0;        // of those, refused (an error reply)
    uint64_t connects = 0;        // connections established
    uint64_t failures = 0;        // connection attempts failed or connections lost
    std::map<std::string, ProtocolStatus> protocols;
};

class Announcer {
public:
    virtual ~Announcer() = default;
    // The protocols halbd manages (FRR: network prefixes), each enabled
    // (true, announced) or disabled. One
    // managed before and absent now is disabled once, then forgotten.
    // Applied asynchronously, in order, on the daemon's loop.
    virtual void want(const std::map<std::string, bool>& enabled) = 0;
    // At stop: disables every managed protocol now (blocking, at most
    // `bound`), so the routes leave before anything else is torn down.
    virtual void withdraw_now(Duration bound) = 0;
    // At stop, without blocking the loop (VRRP adverts go on): the same, and
    // done() once the daemon confirmed or failed (within about `bound`).
    // Default: withdraw_now(), then done() at once (BIRD answers in
    // microseconds; a vtysh run costs 0.1-0.4 s).
    virtual void withdraw(Duration bound, std::function<void()> done) {
        withdraw_now(bound);
        done();
    }
    virtual AnnouncerStatus status() const = 0;
};

}  // namespace halbd::announce
