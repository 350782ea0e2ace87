// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// halbd_options.cc: see halbd_options.hh.
#include "halbd_options.hh"

#include <signal.h>
#include <syslog.h>

#include <boost/program_options.hpp>
#include <sstream>

#include "core/netns.hh"

namespace po = boost::program_options;

namespace halbd {

Options::Options() : log_facility(LOG_DAEMON), pid_file(kDefaultPidFile), control_socket(kDefaultControlSocket) {}

namespace {

std::optional<int> parse_facility(const std::string& s) {
    static const int locals[] = {LOG_LOCAL0, LOG_LOCAL1, LOG_LOCAL2, LOG_LOCAL3,
                                 LOG_LOCAL4, LOG_LOCAL5, LOG_LOCAL6, LOG_LOCAL7};
    if (s.size() == 1 && s[0] >= '0' && s[0] <= '7') return locals[s[0] - '0'];
    if (s.size() == 6 && s.compare(0, 5, "local") == 0 && s[5] >= '0' && s[5] <= '7')
        return locals[s[5] - '0'];
    if (s == "user") return LOG_USER;
    if (s == "daemon") return LOG_DAEMON;
    return std::nullopt;
}

po::options_description describe() {
    po::options_description d("Options");
    // clang-format off
    d.add_options()
        ("use-file,f", po::value<std::string>()->value_name("FILE"),
         "configuration file (default " SYSCONFDIR "/halbd/halbd.conf, then /etc/keepalived/keepalived.conf)")
        ("vrrp,P", "run only the VRRP subsystem")
        ("check,C", "run only the health-check/IPVS subsystem")
        ("log-console,l", "log to the console (stderr) as well")
        ("log-detail,D", "detailed log messages")
        ("log-facility,S", po::value<std::string>()->value_name("0-7|local0-7|user|daemon"),
         "syslog facility (default daemon)")
        ("log-file,g", po::value<std::string>()->value_name("FILE"), "also write the log to FILE")
        ("flush-log-file", "flush the log file after each line")
        ("no-syslog,G", "do not log to syslog")
        ("dont-fork,n", "stay in the foreground")
        ("pid,p", po::value<std::string>()->value_name("FILE"), "pid file (default " RUNSTATEDIR "/halbd.pid)")
        ("control-socket", po::value<std::string>()->value_name("PATH"),
         "control socket for halbctl (default " RUNSTATEDIR "/halbd.ctl)")
        ("config-test,t",
         "check the configuration and exit (0 valid, 1 invalid); --config-test=FILE writes the "
         "diagnostics to FILE (-t never takes a value)")
        ("dump-conf,d", "print the normalised configuration")
        ("config-id,i", po::value<std::string>()->value_name("ID"), "configuration id for @ID lines (default: host name)")
        ("namespace,s", po::value<std::string>()->value_name("NAME"),
         "join network namespace /run/netns/NAME before opening any socket (overrides net_namespace)")
        ("dont-release-vrrp,V", "leave virtual addresses and routes in place on stop")
        ("dont-release-ipvs,I", "leave IPVS services in place on stop")
        ("release-vips,X", "drop virtual addresses on stop even in a sync group handover")
        ("all-config,e", "refuse to load when any included file is missing")
        ("umask,u", po::value<std::string>()->value_name("NUMBER"), "umask for files halbd creates")
        ("signum", po::value<std::string>()->value_name("NAME"),
         "print the signal number for STOP, RELOAD, DATA, STATS, STATS_CLEAR or JSON and exit")
        ("version,v", "print the version and exit")
        ("help,h", "print this help and exit");
    // clang-format on
    return d;
}

// keepalived flags accepted for compatibility; halbd is one process, so they
// have no effect. Value-taking ones consume their value.
po::options_description compat() {
    po::options_description d("keepalived compatibility (accepted, no effect)");
    // clang-format off
    d.add_options()
        ("no_bfd,B", "")
        ("all", "")
        ("dont-respawn,R", "")
        ("vrrp_pid,r", po::value<std::string>(), "")
        ("checkers_pid,c", po::value<std::string>(), "")
        ("bfd_pid,b", po::value<std::string>(), "")
        ("address-monitoring,a", "")
        ("snmp,x", "")
        ("snmp-agent-socket,A", po::value<std::string>(), "")
        ("core-dump,m", "")
        ("core-dump-pattern,M", po::value<std::string>()->implicit_value(""), "")
        ("perf", po::value<std::string>()->implicit_value(""), "")
        ("debug", po::value<std::string>()->implicit_value(""), "")
        ("no-mem-check", "");
    // clang-format on
    return d;
}

// keepalived flags whose silent acceptance would do the wrong thing: refused
// with a pointer to what to use instead.
po::options_description refused() {
    po::options_description d("refused");
    // clang-format off
    d.add_options()
        ("genhash,T", "");
    // clang-format on
    return d;
}

// Not in --help: --config-test=FILE arrives here through config_test_file(),
// and every word that is no option's value lands in "argument" (an error).
po::options_description hidden() {
    po::options_description d("hidden");
    d.add_options()
        ("config-test-output", po::value<std::string>(), "")
        ("argument", po::value<std::vector<std::string>>(), "");
    return d;
}

// `--config-test=FILE` (the one spelling that names a diagnostics file):
// keepalived's -t takes no value, so neither -t nor --config-test may take
// the next word (`halbd -t /etc/keepalived/keepalived.conf` would truncate it).
std::pair<std::string, std::string> config_test_file(const std::string& word) {
    static const std::string prefix = "--config-test=";
    if (word.compare(0, prefix.size(), prefix) == 0) return {"config-test-output", word.substr(prefix.size())};
    return {};
}

}  // namespace

std::string usage_text() {
    std::ostringstream os;
    os << "Usage: halbd [OPTION]...\n"
          "High-availability load-balancer daemon: VRRP, IPVS and health checks from a\n"
          "keepalived-compatible configuration.\n\n"
       << describe()
       << "\nSignals: TERM/INT stop, HUP reloads the configuration, USR1 writes a state dump.\n"
          "See halbd(8) and halbd.conf(5).\n";
    return os.str();
}

std::string version_text() { return "halbd " PACKAGE_VERSION "\n"; }

std::optional<int> signal_for_name(std::string_view name) {
    if (name == "STOP") return SIGTERM;
    if (name == "RELOAD") return SIGHUP;
    if (name == "DATA") return SIGUSR1;
    if (name == "STATS") return SIGUSR2;
    if (name == "STATS_CLEAR") return SIGRTMIN + 1;
    if (name == "JSON") return SIGRTMIN + 2;
    return std::nullopt;
}

OptionsResult parse_options(int argc, const char* const* argv) {
    OptionsResult r;
    po::options_description all;
    all.add(describe()).add(compat()).add(refused()).add(hidden());
    po::positional_options_description words;
    words.add("argument", -1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv)
                      .options(all)
                      .positional(words)
                      .extra_parser(config_test_file)
                      .style(po::command_line_style::unix_style)
                      .run(),
                  vm);
        po::notify(vm);
    } catch (const po::error& e) {
        r.error = std::string("halbd: ") + e.what() + " (see halbd --help)";
        return r;
    }

    // keepalived: "Unexpected argument(s)". Nothing is read or written.
    if (vm.count("argument")) {
        r.error = "halbd: unexpected argument '" + vm["argument"].as<std::vector<std::string>>().front() +
                  "' (options take their value as -f FILE; see halbd --help)";
        return r;
    }
    if (vm.count("genhash")) {
        r.error = "halbd: --genhash is not part of halbd; use 'halbctl genhash'";
        return r;
    }

    Options o;
    auto str = [&](const char* k) { return vm[k].as<std::string>(); };
    if (vm.count("use-file")) {
        o.config_file = str("use-file");
        if (o.config_file.empty()) {
            r.error = "halbd: --use-file needs a file name (see halbd --help)";
            return r;
        }
    }
    o.vrrp_only = vm.count("vrrp") > 0;
    o.check_only = vm.count("check") > 0;
    if (o.vrrp_only && o.check_only) {
        r.error = "halbd: --vrrp and --check exclude each other (see halbd --help)";
        return r;
    }
    o.log_console = vm.count("log-console") > 0;
    o.log_detail = vm.count("log-detail") > 0;
    if (vm.count("log-facility")) {
        auto f = parse_facility(str("log-facility"));
        if (!f) {
            r.error = "halbd: invalid --log-facility '" + str("log-facility") +
                      "': expected 0-7, local0-local7, user or daemon";
            return r;
        }
        o.log_facility = *f;
    }
    if (vm.count("log-file")) o.log_file = str("log-file");
    o.flush_log_file = vm.count("flush-log-file") > 0;
    o.no_syslog = vm.count("no-syslog") > 0;
    o.dont_fork = vm.count("dont-fork") > 0;
    if (vm.count("pid")) o.pid_file = str("pid");
    if (vm.count("control-socket")) {
        o.control_socket = str("control-socket");
        if (o.control_socket.empty() || o.control_socket.size() > 107) {
            r.error = "halbd: --control-socket needs a path of 1 to 107 bytes (see halbd --help)";
            return r;
        }
    }
    if (vm.count("config-id")) o.config_id = str("config-id");
    if (vm.count("namespace")) {
        o.net_namespace = str("namespace");
        if (!core::valid_netns_name(o.net_namespace)) {
            r.error = "halbd: -s '" + o.net_namespace + "' is not a network namespace name (as 'ip netns add' takes)";
            return r;
        }
    }
    o.dont_release_vrrp = vm.count("dont-release-vrrp") > 0;
    o.dont_release_ipvs = vm.count("dont-release-ipvs") > 0;
    o.release_vips = vm.count("release-vips") > 0;
    o.all_config = vm.count("all-config") > 0;
    o.dump_conf = vm.count("dump-conf") > 0;
    if (vm.count("umask")) {
        const std::string u = str("umask");
        char* end = nullptr;
        unsigned long v = std::strtoul(u.c_str(), &end, 0);
        if (u.empty() || *end != '\0' || v > 0777) {
            r.error = "halbd: invalid --umask '" + u + "': expected a number such as 022 or 0x12";
            return r;
        }
        o.umask = static_cast<mode_t>(v);
    }

    if (vm.count("help"))
        o.action = Options::Action::Help;
    else if (vm.count("version"))
        o.action = Options::Action::Version;
    else if (vm.count("signum")) {
        o.action = Options::Action::Signum;
        o.signum_name = str("signum");
        if (!signal_for_name(o.signum_name)) {
            r.error = "halbd: unknown --signum name '" + o.signum_name +
                      "': expected STOP, RELOAD, DATA, STATS, STATS_CLEAR or JSON";
            return r;
        }
    } else if (vm.count("config-test") || vm.count("config-test-output")) {
        o.action = Options::Action::ConfigTest;
        if (vm.count("config-test-output")) {
            o.config_test_output = str("config-test-output");
            if (o.config_test_output.empty()) {
                r.error = "halbd: --config-test=FILE needs a file name (see halbd --help)";
                return r;
            }
        }
    }

    const po::options_description compat_flags = compat();
    for (const auto& opt : compat_flags.options()) {
        const std::string& name = opt->long_name();
        if (vm.count(name))
            o.notices.push_back("option --" + name +
                                " is accepted for keepalived compatibility and has no effect in halbd");
    }
    r.options = std::move(o);
    return r;
}

std::string make_paths_absolute(Options& opts, const std::string& cwd) {
    auto absolute = [&cwd](std::string& p) {
        if (p.empty() || p[0] == '/') return;
        std::string base = cwd;
        if (base.empty() || base.back() != '/') base += '/';
        p = base + (p.compare(0, 2, "./") == 0 ? p.substr(2) : p);
    };
    absolute(opts.config_file);
    absolute(opts.pid_file);
    absolute(opts.log_file);
    absolute(opts.control_socket);
    if (opts.control_socket.size() > 107)
        return "halbd: --control-socket " + opts.control_socket + " is longer than 107 bytes once made absolute";
    return {};
}

std::string resolve_config_file(const Options& opts,
                                const std::function<bool(const std::string&)>& exists,
                                std::string& note,
                                const std::function<bool(const std::string&)>& placeholder) {
    note.clear();
    if (!opts.config_file.empty()) return opts.config_file;
    const bool ours = exists(kDefaultConfigFile);
    if (ours && !(placeholder && exists(kKeepalivedConfigFile) && placeholder(kDefaultConfigFile)))
        return kDefaultConfigFile;
    if (exists(kKeepalivedConfigFile)) {
        note = std::string(kDefaultConfigFile) + (ours ? " defines nothing" : " not found") + "; using " +
               kKeepalivedConfigFile;
        return kKeepalivedConfigFile;
    }
    return kDefaultConfigFile;
}

}  // namespace halbd
