// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// net/rtnl_address_backend.hh: the real AddressBackend, over one rtnetlink
// socket with libnl-route-3. Part of the privileged facade (DESIGN principle
// 12): adding and removing addresses needs CAP_NET_ADMIN. Created by halbd.cc
// and lent to the VRRP subsystem; owns the netlink socket.
#pragma once

#include <memory>

#include "net/address_backend.hh"
#include "net/rtnl_util.hh"

namespace halbd::net {

class RtnlAddressBackend final : public AddressBackend {
public:
    static core::Result<std::unique_ptr<RtnlAddressBackend>> open();
    ~RtnlAddressBackend() override;

    core::Result<LinkInfo> link(const std::string& ifname) override;
    core::Result<std::vector<InterfaceAddress>> addresses(const std::string& ifname, Family family) override;
    core::Status add_address(const std::string& ifname, const AddressSpec& a) override;
    core::Status remove_address(const std::string& ifname, const AddressSpec& a) override;

private:
    explicit RtnlAddressBackend(rtnl::NlSockPtr sock) : sock_(std::move(sock)) {}
    core::Result<int> ifindex(const std::string& ifname);

    rtnl::NlSockPtr sock_;
};

}  // namespace halbd::net
