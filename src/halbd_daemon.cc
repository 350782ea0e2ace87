// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// halbd_daemon.cc: see halbd_daemon.hh.
#include "halbd_daemon.hh"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <sstream>
#include <system_error>
#include <vector>

#include "config/dump.hh"
#include "core/atomic_file.hh"
#include "core/log.hh"

namespace halbd {

Daemon::Daemon(core::EventLoop& loop, const Options& opts, std::string config_file)
    : loop_(loop), opts_(opts), config_file_(std::move(config_file)) {}

Daemon::~Daemon() = default;

void Daemon::start(std::shared_ptr<const config::Model> model) {
    model_ = std::move(model);
    generation_ = 1;
    started_at_ = reloaded_at_ = loop_.now();
    // Watch (and so block) the signals first: a HUP or TERM sent while the
    // subsystems program the kernel waits in the signalfd instead of killing us.
    signals_.push_back(loop_.watch_signal(SIGTERM, [this](int s) { stop(s); }));
    signals_.push_back(loop_.watch_signal(SIGINT, [this](int s) { stop(s); }));
    signals_.push_back(loop_.watch_signal(SIGHUP, [this](int) { reload(); }));
    signals_.push_back(loop_.watch_signal(SIGUSR1, [this](int) { write_data(); }));
    signals_.push_back(loop_.watch_signal(SIGUSR2, [this](int) { write_stats(false); }));
    signals_.push_back(loop_.watch_signal(SIGRTMIN + 1, [this](int) { write_stats(true); }));
    signals_.push_back(loop_.watch_signal(SIGRTMIN + 2, [this](int) { write_json(); }));
    for (auto* s : subscribers_) s->apply(nullptr, *model_);
    log::notice("started with configuration ", config_file_, " (generation ", generation_, ")");
}

void Daemon::reload(ReloadDone done) {
    if (stopping_) {
        log::info("stopping: reload ignored");
        return;  // done is dropped: the control connection closes with the daemon
    }
    if (done) reload_waiting_.push_back(std::move(done));
    if (reload_job_) {
        reload_again_ = true;
        return;
    }
    start_reload();
}

// Reading and validating a large file takes a while (0.25 s for 10,000
// virtual servers of 10 real servers): it happens on a worker thread, so that
// adverts and checks keep their schedule; only applying the result (the
// diff) runs on the loop.
void Daemon::start_reload() {
    log::info("reloading configuration from ", config_file_);
    if (lifecycle_.reloading) lifecycle_.reloading();
    config::LoadOptions lo;
    lo.config_id = opts_.config_id;
    lo.all_config = opts_.all_config;
    lo.forwarding = forwarding_caps_;
    auto waiting = std::make_shared<std::vector<ReloadDone>>(std::move(reload_waiting_));
    reload_waiting_.clear();
    reload_again_ = false;
    auto job = core::BackgroundJob<config::LoadResult>::start(
        loop_, [file = config_file_, lo] { return config::load_file(file, lo); },
        [this, waiting](config::LoadResult r) {
            const ReloadReport rep = finish_reload(std::move(r));
            for (auto& w : *waiting) w(rep);
            reload_job_.reset();  // destroys the job whose callback this is: allowed, last use
            if (reload_again_) start_reload();
        });
    if (job) {
        reload_job_ = std::move(job.value());
        return;
    }
    // No thread (resources exhausted): read it here, on the loop.
    log::warning("reload: ", job.error().message, "; reading the configuration on the main thread");
    const ReloadReport rep = finish_reload(config::load_file(config_file_, lo));
    for (auto& w : *waiting) w(rep);
}

namespace {

// Warnings and errors logged while the subscribers apply a new model (a
// script refused by enable_script_security, an address the kernel refused):
// the configuration is in force, but the reload's caller is told.
class ApplyProblems final : public log::Sink {
public:
    void write(log::Level level, std::string_view message) override {
        if (level == log::Level::error || level == log::Level::warning) lines.emplace_back(message);
    }
    std::vector<std::string> lines;
};

}  // namespace

ReloadReport Daemon::finish_reload(config::LoadResult r) {
    ReloadReport rep;
    for (const auto& d : r.diags.items()) {
        if (d.severity == config::Severity::Note) continue;  // detail; halbd -t -D shows them
        if (d.severity == config::Severity::Error)
            log::error(r.diags.format_for_log(r.sources, d));
        else
            log::warning(r.diags.format_for_log(r.sources, d));
        rep.messages.push_back(r.diags.format(r.sources, d));
    }
    rep.errors = r.diags.error_count();
    rep.warnings = r.diags.warning_count();
    // An empty or truncated file would stop every instance and remove every VIP.
    if (r.model && config::defines_nothing(*r.model)) {
        const std::string line = config_file_ + ": error: " + config::kDefinesNothing;
        log::error(line);
        rep.messages.push_back(line);
        ++rep.errors;
        r.model.reset();
    }
    if (!r.model) {
        ++reloads_refused_;
        log::error("reload refused: ", rep.errors, " error(s) in ", config_file_,
                   "; configuration generation ", generation_, " stays in force");
        rep.generation = generation_;
        if (lifecycle_.reloaded) lifecycle_.reloaded(rep);
        return rep;
    }
    std::shared_ptr<const config::Model> previous = std::move(model_);
    model_ = std::move(r.model);
    ++generation_;
    reloaded_at_ = loop_.now();
    auto problems = std::make_shared<ApplyProblems>();
    log::add_sink(problems);
    for (auto* s : subscribers_) s->apply(previous.get(), *model_);
    log::remove_sink(problems.get());
    for (const auto& line : problems->lines) rep.messages.push_back(config_file_ + ": warning: " + line);
    rep.warnings += problems->lines.size();
    log::notice("configuration reloaded from ", config_file_, " (generation ", generation_, ", ", rep.warnings,
                " warning(s))");
    rep.accepted = true;
    rep.generation = generation_;
    if (lifecycle_.reloaded) lifecycle_.reloaded(rep);
    return rep;
}

void Daemon::stop(int signo) {
    const char* name = signo == SIGINT ? "SIGINT" : "SIGTERM";
    if (stopping_) {
        log::notice("received ", name, " while stopping: the stop goes on");
        return;
    }
    log::notice("received ", name, ", stopping");
    stopping_ = true;
    if (lifecycle_.stopping) lifecycle_.stopping();
    // A reload being read must not be applied to subsystems that stop (the
    // loop still runs for the drain and the shutdown scripts): abandon it,
    // never waiting for its thread (it may be stuck on a slow include).
    if (reload_job_) log::notice("abandoning the configuration being read from ", config_file_);
    reload_job_.reset();
    reload_waiting_.clear();
    reload_again_ = false;
    // Routes withdrawn first (announce stops first); the loop goes on while
    // a subsystem drains, so VRRP keeps advertising meanwhile.
    config::StopOptions so;
    so.keep_addresses = opts_.dont_release_vrrp;
    so.keep_forwarding = opts_.dont_release_ipvs;
    draining_ = subscribers_.size() + 1;
    drain_bound_ = loop_.create_timer([this] {
        log::warning("stopping: a subsystem still drains after ", log::secs(config::kDrainBound), "; stopping anyway");
        stop_subscribers();
    });
    drain_bound_->arm(config::kDrainBound);
    for (auto it = subscribers_.rbegin(); it != subscribers_.rend(); ++it)
        (*it)->drain_before_stop(so, [this, done = std::make_shared<bool>(false)] {
            if (*done) return;  // once per subscriber, whatever it calls
            *done = true;
            drained_one();
        });
    drained_one();
}

void Daemon::drained_one() {
    if (draining_ > 0 && --draining_ == 0) stop_subscribers();
}

void Daemon::stop_subscribers() {
    if (stopped_) return;
    stopped_ = true;
    drain_bound_->cancel();  // (this may be its callback: not destroyed here)
    // Addresses released and priority-0 adverts sent first: nothing below may wait.
    config::StopOptions so;
    so.keep_addresses = opts_.dont_release_vrrp;
    so.keep_forwarding = opts_.dont_release_ipvs;
    for (auto it = subscribers_.rbegin(); it != subscribers_.rend(); ++it) (*it)->stop(so);
    loop_.stop();
}

// Next to the pid file (/run/halbd.data by default), so -p moves both.
std::string Daemon::state_file(const std::string& name) const {
    const std::string& pid = opts_.pid_file;
    const auto slash = pid.rfind('/');
    return (slash == std::string::npos ? std::string(".") : pid.substr(0, slash)) + "/" + name;
}

void Daemon::dump_then(std::function<DumpResult(std::string)> work, std::function<void(DumpResult)> done) {
    std::ostringstream head;
    head << "# halbd " PACKAGE_VERSION " state dump\n"
         << "# configuration " << config_file_ << ", generation " << generation_ << ", " << reloads_refused_
         << " reload(s) refused\n";
    auto ts = loop_.timer_stats();
    head << "# timers fired " << ts.fired << ", late " << ts.late << ", max lateness " << log::secs(ts.max_lateness)
         << "\n";
    // Each subsystem's part: its text now, or its snapshot to format later.
    std::vector<std::function<void(std::ostream&)>> parts;
    for (const auto* s : subscribers_) {
        if (auto later = s->dump_state_later()) {
            parts.push_back(std::move(later));
            continue;
        }
        std::ostringstream now;
        s->dump_state(now);
        parts.push_back([text = now.str()](std::ostream& os) { os << text; });
    }
    // The job holds the Model (immutable, shared) and the parts taken above.
    auto job_work = [model = model_, head = head.str(), parts = std::move(parts), work = std::move(work)] {
        std::ostringstream os;
        os << head;
        config::dump(*model, os);
        for (const auto& part : parts) part(os);
        return work(os.str());
    };
    const uint64_t id = next_dump_++;
    auto job = core::BackgroundJob<DumpResult>::start(loop_, std::move(job_work), [this, id, done](DumpResult r) {
        done(std::move(r));
        dumps_.erase(id);  // destroys the job whose callback this is: allowed, last use
    });
    if (!job) {
        log::error("state dump: ", job.error().message);
        done(DumpResult{{}, job.error().message});
        return;
    }
    dumps_.emplace(id, std::move(job.value()));
}

void Daemon::state_dump(std::function<void(std::string)> done) {
    dump_then([](std::string text) { return DumpResult{std::move(text), {}}; },
              [done = std::move(done)](DumpResult r) { done(std::move(r.text)); });
}

void Daemon::write_data() {
    const std::string path = data_file();
    dump_then([path](std::string text) { return DumpResult{{}, core::write_file_atomically(path, text)}; },
              [path](DumpResult r) {
                  if (r.error.empty())
                      log::info("state dump written to ", path);
                  else
                      log::error(r.error);
              });
}

// The views are read on the loop (they hold no snapshot); the file is
// written on a worker, as the dump is.
void Daemon::write_json() {
    if (!reports_.json) return log::warning("JSON dump: not available yet");
    write_later(state_file("halbd.json"), reports_.json());
}

void Daemon::write_stats(bool clear) {
    if (!reports_.stats) return log::warning("statistics: not available yet");
    write_later(state_file("halbd.stats"), reports_.stats(clear));
    if (clear) log::info("statistics counters cleared");
}

void Daemon::write_later(std::string path, std::string text) {
    const uint64_t id = next_dump_++;
    auto job = core::BackgroundJob<DumpResult>::start(
        loop_,
        [path, text = std::move(text)] { return DumpResult{{}, core::write_file_atomically(path, text)}; },
        [this, id, path](DumpResult r) {
            if (r.error.empty())
                log::info("wrote ", path);
            else
                log::error(r.error);
            dumps_.erase(id);  // destroys the job whose callback this is: allowed, last use
        });
    if (!job) return log::error("cannot write ", path, ": ", job.error().message);
    dumps_.emplace(id, std::move(job.value()));
}

}  // namespace halbd
