// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/instance_config.hh: the view of one vrrp_instance that the VRRP core
// needs (the state machine, the validator and the adapter building adverts),
// built from the validated config model with every effective value resolved.
// Plain data; the config model stays the only place defaults are computed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/model_vrrp.hh"
#include "core/time.hh"
#include "net/address.hh"
#include "vrrp/packet.hh"

namespace halbd::vrrp {

struct PeerConfig {
    net::IpAddress address;
    uint8_t min_ttl = 0;
    uint8_t max_ttl = 255;
};

struct InstanceConfig {
    std::string name;                    // "VI_1", the prefix of every log line
    uint8_t version = 3;
    net::Family family = net::Family::V4;
    uint8_t vrid = 1;
    uint8_t priority = 100;              // base priority, 1-255 (255 = address owner)
    Duration adver_int = std::chrono::seconds(1);  // Advertisement_Interval
    bool initial_master = false;         // `state MASTER`
    bool preempt = true;                 // false with `nopreempt`
    Duration preempt_delay{};
    uint8_t down_timer_adverts = 3;      // RFC: 3 (keepalived down_timer_adverts)
    bool lower_prio_no_advert = false;
    bool higher_prio_send_advert = false;
    bool skip_check_adv_addr = false;

    AuthType auth_type = AuthType::None; // v2 only
    std::array<uint8_t, kAuthDataLen> auth_data{};  // PASS: password, zero padded

    std::vector<net::IpAddress> vips;    // virtual_ipaddress of the instance's family, in order
    std::vector<PeerConfig> unicast_peers;  // empty = multicast
    bool check_unicast_src = false;
    std::optional<net::IpAddress> source_address;  // unicast_src_ip / mcast_src_ip

    // GARP/unsolicited NA after becoming master and after a lower-priority advert.
    uint32_t garp_master_repeat = 5;
    Duration garp_master_delay = std::chrono::seconds(5);  // 0 = no second burst
    uint32_t garp_lower_prio_repeat = 5;
    Duration garp_lower_prio_delay = std::chrono::seconds(5);
    Duration garp_master_refresh{};      // 0 = no periodic refresh
    uint32_t garp_master_refresh_repeat = 1;

    bool unicast() const { return !unicast_peers.empty(); }
};

// Builds the view of a validated instance (effective values must be set).
InstanceConfig make_instance_config(const config::VrrpInstance& v);

// The advert this instance sends with the given priority (checksum computed by encode()).
Advert make_advert(const InstanceConfig& c, uint8_t priority);

}  // namespace halbd::vrrp
