// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// wiring.hh: Wiring, halbd's subsystems built and joined for one run: which
// exist (-P, -C, and what the kernel offers), the order in which the Daemon
// hands each of them a configuration (the table in wiring.cc, with the
// reason for every place in it), and the links between them (the checks'
// pool for forwarding; VRRP state, through vrrp/state_events.hh, for the
// no_accept filter and the IPVS sync daemon). Created by halbd.cc's run()
// once the loop exists; owns the subsystems, their kernel adapters, the
// Daemon and the control socket. Adding a subsystem: a member here, a field
// in Subscribers and one row in the table.
#pragma once

#include <memory>
#include <span>
#include <string>

#include "config/subscriber.hh"
#include "core/event_loop.hh"
#include "core/proc_connector_monitor.hh"
#include "core/service_notify.hh"
#include "core/subscribers.hh"
#include "ctl/commands.hh"
#include "ctl/metrics_server.hh"
#include "ctl/server.hh"
#include "halbd_daemon.hh"
#include "halbd_options.hh"
#include "net/raw_announcer.hh"
#include "process_settings.hh"
#include "vrrp/raw_transport.hh"
#include "vrrp/state_events.hh"

namespace halbd {

namespace announce { class AnnounceSubsystem; }
namespace check { class CheckSubsystem; }
namespace cluster { class ClusterSubsystem; }
namespace forward { class ForwardSubsystem; }
namespace net {
class IoctlLinkMulticast;
class LibNftables;
class SystemIptables;
class RtnlAddressBackend;
class RtnlAddressMonitor;
class RtnlLinkBackend;
class RtnlLinkMonitor;
class RtnlRouteBackend;
}  // namespace net
namespace sync { class SyncSubsystem; }
namespace vrrp {
class AcceptFilter;
class VrrpSubsystem;
}  // namespace vrrp

// The subsystems that follow the configuration, each null when not running.
struct Subscribers {
    config::ConfigSubscriber* process = nullptr;
    config::ConfigSubscriber* checks = nullptr;
    config::ConfigSubscriber* forwarding = nullptr;
    config::ConfigSubscriber* accept_filter = nullptr;
    config::ConfigSubscriber* conntrack_sync = nullptr;
    config::ConfigSubscriber* active_active = nullptr;
    config::ConfigSubscriber* vrrp = nullptr;
    config::ConfigSubscriber* announce = nullptr;
};

// One row of the wiring table: a subsystem and why it stands where it does.
struct Stage {
    const char* name;
    config::ConfigSubscriber* Subscribers::*subscriber;
    const char* why;
};

// The table, in apply() order; stop() runs in reverse.
std::span<const Stage> stages();
// Hands the running subscribers to the daemon in the table's order.
void subscribe_in_order(Daemon& daemon, const Subscribers& s);

// The IPVS sync daemon's role follows the instance named in lvs_sync_daemon
// (keepalived: master daemon while it is MASTER, backup daemon while BACKUP
// or FAULT), read from the model in force when the state changes.
[[nodiscard]] core::Subscription follow_sync_role(vrrp::StateEvents& events, const Daemon& daemon,
                                                  forward::ForwardSubsystem& forwarding);

class Wiring {
public:
    // first: the validated configuration the daemon will start with (it
    // decides whether a missing nftables is worth an error line).
    Wiring(core::EventLoop& loop, const Options& opts, std::string config_file, const config::Model& first);
    ~Wiring();
    Wiring(const Wiring&) = delete;
    Wiring& operator=(const Wiring&) = delete;

    // Applies the first model in the table's order, then opens the control
    // socket (halbd runs on without it when it cannot be created).
    void start(std::shared_ptr<const config::Model> first);
    // After the loop stopped: lets omega's notify_down/quorum_down scripts,
    // started by the checks' stop(), and VRRP's notify_stop finish (each bounded).
    void drain();
    // The configuration in force (the last one applied).
    const config::Model& model() const { return daemon_.model(); }

private:
    Subscribers subscribers() const;
    void notify_supervisor();

    core::EventLoop& loop_;
    const Options& opts_;
    // Declared before the Daemon, which holds pointers to the subsystems.
    ctl::Sources ctl_sources_;
    std::unique_ptr<ProcessKernel> process_kernel_;
    std::unique_ptr<ProcessSettings> process_;  // umask, scheduling, memory lock
    std::unique_ptr<forward::ForwardSubsystem> forwarding_;
    std::unique_ptr<check::CheckSubsystem> checks_;
    std::unique_ptr<net::RtnlAddressBackend> rtnl_;
    std::unique_ptr<net::RtnlRouteBackend> rtnl_routes_;
    std::unique_ptr<net::RtnlLinkMonitor> links_;  // link up/down for tracking
    std::unique_ptr<net::RtnlAddressMonitor> addr_events_;  // VIPs removed by someone else
    std::unique_ptr<net::RtnlLinkBackend> vmacs_;  // use_vmac: macvlans and their sysctls
    net::RawAnnouncer announcer_;
    vrrp::RawTransport transport_;
    core::ProcConnectorMonitor processes_;  // track_process; listens only when used
    std::unique_ptr<vrrp::VrrpSubsystem> vrrp_;
    std::unique_ptr<net::LibNftables> nft_;
    std::unique_ptr<net::SystemIptables> ipt_;  // vrrp_iptables mode of no_accept
    std::unique_ptr<vrrp::AcceptFilter> accept_filter_;
    std::unique_ptr<sync::SyncSubsystem> sync_;  // conntrack_sync; exists with VRRP
    std::unique_ptr<announce::AnnounceSubsystem> announce_;  // route_announce; exists with forwarding
    std::unique_ptr<net::IoctlLinkMulticast> link_multicast_;
    std::unique_ptr<cluster::ClusterSubsystem> cluster_;  // active_active; with VRRP and nftables
    Daemon daemon_;
    core::Subscription sync_role_;
    std::unique_ptr<ctl::Commands> commands_;
    std::unique_ptr<ctl::Server> server_;
    std::unique_ptr<core::ServiceNotifier> supervisor_;
    std::unique_ptr<ctl::MetricsServer> metrics_;  // metrics_listen (answers once commands_ exists)  // under systemd (NOTIFY_SOCKET) only
};

}  // namespace halbd
