// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/state_hub.hh: StateHub, the StateEvents seam's one implementation.
// The VRRP subsystem owns one, publishes instance and sync group events into
// it and asks it to run the before-master hooks of a unit (sync group or
// lone instance) entering MASTER, under the rules of vrrp/state_events.hh;
// it owns the holds in progress and their budget timers. Tests of a
// follower build one on a SimLoop and publish events themselves.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "core/event_loop.hh"
#include "vrrp/state_events.hh"

namespace halbd::vrrp {

struct StateHubStats {
    uint64_t entries = 0;  // units whose hooks ran
    uint64_t late = 0;     // asynchronous hooks whose budget passed
    uint64_t dropped = 0;  // entries abandoned before their hooks finished
};

class StateHub final : public StateEvents {
public:
    explicit StateHub(core::EventLoop& loop);
    ~StateHub() override;
    StateHub(const StateHub&) = delete;
    StateHub& operator=(const StateHub&) = delete;

    [[nodiscard]] core::Subscription subscribe(Listener l) override;
    [[nodiscard]] core::Subscription before_master_async(std::string who, Duration budget,
                                                         BeforeMasterAsync hook) override;

    [[nodiscard]] core::Subscription hold_preemption(std::string unit, std::string who,
                                                     std::string reason) override;
    std::optional<std::string> preemption_held(const std::string& unit) const override;
    std::optional<State> state_of(StateEvent::Of of, const std::string& name) const override;

    // The publisher's side.
    void publish(const StateEvent& e);
    // One instance of the unit entry.name has claimed MASTER: proceed()
    // takes the addresses, now (no hook) or once the unit's hooks are done;
    // pending() says whether it still waits (false once it left MASTER).
    // Waiters proceed in the order they came. (That a member of a MASTER
    // group needs no hooks is the caller's business.)
    void enter_master(MasterEntry entry, std::function<void()> proceed, std::function<bool()> pending);

    size_t hook_count() const { return hooks_->size(); }
    bool holding(const std::string& unit) const { return holds_.count(unit) > 0; }
    const StateHubStats& stats() const { return stats_; }

private:
    struct Hook {
        std::string who;
        Duration budget{};
        BeforeMasterAsync run;
    };
    struct Waiter {
        std::function<void()> proceed;
        std::function<bool()> pending;
    };
    struct Hold {
        MasterEntry entry;
        std::vector<Waiter> waiters;
        uint64_t last_hook = 0;  // id of the hook started last
        uint64_t step = 0;       // which Resume / deadline is current
        bool running = false;    // a hook was started and has not resumed
        bool calling = false;    // inside the hook's call
        std::string who;         // the running hook's name
        Duration budget{};
        core::TimerPtr deadline;
    };
    using Hooks = std::map<uint64_t, Hook>;

    void advance(const std::shared_ptr<Hold>& h);
    void resumed(const std::weak_ptr<Hold>& weak, uint64_t step, bool late);
    void hook_done(Hold& h, bool late);

    core::EventLoop& loop_;
    core::SubscriberList<const StateEvent&> listeners_;
    std::shared_ptr<Hooks> hooks_ = std::make_shared<Hooks>();  // shared: a Subscription may outlive us
    uint64_t next_hook_ = 1;
    std::map<std::string, std::shared_ptr<Hold>> holds_;  // by unit name
    struct PreemptHold {
        std::string unit, text;  // text: "who: reason"
    };
    using PreemptHolds = std::map<uint64_t, PreemptHold>;
    std::shared_ptr<PreemptHolds> preempt_holds_ = std::make_shared<PreemptHolds>();
    uint64_t next_preempt_hold_ = 1;
    std::map<std::pair<StateEvent::Of, std::string>, State> last_;  // as published
    StateHubStats stats_;
};

}  // namespace halbd::vrrp
