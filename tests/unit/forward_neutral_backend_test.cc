// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/forward_neutral_backend_test.cc: a second, test-only Backend
// (an in-memory table that is not IPVS) plugged into ForwardSubsystem through
// the neutral interface: start, health change, reload and stop run the
// reconciler end to end, log lines name it, and the IPVS-only operations
// (flush, timeouts, sync daemon) are never asked of it even when the
// configuration has them.
#include <gtest/gtest.h>

#include <cerrno>
#include <sstream>

#include "core/log.hh"
#include "forward/ipvs_extension.hh"
#include "forward/subsystem.hh"
#include "forward_test_util.hh"

namespace halbd::forward {
namespace {

using namespace test_util;

config::ForwardCapabilities map_capabilities() {
    config::ForwardCapabilities c;
    c.backend = "maptable";
    c.schedulers = {config::LvsSched::rr, config::LvsSched::wrr};
    c.methods = {config::LvsMethodKind::NAT, config::LvsMethodKind::DR};
    c.protocols = {config::LvsProtocol::TCP, config::LvsProtocol::UDP};
    c.families = {net::Family::V4};
    return c;
}

// Implements the IPVS extension's calls too, only to count them: ipvs()
// stays null (Backend's default), so ForwardSubsystem must never reach them.
class MapBackend : public Backend, public IpvsExtension {
public:
    std::string name() const override { return "maptable"; }
    const config::ForwardCapabilities& capabilities() const override { return caps_; }
    core::Result<ServiceTable> dump() override {
        ++dumps;
        return table;
    }
    core::Status add_service(const ServiceKey& k, const ServiceParams& p) override {
        note("add_service " + k.to_string());
        if (table.count(k)) return core::Error{EEXIST, "exists"};
        table[k] = Service{k, p, {}};
        return core::Ok{};
    }
    core::Status update_service(const ServiceKey& k, const ServiceParams& p) override {
        note("update_service " + k.to_string());
        auto it = table.find(k);
        if (it == table.end()) return core::Error{ESRCH, "no such service"};
        it->second.params = p;
        return core::Ok{};
    }
    core::Status delete_service(const ServiceKey& k) override {
        note("delete_service " + k.to_string());
        return table.erase(k) ? core::Status(core::Ok{}) : core::Error{ESRCH, "no such service"};
    }
    core::Status add_dest(const ServiceKey& k, const DestKey& d, const DestParams& p) override {
        note("add_dest " + k.to_string() + " " + d.to_string());
        auto it = table.find(k);
        if (it == table.end()) return core::Error{ESRCH, "no such service"};
        it->second.dests[d] = p;
        return core::Ok{};
    }
    core::Status update_dest(const ServiceKey& k, const DestKey& d, const DestParams& p) override {
        note("update_dest " + k.to_string() + " " + d.to_string());
        auto it = table.find(k);
        if (it == table.end() || !it->second.dests.count(d)) return core::Error{ENOENT, "no such destination"};
        it->second.dests[d] = p;
        return core::Ok{};
    }
    core::Status delete_dest(const ServiceKey& k, const DestKey& d) override {
        note("delete_dest " + k.to_string() + " " + d.to_string());
        auto it = table.find(k);
        if (it == table.end() || !it->second.dests.erase(d)) return core::Error{ENOENT, "no such destination"};
        return core::Ok{};
    }
    uint64_t writes() const override { return journal.size(); }

    // The IPVS extension's calls: counted, never expected.
    core::Status flush() override { return ipvs_call(); }
    core::Result<Timeouts> get_timeouts() override {
        ++ipvs_calls;
        return Timeouts{};
    }
    core::Status set_timeouts(const Timeouts&) override { return ipvs_call(); }
    core::Status start_sync_daemon(const SyncDaemon&) override { return ipvs_call(); }
    core::Status stop_sync_daemon(SyncDaemon::Role) override { return ipvs_call(); }

    ServiceTable table;
    std::vector<std::string> journal;
    int dumps = 0;
    int ipvs_calls = 0;

private:
    void note(std::string s) { journal.push_back(std::move(s)); }
    core::Status ipvs_call() {
        ++ipvs_calls;
        return core::Ok{};
    }
    config::ForwardCapabilities caps_ = map_capabilities();
};

// Everything IPVS-only a configuration can ask for, around plain services.
const char* kConf = R"(
global_defs {
    lvs_flush
    lvs_flush_on_stop
    lvs_timeouts tcp 7200 udp 60
    lvs_sync_daemon eth0 id 5
}
virtual_server 10.0.0.1 80 {
    protocol TCP
    lvs_sched rr
    real_server 10.0.0.2 80 {
    }
    real_server 10.0.0.3 80 {
    }
}
virtual_server 10.0.0.1 53 {
    protocol UDP
    lvs_sched wrr
    real_server 10.0.0.2 53 {
        weight 2
    }
}
)";

struct Down : PoolView {
    bool is_up(const config::VirtualServer&, const config::RealServer& rs) const override {
        return !(rs.address == ip("10.0.0.3"));
    }
};

TEST(NeutralBackend, ReconcilesEndToEndWithoutIpvsOperations) {
    log::ScopedCapture cap{log::Level::info};
    MapBackend b;
    // Someone else's service: never touched, even with lvs_flush in the configuration.
    b.table[udp("192.0.2.1", 53)] = Service{udp("192.0.2.1", 53), sp("rr"), {}};
    ForwardSubsystem fwd(b);
    EXPECT_EQ(fwd.backend_name(), "maptable");

    // Start.
    auto m1 = load(kConf);
    ASSERT_TRUE(m1);
    fwd.apply(nullptr, *m1);
    EXPECT_EQ(b.table.size(), 3u);
    EXPECT_EQ(b.table.at(tcp("10.0.0.1", 80)).dests.size(), 2u);
    EXPECT_EQ(b.table.at(udp("10.0.0.1", 53)).dests.at(dest("10.0.0.2", 53)).weight, 2);
    EXPECT_EQ(b.table.at(udp("10.0.0.1", 53)).params.scheduler, "wrr");
    EXPECT_EQ(b.dumps, 1);
    EXPECT_TRUE(cap.contains("maptable: added TCP 10.0.0.1:80 (rr) with 2 real servers (start)"));

    // The sync role VRRP would give: recorded, nothing asked of the backend.
    fwd.set_sync_role(SyncDaemon::Role::Master);

    // Health change: 10.0.0.3 goes down.
    Down pool;
    fwd.set_pool(&pool);
    b.journal.clear();
    fwd.refresh("real server 10.0.0.3:80 down");
    EXPECT_EQ(b.journal, std::vector<std::string>{"delete_dest TCP 10.0.0.1:80 10.0.0.3:80"});
    EXPECT_TRUE(cap.contains(
        "maptable: removed real server 10.0.0.3:80 from TCP 10.0.0.1:80 (real server 10.0.0.3:80 down)"));

    // Reload: one weight changes, exactly one write; the kernel is not re-read.
    std::string text = kConf;
    text.replace(text.find("weight 2"), 8, "weight 5");
    auto m2 = load(text);
    ASSERT_TRUE(m2);
    b.journal.clear();
    fwd.apply(m1.get(), *m2);
    EXPECT_EQ(b.journal, std::vector<std::string>{"update_dest UDP 10.0.0.1:53 10.0.0.2:53"});
    EXPECT_EQ(b.table.at(udp("10.0.0.1", 53)).dests.at(dest("10.0.0.2", 53)).weight, 5);
    EXPECT_EQ(b.dumps, 1);

    std::ostringstream os;
    fwd.dump_state(os);
    EXPECT_EQ(os.str().rfind("# forwarding (maptable): 2 service(s) owned", 0), 0u) << os.str();

    // Stop: lvs_flush_on_stop needs the IPVS extension, so the owned services
    // are removed one by one instead; the foreign one stays.
    fwd.set_pool(nullptr);
    fwd.stop(config::StopOptions{});
    EXPECT_EQ(b.table.size(), 1u);
    EXPECT_TRUE(b.table.count(udp("192.0.2.1", 53)));
    EXPECT_TRUE(cap.contains("maptable: removed TCP 10.0.0.1:80 (shutdown)"));

    EXPECT_EQ(b.ipvs_calls, 0);
    EXPECT_FALSE(cap.contains("IPVS"));
}

// The same configuration, validated against this backend's capabilities as
// halbd does before it starts: everything IPVS-only is refused, each at its line.
TEST(NeutralBackend, ItsCapabilitiesRefuseTheIpvsOnlySettings) {
    config::LoadOptions o;
    o.config_id = "test";
    o.allow_include = false;
    o.interface_exists = [](std::string_view) { return true; };
    o.forwarding = map_capabilities();
    config::LoadResult r = config::load_text("neutral.conf", kConf, o);
    EXPECT_FALSE(r.model);
    const std::vector<std::string> want = {
        "neutral.conf:6:5: error: 'lvs_sync_daemon' is not supported by the maptable forwarding backend (it "
        "supports session sync through conntrack_sync)",
        "neutral.conf:5:5: error: 'lvs_timeouts' is not supported by the maptable forwarding backend",
        "neutral.conf:3:5: error: 'lvs_flush' is not supported by the maptable forwarding backend",
        "neutral.conf:4:5: error: 'lvs_flush_on_stop' without VS (flushing the whole table) is not supported by "
        "the maptable forwarding backend",
    };
    EXPECT_EQ(r.messages(), want);
}

// Opened through a BackendChoice: the name is known before the backend is.
TEST(NeutralBackend, ChoiceNamesTheBackendWhileItIsAbsent) {
    log::ScopedCapture cap{log::Level::info};
    ForwardSubsystem fwd(BackendChoice{map_capabilities(), []() -> core::Result<std::unique_ptr<Backend>> {
                                           return core::Error{ENODEV, "no table here"};
                                       }});
    EXPECT_EQ(fwd.backend_name(), "maptable");
    auto m = load(kConf);
    ASSERT_TRUE(m);
    fwd.apply(nullptr, *m);
    EXPECT_FALSE(fwd.running());
    EXPECT_EQ(fwd.absent_reason(), "maptable is not available: no table here");
}

}  // namespace
}  // namespace halbd::forward
