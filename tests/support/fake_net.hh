// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/support/fake_net.hh: in-memory AddressBackend, RouteBackend, LinkBackend and
// Announcer (DESIGN principle 7) for unit tests of the VRRP adapter: links
// and their addresses live in a map, routes and rules in lists, every call
// is journaled ("add 192.0.2.1/24 eth0", "add route 198.51.100.0/24 via
// 192.0.2.254", "garp 192.0.2.1 eth0", "create vrrp.51 on eth0 ..."), and the
// next call can be made to fail. Owns only its tables.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "net/address_backend.hh"
#include "net/announcer.hh"
#include "net/link_backend.hh"
#include "net/route_backend.hh"

namespace halbd::net {

class FakeAddressBackend final : public AddressBackend {
public:
    // Adds a link (ifindex = order of creation, from 2), optionally with an address.
    LinkInfo& add_link(const std::string& name, std::optional<Prefix> primary = std::nullopt);
    // The link and its addresses go (as `ip link del`; add_link again gives a
    // new ifindex); false if there was none.
    bool remove_link(const std::string& name);
    LinkInfo* find_link(const std::string& name);

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

class FakeRouteBackend final : public RouteBackend {
public:
    core::Status add_route(const RouteSpec& r) override;
    core::Status remove_route(const RouteSpec& r) override;
    core::Status add_rule(const RuleSpec& r) override;
    core::Status remove_rule(const RuleSpec& r) override;

    const std::vector<RouteSpec>& routes() const { return routes_; }
    const std::vector<RuleSpec>& rules() const { return rules_; }
    // By describe() text, e.g. has_route("198.51.100.0/24 via 192.0.2.254 table 100").
    bool has_route(const std::string& text) const;
    bool has_rule(const std::string& text) const;
    std::vector<std::string>& journal() { return journal_; }
    void fail_next(int err) { fail_next_ = err; }

private:
    std::vector<RouteSpec> routes_;
    std::vector<RuleSpec> rules_;
    std::vector<std::string> journal_;
    int fail_next_ = 0;
};

// Links it creates appear in (and are deleted from) the FakeAddressBackend,
// so addresses can be added to them and the transport can open them.
class FakeLinkBackend final : public LinkBackend {
public:
    explicit FakeLinkBackend(FakeAddressBackend& addrs) : addrs_(addrs) {}

    core::Result<std::optional<LinkDetails>> details(const std::string& ifname) override;
    core::Status create_macvlan(const MacvlanSpec& spec) override;
    core::Status set_up(const std::string& ifname) override;
    core::Status delete_link(const std::string& ifname) override;
    core::Result<int> read_sysctl(const std::string& key) override;
    core::Status write_sysctl(const std::string& key, int value) override;

    std::map<std::string, int>& sysctls() { return sysctls_; }  // unset keys read 0
    std::vector<std::string>& journal() { return journal_; }
    void fail_next(int err) { fail_next_ = err; }

private:
    FakeAddressBackend& addrs_;
    std::map<std::string, LinkDetails> made_;  // macvlans, by name
    std::map<std::string, int> sysctls_;
    std::vector<std::string> journal_;
    int fail_next_ = 0;
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
