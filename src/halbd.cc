// halbd.cc: the daemon's entry point. Parses the command line, handles the
// one-shot actions (-v, -h, --signum, -t), loads and validates the
// configuration, takes the pid file, daemonizes unless -n, and runs the event
// loop with the Daemon object and the control socket (ctl/) until TERM/INT.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "config/dump.hh"
#include "config/load.hh"
#include "core/daemon.hh"
#include "core/epoll_loop.hh"
#include "core/log.hh"
#include "core/proc_connector_monitor.hh"
#include "check/subsystem.hh"
#include "ctl/commands.hh"
#include "ctl/server.hh"
#include "forward/ipvs/ipvs_backend.hh"
#include "forward/subsystem.hh"
#include "halbd_daemon.hh"
#include "halbd_options.hh"
#include "net/libnftables.hh"
#include "net/raw_announcer.hh"
#include "net/rtnl_address_backend.hh"
#include "net/rtnl_link_backend.hh"
#include "net/rtnl_address_monitor.hh"
#include "net/rtnl_link_monitor.hh"
#include "net/rtnl_route_backend.hh"
#include "vrrp/accept_filter.hh"
#include "vrrp/raw_transport.hh"
#include "vrrp/subsystem.hh"

using namespace halbd;

namespace {

bool file_exists(const std::string& p) { return ::access(p.c_str(), F_OK) == 0; }

config::LoadResult load(const Options& opts, const std::string& path) {
    config::LoadOptions lo;
    lo.config_id = opts.config_id;
    lo.all_config = opts.all_config;
    return config::load_file(path, lo);
}

// -t: all diagnostics to stderr (or -t=FILE); 0 when valid, 1 otherwise.
int config_test(const Options& opts, const std::string& path) {
    config::LoadResult r = load(opts, path);
    std::ofstream file;
    if (!opts.config_test_output.empty()) {
        file.open(opts.config_test_output, std::ios::trunc);
        if (!file) {
            std::cerr << "halbd: cannot write " << opts.config_test_output << "\n";
            return 1;
        }
    }
    std::ostream& out = file.is_open() ? static_cast<std::ostream&>(file) : std::cerr;
    for (const auto& m : r.messages()) out << m << "\n";
    if (!r.model) {
        out << path << ": " << r.diags.error_count() << " error(s), " << r.diags.warning_count()
            << " warning(s): configuration is NOT valid\n";
        return 1;
    }
    if (opts.dump_conf) config::dump(*r.model, std::cout);
    if (r.diags.warning_count() > 0)
        out << path << ": valid, " << r.diags.warning_count() << " warning(s)\n";
    return 0;
}

int run(const Options& opts, const std::string& path, const std::string& path_note) {
    log::Options lo;
    lo.syslog = !opts.no_syslog;
    lo.facility = opts.log_facility;
    lo.console = opts.log_console;
    lo.file = opts.log_file;
    lo.detail = opts.log_detail;
    if (auto st = log::configure(lo); !st) {
        std::cerr << "halbd: " << st.error().message << "\n";
        return 1;
    }
    if (opts.umask) ::umask(*opts.umask);
    log::notice("halbd " PACKAGE_VERSION " starting");
    for (const auto& n : opts.notices) log::notice(n);
    if (!path_note.empty()) log::notice(path_note);

    config::LoadResult r = load(opts, path);
    for (const auto& d : r.diags.items()) {
        std::string line = r.diags.format(r.sources, d);
        if (d.severity == config::Severity::Error) {
            log::error(line);
            if (!opts.log_console) std::cerr << line << "\n";
        } else {
            log::warning(line);
        }
    }
    if (!r.model) {
        std::string msg = "configuration " + path + " has " + std::to_string(r.diags.error_count()) +
                          " error(s); not starting";
        log::error(msg);
        if (!opts.log_console) std::cerr << "halbd: " << msg << "\n";
        return 1;
    }
    if (opts.dump_conf) {
        config::dump(*r.model, std::cout);
        std::cout.flush();
    }

    // Take the pid file before detaching so "already running" reaches the terminal.
    auto pid = core::PidFile::acquire(opts.pid_file);
    if (!pid) {
        log::error(pid.error().message);
        if (!opts.log_console) std::cerr << "halbd: " << pid.error().message << "\n";
        return 1;
    }
    if (!opts.dont_fork) {
        if (auto st = core::daemonize(); !st) {
            log::error(st.error().message);
            return 1;
        }
    }
    if (auto st = pid.value()->write_pid(::getpid()); !st) log::warning(st.error().message);

    auto loop = core::EpollLoop::create();
    if (!loop) {
        log::error(loop.error().message);
        return 1;
    }
    // Declared before the Daemon, which holds pointers to the subsystems.
    ctl::Sources ctl_sources;
    // Forwarding over IPVS unless -P (VRRP only). It opens IPVS itself once a
    // configuration has a virtual server; a kernel without IPVS is one error
    // line and halbd runs on without forwarding (VRRP still works).
    std::unique_ptr<forward::ForwardSubsystem> forwarding;
    if (opts.vrrp_only)
        ctl_sources.forwarding_absent = "halbd runs VRRP only (-P)";
    else
        forwarding = std::make_unique<forward::ForwardSubsystem>([]() -> core::Result<std::unique_ptr<forward::Backend>> {
            auto b = forward::ipvs::IpvsBackend::open();
            if (!b) return b.error();
            return std::unique_ptr<forward::Backend>(std::move(b.value()));
        });
    // Health checks run unless -P (VRRP only); they are forwarding's pool.
    std::unique_ptr<check::CheckSubsystem> checks;
    if (!opts.vrrp_only) checks = std::make_unique<check::CheckSubsystem>(**loop);
    else ctl_sources.checks_absent = "halbd runs VRRP only (-P)";
    if (checks && forwarding) {
        forwarding->set_pool(checks.get());
        checks->set_on_pool_change([f = forwarding.get()](std::string_view reason) { f->refresh(reason); });
    }
    // VRRP runs unless -C (checks only). Its kernel adapters (rtnetlink for
    // addresses, raw sockets for adverts and GARP/NA) are the privileged facade.
    std::unique_ptr<net::RtnlAddressBackend> rtnl;
    std::unique_ptr<net::RtnlRouteBackend> rtnl_routes;
    std::unique_ptr<net::RtnlLinkMonitor> links;  // link up/down for tracking
    std::unique_ptr<net::RtnlAddressMonitor> addr_events;  // VIPs removed by someone else
    std::unique_ptr<net::RtnlLinkBackend> vmacs;  // use_vmac: macvlans and their sysctls
    net::RawAnnouncer announcer;
    vrrp::RawTransport transport(**loop);
    core::ProcConnectorMonitor processes(**loop);  // track_process; listens only when used
    std::unique_ptr<vrrp::VrrpSubsystem> vrrp_sub;
    if (opts.check_only) {
        ctl_sources.vrrp_absent = "halbd runs health checks and forwarding only (-C)";
    } else {
        auto opened = net::RtnlAddressBackend::open();
        auto opened_routes = net::RtnlRouteBackend::open();
        if (!opened || !opened_routes) {
            const auto& e = !opened ? opened.error() : opened_routes.error();
            log::error("VRRP disabled: ", e.message);
            ctl_sources.vrrp_absent = "disabled at start: " + e.message;
        } else {
            rtnl = std::move(opened.value());
            rtnl_routes = std::move(opened_routes.value());
            if (auto lm = net::RtnlLinkMonitor::open(**loop); lm)
                links = std::move(lm.value());
            else
                log::error("VRRP: interfaces are not tracked: ", lm.error().message);
            vrrp_sub = std::make_unique<vrrp::VrrpSubsystem>(**loop, *rtnl, *rtnl_routes, announcer, transport,
                                                             links.get(), nullptr, &processes);
            if (auto am = net::RtnlAddressMonitor::open(**loop); am) {
                addr_events = std::move(am.value());
                vrrp_sub->set_address_monitor(addr_events.get());
            } else {
                log::error("VRRP: VIPs are not watched: ", am.error().message);
            }
            if (auto lb = net::RtnlLinkBackend::open(); lb) {
                vmacs = std::move(lb.value());
                vrrp_sub->set_link_backend(vmacs.get());
            } else {
                log::error("VRRP: use_vmac unavailable: ", lb.error().message);
            }
        }
    }
    // no_accept mode: nftables drop sets following the instances' states.
    std::unique_ptr<net::LibNftables> nft;
    std::unique_ptr<vrrp::AcceptFilter> accept_filter;
    if (vrrp_sub) {
        if (auto n = net::LibNftables::open(); n) {
            nft = std::move(n.value());
            accept_filter = std::make_unique<vrrp::AcceptFilter>(**loop, *vrrp_sub, *nft);
        } else {
            // An error only for a configuration that asks for no_accept now
            // (a reload may still ask later: then it is not enforced either).
            const auto& vis = r.model->vrrp.vrrp_instance;
            const bool wanted = std::any_of(vis.begin(), vis.end(), vrrp::drops_vip_traffic);
            const std::string why = "VRRP: no_accept mode cannot be enforced: " + n.error().message;
            if (wanted) log::error(why);
            else log::info(why);
        }
    }
    Daemon daemon(**loop, opts, path);
    // The IPVS sync daemon's role follows the instance named in lvs_sync_daemon
    // (keepalived: master daemon while MASTER, backup daemon otherwise).
    vrrp::Subscription sync_role;
    if (vrrp_sub && forwarding) {
        sync_role = vrrp_sub->subscribe([&daemon, f = forwarding.get()](vrrp::Instance& i, const vrrp::InstanceEvent& e) {
            if (e.kind != vrrp::InstanceEvent::Kind::StateChange) return;
            const auto& lsd = daemon.model().global.lvs_sync_daemon;
            if (!lsd || lsd->inst != i.name()) return;
            if (e.to == vrrp::State::Master) f->set_sync_role(forward::SyncDaemon::Role::Master);
            else if (e.to == vrrp::State::Backup || e.to == vrrp::State::Fault)
                f->set_sync_role(forward::SyncDaemon::Role::Backup);
        });
    }
    // Checks first: forwarding's apply() reads the pool of the same model,
    // and stop runs in reverse (VRRP releases its VIPs first, then
    // forwarding removes its services).
    if (checks) daemon.subscribe(checks.get());
    if (forwarding) daemon.subscribe(forwarding.get());
    // The no_accept filter before VRRP: its tables exist before instances
    // start, and are deleted after they stopped.
    if (accept_filter) daemon.subscribe(accept_filter.get());
    if (vrrp_sub) daemon.subscribe(vrrp_sub.get());
    daemon.start(std::move(r.model));
    // The control socket answers once the first configuration is applied. It
    // is a convenience: halbd runs on without it when it cannot be created.
    ctl_sources.daemon = &daemon;
    ctl_sources.forwarding = forwarding.get();
    ctl_sources.vrrp = vrrp_sub.get();
    ctl_sources.checks = checks.get();
    ctl_sources.control_socket = opts.control_socket;
    ctl::Commands commands(std::move(ctl_sources));
    ctl::ServerOptions so;
    so.path = opts.control_socket;
    auto server = ctl::Server::open(**loop, so, [&commands](const ctl::Request& q, ctl::Server::Respond respond) {
        commands.handle(q, respond);
    });
    if (!server) log::error("no control socket: ", server.error().message);
    else log::info("control socket listening on ", opts.control_socket);
    (*loop)->run();
    // omega's notify_down/quorum_down started by the checks' stop(): let
    // them finish (each is bounded by kShutdownScriptTimeout + 1 s grace).
    if (checks && !checks->scripts_idle()) {
        const MonoTime until = (*loop)->now() + check::CheckSubsystem::kShutdownScriptTimeout + std::chrono::seconds(2);
        while (!checks->scripts_idle() && (*loop)->now() < until) (*loop)->run_once(until - (*loop)->now());
    }
    log::notice("halbd stopped");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    // The daemon's signals are read through signalfd once the loop runs;
    // until then one arriving early (a HUP or USR1 sent by a supervisor as
    // soon as the pid file exists) must wait, not kill us with its
    // default action. Children get an empty mask back (core::spawn).
    sigset_t early;
    sigemptyset(&early);
    for (int signo : {SIGHUP, SIGINT, SIGTERM, SIGUSR1, SIGUSR2}) sigaddset(&early, signo);
    ::sigprocmask(SIG_BLOCK, &early, nullptr);

    OptionsResult parsed = parse_options(argc, argv);
    if (!parsed.options) {
        std::cerr << parsed.error << "\n";
        return 2;
    }
    const Options& opts = *parsed.options;
    switch (opts.action) {
        case Options::Action::Help: std::cout << usage_text(); return 0;
        case Options::Action::Version: std::cout << version_text(); return 0;
        case Options::Action::Signum:
            std::cout << *signal_for_name(opts.signum_name) << "\n";
            return 0;
        case Options::Action::ConfigTest:
        case Options::Action::Run: break;
    }
    std::string note;
    const std::string path = resolve_config_file(opts, file_exists, note);
    if (opts.action == Options::Action::ConfigTest) {
        if (!note.empty()) std::cerr << "halbd: " << note << "\n";
        return config_test(opts, path);
    }
    return run(opts, path, note);
}
