// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// halbd.cc: the daemon's entry point. Parses the command line, handles the
// one-shot actions (-v, -h, --signum, -t), loads and validates the
// configuration, takes the pid file, daemonizes unless -n, and runs the event
// loop with the subsystems as wired by src/wiring.cc until TERM/INT.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "config/dump.hh"
#include "config/load.hh"
#include "core/background_job.hh"
#include "core/daemon.hh"
#include "core/epoll_loop.hh"
#include "core/log.hh"
#include "core/netns.hh"
#include "forward/backend_select.hh"
#include "halbd_options.hh"
#include "lifecycle_scripts.hh"
#include "wiring.hh"

using namespace halbd;

namespace {

bool file_exists(const std::string& p) { return ::access(p.c_str(), F_OK) == 0; }

config::LoadResult load(const Options& opts, const std::string& path) {
    config::LoadOptions lo;
    lo.config_id = opts.config_id;
    lo.all_config = opts.all_config;
    // Refuse what the forwarding backend the configuration chooses (lvs_backend)
    // cannot program; -P forwards nothing.
    if (!opts.vrrp_only)
        lo.forwarding_for = [](const config::Model& m) { return forward::select_backend(m.global.lvs_backend).choice.capabilities; };
    return config::load_file(path, lo);
}

// -s NAME, else net_namespace NAME, else stay where halbd was started.
core::Status join_namespace(const Options& opts, const config::Model& m) {
    const std::string& conf = m.global.net_namespace;
    const std::string& ns = opts.net_namespace.empty() ? conf : opts.net_namespace;
    if (ns.empty()) return core::Ok{};
    if (!opts.net_namespace.empty() && !conf.empty() && conf != opts.net_namespace)
        log::notice("command line namespace '", opts.net_namespace, "' overrides net_namespace '", conf, "'");
    if (auto st = core::join_net_namespace(ns); !st) return st;
    log::notice("joined network namespace ", ns, " (/run/netns/", ns, ")");
    return core::Ok{};
}

bool same_file(const std::string& a, const std::string& b) {
    struct stat sa {}, sb {};
    return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

// Whether path is a placeholder: it loads and defines nothing (the packaged
// /etc/halbd/halbd.conf before the operator writes one).
bool defines_nothing(const Options& opts, const std::string& path) {
    config::LoadResult r = load(opts, path);
    return r.model && config::defines_nothing(*r.model);
}

// The packaged /etc/halbd/halbd.conf says what it is on a line of its own
// (etc/halbd.conf): the one file that defines nothing on purpose.
constexpr std::string_view kPlaceholderMarker = "# halbd-placeholder:";
bool is_placeholder(const std::string& path) {
    std::ifstream f(path);
    std::string line;
    for (int n = 0; n < 200 && std::getline(f, line); ++n)
        if (line.rfind(kPlaceholderMarker, 0) == 0) return true;
    return false;
}

// -t: all diagnostics to stderr (or --config-test=FILE); 0 when valid, 1
// otherwise. A configuration that defines nothing is refused (an empty or
// truncated file would stop every instance), except the packaged
// placeholder, which is valid with a warning: halbd runs and manages
// nothing. A reload to either is refused.
int config_test(const Options& opts, const std::string& path) {
    if (!opts.config_test_output.empty() && same_file(opts.config_test_output, path)) {
        std::cerr << "halbd: --config-test=" << opts.config_test_output
                  << " names the configuration file itself; not overwriting it\n";
        return 2;
    }
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
    for (const auto& m : r.messages(opts.log_detail || opts.dump_conf)) out << m << "\n";
    const bool empty = r.model && config::defines_nothing(*r.model);
    if (empty && !is_placeholder(path)) {
        out << path << ": error: " << config::kDefinesNothing
            << "; an empty or truncated file would stop every instance\n"
            << path << ": 1 error(s), " << r.diags.warning_count() << " warning(s): configuration is NOT valid\n";
        return 1;
    }
    if (empty)
        out << path << ": warning: " << config::kDefinesNothing
            << ": the packaged placeholder; halbd would run and manage nothing (a reload to this file is refused)\n";
    if (!r.model) {
        out << path << ": " << r.diags.error_count() << " error(s), " << r.diags.warning_count()
            << " warning(s): configuration is NOT valid\n";
        return 1;
    }
    if (opts.dump_conf) config::dump(*r.model, std::cout);
    const size_t warnings = r.diags.warning_count() + (empty ? 1 : 0);
    if (warnings > 0) out << path << ": valid, " << warnings << " warning(s)\n";
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
        if (d.severity == config::Severity::Error) {
            log::error(r.diags.format_for_log(r.sources, d));
            if (!opts.log_console) std::cerr << r.diags.format(r.sources, d) << "\n";
        } else if (d.severity == config::Severity::Note) {
            if (opts.log_detail) log::info(r.diags.format_for_log(r.sources, d));
        } else {
            log::warning(r.diags.format_for_log(r.sources, d));
        }
    }
    // Loud, but not fatal: a packaged default configuration may define nothing yet.
    if (r.model && config::defines_nothing(*r.model)) {
        log::warning(path, ": ", config::kDefinesNothing, "; halbd runs but manages nothing until a reload");
        if (!opts.log_console)
            std::cerr << "halbd: warning: " << path << ": " << config::kDefinesNothing << "\n";
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

    // Join the network namespace before any socket exists (keepalived does
    // the same): every netlink, VRRP, IPVS and checker socket opens inside it.
    if (auto st = join_namespace(opts, *r.model); !st) {
        log::error(st.error().message, "; not starting");
        if (!opts.log_console) std::cerr << "halbd: " << st.error().message << "; not starting\n";
        return 1;
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
    // Subsystems, their order and their links: src/wiring.cc.
    Wiring wiring(**loop, opts, path, *r.model);
    if (const auto& g = r.model->global; g.startup_script)
        run_lifecycle_script(**loop, "startup_script", *g.startup_script, g.startup_script_timeout, g);
    wiring.start(std::move(r.model));
    (*loop)->run();
    wiring.drain();
    if (const auto& g = wiring.model().global; g.shutdown_script)
        run_lifecycle_script(**loop, "shutdown_script", *g.shutdown_script, g.shutdown_script_timeout, g);
    log::notice("halbd stopped");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    // The daemon's signals are read through signalfd once the loop runs;
    // until then one arriving early (a HUP or USR1 sent by a supervisor as
    // soon as the pid file exists) must wait, not kill us with its default
    // action; the others that would end us while we hold addresses are
    // ignored. Children get an empty mask and default actions back (core::spawn).
    if (auto st = core::set_daemon_signals(); !st) std::cerr << "halbd: " << st.error().message << "\n";

    OptionsResult parsed = parse_options(argc, argv);
    if (!parsed.options) {
        std::cerr << parsed.error << "\n";
        return 2;
    }
    Options& opts = *parsed.options;
    if (char cwd[PATH_MAX]; ::getcwd(cwd, sizeof cwd)) {
        if (std::string err = make_paths_absolute(opts, cwd); !err.empty()) {
            std::cerr << err << "\n";
            return 2;
        }
    }
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
    const std::string path = resolve_config_file(opts, file_exists, note,
                                                 [&opts](const std::string& p) { return defines_nothing(opts, p); });
    if (opts.action == Options::Action::ConfigTest) {
        if (!note.empty()) std::cerr << "halbd: " << note << "\n";
        return config_test(opts, path);
    }
    const int status = run(opts, path, note);
    // A reload abandoned at stop may still be reading: leave without running
    // static destructors under it (the log writes each line at once).
    if (core::background_threads_running() > 0) {
        std::cout.flush();
        std::cerr.flush();
        ::_exit(status);
    }
    return status;
}
