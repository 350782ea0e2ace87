// net/fake_net.hh: in-memory AddressBackend and Announcer (DESIGN principle
// 7) for unit tests of the VRRP adapter: links and their addresses live in a
// map, every call is journaled ("add 192.0.2.1/24 eth0", "garp 192.0.2.1
// eth0"), and the next call can be made to fail. Owns only its tables.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "net/address_backend.hh"
#include "net/announcer.hh"

namespace halbd::net {

class FakeAddressBackend final : public AddressBackend {
public:
    // Adds a link (ifindex = order of creation, from 2), optionally with an address.
    LinkInfo& add_link(const std::string& name, std::optional<Prefix> primary = std::nullopt);
    // Deletes a link and its addresses (add_link again: a new ifindex).
    void remove_link(const std::string& name) { links_.erase(name); }

    core::Result<LinkInfo> link(const std::string& ifname) override;
    core::Result<std::vector<InterfaceAddress>> addresses(const std::string& ifname, Family family) override;
    core::Status add_address(const std::string& ifname, const AddressSpec& a) override;
    core::Status remove_address(const std::string& ifname, const AddressSpec& a) override;

    bool has(const std::string& ifname, const IpAddress& ip) const;
    std::vector<std::string>& journal() { return journal_; }
    void fail_next(int err) { fail_next_ = err; }

private:
    struct Link {
        LinkInfo info;
        std::vector<InterfaceAddress> addrs;
    };
    std::map<std::string, Link> links_;
    std::vector<std::string> journal_;
    int fail_next_ = 0;
    int next_ifindex_ = 2;
};

class FakeAnnouncer final : public Announcer {
public:
    core::Status garp(const LinkInfo& link, const IpAddress& vip) override;
    core::Status unsolicited_na(const LinkInfo& link, const IpAddress& vip) override;
    std::vector<std::string>& journal() { return journal_; }

private:
    std::vector<std::string> journal_;
};

}  // namespace halbd::net
