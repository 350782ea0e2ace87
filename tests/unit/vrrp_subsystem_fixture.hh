// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/vrrp_subsystem_fixture.hh: the VrrpSubsystem over every fake
// (addresses, routes, links, link monitor, announcer, transport) on a SimLoop, and
// apply() of configuration text as successive reloads. Shared by
// vrrp_subsystem_test.cc and vrrp_vmac_test.cc; each builds `vrrp` itself.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/log.hh"
#include "forward_test_util.hh"
#include "net/link_monitor.hh"
#include "support/fake_link_monitor.hh"
#include "support/fake_net.hh"
#include "support/fake_transport.hh"
#include "support/sim_loop.hh"
#include "vrrp/subsystem.hh"

namespace halbd::vrrp::test_util {

struct SubsystemFixture : ::testing::Test {
    core::SimLoop loop;
    net::FakeAddressBackend addrs;
    net::FakeRouteBackend routes;
    net::FakeLinkBackend links{addrs};
    net::FakeLinkMonitor monitor;
    net::FakeAnnouncer announcer;
    FakeTransport transport;
    log::ScopedCapture cap{log::Level::debug};
    std::unique_ptr<VrrpSubsystem> vrrp;  // after the fakes: destroyed first
    std::vector<std::shared_ptr<const config::Model>> models;

    void apply(const std::string& text) {
        auto m = forward::test_util::load(text);
        ASSERT_TRUE(m);
        const config::Model* prev = models.empty() ? nullptr : models.back().get();
        models.push_back(m);
        vrrp->apply(prev, *m);
    }
};

}  // namespace halbd::vrrp::test_util
