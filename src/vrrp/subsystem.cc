// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/subsystem.cc: see subsystem.hh. apply() order: sync groups down (they
// point at instances), instances removed or re-identified stop, channels
// and multicast memberships follow the model, kept instances take their new
// configuration, new ones are built, sync groups come back, new instances start.
#include "vrrp/subsystem.hh"

#include <ostream>
#include <set>

#include "core/log.hh"
#include "vrrp/instance_config.hh"

namespace halbd::vrrp {

namespace {
const char* family_name(net::Family f) { return f == net::Family::V4 ? "IPv4" : "IPv6"; }
}  // namespace

VrrpSubsystem::VrrpSubsystem(core::EventLoop& loop, net::AddressBackend& addresses, net::RouteBackend& routes,
                             net::Announcer& announcer, Transport& transport, net::LinkMonitor* links,
                             ScriptRunner* runner, core::ProcessMonitor* procs)
    : loop_(loop),
      hub_(loop),
      own_runner_(runner ? nullptr : std::make_unique<SpawnScriptRunner>(loop)),
      runner_(runner ? *runner : *own_runner_),
      link_delays_(links ? std::make_unique<LinkDelays>(loop, *links) : nullptr),
      links_(link_delays_.get()),
      trackers_(loop, runner_, procs),
      notifier_(loop, runner_),
      addresses_(addresses),
      routes_(routes),
      announcer_(announcer),
      transport_(transport),
      static_net_(addresses, routes),
      rx_log_(loop) {
    notify_events_ = subscribe([this](Instance& i, const InstanceEvent& e) { notifier_.on_instance(i, e); });
    if (links_) links_->set_listener([this](const std::string& ifname) { on_link(ifname); });
}

VrrpSubsystem::~VrrpSubsystem() {
    if (links_) links_->set_listener(nullptr);
    if (address_monitor_) address_monitor_->set_listener(nullptr);
    group_events_.clear();
    groups_.clear();
    for (auto& [name, n] : nodes_) n->tracking.reset();
}

std::string VrrpSubsystem::identity(const config::VrrpInstance& v) {
    const auto c = make_instance_config(v);
    return log::concat(v.interface, '/', family_name(v.family), "/vrid ", int(v.virtual_router_id), "/v",
                       int(c.version), c.unicast() ? "/unicast" : "/multicast", vmac_identity(v));
}

std::string VrrpSubsystem::group_signature(const config::Model& m) {
    std::string s;
    for (const auto& g : m.vrrp.vrrp_sync_group) {
        s += g.name + ":";
        for (const auto& r : g.group) s += r.name + ",";
        s += ";";
    }
    return s;
}

VrrpSubsystem::ChannelState* VrrpSubsystem::ensure_channel(const ChannelKey& key) {
    auto& slot = channels_[key];
    if (slot) return slot.get();
    slot = std::make_unique<ChannelState>();
    open_channel(key, *slot);
    return slot.get();
}

bool VrrpSubsystem::open_channel(const ChannelKey& key, ChannelState& cs) {
    auto link = addresses_.link(key.first);
    if (!link) {
        log::error("VRRP: ", link.error().message);
        return false;
    }
    ChannelSpec spec{key.first, link->ifindex, key.second};
    auto ch = transport_.open(spec, [this, key](const RxPacket& p) { on_packet(key, p); });
    if (!ch) {
        log::error(ch.error().message);
        return false;
    }
    cs.channel = std::move(ch.value());
    log::info("VRRP: listening on ", key.first, " (", family_name(key.second), ")");
    return true;
}

// Link events: the channels on the interface follow it, then tracking.
void VrrpSubsystem::on_link(const std::string& ifname) {
    restore_vmacs(ifname);
    for (auto& [key, cs] : channels_)
        if (key.first == ifname) follow_link(key, *cs);
    for (auto& [name, n] : nodes_)
        if (n->tracking) n->tracking->on_link(ifname);
}

// A socket stays bound to the interface index it was opened on: when the
// interface goes away or comes back under another index (deleted and
// created again), the socket closes and its instances are in FAULT
// ("unusable"); once an interface of that name is up, a new socket opens,
// the instances are bound to it (their advert source learnt again) and
// leave that fault. An interface missing at start takes the second path.
void VrrpSubsystem::follow_link(const ChannelKey& key, ChannelState& cs) {
    const std::string unusable = "interface " + key.first + " unusable";
    auto rebind = [&](Channel* ch, bool fault) {
        for (auto& [name, n] : nodes_) {
            if (n->channel != key) continue;
            n->io->bind(n->instance.get(), ch);
            n->instance->set_fault(fault, unusable);
        }
    };
    if (cs.channel) {
        const int old_index = cs.channel->spec().ifindex;
        auto link = addresses_.link(key.first);
        if (link && link->ifindex == old_index) return;
        log::info("VRRP: ", key.first, " (", family_name(key.second), ") index ", old_index,
                  link ? log::concat(" replaced by index ", link->ifindex) : std::string(" removed"),
                  "; socket closed");
        cs.channel.reset();
        cs.groups.clear();
        rebind(nullptr, true);
    }
    if (!links_->up(key.first).value_or(false) || !open_channel(key, cs)) return;
    rebind(cs.channel.get(), false);
    reconcile_groups();
}

std::unique_ptr<VrrpSubsystem::Node> VrrpSubsystem::make_node(const config::VrrpInstance& v,
                                                              const config::GlobalDefs& g) {
    auto n = std::make_unique<Node>();
    n->identity = identity(v);
    n->channel = {advert_ifname(v, g), v.family};
    const bool vmac_ok = !v.use_vmac || make_vmac(*n, v, g);
    n->io = std::make_unique<InstanceIo>(IoContext{loop_, addresses_, announcer_, routes_}, v, g);
    n->instance = std::make_unique<Instance>(loop_, make_instance_config(v), *n->io);
    ChannelState* cs = ensure_channel(n->channel);
    n->io->bind(n->instance.get(), cs->channel.get());
    n->events = n->instance->subscribe([this](Instance& i, const InstanceEvent& e) {
        listeners_.notify(i, e);
        if (e.kind == InstanceEvent::Kind::StateChange) publish(i, e);
    });
    n->instance->set_before_master([this](Instance& i, std::string_view reason, std::function<void()> proceed,
                                          std::function<bool()> pending) {
        before_master(i, reason, std::move(proceed), std::move(pending));
    });
    n->instance->set_preempt_hold([this](const Instance& i) {
        auto held = hub_.preemption_held(i.name());
        if (const SyncGroup* g = group_of(i); !held && g) held = hub_.preemption_held(g->name());
        return held;
    });
    if (!cs->channel) n->instance->set_fault(true, "interface " + n->channel.first + " unusable");
    if (!vmac_ok) n->instance->set_fault(true, vmac_fault_source(vmac_name(v, g)));
    return n;
}

const SyncGroup* VrrpSubsystem::group_of(const Instance& i) const {
    for (const auto& g : groups_)
        for (const Instance* m : g->members())
            if (m == &i) return g.get();
    return nullptr;
}

void VrrpSubsystem::publish(const Instance& i, const InstanceEvent& e) {
    const SyncGroup* g = group_of(i);
    hub_.publish(StateEvent{StateEvent::Of::Instance, i.name(), g ? g->name() : std::string(), e.from, e.to, e.reason,
                            loop_.now()});
}

// The unit entering MASTER is the instance's sync group, if any
// (vrrp/state_events.hh rule 2): a member of a group that is MASTER already
// takes its addresses at once.
void VrrpSubsystem::before_master(Instance& i, std::string_view reason, std::function<void()> proceed,
                                  std::function<bool()> pending) {
    MasterEntry e;
    e.reason = std::string(reason);
    if (const SyncGroup* g = group_of(i)) {
        if (g->state() == State::Master) return proceed();
        e.name = g->name();
        e.sync_group = true;
        for (const Instance* m : g->members()) e.instances.push_back(m->name());
    } else {
        e.name = i.name();
        e.instances = {i.name()};
    }
    hub_.enter_master(std::move(e), std::move(proceed), std::move(pending));
}

void VrrpSubsystem::reconcile_groups() {
    std::map<ChannelKey, std::set<net::IpAddress>> want;
    for (const auto& [name, n] : nodes_)
        if (n->instance->config().unicast_peers.empty()) want[n->channel].insert(n->io->group());
    for (auto& [key, cs] : channels_) {
        if (!cs->channel) continue;
        const auto& w = want[key];
        for (auto it = cs->groups.begin(); it != cs->groups.end();) {
            if (w.count(it->first)) {
                ++it;
                continue;
            }
            if (auto st = cs->channel->leave(it->first); !st) log::warning(st.error().message);
            it = cs->groups.erase(it);
        }
        for (const auto& g : w) {
            if (cs->groups.count(g)) continue;
            if (auto st = cs->channel->join(g); !st) {
                log::error(st.error().message);
                continue;
            }
            cs->groups[g] = true;
        }
    }
}

void VrrpSubsystem::apply(const config::Model* previous, const config::Model& current) {
    static_net_.apply(current);
    log_unknown_vrids_ = current.global.log_unknown_vrids;
    if (link_delays_) link_delays_->configure(current.vrrp.interface_up_down_delays);
    const auto& insts = current.vrrp.vrrp_instance;
    std::map<std::string, const config::VrrpInstance*> wanted;
    for (const auto& v : insts) wanted[v.name] = &v;

    // Which kept instances change identity (restart) or go away.
    std::vector<std::string> going;
    for (const auto& [name, n] : nodes_) {
        auto it = wanted.find(name);
        if (it == wanted.end() || identity(*it->second) != n->identity) going.push_back(name);
    }
    const std::string sig = group_signature(current);
    if (!going.empty() || sig != group_signature_ || !previous) {
        group_events_.clear();
        groups_.clear();
    }

    for (const auto& name : going) {
        auto& n = nodes_[name];
        if (!wanted.count(name)) notifier_.deleting(name);
        n->instance->stop(wanted.count(name) ? "reload: interface, family, VRID or version changed"
                                             : "reload: instance removed");
        nodes_.erase(name);
    }

    std::vector<Instance*> fresh;
    for (const auto& v : insts) {
        auto it = nodes_.find(v.name);
        if (it != nodes_.end()) {
            it->second->instance->reconfigure(make_instance_config(v));
            it->second->io->update(v, current.global);
            continue;
        }
        auto n = make_node(v, current.global);
        n->io->remove_stale_vips();
        fresh.push_back(n->instance.get());
        nodes_[v.name] = std::move(n);
    }

    // Channels nobody uses any more close (leaving their groups).
    std::set<ChannelKey> used;
    for (const auto& [name, n] : nodes_) used.insert(n->channel);
    for (auto it = channels_.begin(); it != channels_.end();) {
        if (used.count(it->first)) {
            ++it;
            continue;
        }
        log::info("VRRP: closing ", it->first.first, " (", family_name(it->first.second), ")");
        it = channels_.erase(it);
    }
    reconcile_groups();

    if (groups_.empty()) {
        for (const auto& g : current.vrrp.vrrp_sync_group) {
            std::vector<Instance*> members;
            for (const auto& r : g.group)
                if (auto it = nodes_.find(r.name); it != nodes_.end()) members.push_back(it->second->instance.get());
            if (members.empty()) continue;
            groups_.push_back(std::make_unique<SyncGroup>(g.name, std::move(members)));
            group_events_.push_back(groups_.back()->subscribe(
                [this](const SyncGroup& sg, State from, State to, const std::string& reason) {
                    notifier_.on_group(sg.name(), to);
                    hub_.publish(StateEvent{StateEvent::Of::SyncGroup, sg.name(), {}, from, to, reason, loop_.now()});
                }));
        }
    }
    group_signature_ = sig;

    // Tracking and notifications follow the new model before anything starts,
    // so an instance whose interface is missing starts in FAULT and the
    // startup transitions are notified.
    trackers_.apply(current);
    notifier_.configure(current);
    for (const auto& v : insts) {
        auto& n = nodes_.at(v.name);
        if (!n->tracking) n->tracking = std::make_unique<InstanceTracking>(*n->instance, links_);
        const config::VrrpSyncGroup* g =
            v.sync_group < current.vrrp.vrrp_sync_group.size() ? &current.vrrp.vrrp_sync_group[v.sync_group] : nullptr;
        n->tracking->configure(trackers_, v, g);
    }

    if (!previous && current.global.vrrp_startup_delay > Duration{}) {
        startup_delay_ = loop_.create_timer([this] {
            log::info("VRRP: vrrp_startup_delay over; starting ", nodes_.size(), " instance(s)");
            for (auto& [name, n] : nodes_) n->instance->start();
        });
        startup_delay_->arm(current.global.vrrp_startup_delay);
        log::info("VRRP: vrrp_startup_delay: instances start in ", log::secs(current.global.vrrp_startup_delay));
    }
    if (!startup_delay_ || !startup_delay_->armed())
        for (Instance* i : fresh) i->start();
    trackers_.start();
    if (previous)
        log::info("VRRP: ", nodes_.size(), " instance(s) after reload, ", fresh.size(), " new, ", going.size(),
                  " stopped");
}

void VrrpSubsystem::stop(const config::StopOptions& opts) {
    const bool release = !opts.keep_addresses;
    startup_delay_.reset();  // stopped instances must not start when it would fire
    groups_.clear();
    for (auto& [name, n] : nodes_) {
        n->io->set_release_on_stop(release);
        if (n->vmac) n->vmac->set_keep(!release);
        n->instance->stop(release ? "shutdown" : "shutdown (-V: VIPs kept)");
    }
    static_net_.stop();
}

void VrrpSubsystem::on_packet(const ChannelKey& key, const RxPacket& p) {
    auto cit = channels_.find(key);
    if (cit == channels_.end()) return;
    ChannelState& cs = *cit->second;
    ++cs.received;
    auto d = p.ip_header ? decode_ipv4(p.bytes) : decode(p.bytes, p.meta);
    if (!d) {
        cs.drops.add(d.error());
        if (log::enabled(log::Level::debug))
            rx_log_.debug(key.first + ' ' + to_string(d.error()), "VRRP: ", key.first, ": dropped packet: ",
                          to_string(d.error()));
        return;
    }
    const RxMeta& meta = p.ip_header ? d->meta : p.meta;
    for (auto& [name, n] : nodes_) {
        if (n->channel != key || n->instance->config().vrid != d->advert.vrid) continue;
        if (auto drop = n->instance->receive(d->advert, meta)) {
            n->drops.add(*drop);
            if (log::enabled(log::Level::debug))
                rx_log_.debug(name + ' ' + to_string(*drop), name, ": dropped advert from ", meta.src.to_string(),
                              ": ", to_string(*drop));
        }
        return;
    }
    cs.drops.add(DropReason::NotOurVrid);
    // keepalived's log_unknown_vrids; aggregated per socket like every rx line.
    if (log_unknown_vrids_)
        rx_log_.info(key.first + " unknown vrid", "VRRP: ", key.first, ": advert for unknown VRID ",
                     int(d->advert.vrid), " from ", meta.src.to_string(), "; ignored");
}

Instance* VrrpSubsystem::instance(const std::string& name) const {
    auto it = nodes_.find(name);
    return it == nodes_.end() ? nullptr : it->second->instance.get();
}

const InstanceIo* VrrpSubsystem::io(const std::string& name) const {
    auto it = nodes_.find(name);
    return it == nodes_.end() ? nullptr : it->second->io.get();
}

const DropCounters* VrrpSubsystem::instance_drops(const std::string& name) const {
    auto it = nodes_.find(name);
    return it == nodes_.end() ? nullptr : &it->second->drops;
}

const DropCounters* VrrpSubsystem::channel_drops(const std::string& ifname, net::Family family) const {
    auto it = channels_.find({ifname, family});
    return it == channels_.end() ? nullptr : &it->second->drops;
}

std::vector<VrrpSubsystem::SocketView> VrrpSubsystem::sockets() const {
    std::vector<SocketView> out;
    for (const auto& [key, cs] : channels_)
        out.push_back(SocketView{key.first, key.second, cs->channel != nullptr, cs->received, &cs->drops});
    return out;
}

std::optional<VrrpSubsystem::SocketView> VrrpSubsystem::socket_of(const std::string& instance) const {
    auto n = nodes_.find(instance);
    if (n == nodes_.end()) return std::nullopt;
    auto c = channels_.find(n->second->channel);
    if (c == channels_.end()) return SocketView{n->second->channel.first, n->second->channel.second, false, 0, nullptr};
    return SocketView{c->first.first, c->first.second, c->second->channel != nullptr, c->second->received,
                      &c->second->drops};
}

std::vector<const SyncGroup*> VrrpSubsystem::sync_groups() const {
    std::vector<const SyncGroup*> out;
    for (const auto& g : groups_) out.push_back(g.get());
    return out;
}

namespace {
void dump_drops(std::ostream& os, const DropCounters& d) {
    os << "#   drops " << d.total();
    for (size_t i = 0; i < kDropReasonCount; ++i)
        if (d.counts[i]) os << ' ' << to_string(static_cast<DropReason>(i)) << '=' << d.counts[i];
    os << '\n';
}
}  // namespace

void VrrpSubsystem::dump_state(std::ostream& os) const {
    os << "# VRRP: " << nodes_.size() << " instance(s), " << channels_.size() << " socket(s), " << groups_.size()
       << " sync group(s)\n";
    for (const auto& [name, n] : nodes_) {
        const Instance& i = *n->instance;
        const auto& s = i.stats();
        const auto& io = n->io->stats();
        os << "# VRRP instance " << name << ": " << to_string(i.state()) << ", priority "
           << int(i.effective_priority()) << " (base " << int(i.config().priority) << "), " << n->identity;
        os << ", master " << i.master_text();
        os << ", VIPs " << (n->io->vips_installed() ? "installed" : "not installed");
        if (const auto missing = n->io->missing_vips().size()) os << " (" << missing << " missing)";
        os << '\n';
        os << "#   transitions " << s.transitions << ", became master " << s.become_master << ", released master "
           << s.release_master << ", adverts sent " << s.adverts_sent << " received " << s.adverts_received
           << ", priority 0 sent " << s.pri_zero_sent << " received " << s.pri_zero_received
           << ", lower priority received " << s.lower_prio_received << '\n';
        os << "#   tx errors " << io.tx_errors << ", no source " << io.tx_no_source << ", VIP errors "
           << io.vip_errors << ", route/rule errors " << io.route_errors << ", GARPs " << io.garps_sent
           << ", NAs " << io.nas_sent << ", announce errors " << io.announce_errors << ", VIPs restored "
           << io.vips_restored << ", answers limited " << s.answers_limited << ", advert lateness p99 "
           << log::secs(i.lateness().percentile(0.99)) << " max " << log::secs(i.lateness().max()) << '\n';
        if (const auto& t = i.last_transition())
            os << "#   last transition " << to_string(t->from) << " -> " << to_string(t->to) << ' '
               << log::secs(loop_.now() - t->at) << " ago (" << t->reason << ")\n";
        os << "#   VIPs";
        if (n->io->vips().empty()) os << " none";
        for (const auto& v : n->io->vips()) os << ' ' << v.address.to_string() << " on " << v.dev;
        os << '\n';
        for (const auto& f : i.fault_sources()) os << "#   fault: " << f << '\n';
        dump_drops(os, n->drops);
    }
    for (const auto& [key, cs] : channels_) {
        os << "# VRRP socket " << key.first << " " << family_name(key.second) << ": ";
        if (cs->channel)
            os << "open (index " << cs->channel->spec().ifindex << ")";
        else
            os << "NOT OPEN";
        os << ", received " << cs->received << ", groups";
        for (const auto& [g, joined] : cs->groups) os << ' ' << g.to_string();
        os << '\n';
        dump_drops(os, cs->drops);
    }
    for (const auto& g : groups_) os << "# VRRP sync group " << g->name() << ": " << to_string(g->state()) << '\n';
    for (const auto& [name, t] : trackers_.scripts()) {
        const auto& s = t->stats();
        os << "# VRRP script " << name << ": " << (t->disabled() ? "disabled" : to_string(t->status())) << ", runs "
           << s.runs << ", successes " << s.successes << ", failures " << s.failures << ", timeouts " << s.timeouts
           << ", overruns " << s.overruns << ", spawn errors " << s.spawn_errors << '\n';
    }
    for (const auto& [name, t] : trackers_.processes())
        os << "# VRRP track_process " << name << ": " << (t->up() ? "up" : "down") << ", " << t->count()
           << " process(es), " << (trackers_.process_events() ? "process events" : "/proc rescans") << '\n';
    os << "# VRRP static: " << static_net_.installed().addresses.size() << " address(es), "
       << static_net_.installed().routes.size() << " route(s), " << static_net_.installed().rules.size()
       << " rule(s), errors " << static_net_.errors() << '\n';
    const auto& ns = notifier_.stats();
    os << "# VRRP notify: scripts started " << ns.scripts_started << ", script errors " << ns.script_errors
       << ", FIFO lines " << ns.fifo_lines << ", FIFO dropped " << ns.fifo_dropped << '\n';
}

}  // namespace halbd::vrrp
