// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/support/fake_backend.hh: an in-memory IPVS (DESIGN principle 7): a Backend
// with the IPVS extension that behaves like the kernel's IPVS table:
// EEXIST/ENOENT/ESRCH where the kernel gives them, a configurable scheduler
// list, and injectable failures. Named "IPVS" and declaring IPVS's
// capabilities, as the real one. Used by unit tests of the reconciler and
// subsystem, and by any test needing IPVS without root. Owns its
// ServiceTable, timeouts and sync-daemon state.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "forward/backend.hh"
#include "forward/ipvs_extension.hh"

namespace halbd::forward {

class FakeBackend : public Backend, public IpvsExtension {
public:
    enum class Call : uint8_t {
        Dump, AddService, UpdateService, DeleteService, AddDest, UpdateDest, DeleteDest, Flush,
        GetTimeouts, SetTimeouts, StartDaemon, StopDaemon,
    };

    std::string name() const override;  // "IPVS"
    const config::ForwardCapabilities& capabilities() const override;
    IpvsExtension* ipvs() override { return this; }
    core::Result<ServiceTable> dump() override;
    core::Status add_service(const ServiceKey& key, const ServiceParams& params) override;
    core::Status update_service(const ServiceKey& key, const ServiceParams& params) override;
    core::Status delete_service(const ServiceKey& key) override;
    core::Status add_dest(const ServiceKey& svc, const DestKey& dest, const DestParams& p) override;
    core::Status update_dest(const ServiceKey& svc, const DestKey& dest, const DestParams& p) override;
    core::Status delete_dest(const ServiceKey& svc, const DestKey& dest) override;
    // IpvsExtension.
    core::Status flush() override;
    core::Result<Timeouts> get_timeouts() override;
    core::Status set_timeouts(const Timeouts& t) override;
    core::Status start_sync_daemon(const SyncDaemon& d) override;
    core::Status stop_sync_daemon(SyncDaemon::Role role) override;
    uint64_t writes() const override { return writes_; }

    // ---- test controls ----
    // Makes every matching call fail with `err` (and `message`, or strerror)
    // until clear_failures(). Unset service/dest match any.
    void fail_on(Call call, int err, std::optional<ServiceKey> service = std::nullopt,
                 std::optional<DestKey> dest = std::nullopt, std::string message = {});
    void clear_failures() { failures_.clear(); }
    // Schedulers this "kernel" has; empty = any name is accepted.
    void set_schedulers(std::set<std::string> names) { schedulers_ = std::move(names); }

    // ---- inspection ----
    const ServiceTable& table() const { return table_; }
    ServiceTable& table() { return table_; }  // seed "someone else's" services
    const Timeouts& timeouts() const { return timeouts_; }
    uint64_t dumps() const { return dumps_; }
    const std::optional<SyncDaemon>& daemon(SyncDaemon::Role r) const {
        return r == SyncDaemon::Role::Master ? master_ : backup_;
    }
    // One line per write request, e.g. "add_dest TCP 10.0.0.1:80 10.0.0.2:80".
    const std::vector<std::string>& journal() const { return journal_; }
    void clear_journal() { journal_.clear(); }

private:
    struct Failure {
        Call call;
        int err;
        std::optional<ServiceKey> service;
        std::optional<DestKey> dest;
        std::string message;
    };
    std::optional<core::Error> injected(Call c, const ServiceKey* s, const DestKey* d) const;
    void record(std::string line);

    ServiceTable table_;
    Timeouts timeouts_{900, 120, 300};  // the kernel's defaults
    std::optional<SyncDaemon> master_, backup_;
    std::vector<Failure> failures_;
    std::set<std::string> schedulers_;
    std::vector<std::string> journal_;
    uint64_t writes_ = 0;
    uint64_t dumps_ = 0;
};

}  // namespace halbd::forward
