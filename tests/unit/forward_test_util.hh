// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/forward_test_util.hh: helpers for the forward_*_test.cc unit
// tests: load a configuration text into a Model, and build service keys,
// destination keys and parameters tersely. Header-only; owns nothing.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "config/load.hh"
#include "forward/service.hh"

namespace halbd::forward::test_util {

inline std::shared_ptr<const config::Model> load(const std::string& text) {
    config::LoadOptions o;
    o.config_id = "test";
    o.allow_include = false;
    o.interface_exists = [](std::string_view) { return true; };
    config::LoadResult r = config::load_text("test.conf", text, o);
    std::string msgs;
    for (const auto& m : r.messages()) msgs += m + "\n";
    EXPECT_TRUE(r.model) << msgs;
    return r.model;
}

inline net::IpAddress ip(const char* s) { return *net::IpAddress::parse(s); }

inline ServiceKey svc(Protocol p, const char* addr, uint16_t port) {
    ServiceKey k;
    k.address = ip(addr);
    k.family = k.address.family();
    k.protocol = p;
    k.port = port;
    return k;
}
inline ServiceKey tcp(const char* addr, uint16_t port) { return svc(Protocol::TCP, addr, port); }
inline ServiceKey udp(const char* addr, uint16_t port) { return svc(Protocol::UDP, addr, port); }
inline ServiceKey fwm(uint32_t mark, net::Family f = net::Family::V4) { return ServiceKey::fwmark_key(f, mark); }

inline DestKey dest(const char* addr, uint16_t port) { return DestKey{ip(addr), port}; }

inline DestParams dp(int32_t weight, Method m = Method::Masq) {
    DestParams d;
    d.weight = weight;
    d.method = m;
    return d;
}

inline ServiceParams sp(const std::string& sched, uint32_t flags = 0, uint32_t timeout = 0,
                        uint32_t netmask = 0xffffffff) {
    ServiceParams p;
    p.scheduler = sched;
    p.flags = flags;
    p.timeout = timeout;
    p.netmask = netmask;
    return p;
}

}  // namespace halbd::forward::test_util
