// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/support/fake_net.cc: see fake_net.hh.
#include "support/fake_net.hh"

#include <algorithm>
#include <cerrno>

namespace halbd::net {

LinkInfo& FakeAddressBackend::add_link(const std::string& name, std::optional<Prefix> primary) {
    Link& l = links_[name];
    l.info.name = name;
    l.info.ifindex = next_ifindex_++;
    l.info.mac = {0x02, 0, 0, 0, 0, static_cast<uint8_t>(l.info.ifindex)};
    l.info.up = l.info.running = true;
    if (primary) l.addrs.push_back(InterfaceAddress{*primary, 0, false, false, {}});
    return l.info;
}

bool FakeAddressBackend::remove_link(const std::string& name) { return links_.erase(name) > 0; }

LinkInfo* FakeAddressBackend::find_link(const std::string& name) {
    auto it = links_.find(name);
    return it == links_.end() ? nullptr : &it->second.info;
}

core::Result<LinkInfo> FakeAddressBackend::link(const std::string& ifname) {
    auto it = links_.find(ifname);
    if (it == links_.end()) return core::Error{ENODEV, "interface " + ifname + ": no such device"};
    return it->second.info;
}

core::Result<std::vector<InterfaceAddress>> FakeAddressBackend::addresses(const std::string& ifname, Family family) {
    auto it = links_.find(ifname);
    if (it == links_.end()) return core::Error{ENODEV, "interface " + ifname + ": no such device"};
    std::vector<InterfaceAddress> out;
    for (const auto& a : it->second.addrs)
        if (a.address.address.family() == family) out.push_back(a);
    return out;
}

core::Status FakeAddressBackend::add_address(const std::string& ifname, const AddressSpec& a) {
    journal_.push_back("add " + a.address.to_string() + " " + ifname);
    if (int e = std::exchange(fail_next_, 0)) return core::system_error("add " + a.address.to_string(), e);
    auto it = links_.find(ifname);
    if (it == links_.end()) return core::Error{ENODEV, "interface " + ifname + ": no such device"};
    auto& v = it->second.addrs;
    const bool exists = std::any_of(v.begin(), v.end(), [&](const auto& x) { return x.address.address == a.address.address; });
    if (!exists) {
        const bool secondary = a.address.address.is_v4() &&
                               std::any_of(v.begin(), v.end(), [](const auto& x) { return x.address.address.is_v4(); });
        v.push_back(InterfaceAddress{a.address, a.scope, secondary, false, a.label});
    }
    return core::Ok{};
}

core::Status FakeAddressBackend::remove_address(const std::string& ifname, const AddressSpec& a) {
    journal_.push_back("remove " + a.address.to_string() + " " + ifname);
    if (int e = std::exchange(fail_next_, 0)) return core::system_error("remove " + a.address.to_string(), e);
    auto it = links_.find(ifname);
    if (it == links_.end()) return core::Error{ENODEV, "interface " + ifname + ": no such device"};
    std::erase_if(it->second.addrs, [&](const auto& x) { return x.address.address == a.address.address; });
    return core::Ok{};
}

bool FakeAddressBackend::has(const std::string& ifname, const IpAddress& ip) const {
    auto it = links_.find(ifname);
    if (it == links_.end()) return false;
    const auto& v = it->second.addrs;
    return std::any_of(v.begin(), v.end(), [&](const auto& x) { return x.address.address == ip; });
}

namespace {

// add: keeps one copy; remove: drops it. Both succeed either way, as the kernel's adapter does.
template <class Spec>
core::Status change(std::vector<Spec>& v, const Spec& s, bool add, std::vector<std::string>& journal, int& fail,
                    const std::string& what) {
    journal.push_back(std::string(add ? "add " : "remove ") + what);
    if (int e = std::exchange(fail, 0)) return core::system_error(journal.back(), e);
    auto it = std::find(v.begin(), v.end(), s);
    if (add && it == v.end()) v.push_back(s);
    if (!add && it != v.end()) v.erase(it);
    return core::Ok{};
}

template <class Spec>
bool has_text(const std::vector<Spec>& v, const std::string& text) {
    return std::any_of(v.begin(), v.end(), [&](const Spec& s) { return describe(s) == text; });
}

}  // namespace

core::Status FakeRouteBackend::add_route(const RouteSpec& r) {
    return change(routes_, r, true, journal_, fail_next_, "route " + describe(r));
}
core::Status FakeRouteBackend::remove_route(const RouteSpec& r) {
    return change(routes_, r, false, journal_, fail_next_, "route " + describe(r));
}
core::Status FakeRouteBackend::add_rule(const RuleSpec& r) {
    return change(rules_, r, true, journal_, fail_next_, "rule " + describe(r));
}
core::Status FakeRouteBackend::remove_rule(const RuleSpec& r) {
    return change(rules_, r, false, journal_, fail_next_, "rule " + describe(r));
}
bool FakeRouteBackend::has_route(const std::string& text) const { return has_text(routes_, text); }
bool FakeRouteBackend::has_rule(const std::string& text) const { return has_text(rules_, text); }

core::Status FakeAnnouncer::garp(const LinkInfo& link, const IpAddress& vip) {
    journal_.push_back("garp " + vip.to_string() + " " + link.name);
    return core::Ok{};
}

core::Status FakeAnnouncer::unsolicited_na(const LinkInfo& link, const IpAddress& vip) {
    journal_.push_back("na " + vip.to_string() + " " + link.name);
    return core::Ok{};
}

core::Result<std::optional<LinkDetails>> FakeLinkBackend::details(const std::string& ifname) {
    auto l = addrs_.link(ifname);
    if (!l) return std::optional<LinkDetails>{};
    LinkDetails d;
    if (auto it = made_.find(ifname); it != made_.end()) d = it->second;
    else d.kind = "veth";
    d.ifindex = l->ifindex;
    d.mac = l->mac;
    d.up = l->up;
    return std::optional<LinkDetails>(d);
}

core::Status FakeLinkBackend::create_macvlan(const MacvlanSpec& spec) {
    journal_.push_back("create " + spec.name + " on " + spec.lower + " " + to_string(spec.mac));
    if (int e = std::exchange(fail_next_, 0)) return core::system_error("create " + spec.name, e);
    auto lower = addrs_.link(spec.lower);
    if (!lower) return lower.error();
    if (addrs_.link(spec.name)) return core::Error{EEXIST, "create " + spec.name + ": file exists"};
    LinkInfo& info = addrs_.add_link(spec.name);
    info.mac = spec.mac;
    info.up = info.running = false;
    LinkDetails d;
    d.kind = "macvlan";
    d.lower_ifindex = lower->ifindex;
    d.private_mode = true;
    made_[spec.name] = d;
    return core::Ok{};
}

core::Status FakeLinkBackend::set_up(const std::string& ifname) {
    journal_.push_back("up " + ifname);
    LinkInfo* info = addrs_.find_link(ifname);
    if (!info) return core::Error{ENODEV, "set " + ifname + " up: no such device"};
    info->up = info->running = true;
    return core::Ok{};
}

core::Status FakeLinkBackend::delete_link(const std::string& ifname) {
    journal_.push_back("delete " + ifname);
    if (int e = std::exchange(fail_next_, 0)) return core::system_error("delete " + ifname, e);
    made_.erase(ifname);
    addrs_.remove_link(ifname);
    return core::Ok{};
}

core::Result<int> FakeLinkBackend::read_sysctl(const std::string& key) {
    auto it = sysctls_.find(key);
    return it == sysctls_.end() ? 0 : it->second;
}

core::Status FakeLinkBackend::write_sysctl(const std::string& key, int value) {
    journal_.push_back("sysctl " + key + "=" + std::to_string(value));
    sysctls_[key] = value;
    return core::Ok{};
}

}  // namespace halbd::net
