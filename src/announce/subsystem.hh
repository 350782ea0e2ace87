// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// announce/subsystem.hh: AnnounceSubsystem, which decides what this node
// announces to its routing daemon (issue 17: several active nodes behind
// ECMP). An address of `route_announce` is announced while every virtual
// server on it serves (forwarding runs, the backend took the last change,
// quorum holds) and the node is not drained; its protocols are enabled
// through an Announcer (BIRD today). It re-decides after each apply and
// each time forwarding reconciled (a real server went up or down). It
// stands last in the wiring table, so on stop it withdraws first.
// If halbd is killed (-9) the routes stay announced: the kernel keeps
// forwarding with the tables halbd left, and a restarted halbd adopts them
// (documented in halbd.conf(5), "route_announce").
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "announce/announcer.hh"
#include "config/subscriber.hh"
#include "core/event_loop.hh"

namespace halbd::announce {

class AnnounceSubsystem : public config::ConfigSubscriber {
public:
    // Opens the announcer for a configuration's block (called again when
    // the daemon's socket changes on a reload).
    using AnnouncerFactory = std::function<std::unique_ptr<Announcer>(const config::RouteAnnounce&)>;
    // Why a virtual server does not serve now; nullopt when it does.
    using NotServing = std::function<std::optional<std::string>(const config::VirtualServer&)>;

    AnnounceSubsystem(core::EventLoop& loop, AnnouncerFactory factory, NotServing not_serving);
    ~AnnounceSubsystem() override;

    void apply(const config::Model* previous, const config::Model& current) override;
    // TERM/INT, first of all: withdraws every announcement (bounded), then
    // calls done after withdraw_grace while the loop keeps forwarding,
    // VRRP's adverts and checks running (the router still sends flows here
    // until it drops the path). done at once when nothing was announced.
    void drain_before_stop(const config::StopOptions& opts, std::function<void()> done) override;
    // Withdraws (when drain_before_stop() did not) and forgets the routes.
    void stop(const config::StopOptions& opts) override;
    // The USR1 dump: a header, then write_text().
    void dump_state(std::ostream& os) const override;
    // What `halbctl announce` prints: the routing daemon's connection, each
    // address (announced, or why not, and since when) and its protocols.
    void write_text(std::ostream& os, MonoTime now) const;

    // Something a decision reads may have changed (forwarding reconciled).
    void refresh(std::string_view reason);
    // halbctl drain / undrain: withdraw everything / announce again what serves.
    void set_drained(bool drained);
    bool drained() const { return drained_; }

    struct Route {
        std::string address;
        std::vector<std::string> protocols;
        bool announced = false;
        std::string why_not;  // empty while announced
        MonoTime since{};
    };
    const std::vector<Route>& routes() const { return routes_; }
    // The routing daemon's view (null when no route_announce block).
    const Announcer* announcer() const { return announcer_.get(); }

private:
    void decide(std::string_view reason);
    // Stops deciding and marks every route withdrawn; true if any was announced.
    bool forget_routes();

    core::EventLoop& loop_;
    AnnouncerFactory factory_;
    NotServing not_serving_;
    const config::Model* model_ = nullptr;
    std::unique_ptr<Announcer> announcer_;
    std::string socket_;
    std::vector<Route> routes_;
    bool drained_ = false;
    bool stopped_ = false;
    core::TimerPtr grace_;  // withdraw_grace running at stop
    std::function<void()> grace_done_;
};

// The state the routing daemon last confirmed for protocol name:
// "enabled", "disabled" or "unknown".
std::string protocol_state(const AnnouncerStatus& st, const std::string& name);

}  // namespace halbd::announce
