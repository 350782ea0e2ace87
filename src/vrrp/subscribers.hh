// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/subscribers.hh: the VRRP code's names for core/subscribers.hh
// (Subscription, SubscriberList), which moved to core/ so that a subsystem
// following VRRP state needs vrrp/state_events.hh and core/ only.
#pragma once

#include "core/subscribers.hh"

namespace halbd::vrrp {

using core::SubscriberList;
using core::Subscription;

}  // namespace halbd::vrrp
