// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/sync_group.cc: keepalived's sync group rules on top of member events.
//  - MASTER: a member whose Master_Down_Timer expires may become Master only
//    if the group is already MASTER or every other member wants MASTER too
//    (keepalived vrrp_sync_can_goto_master: "prefer backup to avoid
//    thrashing"); once one member is Master, the others are forced Master.
//  - BACKUP: a Master member going Backup (higher priority peer) forces the
//    other Masters to Backup (vrrp_sync_backup).
//  - FAULT: while any member has a fault of its own, every member carries the
//    group's fault source, so all are in Fault (vrrp_sync_fault); when the
//    last own fault clears, the group source is removed and members restart
//    from Backup (an owner may go Master only through the gate).
// Everything is idempotent, so re-entrant notifications (a forced member
// reporting its own change) settle without special cases.
#include "vrrp/sync_group.hh"

#include <algorithm>

#include "core/log.hh"

namespace halbd::vrrp {

SyncGroup::SyncGroup(std::string name, std::vector<Instance*> members)
    : name_(std::move(name)), members_(std::move(members)), fault_key_("sync group " + name_) {
    for (Instance* m : members_) {
        m->set_master_gate([this](const Instance& who) { return can_go_master(who); });
        subscriptions_.push_back(
            m->subscribe([this](Instance& who, const InstanceEvent& e) { on_member_event(who, e); }));
    }
    reconcile_fault();
}

SyncGroup::~SyncGroup() {
    subscriptions_.clear();
    for (Instance* m : members_) m->set_master_gate(nullptr);
}

bool SyncGroup::can_go_master(const Instance& who) const {
    if (state_ == State::Fault) return false;
    if (state_ == State::Master) return true;
    return std::all_of(members_.begin(), members_.end(),
                       [&](const Instance* m) { return m == &who || m->wants_master(); });
}

void SyncGroup::set_state(State to, const std::string& reason) {
    if (state_ == to) return;
    const State from = state_;
    state_ = to;
    log::info(name_, ": group ", to_string(from), " -> ", to_string(to), " (", reason, ")");
    listeners_.notify(*this, from, to, reason);
}

void SyncGroup::reconcile_fault() {
    const Instance* culprit = nullptr;
    for (const Instance* m : members_) {
        for (const auto& src : m->fault_sources())
            if (src != fault_key_) culprit = m;
        if (culprit) break;
    }
    if (culprit && state_ != State::Fault) {
        set_state(State::Fault, culprit->name() + " in FAULT");
        for (Instance* m : members_) m->set_fault(true, fault_key_);
    } else if (!culprit && state_ == State::Fault) {
        set_state(State::Backup, "all members recovered");
        for (Instance* m : members_) m->set_fault(false, fault_key_);
    }
}

void SyncGroup::on_member_event(Instance& member, const InstanceEvent& e) {
    reconcile_fault();
    if (e.kind != InstanceEvent::Kind::StateChange || state_ == State::Fault) return;
    if (e.to == State::Master) {
        set_state(State::Master, member.name() + " became MASTER");
        for (Instance* m : members_)
            if (m != &member) m->force_master(log::concat(name_, ": ", member.name(), " is MASTER"));
    } else if (e.to == State::Backup && state_ == State::Master) {
        set_state(State::Backup, member.name() + " became BACKUP");
        for (Instance* m : members_)
            if (m != &member) m->force_backup(log::concat(name_, ": ", member.name(), " is BACKUP"));
    }
}

}  // namespace halbd::vrrp
