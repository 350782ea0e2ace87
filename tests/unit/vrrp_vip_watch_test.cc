// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/vrrp_vip_watch_test.cc: the VIP watch (issue 11 item 8) over
// the fakes on a SimLoop: a MASTER puts back a VIP someone removed, with a
// GARP and a log line; a no_track VIP stays missing and is shown so; a
// Backup and our own removals are left alone; lost events make every VIP be
// checked; a fight with another tool is rate-limited and ends restored.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "support/fake_address_monitor.hh"
#include "vrrp_subsystem_fixture.hh"

namespace halbd::vrrp {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

net::Prefix prefix(const char* s) { return *net::Prefix::parse(s); }
net::AddressSpec spec(const char* s) {
    net::AddressSpec a;
    a.address = prefix(s);
    return a;
}

struct VipWatchTest : test_util::SubsystemFixture {
    net::FakeAddressMonitor addr_events;

    VipWatchTest() {
        addrs.add_link("eth0", prefix("192.0.2.1/24"));
        vrrp = std::make_unique<VrrpSubsystem>(loop, addrs, routes, announcer, transport, &monitor);
        vrrp->set_address_monitor(&addr_events);
        monitor.set("eth0", true);
        apply("global_defs {\n vrrp_version 3\n vrrp_garp_master_delay 0\n}\n"
              "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n advert_int 1\n priority 100\n"
              " virtual_ipaddress {\n  192.0.2.100/24\n  192.0.2.101/24 no_track\n }\n}\n");
    }
    // The subsystem unhooks itself from addr_events when destroyed, so it
    // goes first (the fixture's own members outlive this class's).
    ~VipWatchTest() override { vrrp.reset(); }
    // `ip addr del`: the kernel loses it and says so.
    void someone_deletes(const char* p) {
        ASSERT_TRUE(addrs.remove_address("eth0", spec(p)));
        addr_events.removed("eth0", prefix(p));
    }
    bool has(const char* ip) { return addrs.has("eth0", prefix(ip).address); }
    const InstanceIo& io() { return *vrrp->io("VI_1"); }
    size_t garps(const char* ip) {
        const std::string want = std::string("garp ") + ip + " eth0";
        return std::count(announcer.journal().begin(), announcer.journal().end(), want);
    }
    void become_master() {
        loop.advance(seconds(4));
        ASSERT_EQ(vrrp->instance("VI_1")->state(), State::Master);
        ASSERT_TRUE(has("192.0.2.100"));
        announcer.journal().clear();
        cap.clear();
    }
};

TEST_F(VipWatchTest, MasterRestoresADeletedVipWithAGarpAndALogLine) {
    become_master();
    someone_deletes("192.0.2.100/24");
    EXPECT_TRUE(has("192.0.2.100"));
    EXPECT_EQ(garps("192.0.2.100"), 1u);
    EXPECT_TRUE(cap.contains("VI_1: VIP 192.0.2.100/24 was removed from eth0 by someone else; restored"));
    addr_events.added("eth0", prefix("192.0.2.100/24"));  // the kernel reports our add
    EXPECT_TRUE(io().missing_vips().empty());
    EXPECT_EQ(io().stats().vips_restored, 1u);
    EXPECT_EQ(vrrp->instance("VI_1")->state(), State::Master);  // no failover
}

TEST_F(VipWatchTest, NoTrackVipStaysMissingAndIsShownSo) {
    become_master();
    someone_deletes("192.0.2.101/24");
    EXPECT_FALSE(has("192.0.2.101"));
    EXPECT_EQ(garps("192.0.2.101"), 0u);
    ASSERT_EQ(io().missing_vips().size(), 1u);
    EXPECT_EQ(io().missing_vips()[0], prefix("192.0.2.101/24"));
    EXPECT_TRUE(cap.contains("VIP 192.0.2.101/24 was removed from eth0; not restored (no_track) until the next MASTER"));
    std::ostringstream os;
    vrrp->dump_state(os);
    EXPECT_NE(os.str().find("VIPs installed (1 missing)"), std::string::npos) << os.str();
    // The next MASTER installs it again.
    vrrp->instance("VI_1")->force_backup("test");
    vrrp->instance("VI_1")->force_master("test");
    EXPECT_TRUE(has("192.0.2.101"));
    EXPECT_TRUE(io().missing_vips().empty());
}

TEST_F(VipWatchTest, BackupAndOurOwnRemovalsAreLeftAlone) {
    // Backup: nothing installed, nothing to restore.
    ASSERT_TRUE(addrs.add_address("eth0", spec("192.0.2.100/24")));
    someone_deletes("192.0.2.100/24");
    EXPECT_FALSE(has("192.0.2.100"));
    become_master();
    // Leaving MASTER removes the VIPs: the kernel's events about them change nothing.
    vrrp->instance("VI_1")->force_backup("test");
    addr_events.removed("eth0", prefix("192.0.2.100/24"));
    loop.advance(seconds(1));
    EXPECT_FALSE(has("192.0.2.100"));
    // A stale event (the address is there): no restore, no line.
    vrrp->instance("VI_1")->force_master("test");
    cap.clear();
    addr_events.removed("eth0", prefix("192.0.2.100/24"));
    EXPECT_EQ(io().stats().vips_restored, 0u);
    EXPECT_FALSE(cap.contains("restored"));
    // Not ours.
    addr_events.removed("eth0", prefix("192.0.2.1/24"));
    EXPECT_EQ(io().stats().vips_restored, 0u);
}

TEST_F(VipWatchTest, LostEventsMakeEveryVipChecked) {
    become_master();
    ASSERT_TRUE(addrs.remove_address("eth0", spec("192.0.2.100/24")));
    addr_events.lost();
    EXPECT_TRUE(has("192.0.2.100"));
    EXPECT_EQ(io().stats().vips_restored, 1u);
}

// Another tool deletes the VIP 1000 times a second for 5 s: at most
// kRestoreBurst + 4 per second restores, one log line and a count, and the
// VIP is back once the fight ends.
TEST_F(VipWatchTest, AFightIsRateLimitedAndEndsRestored) {
    become_master();
    for (int i = 0; i < 5000; ++i) {
        if (has("192.0.2.100")) someone_deletes("192.0.2.100/24");
        loop.advance(milliseconds(1));
    }
    const auto restored = io().stats().vips_restored;
    EXPECT_GE(restored, 20u);
    EXPECT_LE(restored, kRestoreBurst + 5 * 4);
    loop.advance(seconds(1));
    EXPECT_TRUE(has("192.0.2.100"));
    EXPECT_TRUE(io().missing_vips().empty());
    size_t lines = 0;
    for (const auto& l : cap.lines()) lines += l.text.find("192.0.2.100/24 was removed") != std::string::npos;
    EXPECT_LE(lines, 2u);
    loop.advance(seconds(10));
    EXPECT_TRUE(cap.contains("by someone else; restored (repeated "));
}

}  // namespace
}  // namespace halbd::vrrp
