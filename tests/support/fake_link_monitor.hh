// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/support/fake_link_monitor.hh: FakeLinkMonitor, the LinkMonitor of
// unit tests: links live in a map the test sets and removes entries of, and
// each change is told to the listener as the kernel's would be.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "net/link_monitor.hh"

namespace halbd::net {

class FakeLinkMonitor final : public LinkMonitor {
public:
    std::optional<bool> up(const std::string& ifname) const override {
        auto it = links_.find(ifname);
        if (it == links_.end()) return std::nullopt;
        return it->second;
    }
    void set(const std::string& ifname, bool is_up) {
        links_[ifname] = is_up;
        changed(ifname);
    }
    void remove(const std::string& ifname) {
        links_.erase(ifname);
        changed(ifname);
    }

private:
    std::map<std::string, bool> links_;
};

}  // namespace halbd::net
