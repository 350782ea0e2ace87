// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/tracking.cc: see tracking.hh. Fault source names are what the
// instance logs as the reason of its FAULT transition: "track_script chk
// down", "interface eth0 down", "track_file f = 3", "track_process p down".
#include "vrrp/tracking.hh"

#include <algorithm>

#include "core/log.hh"

namespace halbd::vrrp {

Weighed weigh(bool up, int weight, bool reverse) {
    if (weight == 0) return {reverse ? up : !up, 0};
    const int mult = reverse ? -1 : 1;
    if (up && weight > 0) return {false, weight * mult};
    if (!up && weight < 0) return {false, weight * mult};
    return {};
}

Weighed weigh_file(int64_t value, int weight, bool reverse) {
    if (weight == 0) return {reverse ? value == 0 : value != 0, 0};
    const int64_t v = value * weight * (reverse ? -1 : 1);
    if (v < -253) return {true, 0};
    return {false, static_cast<int>(std::min<int64_t>(v, 253))};
}

namespace {
constexpr Duration kProcessRescan = std::chrono::seconds(1);  // without process events

// The trackers of `configs` that the model uses (`wanted`): those of `have`
// whose signature is unchanged are kept, with their state; the others made.
template <class Tracker, class Config, class Make>
std::map<std::string, std::unique_ptr<Tracker>> keep_or_make(std::map<std::string, std::unique_ptr<Tracker>>& have,
                                                             const std::vector<Config>& configs,
                                                             const std::set<std::string>& wanted, Make make) {
    std::map<std::string, std::unique_ptr<Tracker>> out;
    for (const auto& c : configs) {
        if (!wanted.count(c.name)) continue;
        auto it = have.find(c.name);
        if (it != have.end() && it->second->signature() == Tracker::signature_of(c))
            out[c.name] = std::move(it->second);
        else
            out[c.name] = make(c);
    }
    return out;
}
}  // namespace

TrackerSet::TrackerSet(core::EventLoop& loop, ScriptRunner& runner, core::ProcessMonitor* procs)
    : loop_(loop), runner_(runner), procs_(procs) {
    rescan_ = loop_.create_timer([this] {
        std::vector<ProcessTracker*> all;
        for (auto& [name, p] : processes_) all.push_back(p.get());
        scan(all, "rescan");
        rescan_->arm(kProcessRescan);
    });
}

TrackerSet::~TrackerSet() {
    if (procs_ && process_events_) (void)procs_->listen(nullptr);
}

void TrackerSet::apply(const config::Model& m) {
    std::set<std::string> want_scripts, want_files, want_procs;
    auto collect = [&](const auto& holder) {
        for (const auto& t : holder.track_script) want_scripts.insert(t.name);
        for (const auto& t : holder.track_file) want_files.insert(t.name);
        for (const auto& t : holder.track_process) want_procs.insert(t.name);
    };
    for (const auto& v : m.vrrp.vrrp_instance) collect(v);
    for (const auto& g : m.vrrp.vrrp_sync_group) collect(g);

    scripts_ = keep_or_make(scripts_, m.vrrp.vrrp_script, want_scripts, [&](const config::VrrpScript& s) {
        auto spec = ScriptSpec::resolve("vrrp_script " + s.name + ":", s.script, s.user, m.global);
        return std::make_unique<ScriptTracker>(loop_, runner_, s, std::move(spec));
    });
    files_ = keep_or_make(files_, m.vrrp.track_file, want_files,
                          [&](const config::TrackFile& f) { return std::make_unique<FileTracker>(loop_, f); });
    apply_processes(m, want_procs);
}

// Process trackers: events are listened to while there is one; new
// trackers start from a /proc scan.
void TrackerSet::apply_processes(const config::Model& m, const std::set<std::string>& wanted) {
    if (!procs_) {
        if (!wanted.empty()) log::warning("VRRP: no process monitor; track_process is not tracked");
        return;
    }
    std::vector<ProcessTracker*> fresh;
    processes_ = keep_or_make(processes_, m.vrrp.vrrp_track_process, wanted, [&](const config::TrackProcess& p) {
        auto t = std::make_unique<ProcessTracker>(loop_, p);
        fresh.push_back(t.get());
        return t;
    });
    if (processes_.empty()) {
        rescan_->cancel();
        if (process_events_) (void)procs_->listen(nullptr);
        process_events_ = false;
        return;
    }
    // Listen before scanning, so that nothing starting in between is missed.
    if (!process_events_ && !rescan_->armed()) {
        auto st = procs_->listen([this](const core::ProcessEvent& e) { on_process_event(e); });
        process_events_ = static_cast<bool>(st);
        if (!st) {
            if (!told_no_events_)
                log::warning("VRRP: no process events (", st.error().message, "); track_process scans /proc every ",
                             log::secs(kProcessRescan));
            told_no_events_ = true;
            rescan_->arm(kProcessRescan);
        }
    }
    scan(fresh, "start");
}

void TrackerSet::scan(const std::vector<ProcessTracker*>& trackers, const char* why) {
    if (trackers.empty()) return;
    const bool cmdline = std::any_of(trackers.begin(), trackers.end(), [](auto* t) { return t->needs_cmdline(); });
    std::vector<core::ProcessInfo> all;
    for (int pid : procs_->list())
        if (auto p = procs_->read(pid, cmdline)) all.push_back(std::move(*p));
    for (auto* t : trackers) t->load(all, why);
}

void TrackerSet::on_process_event(const core::ProcessEvent& e) {
    using K = core::ProcessEvent::Kind;
    if (e.kind == K::Lost) {
        log::warning("VRRP: process events lost; scanning /proc again");
        std::vector<ProcessTracker*> all;
        for (auto& [name, p] : processes_) all.push_back(p.get());
        scan(all, "events lost");
        return;
    }
    std::optional<core::ProcessInfo> info;
    if (e.kind == K::Exec || e.kind == K::Comm) {
        const bool cmdline =
            std::any_of(processes_.begin(), processes_.end(), [](const auto& p) { return p.second->needs_cmdline(); });
        info = procs_->read(e.pid, cmdline);
    }
    for (auto& [name, p] : processes_) p->on_event(e, info ? &*info : nullptr);
}

void TrackerSet::start() {
    for (auto& [name, s] : scripts_) s->start();
}

ScriptTracker* TrackerSet::script(const std::string& name) const {
    auto it = scripts_.find(name);
    return it == scripts_.end() ? nullptr : it->second.get();
}

FileTracker* TrackerSet::file(const std::string& name) const {
    auto it = files_.find(name);
    return it == files_.end() ? nullptr : it->second.get();
}

ProcessTracker* TrackerSet::process(const std::string& name) const {
    auto it = processes_.find(name);
    return it == processes_.end() ? nullptr : it->second.get();
}

InstanceTracking::~InstanceTracking() {
    subs_.clear();
    for (const auto& f : faults_) instance_.set_fault(false, f);
}

template <class Holder>
void InstanceTracking::add_refs(const TrackerSet& trackers, const Holder& h) {
    if (links_)
        for (const auto& t : h.track_interface) interfaces_.push_back({t.name, t.weight, t.reverse});
    for (const auto& t : h.track_script) {
        ScriptTracker* s = trackers.script(t.name);
        if (!s) continue;
        if (s->disabled()) {
            log::warning(instance_.name(), ": track_script ", t.name, " is disabled (refused at load); not tracked");
            continue;
        }
        scripts_.push_back({s, t.weight.value_or(0), t.reverse.value_or(false)});
        subs_.push_back(s->subscribe([this] { update(); }));
    }
    for (const auto& t : h.track_file) {
        FileTracker* f = trackers.file(t.name);
        if (!f) continue;
        files_.push_back({f, t.weight.value_or(1), t.reverse.value_or(false)});
        subs_.push_back(f->subscribe([this] { update(); }));
    }
    for (const auto& t : h.track_process) {
        ProcessTracker* p = trackers.process(t.name);
        if (!p) continue;
        processes_.push_back({p, t.weight.value_or(1), t.reverse.value_or(false)});
        subs_.push_back(p->subscribe([this] { update(); }));
    }
}

void InstanceTracking::configure(const TrackerSet& trackers, const config::VrrpInstance& v,
                                 const config::VrrpSyncGroup* group) {
    subs_.clear();
    interfaces_.clear();
    scripts_.clear();
    files_.clear();
    processes_.clear();
    own_interface_ = links_ && !v.dont_track_primary ? v.interface : std::string();
    add_refs(trackers, v);
    if (group) add_refs(trackers, *group);
    update();
}

void InstanceTracking::on_link(const std::string& ifname) {
    bool ours = ifname == own_interface_;
    for (const auto& i : interfaces_) ours = ours || i.name == ifname;
    if (ours) update();
}

void InstanceTracking::update() {
    std::set<std::string> faults;
    int delta = 0;
    std::string contributions;  // "track_script chk up +10, ..."
    auto contributes = [&](const std::string& what, int d) {
        if (d == 0) return;
        if (!contributions.empty()) contributions += ", ";
        contributions += log::concat(what, d > 0 ? " +" : " ", d);
    };
    auto link_up = [&](const std::string& name, std::string& why) {
        auto st = links_->up(name);
        why = !st ? " missing" : *st ? " up" : " down";
        return st.value_or(false);
    };
    std::string why;
    if (!own_interface_.empty() && !link_up(own_interface_, why)) faults.insert("interface " + own_interface_ + why);
    for (const auto& i : interfaces_) {
        const Weighed w = weigh(link_up(i.name, why), i.weight, i.reverse);
        if (w.fault) faults.insert("track_interface " + i.name + why);
        contributes("track_interface " + i.name + why, w.delta);
        delta += w.delta;
    }
    for (const auto& s : scripts_) {
        if (s.tracker->status() == TrackStatus::Unknown) continue;
        const bool up = s.tracker->status() == TrackStatus::Up;
        const Weighed w = weigh(up, s.weight, s.reverse);
        if (w.fault) faults.insert("track_script " + s.tracker->name() + (up ? " up" : " down"));
        contributes("track_script " + s.tracker->name() + (up ? " up" : " down"), w.delta);
        delta += w.delta;
    }
    for (const auto& f : files_) {
        const Weighed w = weigh_file(f.tracker->value(), f.weight, f.reverse);
        if (w.fault) faults.insert(log::concat("track_file ", f.tracker->name(), " = ", f.tracker->value()));
        contributes(log::concat("track_file ", f.tracker->name(), " = ", f.tracker->value()), w.delta);
        delta += w.delta;
    }
    for (const auto& p : processes_) {
        const bool up = p.tracker->up();
        const Weighed w = weigh(up, p.weight, p.reverse);
        const std::string what = "track_process " + p.tracker->name() + (up ? " up" : " down");
        if (w.fault) faults.insert(what);
        contributes(what, w.delta);
        delta += w.delta;
    }
    // New sources first, so that replacing one by another never leaves FAULT.
    for (const auto& f : faults)
        if (!faults_.count(f)) instance_.set_fault(true, f);
    for (const auto& f : faults_)
        if (!faults.count(f)) instance_.set_fault(false, f);
    faults_ = std::move(faults);
    instance_.set_priority_adjustment(delta, contributions.empty() ? "tracking: no adjustment" : "tracking: " + contributions);
}

}  // namespace halbd::vrrp
