// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/vrrp_tracking_test.cc: VRRP tracking and notify on SimLoop with
// a fake script runner and a fake link monitor: the weigh rules, vrrp_script
// rise/fall/init_fail/timeout, priority and FAULT from interfaces, scripts,
// files and processes (a FakeProcessMonitor: quorum, fork/terminate delays,
// the /proc rescan without events), and the notify scripts' arguments and
// FIFO lines, DELETED on removal by a reload.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <memory>

#include <gtest/gtest.h>

#include "support/fake_link_monitor.hh"
#include "support/fake_process_monitor.hh"
#include "support/sim_loop.hh"
#include "vrrp/notifier.hh"
#include "vrrp/tracking.hh"
#include "vrrp_test_util.hh"

namespace halbd::vrrp {
namespace {

using namespace test_util;
using namespace std::chrono_literals;

// Records each run; the test finishes them with finish(i, status).
class FakeRunner final : public ScriptRunner {
public:
    struct Run {
        std::vector<std::string> argv;
        std::optional<Duration> timeout;
        Completion done;
        bool alive = true;
    };
    struct Handle final : RunningScript {
        explicit Handle(bool* alive) : alive_(alive) {}
        ~Handle() override { *alive_ = false; }
        void terminate() override { *alive_ = false; }
        bool* alive_;
    };
    core::Result<std::unique_ptr<RunningScript>> run(const ScriptSpec& spec, const std::vector<std::string>& extra,
                                                     std::optional<Duration> timeout, Completion done) override {
        auto r = std::make_unique<Run>();
        r->argv = spec.argv;
        r->argv.insert(r->argv.end(), extra.begin(), extra.end());
        r->timeout = timeout;
        r->done = std::move(done);
        runs.push_back(std::move(r));
        return std::unique_ptr<RunningScript>(std::make_unique<Handle>(&runs.back()->alive));
    }
    void finish(size_t i, int code, bool timed_out = false) {
        core::ExitStatus st;
        st.wait_status = timed_out ? SIGKILL : (code << 8);
        st.timed_out = timed_out;
        runs.at(i)->done(st);
    }
    std::vector<std::unique_ptr<Run>> runs;
};

ScriptSpec spec(const char* cmd) {
    ScriptSpec s;
    s.command = cmd;
    s.argv = *core::split_command(cmd);
    return s;
}

config::VrrpScript script_cfg(uint32_t rise, uint32_t fall, bool init_fail = false) {
    config::VrrpScript c;
    c.name = "chk";
    c.script = "/bin/chk";
    c.interval = 2s;
    c.timeout = 1s;
    c.rise = rise;
    c.fall = fall;
    c.init_fail = init_fail;
    return c;
}

TEST(VrrpWeigh, InterfaceAndScriptRules) {
    EXPECT_EQ(weigh(true, 0, false), (Weighed{false, 0}));
    EXPECT_EQ(weigh(false, 0, false), (Weighed{true, 0}));
    EXPECT_EQ(weigh(true, 0, true), (Weighed{true, 0}));   // weight 0 reverse: down when up
    EXPECT_EQ(weigh(false, 0, true), (Weighed{false, 0}));
    EXPECT_EQ(weigh(true, 10, false), (Weighed{false, 10}));
    EXPECT_EQ(weigh(false, 10, false), (Weighed{false, 0}));
    EXPECT_EQ(weigh(true, -10, false), (Weighed{false, 0}));
    EXPECT_EQ(weigh(false, -10, false), (Weighed{false, -10}));
    EXPECT_EQ(weigh(true, 10, true), (Weighed{false, -10}));  // reverse: decreased when up
    EXPECT_EQ(weigh(false, -10, true), (Weighed{false, 10}));  // and increased when down
}

TEST(VrrpWeigh, FileRules) {
    EXPECT_EQ(weigh_file(0, 0, false), (Weighed{false, 0}));
    EXPECT_EQ(weigh_file(3, 0, false), (Weighed{true, 0}));
    EXPECT_EQ(weigh_file(0, 0, true), (Weighed{true, 0}));
    EXPECT_EQ(weigh_file(5, 2, false), (Weighed{false, 10}));
    EXPECT_EQ(weigh_file(5, 2, true), (Weighed{false, -10}));
    EXPECT_EQ(weigh_file(-254, 1, false), (Weighed{true, 0}));
    EXPECT_EQ(weigh_file(-253, 1, false), (Weighed{false, -253}));
    EXPECT_EQ(weigh_file(1000, 1, false), (Weighed{false, 253}));
    EXPECT_EQ(FileTracker::parse(" 42\n"), 42);
    EXPECT_EQ(FileTracker::parse("-7"), -7);
    EXPECT_EQ(FileTracker::parse("x"), 0);
    EXPECT_EQ(FileTracker::parse(""), 0);
}

struct ScriptTest : ::testing::Test {
    core::SimLoop loop;
    log::ScopedCapture cap{log::Level::info};
    FakeRunner runner;
};

TEST_F(ScriptTest, FirstResultDecidesThenRiseAndFall) {
    ScriptTracker t(loop, runner, script_cfg(2, 3), spec("/bin/chk a"));
    t.start();
    ASSERT_EQ(runner.runs.size(), 1u);
    EXPECT_EQ(runner.runs[0]->argv, (std::vector<std::string>{"/bin/chk", "a"}));
    EXPECT_EQ(runner.runs[0]->timeout, std::optional<Duration>(1s));
    EXPECT_EQ(t.status(), TrackStatus::Unknown);
    runner.finish(0, 0);
    EXPECT_EQ(t.status(), TrackStatus::Up);  // first result decides at once
    for (int i = 1; i <= 3; ++i) {
        loop.advance(2s);
        ASSERT_EQ(runner.runs.size(), size_t(i + 1));
        runner.finish(i, 1);
        EXPECT_EQ(t.status(), i < 3 ? TrackStatus::Up : TrackStatus::Down) << i;
    }
    loop.advance(2s);
    runner.finish(4, 0);
    EXPECT_EQ(t.status(), TrackStatus::Down);  // rise 2
    loop.advance(2s);
    runner.finish(5, 0);
    EXPECT_EQ(t.status(), TrackStatus::Up);
    EXPECT_TRUE(cap.contains("vrrp_script chk: down -> up (2 consecutive successes)"));
    EXPECT_EQ(t.stats().runs, 6u);
    EXPECT_EQ(t.stats().failures, 3u);
}

TEST_F(ScriptTest, InitFailNeedsRiseSuccesses) {
    ScriptTracker t(loop, runner, script_cfg(2, 1, true), spec("/bin/chk"));
    EXPECT_EQ(t.status(), TrackStatus::Down);
    t.start();
    runner.finish(0, 0);
    EXPECT_EQ(t.status(), TrackStatus::Down);
    loop.advance(2s);
    runner.finish(1, 0);
    EXPECT_EQ(t.status(), TrackStatus::Up);
}

TEST_F(ScriptTest, TimeoutIsAFailureAndOverrunSkips) {
    ScriptTracker t(loop, runner, script_cfg(1, 1), spec("/bin/chk"));
    t.start();
    runner.finish(0, 0);
    loop.advance(2s);
    loop.advance(2s);  // run 1 still running: this one skipped
    EXPECT_EQ(runner.runs.size(), 2u);
    EXPECT_EQ(t.stats().overruns, 1u);
    runner.finish(1, 0, /*timed_out=*/true);
    EXPECT_EQ(t.status(), TrackStatus::Down);
    EXPECT_EQ(t.stats().timeouts, 1u);
    EXPECT_FALSE(runner.runs[1]->alive);  // handle dropped after the exit
    EXPECT_TRUE(cap.contains("vrrp_script chk: timed out after 1.00s, killed"));
}

struct TrackingTest : ::testing::Test {
    core::SimLoop loop;
    log::ScopedCapture cap{log::Level::info};
    FakeRunner runner;
    RecordingActions act;
    net::FakeLinkMonitor links;
    core::FakeProcessMonitor procs;
    config::Model model;
    std::unique_ptr<Instance> vi;
    std::unique_ptr<TrackerSet> trackers;
    std::unique_ptr<InstanceTracking> tracking;

    config::VrrpInstance& inst() { return model.vrrp.vrrp_instance[0]; }
    void SetUp() override {
        config::VrrpInstance v;
        v.name = "VI_1";
        v.interface = "eth0";
        model.vrrp.vrrp_instance.push_back(v);
        model.vrrp.vrrp_script.push_back(script_cfg(1, 1));
        model.vrrp.vrrp_script.back().script = "/bin/true";
        links.set("eth0", true);
        links.set("eth1", true);
    }
    void build() {
        vi = std::make_unique<Instance>(loop, base_config("VI_1", 100), act);
        trackers = std::make_unique<TrackerSet>(loop, runner, &procs);
        trackers->apply(model);
        tracking = std::make_unique<InstanceTracking>(*vi, &links);
        links.set_listener([this](const std::string& n) { tracking->on_link(n); });
        tracking->configure(*trackers, inst(), nullptr);
        vi->start();
        trackers->start();
    }
    void track_process(config::TrackProcess p, int weight) {
        inst().track_process.push_back({{}, p.name, weight, false, 0});
        model.vrrp.vrrp_track_process.push_back(std::move(p));
    }
    ProcessTracker& tracker() { return *trackers->process("tp"); }
};

TEST_F(TrackingTest, OwnInterfaceDownIsFaultAndMissingAtStart) {
    links.remove("eth0");
    build();
    EXPECT_EQ(vi->state(), State::Fault);
    EXPECT_TRUE(vi->fault_sources().count("interface eth0 missing"));
    links.set("eth0", false);
    EXPECT_EQ(vi->state(), State::Fault);
    EXPECT_TRUE(vi->fault_sources().count("interface eth0 down"));
    links.set("eth0", true);
    EXPECT_EQ(vi->state(), State::Backup);
    EXPECT_TRUE(vi->fault_sources().empty());
}

TEST_F(TrackingTest, TrackInterfaceFaultAndWeight) {
    inst().track_interface.push_back({{}, "eth1", 0, false});
    inst().track_interface.push_back({{}, "eth2", -20, false});
    links.set("eth2", true);
    build();
    EXPECT_EQ(vi->state(), State::Backup);
    links.set("eth2", false);
    EXPECT_EQ(vi->effective_priority(), 80);
    EXPECT_TRUE(cap.contains("VI_1: priority 100 -> 80 (tracking: track_interface eth2 down -20)"));
    links.set("eth1", false);
    EXPECT_EQ(vi->state(), State::Fault);
    EXPECT_TRUE(cap.contains("BACKUP -> FAULT (track_interface eth1 down)"));
    links.set("eth1", true);
    EXPECT_EQ(vi->state(), State::Backup);
}

// track_interface follows the name: deleted is FAULT ("missing"), an
// interface created again under that name (another index) clears it.
TEST_F(TrackingTest, TrackInterfaceDeletedAndCreatedAgain) {
    inst().track_interface.push_back({{}, "eth1", 0, false});
    build();
    links.remove("eth1");
    EXPECT_EQ(vi->state(), State::Fault);
    EXPECT_TRUE(vi->fault_sources().count("track_interface eth1 missing"));
    links.set("eth1", true);
    EXPECT_EQ(vi->state(), State::Backup);
    EXPECT_TRUE(vi->fault_sources().empty());
}

TEST_F(TrackingTest, ScriptWeightAndFault) {
    inst().track_script.push_back({{}, "chk", 10, false, 0});
    build();
    EXPECT_EQ(vi->effective_priority(), 100);  // unknown until the first result
    runner.finish(0, 0);
    EXPECT_EQ(vi->effective_priority(), 110);
    loop.advance(2s);
    runner.finish(1, 1);
    EXPECT_EQ(vi->effective_priority(), 100);
    // Reload with weight 0: the same tracker (kept, down) now faults.
    inst().track_script[0].weight = 0;
    trackers->apply(model);
    tracking->configure(*trackers, inst(), nullptr);
    EXPECT_EQ(vi->state(), State::Fault);
    EXPECT_TRUE(vi->fault_sources().count("track_script chk down"));
    loop.advance(2s);
    ASSERT_EQ(runner.runs.size(), 3u);
    runner.finish(2, 0);
    EXPECT_EQ(vi->state(), State::Backup);
}

TEST_F(TrackingTest, TrackFileValueTimesWeight) {
    char dir[] = "/tmp/halbd-trackXXXXXX";
    ASSERT_TRUE(::mkdtemp(dir));
    const std::string path = std::string(dir) + "/f";
    config::TrackFile f;
    f.name = "tf";
    f.file = path;
    f.init_file = true;
    f.init_file_value = 2;
    model.vrrp.track_file.push_back(f);
    inst().track_file.push_back({{}, "tf", -5, false, 0});
    build();
    EXPECT_EQ(vi->effective_priority(), 90);
    std::ofstream(path) << "-60\n";
    trackers->file("tf")->reread("test");
    EXPECT_EQ(vi->effective_priority(), 254);  // -60 * -5 = +300, clamped
    std::ofstream(path) << "60\n";
    loop.fire_fd(trackers->file("tf")->inotify_fd(), core::fd_events::readable);  // inotify saw the write
    EXPECT_EQ(vi->state(), State::Fault);  // 60 * -5 = -300 < -253
    EXPECT_TRUE(vi->fault_sources().count("track_file tf = 60"));
    ::unlink(path.c_str());
    ::rmdir(dir);
}

TEST_F(TrackingTest, ProcessInitialScanThenEventsMoveThePriority) {
    procs.add(10, "nginx");
    procs.add(11, "bash");
    track_process(proc_cfg({"nginx"}, 2), 10);
    build();
    EXPECT_TRUE(procs.listening());
    EXPECT_EQ(tracker().count(), 1u);
    EXPECT_FALSE(tracker().up());  // quorum 2
    EXPECT_EQ(vi->effective_priority(), 100);
    procs.exec(12, "nginx");
    EXPECT_TRUE(tracker().up());
    EXPECT_EQ(vi->effective_priority(), 110);
    EXPECT_TRUE(cap.contains("track_process tp: down -> up (2 process(es), quorum 2..65535: exec of pid 12)"));
    procs.rename(12, "nginx: worker");
    EXPECT_EQ(vi->effective_priority(), 100);
    procs.exec(11, "nginx");  // bash execs nginx
    EXPECT_EQ(vi->effective_priority(), 110);
    procs.exit(10);
    EXPECT_EQ(vi->effective_priority(), 100);
    procs.exit(99);  // not ours: nothing changes
    EXPECT_EQ(tracker().count(), 1u);
}

TEST_F(TrackingTest, ProcessWeightZeroIsFaultOutsideQuorum) {
    procs.add(10, "keepme");
    track_process(proc_cfg({"keepme"}, 1, 1), 0);
    build();
    EXPECT_EQ(vi->state(), State::Backup);
    procs.fork(10, 20);  // two of them: over quorum_max
    EXPECT_EQ(vi->state(), State::Fault);
    EXPECT_TRUE(vi->fault_sources().count("track_process tp down"));
    procs.exit(20);
    EXPECT_EQ(vi->state(), State::Backup);
    procs.exit(10);
    EXPECT_EQ(vi->state(), State::Fault);
}

TEST_F(TrackingTest, ProcessForkAndTerminateDelays) {
    auto p = proc_cfg({"srv"}, 1, 1);
    p.fork_delay = 2s;
    p.terminate_delay = 3s;
    procs.add(10, "srv");
    track_process(p, 0);
    build();
    ASSERT_TRUE(tracker().up());
    // A fork that execs something else within fork_delay never counts.
    procs.fork(10, 11);
    EXPECT_TRUE(tracker().up());
    loop.advance(1s);
    procs.exec(11, "helper");
    loop.advance(5s);
    EXPECT_TRUE(tracker().up());
    // An exit and a restart within terminate_delay: no bounce.
    procs.exit(10);
    loop.advance(2s);
    EXPECT_TRUE(tracker().up());
    procs.exec(12, "srv");
    loop.advance(5s);
    EXPECT_TRUE(tracker().up());
    EXPECT_NE(vi->state(), State::Fault);
    // An exit for good: down after terminate_delay.
    procs.exit(12);
    loop.advance(2900ms);
    EXPECT_TRUE(tracker().up());
    loop.advance(200ms);
    EXPECT_FALSE(tracker().up());
    EXPECT_EQ(vi->state(), State::Fault);
    EXPECT_TRUE(cap.contains("exit of pid 12, after 3.00s"));
}

TEST_F(TrackingTest, ProcessWithoutEventsProcIsScannedEverySecond) {
    procs.fail_listen(true);
    track_process(proc_cfg({"late"}), -20);
    build();
    EXPECT_TRUE(cap.contains("no process events"));
    EXPECT_EQ(vi->effective_priority(), 80);
    procs.add(30, "late");  // no event: only a rescan sees it
    EXPECT_EQ(vi->effective_priority(), 80);
    loop.advance(1100ms);
    EXPECT_EQ(vi->effective_priority(), 100);
    // A reload keeping the tracker keeps its state and says it once.
    trackers->apply(model);
    tracking->configure(*trackers, inst(), nullptr);
    EXPECT_EQ(vi->effective_priority(), 100);
    EXPECT_EQ(std::count_if(cap.lines().begin(), cap.lines().end(),
                            [](const auto& l) { return l.text.find("no process events") != std::string::npos; }),
              1);
}

TEST_F(TrackingTest, ProcessCommandLineIsReadOnlyWhenNeeded) {
    procs.add(10, "nginx", {"nginx", "-g", "daemon off;"});
    track_process(proc_cfg({"nginx", "-g", "daemon off;"}), 5);
    build();
    EXPECT_TRUE(tracker().needs_cmdline());
    EXPECT_TRUE(tracker().up());
    procs.exec(11, "nginx", {"nginx"});
    EXPECT_EQ(tracker().count(), 1u);
    // Dropping the last tracker stops listening.
    inst().track_process.clear();
    tracking->configure(*trackers, inst(), nullptr);
    trackers->apply(model);
    EXPECT_FALSE(procs.listening());
    EXPECT_EQ(trackers->process("tp"), nullptr);
}

TEST(VrrpNotify, FifoLineFormat) {
    EXPECT_EQ(fifo_line(false, "VI_1", "MASTER", 100), "INSTANCE \"VI_1\" MASTER 100\n");
    EXPECT_EQ(fifo_line(true, "VG_1", "BACKUP", 0), "GROUP \"VG_1\" BACKUP 0\n");
}

TEST(VrrpNotify, ScriptsAndFifoOnTransitions) {
    core::SimLoop loop;
    log::ScopedCapture cap{log::Level::info};
    FakeRunner runner;
    RecordingActions act;
    config::Model m;
    config::VrrpInstance v;
    v.name = "VI_1";
    v.notify_master = config::Script{"/bin/to-master x", std::nullopt, {}};
    v.notify = config::Script{"/bin/notify", std::nullopt, {}};
    m.vrrp.vrrp_instance.push_back(v);
    char dir[] = "/tmp/halbd-fifoXXXXXX";
    ASSERT_TRUE(::mkdtemp(dir));
    const std::string fifo = std::string(dir) + "/fifo";
    m.global.vrrp_notify_fifo = config::NotifyFifo{fifo, std::nullopt, {}};
    Notifier n(loop, runner);
    n.configure(m);
    Instance i(loop, base_config("VI_1", 200), act);
    auto sub = i.subscribe([&](Instance& in, const InstanceEvent& e) { n.on_instance(in, e); });
    i.start();  // -> BACKUP
    loop.advance(4s);  // -> MASTER
    ASSERT_EQ(i.state(), State::Master);
    ASSERT_EQ(runner.runs.size(), 3u);
    EXPECT_EQ(runner.runs[0]->argv, (std::vector<std::string>{"/bin/notify", "INSTANCE", "VI_1", "BACKUP", "200"}));
    EXPECT_EQ(runner.runs[1]->argv, (std::vector<std::string>{"/bin/to-master", "x"}));
    EXPECT_EQ(runner.runs[2]->argv, (std::vector<std::string>{"/bin/notify", "INSTANCE", "VI_1", "MASTER", "200"}));
    EXPECT_EQ(runner.runs[0]->timeout, std::optional<Duration>(Notifier::kScriptTimeout));  // bounded, as the checks' ones
    int fd = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
    ASSERT_GE(fd, 0);
    char buf[256] = {};
    ssize_t got = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    EXPECT_EQ(std::string(buf, got > 0 ? size_t(got) : 0), "INSTANCE \"VI_1\" BACKUP 200\nINSTANCE \"VI_1\" MASTER 200\n");
    n.on_group("VG_1", State::Fault);
    EXPECT_EQ(n.stats().fifo_lines, 3u);
    runner.finish(1, 1);
    EXPECT_EQ(n.stats().script_errors, 1u);
    ::unlink(fifo.c_str());
    ::rmdir(dir);
}

// An instance removed by a reload: FAULT by default (notify_fault runs), with
// notify_deleted DELETED (its script, and `notify` with DELETED); a plain
// stop stays STOP.
TEST(VrrpNotify, DeletedByReload) {
    core::SimLoop loop;
    log::ScopedCapture cap{log::Level::info};
    FakeRunner runner;
    RecordingActions act;
    config::Model m;
    for (const char* name : {"VI_1", "VI_2", "VI_3"}) {
        config::VrrpInstance v;
        v.name = name;
        v.notify_fault = config::Script{"/bin/fault", std::nullopt, {}};
        v.notify_stop = config::Script{"/bin/stop", std::nullopt, {}};
        v.notify = config::Script{"/bin/notify", std::nullopt, {}};
        m.vrrp.vrrp_instance.push_back(v);
    }
    m.vrrp.vrrp_instance[1].notify_deleted_set = true;
    m.vrrp.vrrp_instance[1].notify_deleted = config::Script{"/bin/deleted y", std::nullopt, {}};
    Notifier n(loop, runner);
    n.configure(m);
    std::vector<std::unique_ptr<Instance>> insts;
    std::vector<Subscription> subs;
    for (const char* name : {"VI_1", "VI_2", "VI_3"}) {
        insts.push_back(std::make_unique<Instance>(loop, base_config(name, 100), act));
        subs.push_back(insts.back()->subscribe([&](Instance& in, const InstanceEvent& e) { n.on_instance(in, e); }));
        insts.back()->start();
    }
    // The runs stay in runner.runs: the notifier holds handles into them.
    size_t seen = runner.runs.size();
    auto argvs = [&] {
        std::vector<std::vector<std::string>> out;
        for (size_t i = seen; i < runner.runs.size(); ++i) out.push_back(runner.runs[i]->argv);
        seen = runner.runs.size();
        return out;
    };
    n.deleting("VI_1");
    insts[0]->stop("reload: instance removed");
    EXPECT_EQ(argvs(), (std::vector<std::vector<std::string>>{{"/bin/fault"},
                                                              {"/bin/notify", "INSTANCE", "VI_1", "FAULT", "100"}}));
    n.deleting("VI_2");
    insts[1]->stop("reload: instance removed");
    EXPECT_EQ(argvs(), (std::vector<std::vector<std::string>>{{"/bin/deleted", "y"},
                                                              {"/bin/notify", "INSTANCE", "VI_2", "DELETED", "100"}}));
    EXPECT_TRUE(cap.contains("VI_2: removed by reload; notified DELETED"));
    insts[2]->stop("shutdown");
    EXPECT_EQ(argvs(), (std::vector<std::vector<std::string>>{{"/bin/stop"},
                                                              {"/bin/notify", "INSTANCE", "VI_3", "STOP", "100"}}));
}

}  // namespace
}  // namespace halbd::vrrp
