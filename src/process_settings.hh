// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// process_settings.hh: ProcessSettings, the subscriber that gives the halbd
// process what global_defs asks of it: umask, keepalived's vrrp_/checker_
// real-time priority, nice value, memory lock, CPU affinity and
// RLIMIT_RTTIME. keepalived applies each set to one child; halbd is one
// process, so the two sets combine (plan_process()). Settings the
// configuration does not name stay as halbd was started (chrt, systemd's
// CPUSchedulingPolicy=); one a reload removes goes back to that. The kernel
// calls are behind ProcessKernel so the unit tests can see them.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/subscriber.hh"
#include "core/result.hh"

namespace halbd {

// What halbd asks of its process; nullopt / empty: as started.
struct ProcessPlan {
    mode_t umask = 022;
    std::optional<uint32_t> rt_priority;  // SCHED_RR (reset on fork: scripts run SCHED_OTHER)
    std::optional<int32_t> nice;
    bool lock_memory = false;
    std::vector<uint32_t> cpus;
    std::optional<uint64_t> rttime_us;
    bool operator==(const ProcessPlan&) const = default;
};

// -u overrides the umask keyword (as keepalived's -u does).
ProcessPlan plan_process(const config::GlobalDefs& g, std::optional<mode_t> cli_umask);

class ProcessKernel {
public:
    virtual ~ProcessKernel() = default;
    virtual void set_umask(mode_t mask) = 0;
    // nullopt: back to the policy halbd was started with.
    virtual core::Status set_realtime(std::optional<uint32_t> priority) = 0;
    virtual core::Status set_nice(std::optional<int32_t> nice) = 0;
    virtual core::Status lock_memory(bool lock) = 0;
    // Empty: back to the affinity halbd was started with.
    virtual core::Status set_affinity(const std::vector<uint32_t>& cpus) = 0;
    virtual core::Status set_rttime(std::optional<uint64_t> us) = 0;
};

// The real one; remembers what the process was started with.
std::unique_ptr<ProcessKernel> make_process_kernel();

class ProcessSettings : public config::ConfigSubscriber {
public:
    ProcessSettings(ProcessKernel& kernel, std::optional<mode_t> cli_umask)
        : kernel_(kernel), cli_umask_(cli_umask) {}
    void apply(const config::Model* previous, const config::Model& current) override;
    // The settings stay until the process ends.
    void stop(const config::StopOptions&) override {}
    void dump_state(std::ostream& os) const override;

private:
    ProcessKernel& kernel_;
    std::optional<mode_t> cli_umask_;
    std::optional<ProcessPlan> applied_;  // what the last apply() asked for
};

}  // namespace halbd
