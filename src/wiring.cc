// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// wiring.cc: see wiring.hh. The table below is the one place that says in
// which order the subsystems get each configuration, and why.
#include "wiring.hh"

#include <algorithm>
#include <array>

#include "announce/bird_announcer.hh"
#include "announce/frr_announcer.hh"
#include "announce/vtysh_runner.hh"
#include "announce/subsystem.hh"
#include "check/subsystem.hh"
#include "cluster/subsystem.hh"
#include "core/log.hh"
#include "forward/backend_select.hh"
#include "forward/ipvs/sync_role_policy.hh"
#include "forward/subsystem.hh"
#include "net/iptables.hh"
#include "net/libnftables.hh"
#include "net/link_multicast.hh"
#include "net/rtnl_address_backend.hh"
#include "net/rtnl_address_monitor.hh"
#include "net/rtnl_link_backend.hh"
#include "net/rtnl_link_monitor.hh"
#include "net/rtnl_route_backend.hh"
#include "sync/ftfw_factory.hh"
#include "sync/exp_kernel.hh"
#include "sync/nfct_backend.hh"
#include "sync/subsystem.hh"
#include "vrrp/accept_filter.hh"
#include "vrrp/subsystem.hh"

namespace halbd {

namespace {

// apply() in this order at start and on each reload; stop() in reverse.
constexpr std::array<Stage, 8> kStages{{
    {"process", &Subscribers::process,
     "first of all: the umask, real-time priority and memory lock are in place before any subsystem creates a "
     "file, a socket or a timer; its stop() leaves them"},
    {"checks", &Subscribers::checks,
     "first: forwarding's apply() reads the checks' pool (which real servers are up) of the same model"},
    {"forwarding", &Subscribers::forwarding,
     "after checks (reads their pool); before VRRP, so services exist before the VIPs attract traffic, "
     "and on stop are removed only after VRRP released the VIPs"},
    {"accept filter", &Subscribers::accept_filter,
     "before VRRP: its nftables tables exist before instances start (a MASTER's VIPs go into them), "
     "and are deleted after the instances stopped"},
    {"conntrack sync", &Subscribers::conntrack_sync,
     "before VRRP: its before-master hook (commit the peer's connections before the VIPs) and its preemption "
     "hold exist before an instance can go MASTER; stopped after VRRP released the VIPs"},
    {"active-active", &Subscribers::active_active,
     "before VRRP: its tables (every bucket dropped) and its state listener exist before an instance can go "
     "MASTER and hand it buckets; stopped after VRRP, so the VIP leaves last"},
    {"vrrp", &Subscribers::vrrp,
     "last: instances start (and may take VIPs) once services and drop tables are in place; "
     "stopped first, so the VIPs leave before anything behind them"},
    {"route announce", &Subscribers::announce,
     "after forwarding (announces only what it serves) and after VRRP: stopped first of all, so the routing "
     "daemon withdraws the routes before any VIP, service or table goes"},
}};

}  // namespace

std::span<const Stage> stages() { return kStages; }

void subscribe_in_order(Daemon& daemon, const Subscribers& s) {
    for (const Stage& st : kStages)
        if (config::ConfigSubscriber* sub = s.*st.subscriber) daemon.subscribe(sub);
}

core::Subscription follow_sync_role(vrrp::StateEvents& events, const Daemon& daemon,
                                    forward::ForwardSubsystem& forwarding) {
    auto policy = std::make_shared<forward::ipvs::SyncRolePolicy>(
        forwarding, [&daemon]() -> const config::Model& { return daemon.model(); });
    return events.subscribe([policy](const vrrp::StateEvent& e) {
        if (e.of == vrrp::StateEvent::Of::Instance) policy->on_instance_state(e.name, e.to);
    });
}

Wiring::Wiring(core::EventLoop& loop, const Options& opts, std::string config_file, const config::Model& first)
    : loop_(loop),
      opts_(opts),
      transport_(loop),
      processes_(loop),
      daemon_(loop, opts, std::move(config_file)) {
    process_kernel_ = make_process_kernel();
    process_ = std::make_unique<ProcessSettings>(*process_kernel_, opts.umask);
    // Forwarding unless -P (VRRP only), over the backend lvs_backend chooses
    // (auto: IPVS where the kernel has it, else nftables). It opens the
    // backend itself once a configuration has a virtual server; a backend
    // that cannot open is one error line and halbd runs on without
    // forwarding (VRRP still works).
    forward::BackendSelection chosen;
    if (opts.vrrp_only) {
        ctl_sources_.forwarding_absent = "halbd runs VRRP only (-P)";
    } else {
        chosen = forward::select_backend(first.global.lvs_backend);
        log::notice("forwarding backend: ", chosen.choice.capabilities.backend, " (", chosen.reason, ")");
        forwarding_ = std::make_unique<forward::ForwardSubsystem>(chosen.choice);
        forwarding_->set_choice_reason(chosen.reason);
    }
    // Health checks run unless -P (VRRP only); they are forwarding's pool.
    if (!opts.vrrp_only) checks_ = std::make_unique<check::CheckSubsystem>(loop);
    else ctl_sources_.checks_absent = "halbd runs VRRP only (-P)";
    if (checks_ && forwarding_) {
        forwarding_->set_pool(checks_.get());
        checks_->set_on_pool_change([f = forwarding_.get()](std::string_view reason) { f->refresh(reason); });
    }
    // VRRP runs unless -C (checks only). Its kernel adapters (rtnetlink for
    // addresses, raw sockets for adverts and GARP/NA) are the privileged facade.
    if (opts.check_only) {
        ctl_sources_.vrrp_absent = "halbd runs health checks and forwarding only (-C)";
    } else {
        auto opened = net::RtnlAddressBackend::open();
        auto opened_routes = net::RtnlRouteBackend::open();
        if (!opened || !opened_routes) {
            const auto& e = !opened ? opened.error() : opened_routes.error();
            log::error("VRRP disabled: ", e.message);
            ctl_sources_.vrrp_absent = "disabled at start: " + e.message;
        } else {
            rtnl_ = std::move(opened.value());
            rtnl_routes_ = std::move(opened_routes.value());
            if (auto lm = net::RtnlLinkMonitor::open(loop); lm)
                links_ = std::move(lm.value());
            else
                log::error("VRRP: interfaces are not tracked: ", lm.error().message);
            vrrp_ = std::make_unique<vrrp::VrrpSubsystem>(loop, *rtnl_, *rtnl_routes_, announcer_, transport_,
                                                          links_.get(), nullptr, &processes_);
            if (auto am = net::RtnlAddressMonitor::open(loop); am) {
                addr_events_ = std::move(am.value());
                vrrp_->set_address_monitor(addr_events_.get());
            } else {
                log::error("VRRP: VIPs are not watched: ", am.error().message);
            }
            if (auto lb = net::RtnlLinkBackend::open(); lb) {
                vmacs_ = std::move(lb.value());
                vrrp_->set_link_backend(vmacs_.get());
            } else {
                log::error("VRRP: use_vmac unavailable: ", lb.error().message);
            }
        }
    }
    // no_accept mode: nftables drop sets following the instances' states.
    if (vrrp_) {
        if (auto n = net::LibNftables::open(); n) {
            nft_ = std::move(n.value());
            ipt_ = std::make_unique<net::SystemIptables>();
            accept_filter_ = std::make_unique<vrrp::AcceptFilter>(loop, vrrp_->state_events(), *nft_, ipt_.get());
        } else {
            // An error only for a configuration that asks for no_accept now
            // (a reload may still ask later: then it is not enforced either).
            const auto& vis = first.vrrp.vrrp_instance;
            const bool wanted = std::any_of(vis.begin(), vis.end(), vrrp::drops_vip_traffic);
            const std::string why = "VRRP: no_accept mode cannot be enforced: " + n.error().message;
            if (wanted) log::error(why);
            else log::info(why);
        }
    }
    // Connection sync follows VRRP state; its kernel adapter and channel are
    // opened when a configuration has conntrack_sync.
    if (vrrp_)
        sync_ = std::make_unique<sync::SyncSubsystem>(
            loop, vrrp_->state_events(),
            [&loop]() -> core::Result<std::unique_ptr<sync::ConntrackBackend>> {
                auto b = sync::NfctBackend::open(loop);
                if (!b) return b.error();
                return std::unique_ptr<sync::ConntrackBackend>(std::move(b.value()));
            },
            [&loop](const config::ConntrackSync& c, sync::Peer::Handlers h) {
                return sync::open_ftfw_peer(loop, c, std::move(h));
            });
    if (sync_)
        sync_->set_exp_factory([&loop]() -> core::Result<std::unique_ptr<sync::ExpBackend>> {
            auto b = sync::NfexpBackend::open(loop);
            if (!b) return b.error();
            return std::unique_ptr<sync::ExpBackend>(std::move(b.value()));
        });
    else
        ctl_sources_.sync_absent = "connection sync needs VRRP, which does not run";
    // route_announce: what the node serves, told to its routing daemon;
    // re-decided each time forwarding reconciles (a real server up or down).
    if (forwarding_) {
        announce_ = std::make_unique<announce::AnnounceSubsystem>(
            loop,
            [&loop](const config::RouteAnnounce& r) -> std::unique_ptr<announce::Announcer> {
                if (r.daemon == config::AnnounceDaemon::Bird)
                    return std::make_unique<announce::BirdAnnouncer>(loop, r.bird_socket);
                return std::make_unique<announce::FrrAnnouncer>(
                    loop, announce::FrrTarget{r.vtysh, r.frr_vty_socket, r.frr_asn, r.frr_route_map},
                    std::make_unique<announce::SpawnVtyshRunner>(loop));
            },
            // Not while conntrack_sync waits for its peers' tables: the
            // router would send this node flows whose state it lacks.
            [f = forwarding_.get(), s = sync_.get()](const config::VirtualServer& vs) {
                if (auto why = f->not_serving(vs)) return why;
                return s ? s->announce_hold() : std::nullopt;
            });
        forwarding_->set_on_reconciled([a = announce_.get()](std::string_view why) { a->refresh(why); });
        if (sync_)
            sync_->set_on_bulk_over([a = announce_.get()] { a->refresh("conntrack sync: the wait for the peers' tables ended"); });
    } else {
        ctl_sources_.announce_absent = ctl_sources_.forwarding_absent;
        if (first.route_announce) log::error("route_announce: not running (", ctl_sources_.forwarding_absent, ")");
    }
    // active_active: bucket ownership follows VRRP state; needs nftables.
    if (vrrp_ && nft_) {
        link_multicast_ = std::make_unique<net::IoctlLinkMulticast>();
        cluster_ = std::make_unique<cluster::ClusterSubsystem>(
            vrrp_->state_events(), cluster::ClusterKernel{*nft_, *rtnl_, announcer_, *link_multicast_});
    } else if (!first.active_active.empty()) {
        log::error("active_active: not running (it needs VRRP and nftables)");
    }
    // Reloads refuse what the backend cannot program, as the first load did.
    if (forwarding_) daemon_.set_forwarding_capabilities(chosen.choice.capabilities);
    if (vrrp_ && forwarding_) sync_role_ = follow_sync_role(vrrp_->state_events(), daemon_, *forwarding_);
    subscribe_in_order(daemon_, subscribers());
    // After the table: it only reads the others; it stops first, so no
    // scrape reads a subsystem being stopped.
    metrics_ = std::make_unique<ctl::MetricsServer>(loop, [this] { return commands_ ? commands_->metrics() : std::string(); });
    daemon_.subscribe(metrics_.get());
}

Wiring::~Wiring() = default;

Subscribers Wiring::subscribers() const {
    Subscribers s;
    s.process = process_.get();
    s.checks = checks_.get();
    s.forwarding = forwarding_.get();
    s.accept_filter = accept_filter_.get();
    s.conntrack_sync = sync_.get();
    s.active_active = cluster_.get();
    s.vrrp = vrrp_.get();
    s.announce = announce_.get();
    return s;
}

void Wiring::start(std::shared_ptr<const config::Model> first) {
    daemon_.start(std::move(first));
    // The control socket answers once the first configuration is applied.
    ctl_sources_.daemon = &daemon_;
    ctl_sources_.forwarding = forwarding_.get();
    ctl_sources_.vrrp = vrrp_.get();
    ctl_sources_.checks = checks_.get();
    ctl_sources_.sync = sync_.get();
    ctl_sources_.announce = announce_.get();
    ctl_sources_.control_socket = opts_.control_socket;
    commands_ = std::make_unique<ctl::Commands>(std::move(ctl_sources_));
    // keepalived's JSON, STATS and STATS_CLEAR signals write what halbctl shows.
    daemon_.set_reports({[c = commands_.get()] { return c->json_state(); },
                         [c = commands_.get()](bool clear) { return c->stats(clear); }});
    ctl::ServerOptions so;
    so.path = opts_.control_socket;
    auto server = ctl::Server::open(loop_, so, [c = commands_.get()](const ctl::Request& q, ctl::Server::Respond respond) {
        c->handle(q, respond);
    });
    if (server) {
        server_ = std::move(server.value());
        log::info("control socket listening on ", opts_.control_socket);
    } else {
        log::error("no control socket: ", server.error().message);
    }
    notify_supervisor();
}

// systemd (Type=notify): READY=1 once the subsystems run and the control
// socket answers (ExecReload's halbctl needs it); reload and stop follow.
void Wiring::notify_supervisor() {
    auto sup = core::supervisor_from_environment();
    if (!sup) return;
    supervisor_ = std::make_unique<core::ServiceNotifier>(loop_, std::move(*sup),
                                                          [c = commands_.get()] { return c->status_line(); });
    daemon_.set_lifecycle({[s = supervisor_.get()] { s->reloading(); },
                           [s = supervisor_.get()](const ReloadReport&) { s->reloaded(); },
                           [s = supervisor_.get()] { s->stopping(); }});
    supervisor_->ready();
}

void Wiring::drain() {
    // The checks' notify_down/quorum_down and VRRP's notify_stop started by
    // stop(): each is bounded by its timeout; what still runs when halbd
    // exits dies with it.
    auto idle = [this] { return (!checks_ || checks_->scripts_idle()) && (!vrrp_ || vrrp_->notifier().idle()); };
    if (idle()) return;
    const bool vrrp_busy = vrrp_ && !vrrp_->notifier().idle();
    const MonoTime until = loop_.now() + std::chrono::seconds(2) +
                           (vrrp_busy ? vrrp::Notifier::kScriptTimeout : check::CheckSubsystem::kShutdownScriptTimeout);
    while (!idle() && loop_.now() < until) loop_.run_once(until - loop_.now());
}

}  // namespace halbd
