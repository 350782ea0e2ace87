// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/tracking.hh: what moves an instance's priority or puts it in FAULT
// besides the protocol: its own interface (unless dont_track_primary),
// track_interface, track_script, track_file and track_process, its own and
// its sync group's. TrackerSet owns the shared trackers (one per vrrp_script
// / track_file / vrrp_track_process in use) and feeds the process trackers
// (a /proc scan, then the process events, or a rescan every second when
// there are none); InstanceTracking binds one Instance to them and, on every change,
// recomputes fault sources and the priority adjustment from scratch through
// the pure weigh() rules. Both are owned by the VRRP subsystem.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "config/model.hh"
#include "net/link_monitor.hh"
#include "vrrp/instance.hh"
#include "core/process_monitor.hh"
#include "vrrp/track_file.hh"
#include "vrrp/track_process.hh"
#include "vrrp/track_script.hh"

namespace halbd::vrrp {

// One tracked object's effect on an instance (keepalived vrrp_track.c).
struct Weighed {
    bool fault = false;
    int delta = 0;
    friend bool operator==(const Weighed&, const Weighed&) = default;
};
// An interface or script that is up or down. weight 0: FAULT while down (with
// reverse: while up). Else multiplier = reverse ? -1 : 1; up adds
// weight*multiplier when weight > 0, down adds it when weight < 0.
Weighed weigh(bool up, int weight, bool reverse);
// A track_file value. weight 0: FAULT when value != 0 (reverse: when 0).
// Else value*weight*(reverse ? -1 : 1); below -253 is FAULT.
Weighed weigh_file(int64_t value, int weight, bool reverse);

class TrackerSet {
public:
    // procs: the processes for track_process (null: track_process is ignored).
    TrackerSet(core::EventLoop& loop, ScriptRunner& runner, core::ProcessMonitor* procs = nullptr);
    ~TrackerSet();
    // The trackers the model's instances and sync groups use: unchanged ones
    // are kept (with their state), changed or new ones made, unused dropped.
    void apply(const config::Model& m);
    void start();  // first runs of new scripts
    ScriptTracker* script(const std::string& name) const;
    FileTracker* file(const std::string& name) const;
    ProcessTracker* process(const std::string& name) const;
    const std::map<std::string, std::unique_ptr<ScriptTracker>>& scripts() const { return scripts_; }
    const std::map<std::string, std::unique_ptr<ProcessTracker>>& processes() const { return processes_; }
    bool process_events() const { return process_events_; }

private:
    void apply_processes(const config::Model& m, const std::set<std::string>& wanted);
    void scan(const std::vector<ProcessTracker*>& trackers, const char* why);
    void on_process_event(const core::ProcessEvent& e);

    core::EventLoop& loop_;
    ScriptRunner& runner_;
    core::ProcessMonitor* procs_;
    std::map<std::string, std::unique_ptr<ScriptTracker>> scripts_;
    std::map<std::string, std::unique_ptr<FileTracker>> files_;
    std::map<std::string, std::unique_ptr<ProcessTracker>> processes_;
    bool process_events_ = false;  // listening to the process monitor
    bool told_no_events_ = false;
    core::TimerPtr rescan_;        // without process events
};

class InstanceTracking {
public:
    InstanceTracking(Instance& instance, net::LinkMonitor* links) : instance_(instance), links_(links) {}
    ~InstanceTracking();
    InstanceTracking(const InstanceTracking&) = delete;
    InstanceTracking& operator=(const InstanceTracking&) = delete;

    // What to track (the instance's entries, then its sync group's), then update().
    void configure(const TrackerSet& trackers, const config::VrrpInstance& v, const config::VrrpSyncGroup* group);
    // Recomputes and applies: fault sources set/cleared, priority adjustment.
    void update();
    void on_link(const std::string& ifname);

private:
    struct IfEntry {
        std::string name;
        int weight;
        bool reverse;
    };
    struct ScriptEntry {
        ScriptTracker* tracker;
        int weight;
        bool reverse;
    };
    struct FileEntry {
        FileTracker* tracker;
        int weight;
        bool reverse;
    };
    struct ProcessEntry {
        ProcessTracker* tracker;
        int weight;
        bool reverse;
    };
    // The instance's or the sync group's track_* lists (same field names).
    template <class Holder>
    void add_refs(const TrackerSet& trackers, const Holder& h);

    Instance& instance_;
    net::LinkMonitor* links_;
    std::string own_interface_;  // empty with dont_track_primary or no link monitor
    std::vector<IfEntry> interfaces_;
    std::vector<ScriptEntry> scripts_;
    std::vector<FileEntry> files_;
    std::vector<ProcessEntry> processes_;
    std::set<std::string> faults_;  // the fault sources we set
    std::vector<Subscription> subs_;
};

}  // namespace halbd::vrrp
