// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// cluster/subsystem.hh: ClusterSubsystem, the `active_active` blocks on one
// node. Both nodes hold the one VIP, answer ARP for it with the cluster
// MAC and accept that MAC on the interface; each accepts only the clients
// whose source address hashes into a bucket it owns. It owns the buckets of
// the instances that are MASTER here, following them through
// vrrp::StateEvents (never vrrp internals), and replaces the block's owned
// set in one nftables transaction on every change. Created by the wiring
// with its kernel adapters; owns the halbd_cluster tables, the VIPs and the
// multicast MAC joins it made.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "config/subscriber.hh"
#include "net/address_backend.hh"
#include "net/announcer.hh"
#include "net/link_multicast.hh"
#include "net/nftables.hh"
#include "vrrp/state_events.hh"

namespace halbd::cluster {

struct ClusterKernel {
    net::Nftables& nft;
    net::AddressBackend& addrs;
    net::Announcer& announcer;
    net::LinkMulticast& multicast;
};

class ClusterSubsystem final : public config::ConfigSubscriber {
public:
    ClusterSubsystem(vrrp::StateEvents& events, ClusterKernel kernel);
    ~ClusterSubsystem() override;

    void apply(const config::Model* previous, const config::Model& current) override;
    void stop(const config::StopOptions& opts) override;
    void dump_state(std::ostream& os) const override;

    // The buckets this node owns now in block `name` (empty when unknown).
    std::vector<uint32_t> owned(const std::string& name) const;

private:
    void on_state(const vrrp::StateEvent& e);
    // Sets the owned buckets of block i from the instances' states.
    void reconcile(size_t i, const std::string& why);
    void take_vip(const config::ActiveActive& c);
    void release_vip(const config::ActiveActive& c);
    void announce(const config::ActiveActive& c);

    ClusterKernel k_;
    std::vector<config::ActiveActive> blocks_;
    std::vector<std::vector<uint32_t>> owned_;  // per block, as programmed
    std::map<std::string, vrrp::State> states_;   // instance -> last published state
    bool tables_ = false;
    core::Subscription sub_;  // last: destroyed first
};

}  // namespace halbd::cluster
