// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/support/fake_transport.hh: an in-memory Transport (DESIGN principle 7) for
// unit tests of the VRRP subsystem: channels record what is sent and which
// groups are joined; tests inject received packets. Owns nothing but records.
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "vrrp/transport.hh"

namespace halbd::vrrp {

class FakeTransport final : public Transport {
public:
    struct Sent {
        std::string ifname;
        net::IpAddress src, dst;
        std::vector<uint8_t> msg;
        uint8_t ttl = 0;
    };
    struct Open {
        ChannelSpec spec;
        Receive receive;
        std::set<net::IpAddress> groups;
    };

    core::Result<std::unique_ptr<Channel>> open(const ChannelSpec& spec, Receive receive) override;

    // Delivers a packet to the channel of (ifname, family); false if none is open.
    bool inject(const std::string& ifname, net::Family family, const RxPacket& p);
    bool is_open(const std::string& ifname, net::Family family) const { return open_.count({ifname, family}) > 0; }
    // The ifindex the open channel was opened with (0: not open).
    int ifindex(const std::string& ifname, net::Family family) const {
        auto it = open_.find({ifname, family});
        return it == open_.end() ? 0 : it->second.spec.ifindex;
    }
    const std::set<net::IpAddress>& groups(const std::string& ifname, net::Family family) { return open_[{ifname, family}].groups; }
    std::vector<Sent>& sent() { return sent_; }
    void fail_open(bool f) { fail_open_ = f; }

private:
    friend class FakeChannel;
    std::map<std::pair<std::string, net::Family>, Open> open_;
    std::vector<Sent> sent_;
    bool fail_open_ = false;
};

}  // namespace halbd::vrrp
