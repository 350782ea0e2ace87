// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/instance_config.cc: config::VrrpInstance -> InstanceConfig, and the
// advert an instance sends. Only copies effective values; defaulting lives in
// config/validate_vrrp.cc.
#include "vrrp/instance_config.hh"

#include <algorithm>

namespace halbd::vrrp {

InstanceConfig make_instance_config(const config::VrrpInstance& v) {
    InstanceConfig c;
    c.name = v.name;
    c.family = v.family;
    c.version = v.version.value_or(v.family == net::Family::V6 ? 3 : 2);
    c.vrid = v.virtual_router_id;
    c.priority = v.priority.value_or(100);
    c.adver_int = v.advert_int.value_or(std::chrono::seconds(1));
    c.initial_master = v.state.value_or(config::VrrpState::Backup) == config::VrrpState::Master;
    c.preempt = !v.nopreempt;
    c.preempt_delay = v.preempt_delay;
    c.down_timer_adverts = v.down_timer_adverts.value_or(3);
    c.lower_prio_no_advert = v.lower_prio_no_advert.value_or(false);
    c.higher_prio_send_advert = v.higher_prio_send_advert.value_or(false);
    c.skip_check_adv_addr = v.skip_check_adv_addr.value_or(false);

    switch (v.auth_type) {
    case config::AuthType::None: c.auth_type = AuthType::None; break;
    case config::AuthType::Pass: c.auth_type = AuthType::Pass; break;
    case config::AuthType::Ah: c.auth_type = AuthType::Ah; break;
    }
    if (c.version != 2) c.auth_type = AuthType::None;  // RFC 5798 removed authentication
    if (c.auth_type == AuthType::Pass)
        std::copy_n(v.auth_pass.begin(), std::min(v.auth_pass.size(), kAuthDataLen), c.auth_data.begin());

    // An advert carries the addresses of its own family only; keepalived
    // treats addresses of the other family as excluded (not advertised).
    for (const auto& line : v.virtual_ipaddress)
        if (line.address.address.family() == v.family) c.vips.push_back(line.address.address);
    for (const auto& p : v.unicast_peer)
        c.unicast_peers.push_back({p.address, p.min_ttl.value_or(0), p.max_ttl.value_or(255)});
    c.check_unicast_src = v.check_unicast_src;
    // keepalived stores both keywords in one field (vrrp->saddr).
    c.source_address = v.unicast_src_ip ? v.unicast_src_ip : v.mcast_src_ip;

    c.garp_master_repeat = v.garp_master_repeat.value_or(5);
    c.garp_master_delay = v.garp_master_delay.value_or(std::chrono::seconds(5));
    c.garp_lower_prio_repeat = v.garp_lower_prio_repeat.value_or(c.garp_master_repeat);
    c.garp_lower_prio_delay = v.garp_lower_prio_delay.value_or(c.garp_master_delay);
    c.garp_master_refresh = v.garp_master_refresh.value_or(Duration{});
    c.garp_master_refresh_repeat = v.garp_master_refresh_repeat.value_or(1);
    return c;
}

Advert make_advert(const InstanceConfig& c, uint8_t priority) {
    Advert a;
    a.version = c.version;
    a.vrid = c.vrid;
    a.priority = priority;
    a.set_interval(c.adver_int);
    a.addresses = c.vips;
    if (c.version == 2) {
        a.auth_type = c.auth_type;
        if (c.auth_type == AuthType::Pass) a.auth_data = c.auth_data;
    }
    return a;
}

}  // namespace halbd::vrrp
