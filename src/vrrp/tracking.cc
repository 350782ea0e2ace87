// vrrp/tracking.cc: see tracking.hh. Fault source names are what the
// instance logs as the reason of its FAULT transition: "track_script chk
// down", "interface eth0 down", "track_file f = 3".
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

void TrackerSet::apply(const config::Model& m) {
    std::set<std::string> want_scripts, want_files;
    auto collect = [&](const auto& holder) {
        for (const auto& t : holder.track_script) want_scripts.insert(t.name);
        for (const auto& t : holder.track_file) want_files.insert(t.name);
    };
    for (const auto& v : m.vrrp.vrrp_instance) collect(v);
    for (const auto& g : m.vrrp.vrrp_sync_group) collect(g);

    std::map<std::string, std::unique_ptr<ScriptTracker>> scripts;
    for (const auto& s : m.vrrp.vrrp_script) {
        if (!want_scripts.count(s.name)) continue;
        auto it = scripts_.find(s.name);
        if (it != scripts_.end() && it->second->signature() == ScriptTracker::signature_of(s)) {
            scripts[s.name] = std::move(it->second);
            continue;
        }
        auto spec = ScriptSpec::resolve("vrrp_script " + s.name + ":", s.script, s.user, m.global);
        scripts[s.name] = std::make_unique<ScriptTracker>(loop_, runner_, s, std::move(spec));
    }
    scripts_ = std::move(scripts);

    std::map<std::string, std::unique_ptr<FileTracker>> files;
    for (const auto& f : m.vrrp.track_file) {
        if (!want_files.count(f.name)) continue;
        auto it = files_.find(f.name);
        if (it != files_.end() && it->second->signature() == FileTracker::signature_of(f)) {
            files[f.name] = std::move(it->second);
            continue;
        }
        files[f.name] = std::make_unique<FileTracker>(loop_, f);
    }
    files_ = std::move(files);
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

InstanceTracking::~InstanceTracking() {
    subs_.clear();
    for (const auto& f : faults_) instance_.set_fault(false, f);
}

void InstanceTracking::add_refs(const TrackerSet& trackers, const std::vector<config::TrackedInterface>& ifs,
                                const std::vector<config::TrackedRef>& scripts,
                                const std::vector<config::TrackedRef>& files) {
    if (links_)
        for (const auto& t : ifs) interfaces_.push_back({t.name, t.weight, t.reverse});
    for (const auto& t : scripts) {
        ScriptTracker* s = trackers.script(t.name);
        if (!s) continue;
        if (s->disabled()) {
            log::warning(instance_.name(), ": track_script ", t.name, " is disabled (refused at load); not tracked");
            continue;
        }
        scripts_.push_back({s, t.weight.value_or(0), t.reverse.value_or(false)});
        subs_.push_back(s->subscribe([this] { update(); }));
    }
    for (const auto& t : files) {
        FileTracker* f = trackers.file(t.name);
        if (!f) continue;
        files_.push_back({f, t.weight.value_or(1), t.reverse.value_or(false)});
        subs_.push_back(f->subscribe([this] { update(); }));
    }
}

void InstanceTracking::configure(const TrackerSet& trackers, const config::VrrpInstance& v,
                                 const config::VrrpSyncGroup* group) {
    subs_.clear();
    interfaces_.clear();
    scripts_.clear();
    files_.clear();
    own_interface_ = links_ && !v.dont_track_primary ? v.interface : std::string();
    add_refs(trackers, v.track_interface, v.track_script, v.track_file);
    if (group) add_refs(trackers, group->track_interface, group->track_script, group->track_file);
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
    // New sources first, so that replacing one by another never leaves FAULT.
    for (const auto& f : faults)
        if (!faults_.count(f)) instance_.set_fault(true, f);
    for (const auto& f : faults_)
        if (!faults.count(f)) instance_.set_fault(false, f);
    faults_ = std::move(faults);
    instance_.set_priority_adjustment(delta, contributions.empty() ? "tracking: no adjustment" : "tracking: " + contributions);
}

}  // namespace halbd::vrrp
