// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/validate.hh: the receive checks of RFC 5798 §7.1 / RFC 3768 §7.1 that
// depend on the instance (TTL, version, VRID, auth, interval, addresses,
// unicast source), applied to a decoded advert. Pure; called by
// Instance::receive(), which decides whether the address list is checked.
#pragma once

#include <optional>

#include "vrrp/drop.hh"
#include "vrrp/instance_config.hh"
#include "vrrp/packet.hh"

namespace halbd::vrrp {

// nullopt: the advert is for this instance and acceptable. check_addresses is
// false when skip_check_adv_addr is set and the advert comes from the master
// already known (keepalived skips the address checks then).
std::optional<DropReason> validate(const Advert& advert, const RxMeta& meta, const InstanceConfig& cfg,
                                   bool check_addresses = true);

}  // namespace halbd::vrrp
