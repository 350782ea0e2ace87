// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// announce/frr_announcer.hh: the Announcer for FRR: halbd adds and removes
// bgpd's `network PREFIX` lines by running vtysh (no shell, bounded time,
// output read back), so frr.conf stays the operator's and nothing is ever
// written to it. One vtysh at a time, on the event loop. It reads bgpd's
// running configuration first, after every failure and every `verify`
// period (a restarted bgpd starts from frr.conf, without halbd's lines),
// then changes what differs, one prefix per run. The VtyshRunner is
// injected: vtysh_runner.hh in halbd, a script of answers in the tests.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "announce/announcer.hh"
#include "announce/frr_vtysh.hh"
#include "core/event_loop.hh"

namespace halbd::announce {

struct VtyshRun {
    std::optional<int> exit_code;  // nullopt: did not exit by itself (why says so)
    std::string output;            // stdout and stderr
    std::string why;               // "timed out after 2s", "cannot start: ..."
};

class VtyshRunner {
public:
    using Done = std::function<void(VtyshRun)>;
    virtual ~VtyshRunner() = default;
    // Runs argv; done is called once, from the loop, never from start().
    virtual void start(const std::vector<std::string>& argv, Duration bound, Done done) = 0;
    // Forgets (and kills) the run in flight, if any: its done is not called.
    virtual void cancel() = 0;
    // Blocks until argv ends or bound passes (only at stop).
    virtual VtyshRun run_now(const std::vector<std::string>& argv, Duration bound) = 0;
};

class FrrAnnouncer : public Announcer {
public:
    FrrAnnouncer(core::EventLoop& loop, FrrTarget target, std::unique_ptr<VtyshRunner> runner,
                 Duration retry = std::chrono::seconds(1), Duration verify = std::chrono::seconds(5),
                 Duration bound = std::chrono::seconds(3));
    ~FrrAnnouncer() override;

    void want(const std::map<std::string, bool>& enabled) override;
    void withdraw_now(Duration bound) override;
    void withdraw(Duration bound, std::function<void()> done) override;
    AnnouncerStatus status() const override { return status_; }

private:
    void kick();
    void on_read(const VtyshRun& run);
    void on_changed(const std::string& prefix, bool present, const VtyshRun& run);
    void lost(const std::string& why);
    void reached();
    void settle(const std::string& prefix, bool present);
    // At stop: what bgpd may have (all wanted now false); empty: nothing to do.
    std::vector<std::string> stop_managing();
    // The one-run removal's outcome; false when it must go the slow way.
    bool removed_all(const std::vector<std::string>& maybe, const VtyshRun& run, std::string& why);
    // Read bgpd's configuration, then remove each (blocking, until deadline).
    void remove_each(MonoTime deadline, Duration bound, std::string why);

    core::EventLoop& loop_;
    FrrTarget target_;
    std::unique_ptr<VtyshRunner> runner_;
    Duration retry_, verify_, bound_;
    core::TimerPtr timer_;   // retry after a failure, or the next verification
    bool busy_ = false;      // a vtysh runs
    bool need_read_ = true;  // bgpd's running configuration must be read first
    bool stopped_ = false;
    AnnouncerStatus status_;
    std::map<std::string, bool> forget_;  // no longer managed: removed once, then dropped
};

}  // namespace halbd::announce
