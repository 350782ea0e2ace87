// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/nft_select_test.cc: lvs_backend auto|ipvs|nftables (which
// backend runs and why, with the IPVS probe injected), and the nftables
// capabilities at load: what it lacks is refused naming it, what it has loads.
#include <gtest/gtest.h>

#include "config_test_util.hh"
#include "forward/backend_select.hh"
#include "forward/nft/nft_capabilities.hh"

namespace halbd::config {
namespace {

using namespace test_util;

core::Status has_ipvs() { return core::Ok{}; }
core::Status no_ipvs() { return core::Error{ENOENT, "no IPVS"}; }

LoadResult load_chosen(const std::string& text) {
    LoadOptions o = options({}, "test");
    o.forwarding_for = [](const Model& m) {
        return forward::select_backend(m.global.lvs_backend, no_ipvs).choice.capabilities;
    };
    return load_text("test.conf", text, o);
}

TEST(LvsBackend, AutoIsIpvsWhereTheKernelHasItElseNftables) {
    auto a = forward::select_backend(LvsBackend::Auto, has_ipvs);
    EXPECT_EQ(a.choice.capabilities.backend, "IPVS");
    EXPECT_EQ(a.reason, "lvs_backend auto: the kernel has IPVS");
    auto b = forward::select_backend(LvsBackend::Auto, no_ipvs);
    EXPECT_EQ(b.choice.capabilities.backend, "nftables");
    EXPECT_EQ(b.reason, "lvs_backend auto: the kernel has no IPVS");
    auto c = forward::select_backend(LvsBackend::Nftables, has_ipvs);
    EXPECT_EQ(c.choice.capabilities.backend, "nftables");
    EXPECT_EQ(c.reason, "lvs_backend nftables");
    EXPECT_EQ(forward::select_backend(LvsBackend::Ipvs, no_ipvs).choice.capabilities.backend, "IPVS");
}

TEST(LvsBackend, KeywordParsedAndBadValueRefused) {
    auto r = load_text("test.conf", "global_defs {\n    lvs_backend nftables\n}\n", options({}, "test"));
    ASSERT_TRUE(r.model);
    EXPECT_EQ(r.model->global.lvs_backend, LvsBackend::Nftables);
    auto bad = load_text("test.conf", "global_defs {\n    lvs_backend xdp\n}\n", options({}, "test"));
    EXPECT_FALSE(bad.model);
    EXPECT_TRUE(has_message(bad, "test.conf:2:17: error:")) << all_messages(bad);
}

TEST(NftCapabilities, RefusesWhatItLacksNamingTheBackend) {
    auto r = load_chosen(R"(virtual_server 192.0.2.10 80 {
    protocol TCP
    lvs_sched wlc
    real_server 198.51.100.1 80 {
        lvs_method DR
    }
}
virtual_server 192.0.2.10 81 {
    lvs_sched sh
    sh-fallback
    real_server 198.51.100.1 80 {
    }
}
)");
    EXPECT_FALSE(r.model);
    EXPECT_TRUE(has_message(r, "test.conf:1:1: error: scheduler 'wlc' of virtual server 192.0.2.10:80 is not "
                               "supported by the nftables forwarding backend (it supports rr, wrr, dh, sh, mh)"))
        << all_messages(r);
    // DR itself is supported (with a hash scheduler: see nft_dr_test.cc).
    EXPECT_FALSE(has_message(r, "DR forwarding of real server")) << all_messages(r);
    EXPECT_TRUE(has_message(r, "test.conf:8:1: error: scheduler flag (flag-N, sh-*, mh-*) of virtual server "
                               "192.0.2.10:81 is not supported by the nftables forwarding backend (it supports "
                               "sh-port, mh-port)"))
        << all_messages(r);
}

TEST(NftCapabilities, LoadsWhatItHas) {
    auto r = load_chosen(R"(virtual_server 192.0.2.10 80 {
    protocol UDP
    lvs_sched mh
    mh-port
    persistence_timeout 30
    persistence_granularity 255.255.255.0
    real_server 198.51.100.1 80 {
    }
}
virtual_server fwmark 3 {
    lvs_sched wrr
    real_server 198.51.100.2 0 {
    }
}
virtual_server 2001:db8::10 53 {
    protocol SCTP
    lvs_sched rr
    real_server 2001:db8:1::1 53 {
    }
}
)");
    EXPECT_TRUE(r.model) << all_messages(r);
}

}  // namespace
}  // namespace halbd::config
