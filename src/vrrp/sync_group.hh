// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/sync_group.hh: vrrp_sync_group, instances that change state together
// (keepalived vrrp_sync.c semantics): all go MASTER only when all want to,
// one going BACKUP takes the others to BACKUP, one in FAULT puts the whole
// group in FAULT. Built only on the Instance seams: a subscription to each
// member's events, the master gate, force_master/force_backup and a group
// fault source. Owned by the VRRP subsystem next to its member instances,
// which must outlive it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vrrp/instance.hh"

namespace halbd::vrrp {

class SyncGroup {
public:
    // (group, from, to, reason): for group notify scripts and the control socket.
    using Listener = std::function<void(const SyncGroup&, State from, State to, const std::string& reason)>;

    SyncGroup(std::string name, std::vector<Instance*> members);
    ~SyncGroup();  // removes the gates; the group fault source stays cleared
    SyncGroup(const SyncGroup&) = delete;
    SyncGroup& operator=(const SyncGroup&) = delete;

    const std::string& name() const { return name_; }
    State state() const { return state_; }  // Backup, Master or Fault
    const std::vector<Instance*>& members() const { return members_; }
    // The fault source the group sets on its members while one of them is faulty.
    const std::string& fault_source() const { return fault_key_; }
    [[nodiscard]] Subscription subscribe(Listener l) { return listeners_.add(std::move(l)); }

private:
    bool can_go_master(const Instance& who) const;
    void on_member_event(Instance& member, const InstanceEvent& e);
    void reconcile_fault();
    void set_state(State to, const std::string& reason);

    std::string name_;
    std::vector<Instance*> members_;
    std::string fault_key_;
    State state_ = State::Backup;
    std::vector<Subscription> subscriptions_;
    SubscriberList<const SyncGroup&, State, State, const std::string&> listeners_;
};

}  // namespace halbd::vrrp
