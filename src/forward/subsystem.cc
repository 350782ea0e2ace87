// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/subsystem.cc: see subsystem.hh. Every kernel change goes through
// reconcile() -> plan() -> apply(); this file only decides when, and handles
// the global settings of the IPVS extension (flush, timeouts, sync daemon)
// when the backend has it. Log lines begin with the backend's name.
#include "forward/subsystem.hh"

#include <cerrno>
#include <ostream>

#include "core/log.hh"
#include "forward/ipvsadm_format.hh"
#include "forward/quorum.hh"

namespace halbd::forward {

namespace {
uint32_t secs(const std::optional<Duration>& d) {
    return d ? static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(*d).count()) : 0;
}
const char* role_name(SyncDaemon::Role r) { return r == SyncDaemon::Role::Master ? "master" : "backup"; }
}  // namespace

Timeouts timeouts_for(const config::LvsTimeouts& t) { return Timeouts{secs(t.tcp), secs(t.tcpfin), secs(t.udp)}; }

SyncDaemon sync_daemon_for(const config::LvsSyncDaemon& c, SyncDaemon::Role role) {
    // keepalived ipvs_syncd_cmd(): only values differing from the kernel's
    // defaults are sent, so older kernels without those attributes still work.
    static const net::IpAddress default_group = *net::IpAddress::parse("224.0.0.81");
    SyncDaemon d;
    d.role = role;
    d.ifname = c.interface;
    d.syncid = c.id.value_or(0);
    d.maxlen = c.maxlen.value_or(0);
    d.port = c.port == 8848 ? 0 : c.port;
    d.ttl = c.ttl == 1 ? 0 : c.ttl;
    if (!(c.group == default_group)) {
        d.group = c.group;
        d.has_group = true;
    }
    return d;
}

ForwardSubsystem::ForwardSubsystem(BackendChoice choice)
    : open_(std::move(choice.open)), name_(std::move(choice.capabilities.backend)){}
ForwardSubsystem::ForwardSubsystem(Backend& backend) : name_(backend.name()), backend_(&backend) {}
ForwardSubsystem::~ForwardSubsystem() = default;

bool ForwardSubsystem::open_backend(const config::Model& m) {
    if (m.lvs.virtual_servers.empty()) {
        absent_ = "the configuration has no virtual_server";
        return false;
    }
    auto opened = open_ ? open_() : core::Result<std::unique_ptr<Backend>>(core::Error{ENODEV, "no backend"});
    if (!opened) {
        // One line per attempt (start, then each reload), naming what is missing.
        absent_ = name_ + " is not available: " + opened.error().message;
        log::error(absent_);
        return false;
    }
    opened_ = std::move(opened.value());
    backend_ = opened_.get();
    name_ = backend_->name();
    absent_.clear();
    return true;
}

void ForwardSubsystem::apply(const config::Model* previous, const config::Model& current) {
    // The backend is chosen once, at start (validation of this model used its capabilities).
    if (previous && previous->global.lvs_backend != current.global.lvs_backend)
        log::warning(name_, ": lvs_backend changed; the forwarding backend changes only at restart");
    if (!backend_ && !open_backend(current)) return;
    if (!model_) previous = nullptr;  // the first configuration forwarding runs: a start
    model_ = &current;
    IpvsExtension* ipvs = backend_->ipvs();
    if (!previous && current.global.lvs_flush && ipvs) {
        if (auto st = ipvs->flush(); !st)
            log::error(name_, ": flush (lvs_flush): ", st.error().message);
        else
            log::info(name_, ": flushed the whole table (lvs_flush)");
    }
    apply_timeouts(current, previous);
    apply_sync_daemon(current);
    reconcile(previous ? "configuration reload" : "start");
}

void ForwardSubsystem::refresh(std::string_view reason) {
    if (model_) reconcile(reason);
}

void ForwardSubsystem::reconcile(std::string_view reason) {
    ServiceTable desired = desired_services(*model_, pool_ ? *pool_ : initial_pool_);
    ServiceTable dumped_table;
    const ServiceTable* kernel = &programmed_;
    if (!in_sync_) {
        if (auto dumped = backend_->dump(); !dumped) {
            log::error(name_, ": cannot read the kernel table: ", dumped.error().message, "; assuming it is empty");
        } else {
            dumped_table = std::move(dumped.value());
        }
        kernel = &dumped_table;
    }
    const std::vector<Op> ops = plan(desired, *kernel, owned_);
    const uint64_t writes_before = backend_->writes();
    last_ = forward::apply(*backend_, ops, reason);
    in_sync_ = last_.failed == 0 && last_.skipped == 0;
    if (!in_sync_)
        log::warning(name_, ": ", last_.failed, " change(s) failed, ", last_.skipped, " skipped (", reason,
                     "); the next change re-reads the kernel table");
    else if (ops.empty())
        log::debug(name_, ": kernel table already as configured (", reason, ")");
    else
        log::info(name_, ": ", ops.size(), " change(s) with ", backend_->writes() - writes_before,
                  " netlink write(s) (", reason, ")");
    // Everything desired is ours now, including matching services adopted from
    // the kernel; after a failure also what was ours (a service this change
    // failed to remove is still there, and still ours to remove).
    if (in_sync_) owned_.clear();
    for (const auto& [k, s] : desired) owned_.insert(k.canonical());
    programmed_ = std::move(desired);
    if (on_reconciled_) on_reconciled_(reason);
}

std::optional<std::string> ForwardSubsystem::not_serving(const config::VirtualServer& vs) const {
    if (!backend_) return "forwarding is not running: " + absent_;
    if (!model_) return std::string("forwarding has no configuration yet");
    if (!in_sync_)
        return name_ + " refused part of the last change (" + std::to_string(last_.failed) + " failed, " +
               std::to_string(last_.skipped) + " skipped)";
    const PoolView& pool = pool_ ? *pool_ : initial_pool_;
    if (quorum_holds(vs, pool)) return std::nullopt;
    std::string name = vs.kind == config::VsKind::Fwmark ? "fwmark " + std::to_string(vs.fwmark)
                                                          : vs.address.to_string() + " port " + std::to_string(vs.port);
    return "virtual server " + name + " has no quorum (live weight " + std::to_string(live_weight(vs, pool)) +
           ", quorum " + std::to_string(vs.quorum) + ")";
}

void ForwardSubsystem::apply_timeouts(const config::Model& m, const config::Model* previous) {
    IpvsExtension* ipvs = backend_->ipvs();
    const Timeouts t = timeouts_for(m.global.lvs_timeouts);
    if (!ipvs || t == Timeouts{}) return;  // nothing configured: the kernel's values stay
    if (previous && timeouts_for(previous->global.lvs_timeouts) == t) return;
    if (auto st = ipvs->set_timeouts(t); !st)
        log::error(name_, ": set timeouts (lvs_timeouts): ", st.error().message);
    else
        log::info(name_, ": timeouts set to tcp ", t.tcp, " tcpfin ", t.tcp_fin, " udp ", t.udp,
                  " (0 = unchanged)");
}

void ForwardSubsystem::apply_sync_daemon(const config::Model& m) {
    const auto& cfg = m.global.lvs_sync_daemon;
    IpvsExtension* ipvs = backend_->ipvs();
    if (!cfg || !sync_role_ || !ipvs) {
        if (sync_) stop_sync_daemon();
        return;
    }
    const SyncDaemon want = sync_daemon_for(*cfg, *sync_role_);
    if (sync_ && *sync_ == want) return;
    if (sync_) stop_sync_daemon();
    if (auto st = ipvs->start_sync_daemon(want); !st) {
        log::error(name_, ": start ", role_name(want.role), " sync daemon on ", want.ifname, ": ", st.error().message);
        return;
    }
    sync_ = want;
    log::info(name_, ": ", role_name(want.role), " sync daemon started on ", want.ifname, " (syncid ", want.syncid, ")");
}

void ForwardSubsystem::stop_sync_daemon() {
    // Set only by apply_sync_daemon(), with the extension.
    IpvsExtension* ipvs = backend_ ? backend_->ipvs() : nullptr;
    if (!sync_ || !ipvs) return;
    if (auto st = ipvs->stop_sync_daemon(sync_->role); !st)
        log::error(name_, ": stop ", role_name(sync_->role), " sync daemon: ", st.error().message);
    else
        log::info(name_, ": ", role_name(sync_->role), " sync daemon stopped");
    sync_.reset();
}

void ForwardSubsystem::set_sync_role(SyncDaemon::Role role) {
    if (sync_role_ == role) return;
    sync_role_ = role;
    if (model_) apply_sync_daemon(*model_);  // starts, or restarts in the new role
}

void ForwardSubsystem::stop(const config::StopOptions& opts) {
    if (model_ && !opts.keep_forwarding) {
        IpvsExtension* ipvs = backend_->ipvs();
        if (model_->global.lvs_flush_on_stop == config::LvsFlushOnStop::Full && ipvs) {
            if (auto st = ipvs->flush(); !st)
                log::error(name_, ": flush (lvs_flush_on_stop): ", st.error().message);
            else
                log::info(name_, ": flushed the whole table (lvs_flush_on_stop)");
        } else if (!owned_.empty()) {
            // Removing a service removes its destinations with it.
            ServiceTable kernel;
            if (auto dumped = backend_->dump(); dumped) kernel = std::move(dumped.value());
            else
                for (const auto& k : owned_) kernel[k].key = k;  // cannot read: try each owned service
            last_ = forward::apply(*backend_, plan({}, kernel, owned_), "shutdown");
        }
        owned_.clear();
        programmed_.clear();
    } else if (model_ && opts.keep_forwarding) {
        log::info(name_, ": leaving ", owned_.size(), " service(s) in the kernel (-I)");
    }
    stop_sync_daemon();
}

void ForwardSubsystem::dump_state(std::ostream& os) const {
    if (!backend_) {
        os << "# forwarding (" << name_ << "): not running: " << absent_ << '\n';
        return;
    }
    os << "# forwarding (" << name_ << "): " << owned_.size() << " service(s) owned, last change "
       << last_.done << " done, " << last_.failed << " failed, " << last_.skipped << " skipped\n"
       << format_ipvsadm(programmed_);
}

}  // namespace halbd::forward
