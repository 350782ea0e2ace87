// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// net/link_monitor.hh: LinkMonitor, the kernel's links as VRRP tracking sees
// them: does an interface exist, is it up (IFF_UP and IFF_RUNNING), and a
// callback when that changes. RtnlLinkMonitor (rtnetlink RTMGRP_LINK on the
// loop) is the real one, FakeLinkMonitor (tests/support) the one of tests.
// The VRRP subsystem is the only listener; it fans link changes out to its
// instances' tracking.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>

namespace halbd::net {

class LinkMonitor {
public:
    // Called with the interface whose state (existence or up/down) changed.
    using Listener = std::function<void(const std::string& ifname)>;
    virtual ~LinkMonitor() = default;
    // nullopt: no such interface; else whether it is up and has carrier.
    virtual std::optional<bool> up(const std::string& ifname) const = 0;
    void set_listener(Listener l) { listener_ = std::move(l); }

protected:
    void changed(const std::string& ifname) {
        if (listener_) listener_(ifname);
    }

private:
    Listener listener_;
};

}  // namespace halbd::net
