// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/instance.cc: the RFC 5798 §6.4 state machine of one instance.
//
// Deliberate deviations from the RFC, all to behave as keepalived 2.2.7 does
// (peers running keepalived must see the same thing from us):
//  - Fault and Stopped states (keepalived). Fault is entered from any state
//    while a fault source is set; a Master entering Fault sends priority 0
//    first (keepalived vrrp_state_leave_master), so a backup takes over after
//    Skew_Time instead of Master_Down_Interval.
//  - `state MASTER` without priority 255 starts as Backup and waits for
//    Master_Down_Interval like `state BACKUP` (keepalived >= 2.0
//    vrrp_init_state); only the address owner with `state MASTER` goes
//    straight to Master (RFC 5798 §6.4.1). An owner leaving Fault also goes
//    straight to Master (keepalived try_up_instance).
//  - Master receiving a LOWER priority advert (or equal priority from a lower
//    address): the RFC discards it. keepalived answers at once with its own
//    advert (unless lower_prio_no_advert) and re-sends GARPs
//    (garp_lower_prio_repeat), so the lower-priority master of a split brain
//    sees us, goes Backup, and the switches relearn the VIPs' MAC: we do the
//    same, and emit MasterRxLowerPriority (notify_master_rx_lower_pri).
//  - Master receiving a higher priority advert sends one advert first when
//    higher_prio_send_advert is set (keepalived; halbd's default unless
//    strict), so the winner of a healed split brain re-sends its GARPs.
//  - Two address owners (both 255): keepalived lowers its own priority to
//    254 and logs a configuration error; so do we.
//  - Skew_Time uses the effective (tracked) priority, as keepalived does, and
//    Master_Down_Interval = down_timer_adverts * Master_Adver_Interval +
//    Skew_Time (down_timer_adverts defaults to the RFC's 3).
//  - preempt_delay (keepalived): a Backup accepts lower-priority adverts as
//    from a valid master until preempt_delay after the first one seen.
//  - A Master answers a lower priority (advert, GARPs, notify) and a priority
//    0 (advert) at most once per advert interval (keepalived answers every
//    one): forged adverts must not drive unbounded work, and our own
//    Adver_Timer sends at that pace anyway. The log lines a received advert
//    writes are aggregated (core/log_limiter.hh).
#include "vrrp/instance.hh"

#include <algorithm>

#include "core/log.hh"
#include "vrrp/validate.hh"

namespace halbd::vrrp {

namespace {
constexpr int64_t kOneSecondNs = 1'000'000'000;
}

const char* to_string(State s) {
    switch (s) {
    case State::Initialize: return "INIT";
    case State::Backup: return "BACKUP";
    case State::Master: return "MASTER";
    case State::Fault: return "FAULT";
    case State::Stopped: return "STOP";
    }
    return "?";
}

Instance::Instance(core::EventLoop& loop, InstanceConfig config, Actions& actions)
    : loop_(loop),
      cfg_(std::move(config)),
      actions_(actions),
      base_priority_(cfg_.priority),
      priority_(cfg_.priority),
      master_adver_interval_(cfg_.adver_int),
      primary_address_(cfg_.source_address),
      lower_answers_(cfg_.adver_int),
      zero_answers_(cfg_.adver_int),
      rx_log_(loop) {
    master_down_timer_ = loop_.create_timer([this] { on_master_down_timer(); });
    adver_timer_ = loop_.create_timer([this] { on_adver_timer(); });
    garp_delay_timer_ = loop_.create_timer([this] {
        actions_.announce(delayed_garp_repeat_, delayed_garp_reason_);
    });
    garp_refresh_timer_ = loop_.create_timer([this] {
        actions_.announce(cfg_.garp_master_refresh_repeat, AnnounceReason::Refresh);
        garp_refresh_timer_->arm(cfg_.garp_master_refresh);
    });
}

Instance::~Instance() = default;

// RFC 5798 §6.1: Skew_Time = ((256 - Priority) * Master_Adver_Interval) / 256.
// RFC 3768 §6.1 (v2): Skew_Time = (256 - Priority) / 256 seconds.
Duration Instance::skew_time() const {
    const int64_t k = 256 - priority_;
    if (cfg_.version == 2) return Duration(k * kOneSecondNs / 256);
    return Duration(k * master_adver_interval_.count() / 256);
}

// RFC 5798 §6.1: Master_Down_Interval = (3 * Master_Adver_Interval) + Skew_Time.
Duration Instance::master_down_interval() const {
    return cfg_.down_timer_adverts * master_adver_interval_ + skew_time();
}

std::optional<MonoTime> Instance::master_down_deadline() const {
    if (!master_down_timer_->armed()) return std::nullopt;
    return master_down_timer_->deadline();
}

std::optional<MonoTime> Instance::adver_deadline() const {
    if (!adver_timer_->armed()) return std::nullopt;
    return adver_timer_->deadline();
}

net::IpAddress Instance::our_address() const {
    if (primary_address_) return *primary_address_;
    const uint8_t zero[16] = {};
    return net::IpAddress::from_bytes(cfg_.family, zero);  // unknown: loses every tie
}

void Instance::set_primary_address(net::IpAddress address) { primary_address_ = address; }

void Instance::transition(State to, std::string_view reason) {
    const State from = state_;
    if (from == to) return;
    State published_from = from;

    // Exit actions.
    if (from == State::Master) {
        adver_timer_->cancel();
        garp_delay_timer_->cancel();
        garp_refresh_timer_->cancel();
        // RFC 5798 §6.4.3 Shutdown; keepalived also on entering Fault.
        if (to == State::Fault || to == State::Stopped) send(kPriorityStop);
        actions_.remove_vips();
        ++stats_.release_master;
        // Left while its before-master hooks ran: subscribers never saw it MASTER.
        if (entry_) {
            entry_.reset();
            published_from = entry_from_;
        }
    }
    if (from == State::Backup) master_down_timer_->cancel();

    state_ = to;
    ++stats_.transitions;
    last_transition_ = Transition{from, to, std::string(reason), loop_.now()};
    log::info(cfg_.name, ": ", to_string(from), " -> ", to_string(to), " (", reason, ")");

    // Entry actions.
    switch (to) {
    case State::Master: {
        // RFC 5798 §6.4.1 / §6.4.2: send an advert, announce, Adver_Timer.
        // The advert goes first so the old master drops the VIPs before our
        // GARPs; the before-master hooks run between the two (take_master()).
        held_master_ = false;
        preempt_at_.reset();
        master_adver_interval_ = cfg_.adver_int;
        ++stats_.become_master;
        send(priority_);
        entry_from_ = from;
        entry_reason_ = std::string(reason);
        if (!before_master_) return take_master();
        auto token = std::make_shared<int>(0);
        entry_ = token;
        std::weak_ptr<int> weak = token;
        before_master_(
            *this, reason, [this, weak] { if (weak.lock()) take_master(); }, [weak] { return !weak.expired(); });
        // Held: a master without addresses still advertises.
        if (entry_ == token) arm_adver_timer();
        return;
    }
    case State::Backup:
        // RFC 5798 §6.4.1: Master_Down_Timer = Master_Down_Interval; callers
        // that need another value re-arm after the transition.
        preempt_at_.reset();
        lower_seen_.reset();
        last_heard_ = loop_.now();
        arm_master_down(master_down_interval(), "");
        break;
    case State::Fault:
    case State::Stopped:
    case State::Initialize:
        held_master_ = false;
        master_down_timer_->cancel();
        break;
    }
    if (published_from != to) publish_state(published_from, to, reason);
}

void Instance::take_master() {
    entry_.reset();
    actions_.add_vips();
    actions_.announce(cfg_.garp_master_repeat, AnnounceReason::BecameMaster);
    if (cfg_.garp_master_delay > Duration::zero() && cfg_.garp_master_repeat > 0) {
        delayed_garp_repeat_ = cfg_.garp_master_repeat;
        delayed_garp_reason_ = AnnounceReason::MasterDelayed;
        garp_delay_timer_->arm(cfg_.garp_master_delay);
    }
    if (cfg_.garp_master_refresh > Duration::zero()) garp_refresh_timer_->arm(cfg_.garp_master_refresh);
    if (!adver_timer_->armed()) arm_adver_timer();
    publish_state(entry_from_, State::Master, entry_reason_);
}

void Instance::publish_state(State from, State to, std::string_view reason) {
    InstanceEvent e;
    e.kind = InstanceEvent::Kind::StateChange;
    e.from = from;
    e.to = to;
    e.reason = std::string(reason);
    e.priority = priority_;
    emit(std::move(e));
}

void Instance::start() {
    if (state_ != State::Initialize && state_ != State::Stopped) return;
    master_adver_interval_ = cfg_.adver_int;
    master_address_.reset();
    if (!faults_.empty()) {
        transition(State::Fault, *faults_.begin());
    } else if (starts_as_master() && gate_open()) {
        transition(State::Master, "address owner (priority 255)");
    } else {
        transition(State::Backup, "start");
        held_master_ = starts_as_master();  // held back by the sync group
    }
}

void Instance::stop(std::string_view reason) {
    if (state_ == State::Stopped) return;
    transition(State::Stopped, reason);
}

void Instance::reconfigure(InstanceConfig config) {
    const bool interval_changed = config.adver_int != cfg_.adver_int;
    cfg_ = std::move(config);
    base_priority_ = cfg_.priority;
    lower_answers_.set_period(cfg_.adver_int);
    zero_answers_.set_period(cfg_.adver_int);
    if (cfg_.source_address) primary_address_ = cfg_.source_address;
    recompute_priority("reload");
    if (interval_changed && state_ == State::Master) {
        master_adver_interval_ = cfg_.adver_int;
        arm_adver_timer();
    }
}

void Instance::arm_adver_timer() {
    adver_timer_->arm(cfg_.adver_int);
    adver_due_ = adver_timer_->deadline();
}

void Instance::arm_master_down(Duration d, std::string reason) {
    down_reason_ = std::move(reason);
    master_down_timer_->arm(d);
}

void Instance::send(uint8_t priority) {
    actions_.send_advert(priority);
    ++stats_.adverts_sent;
    if (priority == kPriorityStop) ++stats_.pri_zero_sent;
}

// RFC 5798 §6.4.3: Adver_Timer fires -> send an advert, reset the timer.
void Instance::on_adver_timer() {
    lateness_.record(loop_.now() - adver_due_);
    if (state_ != State::Master) return;
    send(priority_);
    arm_adver_timer();
}

// RFC 5798 §6.4.2: Master_Down_Timer fires -> become Master, unless a sync
// group holds us back (keepalived vrrp_sync_can_goto_master): then wait
// another Master_Down_Interval, wanting MASTER.
void Instance::on_master_down_timer() {
    if (state_ != State::Backup) return;
    if (!gate_open()) {
        held_master_ = true;
        log::debug(cfg_.name, ": Master_Down_Timer expired, held in BACKUP by its sync group");
        arm_master_down(master_down_interval(), down_reason_);
        return;
    }
    std::string reason = down_reason_;
    const MonoTime now = loop_.now();
    if (reason.empty() && lower_seen_ && now - lower_seen_->at < master_down_interval()) {
        // Not silent: it kept advertising, below us, and we preempt it.
        reason = log::concat("preempting ", lower_seen_->src.to_string(), ": its adverts have priority ",
                             int(lower_seen_->priority), ", ours ", int(priority_));
    } else if (reason.empty()) {
        const std::string silent = log::secs(now - last_heard_);
        reason = master_address_ ? log::concat("peer ", master_address_->to_string(), " silent for ", silent)
                                 : log::concat("no master seen for ", silent);
    }
    transition(State::Master, reason);
}

std::string Instance::master_text() const {
    if (state_ == State::Master) return "this node";
    if (master_address_) return master_address_->to_string();
    return "unknown";
}

std::optional<DropReason> Instance::receive(const Advert& a, const RxMeta& meta) {
    const bool same_master = master_address_ && *master_address_ == meta.src;
    if (auto drop = validate(a, meta, cfg_, !(cfg_.skip_check_adv_addr && same_master))) return drop;
    ++stats_.adverts_received;
    if (a.priority == kPriorityStop) ++stats_.pri_zero_received;
    if (state_ == State::Backup)
        on_backup_advert(a, meta);
    else if (state_ == State::Master)
        on_master_advert(a, meta);
    // Initialize, Fault, Stopped: adverts are ignored (RFC 5798 §6.4.1, keepalived).
    return std::nullopt;
}

// RFC 5798 §6.4.2, Backup receiving an ADVERTISEMENT.
void Instance::on_backup_advert(const Advert& a, const RxMeta& meta) {
    const MonoTime now = loop_.now();
    if (a.priority == kPriorityStop) {
        // "Set the Master_Down_Timer to Skew_Time".
        arm_master_down(skew_time(), log::concat("peer ", meta.src.to_string(), " released mastership (priority 0)"));
        return;
    }
    const bool delaying = cfg_.preempt_delay > Duration::zero() && (!preempt_at_ || now < *preempt_at_);
    // A preemption hold (state_events.hh rule 7) keeps a lower master, as delaying does.
    std::optional<std::string> hold;
    if (cfg_.preempt && a.priority < priority_ && !delaying && preempt_hold_) hold = preempt_hold_(*this);
    if (hold) {
        ++stats_.preempt_held;
        if (!preempt_held_logged_)
            log::info(cfg_.name, ": not preempting master ", meta.src.to_string(), " (priority ", int(a.priority),
                      ", ours ", int(priority_), "): ", *hold);
        preempt_held_logged_ = true;
    } else if (a.priority < priority_) {
        preempt_held_logged_ = false;
    }
    if (!cfg_.preempt || a.priority >= priority_ || delaying || hold) {
        // A valid master: learn its interval (v3), reset Master_Down_Timer.
        if (a.version == 3) master_adver_interval_ = a.interval();
        master_address_ = meta.src;
        last_heard_ = now;
        held_master_ = false;
        if (lower_seen_ && lower_seen_->src == meta.src) lower_seen_.reset();
        if (cfg_.preempt_delay > Duration::zero()) {
            if (a.priority >= priority_)
                preempt_at_.reset();
            else if (!preempt_at_)
                preempt_at_ = now + cfg_.preempt_delay;
        }
        arm_master_down(master_down_interval(), "");
        return;
    }
    // Preempt_Mode and a lower priority: discard; our Master_Down_Timer runs on.
    master_address_ = meta.src;
    lower_seen_ = LowerSeen{meta.src, a.priority, now};
    rx_log_.debug("lower", cfg_.name, ": received lower priority (", int(a.priority), ") advert from ",
                  meta.src.to_string(), " - discarding");
}

// RFC 5798 §6.4.3, Master receiving an ADVERTISEMENT.
void Instance::on_master_advert(const Advert& a, const RxMeta& meta) {
    if (a.priority == kPriorityStop) {
        if (!zero_answers_.allow(loop_.now())) {
            ++stats_.answers_limited;
            return;
        }
        send(priority_);
        arm_adver_timer();
        return;
    }
    const net::IpAddress ours = our_address();
    const bool same_address = meta.src == ours;
    if (a.priority == priority_ && owner() && !same_address) {
        log::error(cfg_.name, ": CONFIGURATION ERROR: ", meta.src.to_string(),
                   " is also the address owner (priority 255); lowering ours to 254");
        base_priority_ = kPriorityOwner - 1;
        recompute_priority("two address owners");
    }
    const bool higher = a.priority > priority_ || (a.priority == priority_ && meta.src > ours);
    const bool lower = a.priority < priority_ || (a.priority == priority_ && meta.src < ours);
    if (lower) {
        ++stats_.lower_prio_received;
        rx_log_.info("lower", cfg_.name, ": received advert from ", meta.src.to_string(), " with lower priority ",
                     int(a.priority), ", ours ", int(priority_),
                     cfg_.lower_prio_no_advert ? "" : ", forcing new election");
        if (!lower_answers_.allow(loop_.now())) {
            ++stats_.answers_limited;
            return;
        }
        if (!cfg_.lower_prio_no_advert) send(priority_);
        if (cfg_.garp_lower_prio_repeat > 0 && !entry_) {  // no GARP before the addresses
            actions_.announce(cfg_.garp_lower_prio_repeat, AnnounceReason::LowerPriorityAdvert);
            if (cfg_.garp_lower_prio_delay > Duration::zero()) {
                delayed_garp_repeat_ = cfg_.garp_lower_prio_repeat;
                delayed_garp_reason_ = AnnounceReason::LowerPriorityAdvert;
                garp_delay_timer_->arm(cfg_.garp_lower_prio_delay);
            }
        }
        InstanceEvent e;
        e.kind = InstanceEvent::Kind::MasterRxLowerPriority;
        e.from = e.to = state_;
        e.reason = "lower priority advert";
        e.priority = a.priority;
        e.peer = meta.src;
        emit(std::move(e));
        return;
    }
    if (!higher) {
        rx_log_.warning("equal", cfg_.name, ": equal priority advert received from a host with our address ",
                        meta.src.to_string());
        return;
    }
    if (cfg_.higher_prio_send_advert) send(priority_);
    // Cancel Adver_Timer, learn Master_Adver_Interval, Master_Down_Timer = MDI, -> Backup.
    if (a.version == 3) master_adver_interval_ = a.interval();
    master_address_ = meta.src;
    transition(State::Backup, a.priority > priority_
                                  ? log::concat("higher priority ", int(a.priority), " advert from ",
                                                meta.src.to_string())
                                  : log::concat("same priority ", int(a.priority), ", higher address ",
                                                meta.src.to_string()));
}

void Instance::set_fault(bool faulty, const std::string& source) {
    const bool changed = faulty ? faults_.insert(source).second : faults_.erase(source) > 0;
    if (!changed) return;
    const State before = state_;
    if (state_ != State::Initialize && state_ != State::Stopped) {
        if (faulty && state_ != State::Fault)
            transition(State::Fault, source);
        else if (!faulty && faults_.empty() && state_ == State::Fault)
            leave_fault(log::concat(source, " recovered"));
    }
    if (state_ == before) {
        InstanceEvent e;
        e.kind = InstanceEvent::Kind::FaultSourcesChanged;
        e.from = e.to = state_;
        e.reason = source;
        emit(std::move(e));
    }
}

void Instance::leave_fault(std::string_view reason) {
    master_adver_interval_ = cfg_.adver_int;
    if (starts_as_master() && gate_open()) {
        transition(State::Master, reason);
    } else {
        transition(State::Backup, reason);
        held_master_ = starts_as_master();
    }
}

bool Instance::force_master(std::string_view reason) {
    if (state_ != State::Backup) return false;
    transition(State::Master, reason);
    return true;
}

bool Instance::force_backup(std::string_view reason) {
    if (state_ != State::Master) return false;
    transition(State::Backup, reason);
    return true;
}

void Instance::set_priority_adjustment(int delta, std::string_view why) {
    adjustment_ = delta;
    recompute_priority(why);
}

void Instance::recompute_priority(std::string_view why) {
    const uint8_t before = priority_;
    priority_ = owner() ? kPriorityOwner
                        : static_cast<uint8_t>(std::clamp(int(base_priority_) + adjustment_, 1, 254));
    if (priority_ == before) return;
    log::info(cfg_.name, ": priority ", int(before), " -> ", int(priority_), " (", why, ")");
    InstanceEvent e;
    e.kind = InstanceEvent::Kind::PriorityChanged;
    e.from = e.to = state_;
    e.reason = std::string(why);
    e.priority = priority_;
    emit(std::move(e));
}

}  // namespace halbd::vrrp
