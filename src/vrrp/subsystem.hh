// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/subsystem.hh: VrrpSubsystem, the VRRP ConfigSubscriber. On start it
// builds one Instance + InstanceIo per vrrp_instance and the SyncGroups,
// opens one Channel per (interface, family) and dispatches what the channels
// read to the instance of the packet's VRID, counting every drop by reason
// (per channel before an instance is known, per instance after). A reload
// keeps instances whose identity (name, interface, family, VRID, version)
// is unchanged, in their state. A channel follows its interface when it is
// deleted and created again (new ifindex). Tracking (links, vrrp_script,
// track_file, track_process) and notifications (scripts, FIFOs) hang off the
// instances as subscribers; a use_vmac instance owns its Vmac
// (vrrp/subsystem_vmac.cc); static_ipaddress/routes/rules are StaticNet's.
// Created by src/wiring.cc; owns instances, channels, sync groups, trackers, the
// notifier and StaticNet; re-publishes instance events to subscribers, and
// instance and sync group state changes through its StateHub (the seam other
// subsystems follow, vrrp/state_events.hh), whose before-master hooks each
// instance consults before its MASTER entry actions.
#pragma once

#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/model.hh"
#include "config/subscriber.hh"
#include "vrrp/drop.hh"
#include "vrrp/instance.hh"
#include "vrrp/link_delays.hh"
#include "net/address_monitor.hh"
#include "net/link_monitor.hh"
#include "vrrp/instance_io.hh"
#include "vrrp/notifier.hh"
#include "vrrp/script_runner.hh"
#include "vrrp/state_hub.hh"
#include "vrrp/static_net.hh"
#include "vrrp/sync_group.hh"
#include "vrrp/tracking.hh"
#include "vrrp/transport.hh"
#include "vrrp/vmac.hh"

namespace halbd::vrrp {

class VrrpSubsystem final : public config::ConfigSubscriber {
public:
    using Listener = std::function<void(Instance&, const InstanceEvent&)>;

    // links: interface state for tracking (null: interfaces are not tracked);
    // runner: how scripts run (null: core::spawn); procs: processes for
    // track_process (null: not tracked).
    VrrpSubsystem(core::EventLoop& loop, net::AddressBackend& addresses, net::RouteBackend& routes,
                  net::Announcer& announcer, Transport& transport, net::LinkMonitor* links = nullptr,
                  ScriptRunner* runner = nullptr, core::ProcessMonitor* procs = nullptr);
    ~VrrpSubsystem() override;
    VrrpSubsystem(const VrrpSubsystem&) = delete;
    VrrpSubsystem& operator=(const VrrpSubsystem&) = delete;

    // Links for use_vmac (vrrp/subsystem_vmac.cc); set before the first
    // apply. Without it a use_vmac instance stays in FAULT.
    void set_link_backend(net::LinkBackend* links) { link_backend_ = links; }
    // Address changes, so that a VIP someone removes is put back
    // (vrrp/vip_watch.cc); without it VIPs are not watched.
    void set_address_monitor(net::AddressMonitor* monitor);

    void apply(const config::Model* previous, const config::Model& current) override;
    // TERM: every instance stops (a Master sends priority 0 and removes its
    // VIPs), unless -V: then VIPs stay and no priority 0 is sent.
    void stop(const config::StopOptions& opts) override;
    void dump_state(std::ostream& os) const override;

    // Events of every instance (state changes, priority, ...), present and
    // future, for VRRP's own parts (notifier, tests). Other subsystems
    // follow state_events().
    [[nodiscard]] Subscription subscribe(Listener l) { return listeners_.add(std::move(l)); }
    // The seam: instance and sync group state changes, before-master hooks.
    StateEvents& state_events() { return hub_; }
    const StateHub& state_hub() const { return hub_; }

    // Inspection (tests, control socket).
    Instance* instance(const std::string& name) const;
    const InstanceIo* io(const std::string& name) const;
    const DropCounters* instance_drops(const std::string& name) const;
    const DropCounters* channel_drops(const std::string& ifname, net::Family family) const;
    // One VRRP socket (interface, family) and the adverts it dropped before
    // they reached an instance (socket-level reasons: not_our_vrid, ...).
    struct SocketView {
        std::string ifname;
        net::Family family = net::Family::V4;
        bool open = false;
        uint64_t received = 0;
        const DropCounters* drops = nullptr;
    };
    std::vector<SocketView> sockets() const;
    // The socket an instance's adverts arrive on; nullopt for an unknown name.
    std::optional<SocketView> socket_of(const std::string& instance) const;
    std::vector<const SyncGroup*> sync_groups() const;
    size_t instance_count() const { return nodes_.size(); }
    size_t channel_count() const { return channels_.size(); }
    size_t sync_group_count() const { return groups_.size(); }
    const SyncGroup* sync_group(const std::string& name) const {
        for (const auto& g : groups_)
            if (g->name() == name) return g.get();
        return nullptr;
    }
    const TrackerSet& trackers() const { return trackers_; }
    const Notifier& notifier() const { return notifier_; }
    const StaticNet& static_net() const { return static_net_; }

private:
    using ChannelKey = std::pair<std::string, net::Family>;
    struct Node {
        std::string identity;
        ChannelKey channel;                  // the VMAC's, unless vmac_xmit_base
        std::unique_ptr<Vmac> vmac;          // use_vmac; declared first: outlives the VIPs on it
        std::unique_ptr<InstanceIo> io;      // declared first: outlives the Instance using it
        std::unique_ptr<Instance> instance;
        DropCounters drops;
        Subscription events;
        std::unique_ptr<InstanceTracking> tracking;  // declared after the instance: destroyed first
    };
    struct ChannelState {
        std::unique_ptr<Channel> channel;   // null when the interface could not be opened
        std::map<net::IpAddress, bool> groups;  // joined
        DropCounters drops;                 // before an instance is known
        uint64_t received = 0;
    };

    std::unique_ptr<Node> make_node(const config::VrrpInstance& v, const config::GlobalDefs& g);
    ChannelState* ensure_channel(const ChannelKey& key);
    bool open_channel(const ChannelKey& key, ChannelState& cs);
    void reconcile_groups();
    void on_link(const std::string& ifname);
    void follow_link(const ChannelKey& key, ChannelState& cs);
    // use_vmac (vrrp/subsystem_vmac.cc).
    bool make_vmac(Node& n, const config::VrrpInstance& v, const config::GlobalDefs& g);
    void restore_vmacs(const std::string& ifname);
    void reopen_channel(const ChannelKey& key);
    void on_packet(const ChannelKey& key, const RxPacket& p);
    const SyncGroup* group_of(const Instance& i) const;
    void before_master(Instance& i, std::string_view reason, std::function<void()> proceed,
                       std::function<bool()> pending);
    void publish(const Instance& i, const InstanceEvent& e);
    static std::string identity(const config::VrrpInstance& v);
    static std::string group_signature(const config::Model& m);

    core::EventLoop& loop_;
    StateHub hub_;  // declared early: outlives the instances and groups publishing into it
    std::unique_ptr<SpawnScriptRunner> own_runner_;
    ScriptRunner& runner_;
    // interface_up_down_delays between the real link monitor and VRRP.
    std::unique_ptr<LinkDelays> link_delays_;
    net::LinkMonitor* links_;  // link_delays_, or null
    net::LinkBackend* link_backend_ = nullptr;
    net::AddressMonitor* address_monitor_ = nullptr;
    TrackerSet trackers_;
    Notifier notifier_;
    net::AddressBackend& addresses_;
    net::RouteBackend& routes_;
    net::Announcer& announcer_;
    Transport& transport_;
    StaticNet static_net_;
    std::map<std::string, std::unique_ptr<Node>> nodes_;  // by instance name
    std::map<ChannelKey, std::unique_ptr<ChannelState>> channels_;
    std::vector<std::unique_ptr<SyncGroup>> groups_;      // destroyed before the nodes
    std::string group_signature_;
    SubscriberList<Instance&, const InstanceEvent&> listeners_;
    core::log::Limiter rx_log_;  // drop lines, by socket or instance and reason
    bool log_unknown_vrids_ = false;  // global_defs log_unknown_vrids
    // vrrp_startup_delay: armed at the first apply(); until it fires no
    // instance starts (trackers do, so the instances start knowing their faults).
    core::TimerPtr startup_delay_;
    Subscription notify_events_;
    std::vector<Subscription> group_events_;
};

}  // namespace halbd::vrrp
