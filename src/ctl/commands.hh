// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// ctl/commands.hh: Commands, the daemon's side of each control request: it
// reads the Daemon and the subsystems (never changes them, except `reload`,
// which runs the very path SIGHUP runs) and builds the reply. Created by
// src/wiring.cc next to the Server whose handler it is; owns nothing but the
// pointers it is given, which must outlive it.
#pragma once

#include <functional>
#include <string>

#include "ctl/protocol.hh"
#include "ctl/stats.hh"
#include "halbd_daemon.hh"

namespace halbd::forward {
class ForwardSubsystem;
}
namespace halbd::vrrp {
class VrrpSubsystem;
}
namespace halbd::check {
class CheckSubsystem;
}
namespace halbd::sync {
class SyncSubsystem;
}
namespace halbd::announce {
class AnnounceSubsystem;
}

namespace halbd::ctl {

// What the daemon runs. A null subsystem is not running; its *_absent
// sentence says why ("halbd runs with -P"). Forwarding may also exist and
// not run (no virtual_server yet, no IPVS): it says why itself.
struct Sources {
    Daemon* daemon = nullptr;
    const forward::ForwardSubsystem* forwarding = nullptr;
    const vrrp::VrrpSubsystem* vrrp = nullptr;
    const check::CheckSubsystem* checks = nullptr;
    const sync::SyncSubsystem* sync = nullptr;
    announce::AnnounceSubsystem* announce = nullptr;  // drain/undrain change it
    std::string forwarding_absent, vrrp_absent, checks_absent, sync_absent, announce_absent;
    std::string control_socket;  // shown by `status`
};

class Commands {
public:
    explicit Commands(Sources s) : s_(std::move(s)) {}
    // Answers r through respond: at once, or (reload, dump) once the file is
    // read or the dump text written.
    void handle(const Request& r, const std::function<void(Reply)>& respond);
    // keepalived's JSON signal (halbd.json): one object whose members are
    // what `halbctl --json` prints for status, vrrp, checks and ipvs.
    std::string json_state();
    // keepalived's STATS / STATS_CLEAR signals (halbd.stats, ctl/stats.hh).
    std::string stats(bool clear);
    // One line for systemd's STATUS=: "2 VRRP instance(s): 1 MASTER, 1 BACKUP;
    // real servers 3 up, 0 down; generation 2".
    std::string status_line() const;
    // /metrics and `halbctl metrics` (ctl/metrics.hh).
    std::string metrics() const;

private:
    Reply answer_now(const Request& r);  // every command but reload and dump
    bool forwarding_running() const;
    const std::string& forwarding_absent() const;
    Reply status(Format f) const;
    static Reply reload_reply(const ReloadReport& rep, const std::string& config_file, Format f);
    static Reply dump_reply(std::string text);
    // `dump --json`: the state as one object (ctl/dump_json.cc).
    std::string dump_json();
    Sources s_;
    Statistics statistics_;
};

}  // namespace halbd::ctl
