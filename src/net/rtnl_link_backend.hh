// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// net/rtnl_link_backend.hh: the real LinkBackend: links over one rtnetlink
// socket with libnl-route-3 (rtnl_link_macvlan_*), sysctls as reads and
// writes of /proc/sys. Part of the privileged facade (DESIGN principle 12):
// creating links and writing sysctls needs CAP_NET_ADMIN. Created by halbd.cc
// and lent to the VRRP subsystem; owns the netlink socket.
#pragma once

#include <memory>

#include "net/link_backend.hh"
#include "net/rtnl_util.hh"

namespace halbd::net {

class RtnlLinkBackend final : public LinkBackend {
public:
    static core::Result<std::unique_ptr<RtnlLinkBackend>> open();
    ~RtnlLinkBackend() override;

    core::Result<std::optional<LinkDetails>> details(const std::string& ifname) override;
    core::Status create_macvlan(const MacvlanSpec& spec) override;
    core::Status set_up(const std::string& ifname) override;
    core::Status delete_link(const std::string& ifname) override;
    core::Result<int> read_sysctl(const std::string& key) override;
    core::Status write_sysctl(const std::string& key, int value) override;

private:
    explicit RtnlLinkBackend(rtnl::NlSockPtr sock) : sock_(std::move(sock)) {}

    rtnl::NlSockPtr sock_;
};

}  // namespace halbd::net
