// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/subsystem.hh: CheckSubsystem, the health-check subsystem. A
// ConfigSubscriber that runs one ScheduledCheck per distinct probe (shared
// by every virtual server holding the same real server with the same check),
// derives each real server's state (up iff all its checkers are up) and is
// the forward::PoolView that forwarding reads. Created by halbd.cc; owns the
// probes, the per-real-server state, the prepared notify scripts and their
// runner (notify_up/down, quorum_up/down, omega) and the attempt counters;
// tells forwarding of changes through the pool-change callback.
#pragma once

#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/lateness_histogram.hh"
#include "check/checker.hh"
#include "check/notify_runner.hh"
#include "check/scheduled_check.hh"
#include "check/script_command.hh"
#include "check/tls_client.hh"
#include "config/model.hh"
#include "core/event_loop.hh"
#include "core/result.hh"
#include "config/subscriber.hh"
#include "forward/pool_view.hh"
#include "forward/quorum.hh"

namespace halbd::check {

class CheckSubsystem final : public config::ConfigSubscriber, public forward::PoolView {
public:
    // Builds the checker of a config checker (default: make_checker()); an
    // error means "kind not implemented": that checker counts as always up.
    using Factory = std::function<core::Result<std::unique_ptr<Checker>>(const config::Checker&)>;
    // Called when at least one real server went up or down, after the state
    // changed; `reason` names the server and the cause, for forwarding's logs.
    using PoolChanged = std::function<void(std::string_view reason)>;

    // A notify script is due, after the state changed: a real server's
    // notify_up/notify_down (rs set) or a virtual server's quorum_up/
    // quorum_down (rs null); `up` says which. By default the subsystem runs
    // it itself (NotifyRunner); a hook set with set_notify_script() replaces
    // that (tests).
    using NotifyScript = std::function<void(const config::Script& script, const config::VirtualServer& vs,
                                            const config::RealServer* rs, bool up)>;
    // The bound of omega's scripts at shutdown: keepalived's (TIMER_HZ).
    static constexpr Duration kShutdownScriptTimeout = std::chrono::seconds(1);

    explicit CheckSubsystem(core::EventLoop& loop, Factory factory = {}, Jitter jitter = {});
    ~CheckSubsystem() override;
    CheckSubsystem(const CheckSubsystem&) = delete;
    CheckSubsystem& operator=(const CheckSubsystem&) = delete;

    void set_on_pool_change(PoolChanged cb) { on_change_ = std::move(cb); }
    void set_notify_script(NotifyScript cb) { notify_ = std::move(cb); }

    // Start or reload: probes whose key is unchanged keep their state and
    // schedule; new ones start (after their warmup), removed ones stop. Must
    // run before forwarding's apply() of the same model (it reads this pool).
    void apply(const config::Model* previous, const config::Model& current) override;
    // Cancels every probe (nothing is left in flight). With `omega`, starts
    // the notify_down of every real server that is up and the quorum_down
    // of every virtual server whose quorum is up (keepalived
    // clear_service_rs): the caller then runs the loop until scripts_idle()
    // or a bound (halbd.cc), since the scripts are killed when this dies.
    void stop(const config::StopOptions& opts) override;
    bool scripts_idle() const { return runner_.idle(); }
    const NotifyRunner& scripts() const { return runner_; }
    const core::LatenessHistogram& attempt_stats() const { return stats_; }
    void dump_state(std::ostream& os) const override;
    // One line per probe: 50,000 of them take tens of ms to format, so a
    // snapshot is taken on the loop and formatted on the dump's thread.
    std::function<void(std::ostream&)> dump_state_later() const override;

    // forward::PoolView, for the objects of the model last applied. Objects
    // of another model get keepalived's initial state (forward::InitialPool).
    bool is_up(const config::VirtualServer& vs, const config::RealServer& rs) const override;
    std::optional<bool> quorum_was_up(const config::VirtualServer& vs) const override;
    // The configured weight plus the offsets of the dynamic weights its
    // checkers ask for (MISC_CHECK misc_dynamic, FILE_CHECK).
    int64_t effective_weight(const config::VirtualServer& vs, const config::RealServer& rs) const override;

    // Inspection (tests, halbctl).
    size_t probe_count() const { return probes_.size(); }
    // The probe serving checker c of the current model, or null (not
    // implemented kind, or not in the model).
    const ScheduledCheck* probe_of(const config::Checker& c) const;
    // Why c does not run ("checker disabled: ... not found or not
    // executable"), when make_checker() disabled it; it counts as up.
    std::optional<std::string> disabled(const config::Checker& c) const;
    // Failing checkers of a real server (0 = up).
    std::optional<uint32_t> failing(const config::VirtualServer& vs, const config::RealServer& rs) const;

private:
    struct Use {
        uint32_t vs;
        uint32_t rs;
    };
    struct Probe {
        std::unique_ptr<ScheduledCheck> check;
        std::vector<Use> users;
    };
    struct VsState {
        const config::VirtualServer* vs = nullptr;
        std::string key;                 // survives reloads
        std::vector<uint32_t> failing;   // per real server: checkers down
        std::vector<std::vector<const ScheduledCheck*>> checks;  // per real server: its probes
        forward::Quorum quorum;          // last decided, carried over reloads
    };

    std::unique_ptr<Probe> new_probe(const std::string& key, const config::Checker& c, std::string& why_not);
    void on_transition(const std::string& key, const ScheduledCheck::Transition& t);
    void on_weight_change(const ScheduledCheck& check, const std::vector<Use>& users,
                          const ScheduledCheck::Transition& t);
    // Records the quorum forwarding decided with the current pool state.
    void settle_quorum(uint32_t vs_index, bool log_change);
    void settle_all_quorums();
    const VsState* vs_state(const config::VirtualServer& vs) const;
    // Prepares (user lookups, security) the notify scripts of a model.
    void prepare_scripts(const config::Model& m);
    // Runs (or hands to the hook) a notify script due now.
    void notify(const config::Box<config::Script>& script, const config::VirtualServer& vs,
                const config::RealServer* rs, bool up, Duration timeout = Duration::zero());

    core::EventLoop& loop_;
    Factory factory_;
    Jitter jitter_;
    PoolChanged on_change_;
    NotifyScript notify_;
    core::LatenessHistogram stats_;
    NotifyRunner runner_;
    // The prepared notify scripts of the current model, by script.
    std::unordered_map<const config::Script*, std::shared_ptr<const ScriptCommand>> scripts_;
    const config::Model* model_ = nullptr;  // the model last applied
    tls::ContextCache tls_;  // the SSL block's context, for SSL_GET
    std::unordered_map<std::string, std::unique_ptr<Probe>> probes_;
    std::unordered_map<std::string, std::string> disabled_;  // probe key -> why (see disabled())
    const config::Model* applying_ = nullptr;  // during apply(): the model the factory builds for
    std::vector<VsState> vss_;
    std::unordered_map<const config::VirtualServer*, uint32_t> vs_index_;
    // Forwarding reconciled (start/reload) since the quorums were recorded.
    bool quorum_unsettled_ = false;
};

// "[192.168.2.11]:80", "FWM 5", "group NAME": a virtual server in log lines.
std::string vs_text(const config::VirtualServer& vs);
// "[10.10.10.13]:80": a real server in log lines.
std::string rs_text(const config::RealServer& rs);

}  // namespace halbd::check
