// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// halbd_daemon.hh: the running daemon's top object. Owns the current Model
// and the signal watches; on HUP it loads and validates the new file in full
// (on a worker thread, core/background_job.hh, so that the loop goes on
// meanwhile) and only then hands it to the subscribers (vrrp, check,
// forward) as an old/new pair to diff; a broken file is logged and changes
// nothing. Created by src/wiring.cc once the first configuration has loaded.
#pragma once

#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/load.hh"
#include "core/background_job.hh"
#include "config/subscriber.hh"
#include "core/event_loop.hh"
#include "halbd_options.hh"

namespace halbd {

// What a reload did, for the control socket's `reload` (SIGHUP ignores it).
struct ReloadReport {
    bool accepted = false;
    uint64_t generation = 0;             // in force afterwards
    std::vector<std::string> messages;   // `file:line:col: error|warning: ...`, in order
    size_t errors = 0, warnings = 0;
};

class Daemon {
public:
    Daemon(core::EventLoop& loop, const Options& opts, std::string config_file);
    ~Daemon();

    // Installs the first model (already validated) and the signal handlers.
    void start(std::shared_ptr<const config::Model> model);
    void subscribe(config::ConfigSubscriber* s) { subscribers_.push_back(s); }
    // What the forwarding backend supports: reloads refuse the rest (unset: no forwarding).
    void set_forwarding_capabilities(config::ForwardCapabilities c) { forwarding_caps_ = std::move(c); }

    // HUP (and halbctl reload): reads the file again off the loop; once read,
    // done (if any) learns whether it was valid and is now in force. A
    // reload asked for while one is being read runs again after it (the
    // file may have changed since the first one opened it).
    using ReloadDone = std::function<void(const ReloadReport&)>;
    void reload(ReloadDone done = {});
    // TERM/INT: lets each subscriber drain first (drain_before_stop(), in
    // stop order; the loop keeps running everything until the last is done
    // or kDrainBound passed), then stops them (releasing resources) and the
    // loop. A TERM/INT while stopping changes nothing: the stop goes on.
    void stop(int signo);
    bool stopping() const { return stopping_; }
    // USR1: writes the current configuration and counters to data_file(),
    // halbd.data in the pid file's directory (through a temporary file and
    // rename(), so a reader never sees half a dump).
    void write_data();
    std::string data_file() const { return state_file("halbd.data"); }
    // keepalived's JSON (SIGRTMIN+2) and STATS (USR2) / STATS_CLEAR
    // (SIGRTMIN+1) signals: halbd.json and halbd.stats next to halbd.data,
    // with the texts reports gives (ctl/: the halbctl views); STATS_CLEAR
    // writes the counters and then starts them again from zero.
    struct Reports {
        std::function<std::string()> json;
        std::function<std::string(bool clear)> stats;
    };
    void set_reports(Reports r) { reports_ = std::move(r); }
    // Told when a reload starts being read, when it was accepted or refused,
    // and when TERM/INT arrives (the supervisor's notifications, core/service_notify.hh).
    struct Lifecycle {
        std::function<void()> reloading;
        std::function<void(const ReloadReport&)> reloaded;
        std::function<void()> stopping;
    };
    void set_lifecycle(Lifecycle l) { lifecycle_ = std::move(l); }
    void write_json();
    void write_stats(bool clear);
    std::string state_file(const std::string& name) const;
    // The text write_data() writes (halbctl dump), handed to done on the
    // loop. The counters are read on the loop at once; the configuration
    // part, most of a large dump (20 MB for 50,000 real servers), is written
    // from the immutable Model on a worker thread, so that adverts and
    // checks keep their schedule meanwhile.
    void state_dump(std::function<void(std::string)> done);

    const config::Model& model() const { return *model_; }
    uint64_t generation() const { return generation_; }
    uint64_t reloads_refused() const { return reloads_refused_; }
    const std::string& config_file() const { return config_file_; }
    MonoTime started_at() const { return started_at_; }
    MonoTime reloaded_at() const { return reloaded_at_; }  // last accepted configuration
    MonoTime loop_now() const { return loop_.now(); }
    core::TimerStats timer_stats() const { return loop_.timer_stats(); }

private:
    void start_reload();
    ReloadReport finish_reload(config::LoadResult r);
    // Runs work(text) on a worker thread once the dump text is complete;
    // done(result) comes back on the loop.
    struct DumpResult {
        std::string text;
        std::string error;  // write_data(): why the file was not written
    };
    void dump_then(std::function<DumpResult(std::string)> work, std::function<void(DumpResult)> done);
    // Writes text to path on a worker thread; logs the outcome.
    void write_later(std::string path, std::string text);
    // One subscriber finished draining; the last one stops everything.
    void drained_one();
    void stop_subscribers();

    core::EventLoop& loop_;
    const Options& opts_;
    std::string config_file_;
    std::optional<config::ForwardCapabilities> forwarding_caps_;
    std::shared_ptr<const config::Model> model_;
    uint64_t generation_ = 0;
    uint64_t reloads_refused_ = 0;
    MonoTime started_at_{};
    MonoTime reloaded_at_{};
    std::vector<config::ConfigSubscriber*> subscribers_;
    std::vector<core::SignalWatchPtr> signals_;
    std::unique_ptr<core::BackgroundJob<config::LoadResult>> reload_job_;  // the file being read
    std::vector<ReloadDone> reload_waiting_;  // for the next read (the one in flight has its own)
    bool reload_again_ = false;
    bool stopping_ = false;  // TERM/INT seen: no more reloads
    size_t draining_ = 0;    // subscribers (+1 while asking them) not yet drained
    bool stopped_ = false;   // stop() of the subscribers done
    core::TimerPtr drain_bound_;
    std::map<uint64_t, std::unique_ptr<core::BackgroundJob<DumpResult>>> dumps_;  // in progress
    uint64_t next_dump_ = 0;
    Reports reports_;
    Lifecycle lifecycle_;
};

}  // namespace halbd
