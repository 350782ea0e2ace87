// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/notifier.hh: Notifier, keepalived's notify interface driven by
// instance and sync group events (a subscriber: the state machine never
// calls it). On a state change it starts notify_master/backup/fault/stop,
// then `notify` with "INSTANCE"|"GROUP", the name, the state and the
// priority appended, and writes the same four words as one line to
// notify_fifo and vrrp_notify_fifo (`INSTANCE "VI_1" MASTER 100`), plus
// MASTER_RX_LOWER_PRI and, with notify_priority_changes, MASTER_PRIORITY /
// BACKUP_PRIORITY lines. An instance removed by a reload is notified as
// keepalived does: FAULT, or with notify_deleted DELETED (and its script).
// Scripts run without a shell and are never waited for, but are bounded
// like the checks' notify scripts: SIGTERM after kScriptTimeout, SIGKILL a
// second later (a daemon a script started and left lives on). FIFOs are
// opened non-blocking. Owned by the VRRP subsystem.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config/model.hh"
#include "core/fd.hh"
#include "vrrp/instance.hh"
#include "vrrp/script_runner.hh"

namespace halbd::vrrp {

// `INSTANCE "VI_1" MASTER 100\n` (keepalived's notify FIFO line).
std::string fifo_line(bool group, const std::string& name, std::string_view state, int priority);

struct NotifierStats {
    uint64_t scripts_started = 0;
    uint64_t script_errors = 0;   // could not start, or exited non-zero
    uint64_t fifo_lines = 0;
    uint64_t fifo_dropped = 0;    // FIFO full (no reader) or write error
};

class Notifier {
public:
    // keepalived has no bound: a hung notify script stayed forever. Ours is
    // the checks' notify scripts' one (check::NotifyRunner::Limits).
    static constexpr Duration kScriptTimeout = std::chrono::seconds(30);

    Notifier(core::EventLoop& loop, ScriptRunner& runner) : loop_(loop), runner_(runner) {}
    ~Notifier();
    Notifier(const Notifier&) = delete;
    Notifier& operator=(const Notifier&) = delete;

    // Resolves every notify script (users, enable_script_security) and opens
    // the FIFOs (created as FIFOs when missing); a reload reopens only what changed.
    void configure(const config::Model& m);
    void on_instance(Instance& i, const InstanceEvent& e);
    // The instance's next stop is its removal by a reload (called before it stops).
    void deleting(const std::string& instance) { deleting_.insert(instance); }
    void on_group(const std::string& group, State to);
    const NotifierStats& stats() const { return stats_; }
    // No notify script running (halbd lets notify_stop finish before it exits).
    bool idle() const { return running_.empty(); }

private:
    struct Scripts {
        std::optional<ScriptSpec> master, backup, fault, stop, generic, rx_lower, deleted;
        bool priority_changes = false;
        bool notify_deleted = false;  // removal says DELETED rather than FAULT
    };
    struct Fifo {
        std::string path;
        core::UniqueFd fd;
        std::string script;                     // *_fifo_script as configured
        std::unique_ptr<RunningScript> reader;  // started with the FIFO path appended
    };
    static Scripts resolve(const std::string& who, const std::optional<config::Script>& master,
                           const std::optional<config::Script>& backup, const std::optional<config::Script>& fault,
                           const std::optional<config::Script>& stop, const std::optional<config::Script>& generic,
                           const config::GlobalDefs& g);
    void open_fifo(Fifo& f, const std::optional<config::NotifyFifo>& cfg, const char* keyword);
    void start_reader(Fifo& f, const std::optional<config::Script>& script, const config::GlobalDefs& g,
                      const char* keyword);
    void notify(const Scripts* s, bool group, const std::string& name, State to, int priority);
    void notify_as(const std::optional<ScriptSpec>* own, const Scripts* s, bool group, const std::string& name,
                   std::string_view state, int priority);
    void notify_deleted(const Scripts* s, const std::string& name, int priority);
    void run(const ScriptSpec& spec, std::vector<std::string> args);
    void write_fifos(const std::string& line);

    core::EventLoop& loop_;
    ScriptRunner& runner_;
    std::map<std::string, Scripts> instances_;
    std::map<std::string, Scripts> groups_;
    std::set<std::string> deleting_;
    Fifo fifo_;       // notify_fifo
    Fifo vrrp_fifo_;  // vrrp_notify_fifo
    uint64_t next_run_ = 1;
    std::map<uint64_t, std::unique_ptr<RunningScript>> running_;
    NotifierStats stats_;
};

}  // namespace halbd::vrrp
