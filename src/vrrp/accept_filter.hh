// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/accept_filter.hh: AcceptFilter, no_accept mode (RFC 5798 §6.4.3
// Accept_Mode False; keepalived's `no_accept`, implied by `vrrp_strict`).
// While an instance that drops (no_accept, priority below 255) is MASTER,
// its VIPs and eVIPs are elements of the drop sets of keepalived's nftables
// tables (with vrrp_iptables: of keepalived's ipsets, matched by iptables
// rules), so the host neither accepts packets to them nor sends from them.
// A ConfigSubscriber registered before the VRRP subsystem: apply() creates
// or replaces the tables before instances start, stop() deletes them after
// the instances stopped. Membership follows the instances' state events,
// through the VRRP state seam (vrrp/state_events.hh) only.
// Created by the wiring (src/wiring.cc); owns its subscription and retry
// timer, borrows the Nftables and Iptables adapters.
#pragma once

#include <iosfwd>
#include <map>
#include <set>
#include <string>

#include "core/event_loop.hh"
#include "config/subscriber.hh"
#include "net/iptables.hh"
#include "net/nftables.hh"
#include "vrrp/accept_rules.hh"
#include "vrrp/state_events.hh"

namespace halbd::vrrp {

struct AcceptFilterStats {
    uint64_t batches = 0;        // transactions committed
    uint64_t errors = 0;         // transactions refused
    Duration slowest{0};         // the longest nft transaction, on the loop
    std::string last_error;
};

// Whether the instance drops traffic to its VIPs as master: no_accept (or
// vrrp_strict without accept) and not the address owner.
bool drops_vip_traffic(const config::VrrpInstance& v);

class AcceptFilter final : public config::ConfigSubscriber {
public:
    // After a refused transaction the tables are rebuilt this much later.
    static constexpr Duration kRetry = std::chrono::seconds(1);

    // ipt null: vrrp_iptables cannot be enforced (an error at each update).
    AcceptFilter(core::EventLoop& loop, StateEvents& vrrp, net::Nftables& nft, net::Iptables* ipt = nullptr);
    ~AcceptFilter() override;
    AcceptFilter(const AcceptFilter&) = delete;
    AcceptFilter& operator=(const AcceptFilter&) = delete;

    void apply(const config::Model* previous, const config::Model& current) override;
    // Deletes the tables (also with -V, as keepalived does).
    void stop(const config::StopOptions& opts) override;
    void dump_state(std::ostream& os) const override;

    // What the kernel has, as far as the last committed transaction says.
    const DropSet& installed() const { return installed_; }
    const std::set<net::Family>& tables() const { return tables_; }
    const AcceptFilterStats& stats() const { return stats_; }

private:
    struct Spec {
        bool drops = false;  // no_accept and not the address owner
        DropSet addresses;   // VIPs and eVIPs
    };
    void on_state(const StateEvent& e);
    DropSet desired() const;
    std::set<net::Family> families() const;
    void sync(const std::string& why);
    // Runs the nft batch, then the iptables one.
    core::Status run(const std::string& nft_batch, const std::string& ipt_batch);

    core::EventLoop& loop_;
    net::Nftables& nft_;
    net::Iptables* ipt_;
    core::Subscription events_;
    AcceptTableSettings settings_;            // from the model
    std::map<std::string, Spec> specs_;       // by instance name, from the model
    std::map<std::string, State> states_;     // by instance name, from events
    AcceptTableSettings installed_settings_;  // what the tables were made with
    std::set<net::Family> tables_;            // families whose table exists
    DropSet installed_;
    bool in_doubt_ = false;                   // a transaction was refused: rebuild
    core::TimerPtr retry_;
    AcceptFilterStats stats_;
};

}  // namespace halbd::vrrp
