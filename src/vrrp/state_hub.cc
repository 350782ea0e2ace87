// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/state_hub.cc: see state_hub.hh. A hold is one unit's run through the
// hooks: it starts the next hook after the previous resumed (or its budget
// passed), and lets its waiters proceed when none is left. Hooks are kept by
// id so that one removed or added meanwhile neither stops nor repeats a run.
#include "vrrp/state_hub.hh"

#include "core/log.hh"

namespace halbd::vrrp {

namespace {
// A sync group and an instance may share a name: their holds may not.
std::string unit_key(const MasterEntry& e) { return (e.sync_group ? "group " : "instance ") + e.name; }
}  // namespace

StateHub::StateHub(core::EventLoop& loop) : loop_(loop) {}

StateHub::~StateHub() = default;

core::Subscription StateHub::subscribe(Listener l) { return listeners_.add(std::move(l)); }

core::Subscription StateHub::before_master_async(std::string who, Duration budget, BeforeMasterAsync hook) {
    const uint64_t id = next_hook_++;
    hooks_->emplace(id, Hook{std::move(who), budget, std::move(hook)});
    std::weak_ptr<Hooks> weak = hooks_;
    return core::Subscription([weak, id] {
        if (auto h = weak.lock()) h->erase(id);
    });
}

void StateHub::publish(const StateEvent& e) {
    last_[{e.of, e.name}] = e.to;
    listeners_.notify(e);
}

std::optional<State> StateHub::state_of(StateEvent::Of of, const std::string& name) const {
    auto it = last_.find({of, name});
    if (it == last_.end()) return std::nullopt;
    return it->second;
}

core::Subscription StateHub::hold_preemption(std::string unit, std::string who, std::string reason) {
    const uint64_t id = next_preempt_hold_++;
    preempt_holds_->emplace(id, PreemptHold{std::move(unit), std::move(who) + ": " + std::move(reason)});
    std::weak_ptr<PreemptHolds> weak = preempt_holds_;
    return core::Subscription([weak, id] {
        if (auto h = weak.lock()) h->erase(id);
    });
}

std::optional<std::string> StateHub::preemption_held(const std::string& unit) const {
    for (const auto& [id, h] : *preempt_holds_)
        if (h.unit == unit) return h.text;
    return std::nullopt;
}

void StateHub::enter_master(MasterEntry entry, std::function<void()> proceed, std::function<bool()> pending) {
    const std::string key = unit_key(entry);
    if (auto it = holds_.find(key); it != holds_.end()) {
        it->second->waiters.push_back({std::move(proceed), std::move(pending)});
        return;
    }
    if (hooks_->empty()) return proceed();
    auto h = std::make_shared<Hold>();
    entry.at = loop_.now();
    h->entry = std::move(entry);
    h->waiters.push_back({std::move(proceed), std::move(pending)});
    std::weak_ptr<Hold> weak = h;
    h->deadline = loop_.create_timer([this, weak] {
        if (auto held = weak.lock()) resumed(weak, held->step, true);
    });
    holds_[key] = h;
    ++stats_.entries;
    advance(h);
}

void StateHub::resumed(const std::weak_ptr<Hold>& weak, uint64_t step, bool late) {
    auto h = weak.lock();
    if (!h || h->step != step || !h->running) return;
    hook_done(*h, late);
    if (!h->calling) advance(h);
}

void StateHub::hook_done(Hold& h, bool late) {
    h.running = false;
    h.deadline->cancel();
    if (!late) return;
    ++stats_.late;
    log::warning(h.entry.name, ": before-master hook of ", h.who, " did not finish within ", log::secs(h.budget),
                 "; taking the addresses without it");
}

void StateHub::advance(const std::shared_ptr<Hold>& h) {
    const std::string key = unit_key(h->entry);
    for (;;) {
        bool wanted = false;
        for (const auto& w : h->waiters) wanted = wanted || w.pending();
        if (!wanted) {
            ++stats_.dropped;
            log::info(h->entry.name, ": MASTER entry dropped before its before-master hooks finished");
            holds_.erase(key);
            return;
        }
        auto it = hooks_->upper_bound(h->last_hook);
        if (it == hooks_->end()) break;
        h->last_hook = it->first;
        const Hook hook = it->second;  // a copy: the hook may unsubscribe itself
        const uint64_t step = ++h->step;
        h->running = true;
        h->who = hook.who;
        h->budget = hook.budget;
        h->calling = true;
        std::weak_ptr<Hold> weak = h;
        // hooks_ has no other owner: while it lives, so does the hub.
        hook.run(h->entry, [this, alive = std::weak_ptr<Hooks>(hooks_), weak, step] {
            if (alive.lock()) resumed(weak, step, false);
        });
        h->calling = false;
        if (!h->running) continue;  // finished within the call
        if (hook.budget > Duration::zero()) {
            h->deadline->arm(hook.budget);
            return;
        }
        hook_done(*h, true);  // no budget: it had to finish in the call
    }
    holds_.erase(key);
    // Waiters go on in order; each one's entry actions may publish events
    // (the first member's makes its group MASTER).
    for (auto& w : h->waiters)
        if (w.pending()) w.proceed();
}

}  // namespace halbd::vrrp
