// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// Unit tests of the FRR announcer: the vtysh command lines and the reading
// of what vtysh prints (pure, frr_vtysh.hh), and FrrAnnouncer's sequence
// (read, change, verify, retry, withdraw at stop) over a scripted runner
// on a SimLoop, and the subsystem's FRR names (host prefixes).
#include <gtest/gtest.h>

#include <deque>

#include "announce/frr_announcer.hh"
#include "announce/frr_vtysh.hh"
#include "announce/subsystem.hh"
#include "config_test_util.hh"
#include "support/sim_loop.hh"

namespace halbd::announce {
namespace {

using Argv = std::vector<std::string>;

const char* kRunning = R"(Building configuration...

Current configuration:
!
frr version 8.4.4
frr defaults traditional
!
router bgp 65001 vrf blue
 address-family ipv4 unicast
  network 192.0.2.99/32
 exit-address-family
exit
!
router bgp 65001
 bgp router-id 198.51.100.11
 no bgp network import-check
 !
 address-family ipv4 unicast
  network 192.0.2.10/32
  network 192.0.2.20/32 route-map LB
 exit-address-family
 !
 address-family ipv4 multicast
  network 192.0.2.30/32
 exit-address-family
 !
 address-family ipv6 unicast
  network 2001:db8:0::10/128
 exit-address-family
exit
!
end
)";

TEST(FrrVtyshTest, CommandLinesAreArgvWithoutShell) {
    FrrTarget t;
    EXPECT_EQ(vtysh_show_argv(t), (Argv{"/usr/bin/vtysh", "-d", "bgpd", "-c", "show running-config"}));
    EXPECT_EQ(vtysh_network_argv(t, "192.0.2.10/32", true),
              (Argv{"/usr/bin/vtysh", "-d", "bgpd", "-c", "configure terminal", "-c", "router bgp", "-c",
                    "address-family ipv4 unicast", "-c", "network 192.0.2.10/32"}));
    t.vtysh = "/opt/frr/bin/vtysh";
    t.vty_socket = "/tmp/t/n1";
    t.asn = 65001;
    t.route_map = "LB";
    EXPECT_EQ(vtysh_network_argv(t, "2001:db8::10/128", true),
              (Argv{"/opt/frr/bin/vtysh", "--vty_socket", "/tmp/t/n1", "-d", "bgpd", "-c", "configure terminal", "-c",
                    "router bgp 65001", "-c", "address-family ipv6 unicast", "-c",
                    "network 2001:db8::10/128 route-map LB"}));
    // Removing names no route-map: bgpd finds the line by its prefix.
    EXPECT_EQ(vtysh_network_argv(t, "192.0.2.10/32", false).back(), "no network 192.0.2.10/32");
    EXPECT_EQ(host_prefix("192.0.2.10"), "192.0.2.10/32");
    EXPECT_EQ(host_prefix("2001:db8:0::10"), "2001:db8::10/128");
}

TEST(FrrVtyshTest, RunningConfigurationGivesTheUnicastNetworksOfTheInstance) {
    RunningNetworks any = parse_running_networks(kRunning, std::nullopt);
    EXPECT_EQ(any.error, "");
    EXPECT_EQ(any.prefixes, (std::set<std::string>{"192.0.2.10/32", "192.0.2.20/32", "2001:db8::10/128"}));
    EXPECT_EQ(parse_running_networks(kRunning, 65001).prefixes, any.prefixes);
    RunningNetworks other = parse_running_networks(kRunning, 65002);
    EXPECT_TRUE(other.prefixes.empty());
    EXPECT_EQ(other.error, "bgpd has no 'router bgp 65002' in its running configuration");
    EXPECT_NE(parse_running_networks("Building configuration...\n!\nend\n", std::nullopt).error, "");
    // A bgpd without any network yet.
    RunningNetworks bare = parse_running_networks("router bgp 65001\n bgp router-id 198.51.100.11\nexit\n", 65001);
    EXPECT_EQ(bare.error, "");
    EXPECT_TRUE(bare.prefixes.empty());
}

TEST(FrrVtyshTest, VtyshOutcomes) {
    EXPECT_EQ(judge_vtysh(0, kRunning, "").verdict, VtyshVerdict::Ok);
    auto down = judge_vtysh(1, "Exiting: failed to connect to any daemons.\n", "");
    EXPECT_EQ(down.verdict, VtyshVerdict::Unreachable);
    EXPECT_EQ(down.message, "Exiting: failed to connect to any daemons.");
    auto refused = judge_vtysh(1, "BGP is already running; AS is 65001\n", "");
    EXPECT_EQ(refused.verdict, VtyshVerdict::Refused);
    EXPECT_EQ(refused.message, "BGP is already running; AS is 65001");
    EXPECT_EQ(judge_vtysh(0, "% Unknown command: netwrk 192.0.2.10/32\n", "").verdict, VtyshVerdict::Refused);
    auto slow = judge_vtysh(std::nullopt, "", "did not answer within 3s");
    EXPECT_EQ(slow.verdict, VtyshVerdict::Unreachable);
    EXPECT_EQ(slow.message, "vtysh did not answer within 3s");
    EXPECT_EQ(judge_vtysh(127, "", "").verdict, VtyshVerdict::Unreachable);
    EXPECT_TRUE(vtysh_says_absent("% Can't find static route specified\n"));
    EXPECT_FALSE(vtysh_says_absent("% Unknown command\n"));
}

// Records each run; the test answers them in order.
struct ScriptedRunner : VtyshRunner {
    struct Pending {
        Argv argv;
        Done done;
    };
    std::deque<Pending>* runs;
    std::deque<VtyshRun>* blocking_answers;
    std::vector<Argv>* blocking_runs;
    int* cancels;
    void start(const Argv& argv, Duration, Done done) override { runs->push_back({argv, std::move(done)}); }
    void cancel() override {
        runs->clear();
        ++*cancels;
    }
    VtyshRun run_now(const Argv& argv, Duration) override {
        blocking_runs->push_back(argv);
        VtyshRun r = blocking_answers->empty() ? VtyshRun{std::nullopt, "", "no answer"} : blocking_answers->front();
        if (!blocking_answers->empty()) blocking_answers->pop_front();
        return r;
    }
};

struct FrrAnnouncerTest : ::testing::Test {
    core::SimLoop loop;
    std::deque<ScriptedRunner::Pending> runs;
    std::deque<VtyshRun> blocking_answers;
    std::vector<Argv> blocking_runs;
    int cancels = 0;
    FrrAnnouncer frr{loop, FrrTarget{"/usr/bin/vtysh", "", 65001, ""}, make_runner()};

    std::unique_ptr<VtyshRunner> make_runner() {
        auto r = std::make_unique<ScriptedRunner>();
        r->runs = &runs;
        r->blocking_answers = &blocking_answers;
        r->blocking_runs = &blocking_runs;
        r->cancels = &cancels;
        return r;
    }
    // The last command of the run in flight ("show running-config", "network ...").
    std::string next() const { return runs.empty() ? "(none)" : runs.front().argv.back(); }
    void answer(int code, std::string out) {
        ASSERT_FALSE(runs.empty());
        ScriptedRunner::Pending p = std::move(runs.front());
        runs.pop_front();
        p.done(VtyshRun{code, std::move(out), ""});
    }
    static std::string config_with(const std::string& networks) {
        return "router bgp 65001\n address-family ipv4 unicast\n" + networks + " exit-address-family\nexit\n";
    }
};

TEST_F(FrrAnnouncerTest, ReadsThenAddsAndAddsAgainAfterBgpdRestarts) {
    frr.want({{"192.0.2.10/32", true}, {"192.0.2.20/32", false}});
    EXPECT_EQ(next(), "show running-config");
    answer(0, config_with("  network 192.0.2.20/32\n"));  // a leftover of an earlier run
    EXPECT_EQ(next(), "network 192.0.2.10/32");
    EXPECT_EQ(runs.front().argv[6], "router bgp 65001");
    answer(0, "");
    EXPECT_EQ(next(), "no network 192.0.2.20/32");
    answer(0, "");
    EXPECT_EQ(next(), "(none)");
    AnnouncerStatus st = frr.status();
    EXPECT_TRUE(st.connected);
    EXPECT_EQ(st.unit, "network");
    EXPECT_EQ(st.protocols.at("192.0.2.10/32").enabled, true);
    EXPECT_EQ(st.protocols.at("192.0.2.20/32").enabled, false);
    EXPECT_EQ(st.commands, 2u);
    // Every 5 s bgpd is read again: restarted from frr.conf, it lost the line.
    loop.advance(std::chrono::seconds(5));
    EXPECT_EQ(next(), "show running-config");
    answer(0, config_with(""));
    EXPECT_EQ(next(), "network 192.0.2.10/32");
    answer(0, "");
    EXPECT_EQ(frr.status().protocols.at("192.0.2.10/32").enabled, true);
    // Quorum lost: removed at once, no read first.
    frr.want({{"192.0.2.10/32", false}, {"192.0.2.20/32", false}});
    EXPECT_EQ(next(), "no network 192.0.2.10/32");
}

TEST_F(FrrAnnouncerTest, AnUnreachableBgpdIsRetriedEverySecondThenEverythingIsSetAgain) {
    frr.want({{"192.0.2.10/32", true}});
    answer(1, "Exiting: failed to connect to any daemons.\n");
    AnnouncerStatus st = frr.status();
    EXPECT_FALSE(st.connected);
    EXPECT_EQ(st.last_error, "show running-config: Exiting: failed to connect to any daemons.");
    EXPECT_EQ(st.failures, 1u);
    EXPECT_EQ(next(), "(none)");
    frr.want({{"192.0.2.10/32", true}});  // a decision meanwhile waits for the retry
    EXPECT_EQ(next(), "(none)");
    loop.advance(std::chrono::milliseconds(999));
    EXPECT_EQ(next(), "(none)");
    loop.advance(std::chrono::milliseconds(1));
    EXPECT_EQ(next(), "show running-config");
    answer(0, config_with(""));
    EXPECT_EQ(next(), "network 192.0.2.10/32");
    // bgpd dies between the read and the change: read again before changing.
    answer(1, "Exiting: failed to connect to any daemons.\n");
    loop.advance(std::chrono::seconds(1));
    EXPECT_EQ(next(), "show running-config");
    answer(0, config_with("  network 192.0.2.10/32\n"));  // it had taken it after all
    EXPECT_EQ(next(), "(none)");
    EXPECT_EQ(frr.status().protocols.at("192.0.2.10/32").enabled, true);
    EXPECT_EQ(frr.status().connects, 2u);  // reached, lost, reached again
}

TEST_F(FrrAnnouncerTest, ARefusalIsKeptUntilTheNextDecision) {
    frr.want({{"192.0.2.10/32", true}});
    answer(0, config_with(""));
    answer(1, "% Unknown command: route-map NOPE\n");
    AnnouncerStatus st = frr.status();
    EXPECT_TRUE(st.connected);
    EXPECT_EQ(st.refusals, 1u);
    EXPECT_EQ(st.protocols.at("192.0.2.10/32").refused, "% Unknown command: route-map NOPE");
    EXPECT_EQ(next(), "(none)");
    frr.want({{"192.0.2.10/32", true}});
    EXPECT_EQ(next(), "network 192.0.2.10/32");
}

TEST_F(FrrAnnouncerTest, ADroppedPrefixIsRemovedOnceThenForgotten) {
    frr.want({{"192.0.2.10/32", true}});
    answer(0, config_with(""));
    answer(0, "");
    frr.want({});
    EXPECT_EQ(next(), "no network 192.0.2.10/32");
    answer(0, "");
    EXPECT_TRUE(frr.status().protocols.empty());
}

// At stop one vtysh run removes everything bgpd may have: 192.0.2.20's
// run was in flight, so it may be there too.
TEST_F(FrrAnnouncerTest, WithdrawNowRemovesEverythingInOneRun) {
    frr.want({{"192.0.2.10/32", true}, {"192.0.2.20/32", true}, {"192.0.2.30/32", false}});
    answer(0, config_with(""));
    answer(0, "");  // 192.0.2.10 added; 192.0.2.20's run is in flight at stop
    ASSERT_EQ(next(), "network 192.0.2.20/32");
    blocking_answers.push_back({0, "", ""});
    frr.withdraw_now(std::chrono::seconds(1));
    EXPECT_GE(cancels, 1);
    ASSERT_EQ(blocking_runs.size(), 1u);
    const Argv tail(blocking_runs[0].end() - 8, blocking_runs[0].end());
    EXPECT_EQ(tail, (Argv{"-c", "router bgp 65001", "-c", "address-family ipv4 unicast", "-c",
                          "no network 192.0.2.10/32", "-c", "no network 192.0.2.20/32"}));
    AnnouncerStatus st = frr.status();
    EXPECT_EQ(st.protocols.at("192.0.2.10/32").enabled, false);
    EXPECT_EQ(st.protocols.at("192.0.2.20/32").enabled, false);
    frr.want({{"192.0.2.10/32", true}});  // nothing after stop
    EXPECT_EQ(next(), "(none)");
}

// vtysh stops at a prefix bgpd does not have: then read and remove each.
TEST_F(FrrAnnouncerTest, WithdrawNowReadsAndRemovesEachWhenOneIsAbsent) {
    frr.want({{"192.0.2.10/32", true}, {"192.0.2.20/32", true}});
    answer(0, config_with(""));
    answer(0, "");  // 192.0.2.10 added; 192.0.2.20's run is in flight at stop
    ASSERT_EQ(next(), "network 192.0.2.20/32");
    blocking_answers.push_back({1, "% Can't find static route specified\n", ""});
    blocking_answers.push_back({0, config_with("  network 192.0.2.10/32\n"), ""});
    blocking_answers.push_back({0, "", ""});
    frr.withdraw_now(std::chrono::seconds(1));
    ASSERT_EQ(blocking_runs.size(), 3u);
    EXPECT_EQ(blocking_runs[1].back(), "show running-config");
    EXPECT_EQ(blocking_runs[2].back(), "no network 192.0.2.10/32");
    AnnouncerStatus st = frr.status();
    EXPECT_EQ(st.protocols.at("192.0.2.10/32").enabled, false);
    EXPECT_EQ(st.protocols.at("192.0.2.20/32").enabled, false);
}

// At TERM the same run, on the loop: done once vtysh answered.
TEST_F(FrrAnnouncerTest, WithdrawRunsOnTheLoopAndSaysWhenDone) {
    frr.want({{"192.0.2.10/32", true}});
    answer(0, config_with(""));
    answer(0, "");
    int done = 0;
    frr.withdraw(std::chrono::seconds(1), [&] { ++done; });
    EXPECT_EQ(next(), "no network 192.0.2.10/32");
    EXPECT_EQ(done, 0);
    EXPECT_TRUE(blocking_runs.empty());
    answer(0, "");
    EXPECT_EQ(done, 1);
    EXPECT_EQ(frr.status().protocols.at("192.0.2.10/32").enabled, false);
    frr.want({{"192.0.2.10/32", true}});  // nothing after stop
    EXPECT_EQ(next(), "(none)");
}

TEST_F(FrrAnnouncerTest, WithdrawWithNothingAnnouncedIsDoneAtOnce) {
    frr.want({{"192.0.2.10/32", false}});
    answer(0, config_with(""));
    int done = 0;
    frr.withdraw(std::chrono::seconds(1), [&] { ++done; });
    EXPECT_EQ(done, 1);
    EXPECT_EQ(next(), "(none)");
}

TEST(FrrVtyshTest, RemoveAllEntersEachFamilyOnce) {
    const Argv a = vtysh_remove_all_argv(FrrTarget{"vtysh", "", std::nullopt, ""},
                                         {"2001:db8::1/128", "192.0.2.10/32", "192.0.2.20/32"});
    EXPECT_EQ(a, (Argv{"vtysh", "-d", "bgpd", "-c", "configure terminal", "-c", "router bgp", "-c",
                       "address-family ipv4 unicast", "-c", "no network 192.0.2.10/32", "-c",
                       "no network 192.0.2.20/32", "-c", "exit-address-family", "-c", "address-family ipv6 unicast",
                       "-c", "no network 2001:db8::1/128"}));
    const Argv six = vtysh_remove_all_argv(FrrTarget{"vtysh", "", 65001, ""}, {"2001:db8::1/128"});
    ASSERT_EQ(six.size(), 11u);  // no exit-address-family before the first family
    EXPECT_EQ(six[6], "router bgp 65001");
    EXPECT_EQ(six[8], "address-family ipv6 unicast");
}

TEST_F(FrrAnnouncerTest, WithdrawNowWithBgpdAbsentSaysSoAndReturns) {
    frr.want({{"192.0.2.10/32", true}});
    blocking_answers.push_back({1, "Exiting: failed to connect to any daemons.\n", ""});
    frr.withdraw_now(std::chrono::seconds(1));
    EXPECT_EQ(blocking_runs.size(), 1u);
    EXPECT_NE(frr.status().protocols.at("192.0.2.10/32").enabled, false);
}

// The subsystem names an FRR address by its host prefix.
struct Recorder : Announcer {
    std::vector<std::map<std::string, bool>> wants;
    void want(const std::map<std::string, bool>& e) override { wants.push_back(e); }
    void withdraw_now(Duration) override {}
    AnnouncerStatus status() const override { return {}; }
};

TEST(AnnounceSubsystemFrrTest, AnFrrAddressIsItsHostPrefix) {
    config::test_util::LoadedConfig cfg(R"(
virtual_server 192.0.2.10 80 {
    protocol TCP
    real_server 198.51.100.1 80 { }
}
route_announce {
    daemon frr
    frr_asn 65001
    announce 192.0.2.10
}
)");
    ASSERT_TRUE(cfg.r.model) << cfg.all();
    core::SimLoop loop;
    Recorder* rec = nullptr;
    const config::RouteAnnounce* seen = nullptr;
    AnnounceSubsystem sub{loop,
                          [&](const config::RouteAnnounce& r) {
                              seen = &r;
                              auto a = std::make_unique<Recorder>();
                              rec = a.get();
                              return a;
                          },
                          [](const config::VirtualServer&) -> std::optional<std::string> { return std::nullopt; }};
    sub.apply(nullptr, *cfg.r.model);
    ASSERT_TRUE(rec);
    EXPECT_EQ(seen->daemon, config::AnnounceDaemon::Frr);
    EXPECT_EQ(rec->wants.back(), (std::map<std::string, bool>{{"192.0.2.10/32", true}}));
    sub.set_drained(true);
    EXPECT_EQ(rec->wants.back(), (std::map<std::string, bool>{{"192.0.2.10/32", false}}));
}

}  // namespace
}  // namespace halbd::announce
