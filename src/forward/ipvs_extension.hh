// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/ipvs_extension.hh: what only IPVS has beyond the neutral Backend:
// flushing the whole table, the kernel's connection timeouts and its
// connection-sync daemon. A backend offers it through Backend::ipvs()
// (IpvsBackend and its in-memory fake do); ForwardSubsystem uses it only
// then, so another backend is never asked for any of this.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.hh"
#include "net/address.hh"

namespace halbd::forward {

// Kernel connection timeouts (ipvsadm --set); 0 = leave unchanged.
struct Timeouts {
    uint32_t tcp = 0, tcp_fin = 0, udp = 0;
    friend bool operator==(const Timeouts&, const Timeouts&) = default;
};

// The kernel's connection-sync daemon (ipvsadm --start-daemon).
struct SyncDaemon {
    enum class Role : uint8_t { Master = 1, Backup = 2 };  // IP_VS_STATE_* values
    Role role = Role::Master;
    std::string ifname;
    uint32_t syncid = 0;
    uint16_t maxlen = 0;       // 0 = kernel default
    uint16_t port = 0;         // 0 = kernel default (8848)
    uint8_t ttl = 0;           // 0 = kernel default (1)
    net::IpAddress group;      // unspecified = kernel default multicast group
    bool has_group = false;
    friend bool operator==(const SyncDaemon&, const SyncDaemon&) = default;
};

class IpvsExtension {
public:
    virtual ~IpvsExtension() = default;
    // Removes every service (lvs_flush, lvs_flush_on_stop).
    virtual core::Status flush() = 0;
    virtual core::Result<Timeouts> get_timeouts() = 0;
    virtual core::Status set_timeouts(const Timeouts& t) = 0;
    virtual core::Status start_sync_daemon(const SyncDaemon& d) = 0;
    virtual core::Status stop_sync_daemon(SyncDaemon::Role role) = 0;
};

}  // namespace halbd::forward
