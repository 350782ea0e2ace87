// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/state_events.hh: the one seam through which other subsystems follow
// VRRP state (IPVS sync daemon role, no_accept filter, connection sync). A
// follower includes this header and core/ only, never vrrp/subsystem.hh: it
// gets StateEvents& from the wiring (VrrpSubsystem::state_events(); a test
// uses vrrp::StateHub, vrrp/state_hub.hh, and publishes events itself).
//
// Two things cross the seam:
//  - StateEvent: an instance or a sync group changed state (name, from, to,
//    reason, time). Published by the VRRP subsystem.
//  - before-master hooks: work a subscriber must finish before addresses are
//    added and announced (connection sync commits the peer's connections
//    into conntrack there, so that sessions survive the failover).
//
// Ordering rules (the contract; tests/unit/vrrp_state_events_test.cc):
//  1. Entering MASTER has two phases. Claim: the state becomes MASTER, the
//     `from -> MASTER (reason)` line is logged, the first advertisement is
//     sent (peers see a master, no other backup takes over, an old master
//     steps down). Take: the VIPs, eVIPs, virtual routes and rules are
//     added, the first GARP/NA burst is sent, then the StateEvent is
//     published. Before-master hooks run between claim and take.
//  2. Hooks run once per unit entering MASTER: a sync group (once for all its
//     members, before the first member's addresses; a member entering while
//     the group's hooks run waits for the same hooks; a member entering once
//     the group is MASTER runs none), or an instance outside any sync group
//     (each time it enters MASTER).
//  3. Hooks run one after another, in registration order. A synchronous
//     hook (before_master) is done when it returns. An asynchronous one
//     (before_master_async) holds the entry until it calls its Resume or its
//     budget passes; then the entry goes on with a warning (the sessions it
//     did not commit are lost, the VIPs are not), and a late Resume does
//     nothing. With no hook, or only synchronous ones, take follows claim in
//     the same call: the order of actions is the one without the seam.
//  4. While held, an instance is MASTER without addresses: it advertises
//     every Adver_Interval and answers adverts as a master does (it steps
//     down to a higher priority, sends priority 0 on fault or stop), and it
//     sends no GARP/NA. If every instance waiting for a unit's hooks leaves
//     MASTER before they finish, the entry is dropped: hooks not yet started
//     do not run, a pending Resume does nothing, and the instance publishes
//     its leaving from the state subscribers last saw (BACKUP -> FAULT; none
//     when it returns to that state): a subscriber never sees a MASTER whose
//     addresses were not added.
//  5. Events are published on the loop, synchronously, after the change's
//     actions, in the order the changes happen; for one instance or group,
//     `from` is the previous event's `to`. A sync group going MASTER (its
//     first member's Master_Down_Timer fires): first member's advert; hooks
//     (once); its addresses and GARPs; event of that member; event of the
//     group; then each other member in configuration order: advert,
//     addresses, GARPs, event. Going BACKUP or FAULT: the member that changed
//     first, then the group, then the other members in configuration order.
//  6. Listeners run in subscription order; a listener must not block the
//     loop. It may subscribe or unsubscribe (see core/subscribers.hh).
//  7. Preemption holds (hold_preemption): while a unit (a sync group, or an
//     instance by its own name) has a hold, its BACKUP members do not
//     preempt: an advert of lower priority is taken as from a valid master
//     (Master_Down_Timer restarts, as during preempt_delay), and the first
//     such advert of each held stretch logs `NAME: not preempting master
//     ADDR (priority P, ours Q): WHO: REASON`. A held instance still becomes
//     MASTER when the master goes silent or releases (priority 0): the hold
//     keeps a live master, it never leaves the unit without one. Releasing
//     the last hold (destroying its Subscription) lets the next lower
//     advert be discarded again, so preemption follows within
//     Master_Down_Interval. Connection sync holds its unit while it waits for
//     the peer's full table (pfsync demotes CARP the same way).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/subscribers.hh"
#include "core/time.hh"

namespace halbd::vrrp {

// An instance's or a sync group's state (a group is Backup, Master or Fault).
enum class State : uint8_t { Initialize, Backup, Master, Fault, Stopped };

// "INIT", "BACKUP", "MASTER", "FAULT", "STOP" (keepalived's words).
const char* to_string(State s);

struct StateEvent {
    enum class Of : uint8_t { Instance, SyncGroup };
    Of of = Of::Instance;
    std::string name;        // the instance's or the group's
    std::string sync_group;  // an instance's group; empty when none (or for a group)
    State from = State::Initialize;
    State to = State::Initialize;
    std::string reason;
    MonoTime at{};           // when the change was published (take, for MASTER)
};

// What is about to take the MASTER addresses.
struct MasterEntry {
    std::string name;                    // the sync group's, or the instance's
    bool sync_group = false;
    std::vector<std::string> instances;  // the group's members, or the instance
    std::string reason;                  // why the first instance goes MASTER
    MonoTime at{};                       // when the hooks started
};

// Lets a held MASTER entry go on. Copyable; the first call counts, later ones
// (and any after the budget passed or the entry was dropped) do nothing.
using Resume = std::function<void()>;

class StateEvents {
public:
    using Listener = std::function<void(const StateEvent&)>;
    using BeforeMaster = std::function<void(const MasterEntry&)>;
    using BeforeMasterAsync = std::function<void(const MasterEntry&, Resume)>;

    virtual ~StateEvents() = default;

    // Every state change of every instance and sync group, present and future.
    [[nodiscard]] virtual core::Subscription subscribe(Listener l) = 0;
    // Runs hook before the MASTER entry actions and holds them for at most
    // budget until it calls its Resume (rules 1-4). `who` names the
    // subscriber in logs ("conntrack sync").
    [[nodiscard]] virtual core::Subscription before_master_async(std::string who, Duration budget,
                                                                 BeforeMasterAsync hook) = 0;
    // Holds preemption of `unit` (a sync group's or an instance's name) until
    // the Subscription is destroyed (rule 7); `who` and `reason` go into the
    // log line ("conntrack sync", "waiting for the peer's table").
    [[nodiscard]] virtual core::Subscription hold_preemption(std::string unit, std::string who,
                                                             std::string reason) = 0;
    // The hold on unit in force (who: reason), if any.
    virtual std::optional<std::string> preemption_held(const std::string& unit) const = 0;
    // The state of an instance or a sync group as last published (nullopt
    // before its first event): a follower started later (a reload that adds
    // it) learns where its unit stands.
    virtual std::optional<State> state_of(StateEvent::Of of, const std::string& name) const = 0;

    // The same for work done by the time hook returns.
    [[nodiscard]] core::Subscription before_master(std::string who, BeforeMaster hook) {
        return before_master_async(std::move(who), Duration::zero(),
                                   [h = std::move(hook)](const MasterEntry& e, const Resume& resume) {
                                       h(e);
                                       resume();
                                   });
    }
};

}  // namespace halbd::vrrp
