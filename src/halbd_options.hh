// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// halbd_options.hh: halbd's command line, keepalived-compatible. Parsed with
// Boost.Program_options into a plain Options value so halbd.cc (and the unit
// tests) never see argv. keepalived flags that make no sense for one process
// (per-child pid files, respawning, SNMP, ...) are accepted with a notice so
// existing init scripts and /etc/default files keep working.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace halbd {

struct Options {
    enum class Action { Run, ConfigTest, Version, Help, Signum };
    Action action = Action::Run;

    std::string config_file;        // -f; empty = the default search (see resolve_config_file)
    bool vrrp_only = false;         // -P
    bool check_only = false;        // -C
    bool log_console = false;       // -l
    bool log_detail = false;        // -D
    int log_facility;               // -S, a LOG_* facility value; default LOG_DAEMON
    std::string log_file;           // -g
    bool flush_log_file = false;    // --flush-log-file
    bool no_syslog = false;         // -G
    bool dont_fork = false;         // -n
    std::string pid_file;           // -p
    std::string control_socket;     // --control-socket: halbctl's socket
    std::string config_test_output; // --config-test=FILE: diagnostics to FILE instead of stderr
    bool dump_conf = false;         // -d: print the normalised configuration (then run, or exit with -t)
    std::string config_id;          // -i
    std::string net_namespace;      // -s: overrides net_namespace in the configuration
    bool dont_release_vrrp = false; // -V
    bool dont_release_ipvs = false; // -I
    bool release_vips = false;      // -X
    bool all_config = false;        // -e: refuse to load when an include is missing
    std::optional<mode_t> umask;    // -u
    std::string signum_name;        // --signum=NAME

    // One line per accepted-but-ignored keepalived flag, logged at start.
    std::vector<std::string> notices;

    Options();
};

struct OptionsResult {
    std::optional<Options> options;  // empty on a command-line error
    std::string error;               // one line, for stderr; exit status 2
};

OptionsResult parse_options(int argc, const char* const* argv);
std::string usage_text();
std::string version_text();

// The signal number keepalived's --signum prints for NAME (STOP, RELOAD,
// DATA, STATS, STATS_CLEAR, JSON), or nullopt for an unknown name.
std::optional<int> signal_for_name(std::string_view name);

// Makes -f, -p, -g and --control-socket absolute against cwd: the daemon
// changes to / when it detaches, and a relative -f would then name another
// file on every reload (a relative pid file would never be removed). Returns
// an error line (exit status 2) when a path grows too long, else empty.
std::string make_paths_absolute(Options& opts, const std::string& cwd);

// Picks the configuration file: -f if given; otherwise the halbd default,
// falling back to keepalived's file when ours is absent or is the packaged
// placeholder (placeholder(path): it loads and defines nothing) and
// keepalived's exists. `note` is set to a log line when the fallback was taken.
std::string resolve_config_file(const Options& opts,
                                const std::function<bool(const std::string&)>& exists,
                                std::string& note,
                                const std::function<bool(const std::string&)>& placeholder = {});

inline constexpr const char* kDefaultConfigFile = SYSCONFDIR "/halbd/halbd.conf";
inline constexpr const char* kKeepalivedConfigFile = "/etc/keepalived/keepalived.conf";
inline constexpr const char* kDefaultPidFile = RUNSTATEDIR "/halbd.pid";
inline constexpr const char* kDefaultControlSocket = RUNSTATEDIR "/halbd.ctl";

}  // namespace halbd
