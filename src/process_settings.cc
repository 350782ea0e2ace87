// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// process_settings.cc: ProcessSettings and the real ProcessKernel (see the
// header for why one process takes both of keepalived's sets).
#include "process_settings.hh"

#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>

#include <algorithm>
#include <ostream>

#include "config/model.hh"
#include "core/log.hh"

namespace halbd {

namespace {

template <class T>
std::optional<T> pick(const std::optional<T>& a, const std::optional<T>& b, bool higher) {
    if (!a) return b;
    if (!b) return a;
    return higher ? std::max(*a, *b) : std::min(*a, *b);
}

std::string cpu_list(const std::vector<uint32_t>& cpus) {
    std::string s;
    for (uint32_t c : cpus) s += (s.empty() ? "" : ",") + std::to_string(c);
    return s;
}

class RealProcessKernel : public ProcessKernel {
public:
    RealProcessKernel() {
        policy_ = ::sched_getscheduler(0);
        ::sched_getparam(0, &param_);
        errno = 0;
        nice_ = ::getpriority(PRIO_PROCESS, 0);
        CPU_ZERO(&cpus_);
        ::sched_getaffinity(0, sizeof cpus_, &cpus_);
        ::getrlimit(RLIMIT_RTTIME, &rttime_);
    }
    void set_umask(mode_t mask) override { ::umask(mask); }
    core::Status set_realtime(std::optional<uint32_t> priority) override {
        sched_param p{};
        int policy = policy_;
        if (priority) {
            p.sched_priority = static_cast<int>(*priority);
            policy = SCHED_RR | SCHED_RESET_ON_FORK;
        } else {
            p = param_;
        }
        if (::sched_setscheduler(0, policy, &p) < 0) return core::system_error("sched_setscheduler");
        return core::Ok{};
    }
    core::Status set_nice(std::optional<int32_t> nice) override {
        if (::setpriority(PRIO_PROCESS, 0, nice.value_or(nice_)) < 0) return core::system_error("setpriority");
        return core::Ok{};
    }
    core::Status lock_memory(bool lock) override {
        if ((lock ? ::mlockall(MCL_CURRENT | MCL_FUTURE) : ::munlockall()) < 0)
            return core::system_error(lock ? "mlockall" : "munlockall");
        return core::Ok{};
    }
    core::Status set_affinity(const std::vector<uint32_t>& cpus) override {
        cpu_set_t set = cpus_;
        if (!cpus.empty()) {
            CPU_ZERO(&set);
            for (uint32_t c : cpus) CPU_SET(c, &set);
        }
        if (::sched_setaffinity(0, sizeof set, &set) < 0) return core::system_error("sched_setaffinity");
        return core::Ok{};
    }
    // The soft limit only, so a reload can raise it again without
    // CAP_SYS_RESOURCE; past it the kernel sends SIGXCPU, which halbd
    // otherwise ignores: its default action (end, core) is restored while a
    // limit is set, so the limit ends a runaway halbd as keepalived's ends
    // its child.
    core::Status set_rttime(std::optional<uint64_t> us) override {
        rlimit r = rttime_;
        if (us) r.rlim_cur = r.rlim_max == RLIM_INFINITY ? *us : std::min<rlim_t>(*us, r.rlim_max);
        if (::setrlimit(RLIMIT_RTTIME, &r) < 0) return core::system_error("setrlimit RLIMIT_RTTIME");
        struct sigaction sa {};
        sa.sa_handler = us ? SIG_DFL : SIG_IGN;
        sigemptyset(&sa.sa_mask);
        if (::sigaction(SIGXCPU, &sa, nullptr) < 0) return core::system_error("sigaction SIGXCPU");
        return core::Ok{};
    }

private:
    int policy_ = SCHED_OTHER;
    sched_param param_{};
    int nice_ = 0;
    cpu_set_t cpus_;
    rlimit rttime_{};
};

void report(const core::Status& st, const std::string& what) {
    if (st.ok())
        log::notice("process: ", what);
    else
        log::error("process: cannot set ", what, ": ", st.error().message);
}

}  // namespace

ProcessPlan plan_process(const config::GlobalDefs& g, std::optional<mode_t> cli_umask) {
    const config::ProcessDefs& v = g.vrrp_process;
    const config::ProcessDefs& c = g.checker_process;
    ProcessPlan p;
    p.umask = cli_umask.value_or(static_cast<mode_t>(g.umask));
    p.rt_priority = pick(v.rt_priority, c.rt_priority, true);
    p.nice = pick(v.nice, c.nice, false);
    p.lock_memory = v.no_swap || c.no_swap;
    std::set_union(v.cpu_affinity.begin(), v.cpu_affinity.end(), c.cpu_affinity.begin(), c.cpu_affinity.end(),
                   std::back_inserter(p.cpus));
    // The longer limit: the shorter would kill the work the other allows.
    p.rttime_us = pick(v.rlimit_rttime_us, c.rlimit_rttime_us, true);
    return p;
}

std::unique_ptr<ProcessKernel> make_process_kernel() { return std::make_unique<RealProcessKernel>(); }

void ProcessSettings::apply(const config::Model*, const config::Model& current) {
    const ProcessPlan want = plan_process(current.global, cli_umask_);
    // At start nothing was asked: only what the configuration names changes.
    ProcessPlan was;
    if (applied_)
        was = *applied_;
    else
        was.umask = static_cast<mode_t>(~want.umask);  // differs: the umask is always set at start
    const char* why = applied_ ? "" : " at start";
    if (want.umask != was.umask) {
        kernel_.set_umask(want.umask);
        char m[8];
        std::snprintf(m, sizeof m, "%04o", static_cast<unsigned>(want.umask));
        log::info("process: umask ", m, cli_umask_ ? " (-u)" : " (umask)");
    }
    if (want.rt_priority != was.rt_priority)
        report(kernel_.set_realtime(want.rt_priority),
               want.rt_priority ? "SCHED_RR priority " + std::to_string(*want.rt_priority) +
                                      " (vrrp_/checker_rt_priority; scripts run SCHED_OTHER)" + why
                                : std::string("scheduling policy as started (no *_rt_priority)"));
    if (want.nice != was.nice)
        report(kernel_.set_nice(want.nice), want.nice ? "nice " + std::to_string(*want.nice) +
                                                            " (vrrp_/checker_priority)" + why
                                                      : std::string("nice value as started (no *_priority)"));
    if (want.lock_memory != was.lock_memory)
        report(kernel_.lock_memory(want.lock_memory),
               want.lock_memory ? std::string("memory locked (vrrp_/checker_no_swap)") + why
                                : std::string("memory unlocked (no *_no_swap)"));
    if (want.cpus != was.cpus)
        report(kernel_.set_affinity(want.cpus),
               want.cpus.empty() ? std::string("CPU affinity as started (no *_cpu_affinity)")
                                 : "CPU affinity " + cpu_list(want.cpus) + " (vrrp_/checker_cpu_affinity)" + why);
    if (want.rttime_us != was.rttime_us)
        report(kernel_.set_rttime(want.rttime_us),
               want.rttime_us ? "RLIMIT_RTTIME " + std::to_string(*want.rttime_us) +
                                    " us, past it SIGXCPU ends halbd (vrrp_/checker_rlimit_rttime)" + why
                              : std::string("RLIMIT_RTTIME as started (no *_rlimit_rttime)"));
    applied_ = want;
}

void ProcessSettings::dump_state(std::ostream& os) const {
    if (!applied_) return;
    const ProcessPlan& p = *applied_;
    char m[8];
    std::snprintf(m, sizeof m, "%04o", static_cast<unsigned>(p.umask));
    os << "# process: umask " << m;
    if (p.rt_priority) os << ", SCHED_RR " << *p.rt_priority;
    if (p.nice) os << ", nice " << *p.nice;
    if (p.lock_memory) os << ", memory locked";
    if (!p.cpus.empty()) os << ", CPUs " << cpu_list(p.cpus);
    if (p.rttime_us) os << ", RLIMIT_RTTIME " << *p.rttime_us << " us";
    os << "\n";
}

}  // namespace halbd
