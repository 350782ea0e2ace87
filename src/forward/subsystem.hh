// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/subsystem.hh: the forwarding subsystem, a ConfigSubscriber over a
// Backend (IPVS today), which it opens itself the first time a configuration
// has a virtual server (at start or on a reload) and then owns. Start,
// reload and pool changes all run the same path: desired table -> kernel
// dump -> plan -> apply (DESIGN principle 4). Flush, timeouts and the sync
// daemon go through the backend's IPVS extension, only when it has one.
// Created and subscribed by halbd.cc.
#pragma once

#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "forward/backend.hh"
#include "forward/desired.hh"
#include "forward/ipvs_extension.hh"
#include "forward/reconciler.hh"
#include "config/subscriber.hh"

namespace halbd::forward {

class ForwardSubsystem : public config::ConfigSubscriber {
public:
    // Opens the chosen backend only once a configuration has a virtual
    // server: a VRRP-only node never loads ip_vs, and a reload that adds the
    // first virtual_server starts forwarding (as a start: lvs_flush, full
    // reconcile). A failed open is retried at the next reload.
    explicit ForwardSubsystem(BackendChoice choice);
    // A backend that is already open, and outlives this object.
    explicit ForwardSubsystem(Backend& backend);
    ~ForwardSubsystem() override;

    bool running() const { return backend_ != nullptr; }
    // The backend's name ("IPVS"), also while it is not open.
    const std::string& backend_name() const { return name_; }
    // Why this backend runs ("lvs_backend auto: the kernel has no IPVS"), for halbctl.
    const std::string& choice_reason() const { return reason_; }
    void set_choice_reason(std::string r) { reason_ = std::move(r); }
    // Why forwarding is not running (empty while it runs), for halbctl.
    const std::string& absent_reason() const { return absent_; }

    // previous == null: start (with the IPVS extension: lvs_flush,
    // lvs_timeouts, sync daemon; then a full reconcile adopting matching
    // kernel services); otherwise a reload: only what differs is touched.
    void apply(const config::Model* previous, const config::Model& current) override;
    // TERM: unless -I, removes the services halbd owns (or flushes with
    // lvs_flush_on_stop and the IPVS extension); stops the sync daemon it started.
    void stop(const config::StopOptions& opts) override;
    void dump_state(std::ostream& os) const override;

    // The health-check subsystem's pool; null = InitialPool (keepalived at
    // start). The view must outlive this object or be reset first.
    void set_pool(const PoolView* pool) { pool_ = pool; }
    // Re-reconciles the current model against the pool (a real server went
    // up or down); `reason` ends each log line ("real server 10.0.0.2:80 down").
    void refresh(std::string_view reason);

    // Connection-sync role (IPVS extension), decided by
    // ipvs::SyncRolePolicy from the lvs_sync_daemon instance's VRRP state.
    // As in keepalived, no sync daemon runs before VRRP has given a role (so
    // none with -C, which runs no VRRP). Stops the running daemon and starts
    // the new role; a backend without the extension only records it.
    void set_sync_role(SyncDaemon::Role role);

    // Why vs does not serve through this node now (nullopt: it does): the
    // backend is not running, refused part of the last change, or vs has no
    // quorum. What a node announces to its routing daemon (src/announce/).
    std::optional<std::string> not_serving(const config::VirtualServer& vs) const;
    // Called after every reconcile (start, reload, a real server up or
    // down), with its reason; one listener.
    void set_on_reconciled(std::function<void(std::string_view reason)> cb) { on_reconciled_ = std::move(cb); }

    const std::set<ServiceKey>& owned() const { return owned_; }
    // What halbd believes it programmed: the last desired table.
    const ServiceTable& programmed() const { return programmed_; }
    const ApplyResult& last_result() const { return last_; }

private:
    // Plans against the kernel's table when it may differ from what we
    // believe (start, or after a failed change), else against programmed_:
    // a reload then costs netlink requests in proportion to the change.
    void reconcile(std::string_view reason);
    void apply_timeouts(const config::Model& m, const config::Model* previous);
    void apply_sync_daemon(const config::Model& m);
    void stop_sync_daemon();
    bool open_backend(const config::Model& m);

    BackendChoice::Opener open_;
    std::string name_;  // the backend's, for log lines
    std::string reason_;
    std::unique_ptr<Backend> opened_;
    Backend* backend_ = nullptr;
    std::string absent_;
    InitialPool initial_pool_;
    const PoolView* pool_ = nullptr;
    const config::Model* model_ = nullptr;  // the Daemon keeps it alive until the next apply()
    std::set<ServiceKey> owned_;
    ServiceTable programmed_;
    bool in_sync_ = false;  // programmed_ is what the kernel holds for our services
    ApplyResult last_;
    std::optional<SyncDaemon> sync_;  // the daemon halbd started
    std::optional<SyncDaemon::Role> sync_role_;  // none until VRRP says
    std::function<void(std::string_view)> on_reconciled_;
};

// The sync daemon keepalived would start for global_defs lvs_sync_daemon, in the given role.
SyncDaemon sync_daemon_for(const config::LvsSyncDaemon& c, SyncDaemon::Role role);
// lvs_timeouts as kernel values (0 = leave the kernel's).
Timeouts timeouts_for(const config::LvsTimeouts& t);

}  // namespace halbd::forward
