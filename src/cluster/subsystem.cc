// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// cluster/subsystem.cc: see subsystem.hh. A reload that changes any block
// rebuilds the tables (one transaction) and re-programs every owned set; an
// unchanged configuration touches nothing.
#include "cluster/subsystem.hh"

#include <algorithm>
#include <ostream>

#include "cluster/ruleset.hh"
#include "core/log.hh"

namespace halbd::cluster {

namespace {

net::AddressSpec vip_spec(const config::ActiveActive& c) {
    net::AddressSpec s;
    s.address = *c.vip;
    return s;
}

// What the kernel is given for a block: equal keys, nothing to redo.
std::string key(const config::ActiveActive& c) {
    std::string k = c.name + "|" + c.interface + "|" + (c.vip ? c.vip->to_string() : "") + "|" +
                    std::to_string(c.buckets) + "|" + std::to_string(c.hash_seed.value_or(0));
    for (const auto& o : c.owners) k += "|" + o.instance + ":" + config::bucket_ranges(o.buckets);
    return k;
}

std::string ranges(const std::vector<uint32_t>& b) { return b.empty() ? "none" : config::bucket_ranges(b); }

}  // namespace

// Subscribed from the start: the events carry no replay, so a block added
// by a reload still knows which instances are MASTER.
ClusterSubsystem::ClusterSubsystem(vrrp::StateEvents& events, ClusterKernel kernel)
    : k_(kernel), sub_(events.subscribe([this](const vrrp::StateEvent& e) { on_state(e); })) {}

ClusterSubsystem::~ClusterSubsystem() = default;

void ClusterSubsystem::apply(const config::Model* /*previous*/, const config::Model& current) {
    const auto& next = current.active_active;
    const bool same = next.size() == blocks_.size() &&
                      std::equal(next.begin(), next.end(), blocks_.begin(),
                                 [](const auto& a, const auto& b) { return key(a) == key(b); });
    if (same) return;
    // VIPs and MAC joins of blocks that leave or change go first.
    for (const auto& old : blocks_)
        if (std::none_of(next.begin(), next.end(), [&](const auto& n) { return key(n) == key(old); }))
            release_vip(old);
    const auto before = blocks_;
    blocks_ = next;
    owned_.assign(blocks_.size(), {});
    if (blocks_.empty()) {
        if (tables_) {
            if (auto r = k_.nft.run(delete_batch()); !r) log::error("active_active: ", r.error().message);
            tables_ = false;
        }
        return;
    }
    if (auto r = k_.nft.run(tables_batch(blocks_)); !r) {
        log::error("active_active: cannot program nftables (this node serves no client of any block): ",
                   r.error().message);
        tables_ = false;
    } else {
        tables_ = true;
    }
    for (const auto& c : blocks_)
        if (std::none_of(before.begin(), before.end(), [&](const auto& o) { return key(o) == key(c); })) take_vip(c);
    for (size_t i = 0; i < blocks_.size(); ++i) reconcile(i, "configuration");
}

void ClusterSubsystem::stop(const config::StopOptions& opts) {
    sub_.reset();
    if (!opts.keep_addresses)
        for (const auto& c : blocks_) release_vip(c);
    if (tables_)
        if (auto r = k_.nft.run(delete_batch()); !r) log::error("active_active: ", r.error().message);
    tables_ = false;
    blocks_.clear();
    owned_.clear();
}

void ClusterSubsystem::on_state(const vrrp::StateEvent& e) {
    if (e.of != vrrp::StateEvent::Of::Instance) return;
    states_[e.name] = e.to;
    for (size_t i = 0; i < blocks_.size(); ++i)
        for (const auto& o : blocks_[i].owners)
            if (o.instance == e.name) reconcile(i, e.name + " " + vrrp::to_string(e.to));
}

void ClusterSubsystem::reconcile(size_t i, const std::string& why) {
    const config::ActiveActive& c = blocks_[i];
    std::vector<uint32_t> want;
    for (const auto& o : c.owners) {
        auto s = states_.find(o.instance);
        if (s != states_.end() && s->second == vrrp::State::Master)
            want.insert(want.end(), o.buckets.begin(), o.buckets.end());
    }
    std::sort(want.begin(), want.end());
    if (want == owned_[i] && why != "configuration") return;
    if (!tables_) return;
    if (auto r = k_.nft.run(owned_batch(i, want)); !r) {
        log::error("active_active ", c.name, ": cannot set the owned buckets to ", ranges(want), ": ",
                   r.error().message);
        return;
    }
    const bool gained = std::any_of(want.begin(), want.end(), [&](uint32_t b) {
        return !std::binary_search(owned_[i].begin(), owned_[i].end(), b);
    });
    if (want != owned_[i])
        log::notice("active_active ", c.name, ": owns buckets ", ranges(want), " of ", c.buckets, " (was ",
                    ranges(owned_[i]), "; ", why, ")");
    owned_[i] = std::move(want);
    if (gained) announce(c);
}

void ClusterSubsystem::take_vip(const config::ActiveActive& c) {
    if (!c.vip) return;
    const auto mac = config::cluster_mac(c.vip->address);
    if (auto st = k_.multicast.join(c.interface, mac); !st)
        log::error("active_active ", c.name, ": the interface may drop the VIP's frames: ", st.error().message);
    if (auto st = k_.addrs.add_address(c.interface, vip_spec(c)); !st)
        log::error("active_active ", c.name, ": cannot add vip ", c.vip->to_string(), " on ", c.interface, ": ",
                   st.error().message);
    else
        log::info("active_active ", c.name, ": vip ", c.vip->to_string(), " on ", c.interface, ", cluster MAC ",
                  net::to_string(mac), ", ", c.buckets, " buckets");
    announce(c);
}

void ClusterSubsystem::release_vip(const config::ActiveActive& c) {
    if (!c.vip) return;
    if (auto st = k_.addrs.remove_address(c.interface, vip_spec(c)); !st)
        log::warning("active_active ", c.name, ": removing vip: ", st.error().message);
    if (auto st = k_.multicast.leave(c.interface, config::cluster_mac(c.vip->address)); !st)
        log::warning("active_active ", c.name, ": ", st.error().message);
}

// One gratuitous ARP whose sender MAC is the cluster MAC (the Ethernet
// source stays the interface's own: a multicast source is dropped by
// switches and bridges).
void ClusterSubsystem::announce(const config::ActiveActive& c) {
    auto link = k_.addrs.link(c.interface);
    if (!link) {
        log::warning("active_active ", c.name, ": no gratuitous ARP: ", link.error().message);
        return;
    }
    net::LinkInfo l = *link;
    l.mac = config::cluster_mac(c.vip->address);
    if (auto st = k_.announcer.garp(l, c.vip->address); !st)
        log::warning("active_active ", c.name, ": gratuitous ARP: ", st.error().message);
}

std::vector<uint32_t> ClusterSubsystem::owned(const std::string& name) const {
    for (size_t i = 0; i < blocks_.size(); ++i)
        if (blocks_[i].name == name) return owned_[i];
    return {};
}

void ClusterSubsystem::dump_state(std::ostream& os) const {
    for (size_t i = 0; i < blocks_.size(); ++i)
        os << "# active_active " << blocks_[i].name << ": owns buckets " << ranges(owned_[i]) << " of "
           << blocks_[i].buckets << "\n";
}

}  // namespace halbd::cluster
