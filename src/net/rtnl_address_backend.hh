// net/rtnl_address_backend.hh: the real AddressBackend, over one rtnetlink
// socket with libnl-route-3. Part of the privileged facade (DESIGN principle
// 12): adding and removing addresses needs CAP_NET_ADMIN. Created by halbd.cc
// and lent to the VRRP subsystem; owns the netlink socket.
#pragma once

#include <memory>

#include "net/address_backend.hh"

struct nl_sock;

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
    struct SockDeleter {
        void operator()(nl_sock* s) const;
    };
    explicit RtnlAddressBackend(std::unique_ptr<nl_sock, SockDeleter> sock) : sock_(std::move(sock)) {}
    core::Result<int> ifindex(const std::string& ifname);

    std::unique_ptr<nl_sock, SockDeleter> sock_;
};

}  // namespace halbd::net
