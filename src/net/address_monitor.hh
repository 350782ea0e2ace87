// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// net/address_monitor.hh: AddressMonitor, the kernel's address changes as
// the VRRP subsystem follows them (an `ip addr del` of a VIP must not go
// unnoticed): an address added to or removed from an interface, or "events
// were lost, look again". RtnlAddressMonitor (rtnetlink RTMGRP_IPV4_IFADDR /
// RTMGRP_IPV6_IFADDR on the loop) is the real one, FakeAddressMonitor the
// one of tests. The VRRP subsystem is the only listener.
#pragma once

#include <functional>
#include <string>
#include <utility>

#include "net/address.hh"

namespace halbd::net {

struct AddressEvent {
    enum class Kind : uint8_t {
        Added,    // RTM_NEWADDR
        Removed,  // RTM_DELADDR
        Lost,     // events were lost (socket overrun): check what matters
    };
    Kind kind = Kind::Removed;
    std::string ifname;  // Added, Removed
    Prefix address;      // Added, Removed
};

class AddressMonitor {
public:
    using Listener = std::function<void(const AddressEvent&)>;
    virtual ~AddressMonitor() = default;
    void set_listener(Listener l) { listener_ = std::move(l); }

protected:
    void changed(const AddressEvent& e) {
        if (listener_) listener_(e);
    }

private:
    Listener listener_;
};

}  // namespace halbd::net
