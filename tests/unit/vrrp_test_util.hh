// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/vrrp_test_util.hh: helpers shared by the VRRP unit tests: an
// address shorthand, a recording Actions, a base config and a
// vrrp_track_process named "tp".
#pragma once

#include <string>
#include <vector>

#include "config/model_vrrp.hh"
#include "core/log.hh"
#include "net/address.hh"
#include "vrrp/instance.hh"

namespace halbd::vrrp::test_util {

inline net::IpAddress ip(const char* text) { return *net::IpAddress::parse(text); }

// Records every action as a line: "advert 100", "add_vips", "remove_vips",
// "announce 5 master".
class RecordingActions : public Actions {
public:
    void send_advert(uint8_t priority) override { log.push_back("advert " + std::to_string(priority)); }
    void add_vips() override { log.push_back("add_vips"); }
    void remove_vips() override { log.push_back("remove_vips"); }
    void announce(uint32_t repeat, AnnounceReason why) override {
        static const char* names[] = {"master", "master_delayed", "lower_prio", "refresh"};
        log.push_back("announce " + std::to_string(repeat) + " " + names[static_cast<int>(why)]);
    }
    std::vector<std::string> take() { return std::exchange(log, {}); }
    std::vector<std::string> log;
};

inline InstanceConfig base_config(const char* name = "VI_1", uint8_t priority = 100) {
    InstanceConfig c;
    c.name = name;
    c.version = 3;
    c.family = net::Family::V4;
    c.vrid = 51;
    c.priority = priority;
    c.adver_int = std::chrono::seconds(1);
    c.vips = {ip("192.168.1.100")};
    c.garp_master_repeat = 5;
    c.garp_master_delay = std::chrono::seconds(5);
    c.garp_lower_prio_repeat = 5;
    c.garp_lower_prio_delay = std::chrono::seconds(5);
    return c;
}

inline RxMeta mcast_meta(const char* src, int ttl = 255) {
    return RxMeta{net::Family::V4, ip(src), ip("224.0.0.18"), ttl};
}

// vrrp_track_process "tp" (exact parameter match when parameters are given).
inline config::TrackProcess proc_cfg(std::vector<std::string> process, uint32_t quorum = 1,
                                     uint32_t quorum_max = 65535) {
    config::TrackProcess p;
    p.name = "tp";
    p.process = std::move(process);
    p.quorum = quorum;
    p.quorum_max = quorum_max;
    if (p.process.size() > 1) p.param_match = config::ParamMatch::Exact;
    return p;
}

}  // namespace halbd::vrrp::test_util
