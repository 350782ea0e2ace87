// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/instance.hh: one VRRP instance's state machine, RFC 5798 §6.4 (and
// RFC 3768 §6.4 for v2) plus keepalived's Fault and Stop states, driven by
// EventLoop timers (SimLoop in tests). Pure of I/O: packets come in already
// decoded through receive(); what must happen on the wire or in the kernel
// leaves through the Actions interface; state changes are events anyone may
// subscribe to. Owns its timers (Master_Down_Timer, Adver_Timer, GARP timers).
// Created by the VRRP subsystem, one per vrrp_instance.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "core/event_loop.hh"
#include "core/lateness_histogram.hh"
#include "core/log_limiter.hh"
#include "core/rate_limit.hh"
#include "net/address.hh"
#include "vrrp/drop.hh"
#include "vrrp/instance_config.hh"
#include "vrrp/packet.hh"
#include "vrrp/state_events.hh"
#include "vrrp/subscribers.hh"

namespace halbd::vrrp {

enum class AnnounceReason : uint8_t {
    BecameMaster,         // RFC 5798 §6.4.1/§6.4.2: broadcast gratuitous ARP / unsolicited NA
    MasterDelayed,        // the second burst, garp_master_delay later
    LowerPriorityAdvert,  // split-brain healing (keepalived garp_lower_prio_*)
    Refresh,              // garp_master_refresh
};

// What the machine asks of the outside world. The adapter implements it with
// sockets (adverts), net/ rtnetlink (addresses, routes, rules) and net/ ARP/NA.
class Actions {
public:
    virtual ~Actions() = default;
    // Send one advertisement with this priority (make_advert(config, priority)),
    // to the multicast group or to every unicast peer.
    virtual void send_advert(uint8_t priority) = 0;
    // Install / remove the VIPs (and eVIPs, virtual routes and rules).
    virtual void add_vips() = 0;
    virtual void remove_vips() = 0;
    // Send `repeat` gratuitous ARPs / unsolicited NAs for the VIPs.
    virtual void announce(uint32_t repeat, AnnounceReason why) = 0;
};

struct InstanceEvent {
    enum class Kind : uint8_t {
        StateChange,            // from -> to
        FaultSourcesChanged,    // fault sources changed without a state change
        PriorityChanged,        // priority = new effective priority
        MasterRxLowerPriority,  // keepalived notify_master_rx_lower_pri; peer, priority
    };
    Kind kind = Kind::StateChange;
    State from = State::Initialize;
    State to = State::Initialize;
    std::string reason;
    uint8_t priority = 0;
    net::IpAddress peer;
};

struct InstanceStats {
    uint64_t transitions = 0;
    uint64_t become_master = 0;
    uint64_t release_master = 0;
    uint64_t adverts_sent = 0;
    uint64_t adverts_received = 0;  // valid adverts for this instance
    uint64_t pri_zero_sent = 0;
    uint64_t pri_zero_received = 0;
    uint64_t lower_prio_received = 0;  // as master
    uint64_t answers_limited = 0;      // lower priority / priority 0 adverts left unanswered (rate limit)
    uint64_t preempt_held = 0;         // lower priority adverts accepted because preemption was held
};

// The last state change: when, from, to and why (`halbctl vrrp`, the dump).
struct Transition {
    State from = State::Initialize;
    State to = State::Initialize;
    std::string reason;
    MonoTime at{};
};

class Instance {
public:
    using Listener = std::function<void(Instance&, const InstanceEvent&)>;
    // Consulted before becoming Master on Master_Down_Timer expiry or start;
    // a sync group uses it to hold members back until all want MASTER.
    using MasterGate = std::function<bool(const Instance&)>;
    // Called when the instance has claimed MASTER (state, log line, first
    // advert; reason: why) and before its entry actions (vrrp/state_events.hh rules 1
    // and 4). proceed() adds the addresses, announces and publishes the
    // change, at once or later; pending() is false once the instance left
    // MASTER (or was destroyed), and proceed() then does nothing.
    using BeforeMaster = std::function<void(Instance&, std::string_view reason, std::function<void()> proceed,
                                            std::function<bool()> pending)>;

    // Whether preemption is held (vrrp/state_events.hh rule 7): "who: reason"
    // while it is, nullopt otherwise.
    using PreemptHold = std::function<std::optional<std::string>(const Instance&)>;

    Instance(core::EventLoop& loop, InstanceConfig config, Actions& actions);
    ~Instance();
    Instance(const Instance&) = delete;
    Instance& operator=(const Instance&) = delete;

    // RFC 5798 §6.4.1 Startup event: Initialize -> Master (address owner with
    // `state MASTER`), Backup, or Fault when a fault source is set.
    void start();
    // RFC 5798 §6.4.3 Shutdown event: a Master sends priority 0 first. -> Stopped.
    void stop(std::string_view reason = "stop");
    // Reload with the same identity (interface, family, VRID): takes the new
    // configuration without a state change (a reload must not fail over).
    // Priority and interval changes apply at once; the VIPs are the
    // adapter's business.
    void reconfigure(InstanceConfig config);

    // A decoded advert received for this instance's socket. Returns why it was
    // dropped (the adapter counts it), or nullopt when it was processed.
    std::optional<DropReason> receive(const Advert& advert, const RxMeta& meta);

    // Tracking hooks. A fault source is a key ("track_interface eth0"); the
    // instance is in Fault while any is set.
    void set_fault(bool faulty, const std::string& source);
    // Weighted tracking: effective priority = base + delta, clamped to 1..254
    // (an address owner stays 255).
    // `why` names what contributes ("track_script chk up +10"), for the log line.
    void set_priority_adjustment(int delta, std::string_view why = "tracking");
    // Our primary address (the advert source), for the equal-priority tie-break.
    void set_primary_address(net::IpAddress address);

    // Sync group seams.
    void set_master_gate(MasterGate gate) { gate_ = std::move(gate); }
    void set_before_master(BeforeMaster hook) { before_master_ = std::move(hook); }
    void set_preempt_hold(PreemptHold hold) { preempt_hold_ = std::move(hold); }
    bool force_master(std::string_view reason);  // Backup -> Master; false if not in Backup
    bool force_backup(std::string_view reason);  // Master -> Backup; false if not Master
    [[nodiscard]] Subscription subscribe(Listener listener) { return listeners_.add(std::move(listener)); }

    // Inspection.
    const InstanceConfig& config() const { return cfg_; }
    const std::string& name() const { return cfg_.name; }
    State state() const { return state_; }
    // Master, or a Backup whose Master_Down_Timer expired but was held by the gate.
    bool wants_master() const { return state_ == State::Master || held_master_; }
    // MASTER, waiting for before-master hooks: no addresses yet.
    bool entering_master() const { return entry_ != nullptr; }
    uint8_t effective_priority() const { return priority_; }
    Duration master_adver_interval() const { return master_adver_interval_; }
    Duration skew_time() const;             // RFC 5798 §6.1
    Duration master_down_interval() const;  // RFC 5798 §6.1
    const std::set<std::string>& fault_sources() const { return faults_; }
    // The master as the last adverts showed it; on a MASTER that is a peer
    // that lost to us, so show master_text() instead.
    std::optional<net::IpAddress> master_address() const { return master_address_; }
    // "this node", the master's address, or "unknown": what both the dump
    // and `halbctl vrrp` print.
    std::string master_text() const;
    // nullopt until the first transition (start()).
    const std::optional<Transition>& last_transition() const { return last_transition_; }
    std::optional<MonoTime> master_down_deadline() const;
    std::optional<MonoTime> adver_deadline() const;
    const InstanceStats& stats() const { return stats_; }
    // How late Adver_Timer fired compared to its deadline: a late advert is
    // the first sign of a loop blocked by something else.
    const core::LatenessHistogram& lateness() const { return lateness_; }

private:
    void transition(State to, std::string_view reason);  // the one door
    void take_master();                                    // its MASTER entry actions
    void publish_state(State from, State to, std::string_view reason);
    void leave_fault(std::string_view reason);
    void on_master_down_timer();
    void on_adver_timer();
    void on_backup_advert(const Advert& a, const RxMeta& meta);
    void on_master_advert(const Advert& a, const RxMeta& meta);
    void send(uint8_t priority);
    void arm_adver_timer();
    void arm_master_down(Duration d, std::string reason);
    bool gate_open() const { return !gate_ || gate_(*this); }
    bool owner() const { return base_priority_ == kPriorityOwner; }
    bool starts_as_master() const { return owner() && cfg_.initial_master; }
    net::IpAddress our_address() const;
    void recompute_priority(std::string_view why);
    void emit(InstanceEvent e) { listeners_.notify(*this, e); }

    core::EventLoop& loop_;
    InstanceConfig cfg_;
    Actions& actions_;

    State state_ = State::Initialize;  // changed only by transition()
    uint8_t base_priority_;
    int adjustment_ = 0;
    uint8_t priority_;                 // effective
    Duration master_adver_interval_;   // RFC Master_Adver_Interval
    bool held_master_ = false;
    std::optional<MonoTime> preempt_at_;  // preempt_delay: lower adverts ignored from then on
    std::optional<net::IpAddress> master_address_;
    std::optional<net::IpAddress> primary_address_;
    MonoTime last_heard_{};            // last accepted advert, or entering Backup
    // The last lower-priority advert a preempting Backup discarded: why its
    // Master_Down_Timer fires although that peer was not silent.
    struct LowerSeen {
        net::IpAddress src;
        uint8_t priority = 0;
        MonoTime at{};
    };
    std::optional<LowerSeen> lower_seen_;
    std::optional<Transition> last_transition_;
    std::string down_reason_;          // why Master_Down_Timer will fire
    std::set<std::string> faults_;
    MonoTime adver_due_{};
    uint32_t delayed_garp_repeat_ = 0;
    AnnounceReason delayed_garp_reason_ = AnnounceReason::MasterDelayed;

    InstanceStats stats_;
    // What a received advert may make us do, at most once per advert
    // interval: answer a lower priority (advert, GARPs, notify), answer a
    // priority 0; and the log lines it may write.
    core::RateLimit lower_answers_;
    core::RateLimit zero_answers_;
    core::log::Limiter rx_log_;
    core::LatenessHistogram lateness_;
    MasterGate gate_;
    BeforeMaster before_master_;
    PreemptHold preempt_hold_;
    bool preempt_held_logged_ = false;  // the held stretch's line is written
    std::shared_ptr<int> entry_;       // set while the MASTER entry actions wait
    State entry_from_ = State::Initialize;
    std::string entry_reason_;
    SubscriberList<Instance&, const InstanceEvent&> listeners_;

    core::TimerPtr master_down_timer_;  // RFC Master_Down_Timer
    core::TimerPtr adver_timer_;        // RFC Adver_Timer
    core::TimerPtr garp_delay_timer_;
    core::TimerPtr garp_refresh_timer_;
};

}  // namespace halbd::vrrp
