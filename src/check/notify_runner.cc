// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/notify_runner.cc: see notify_runner.hh. One line per run started
// (keepalived: "Executing [script] for service ...") and one per run that
// did not exit 0; the exit of a script changes no state.
#include "check/notify_runner.hh"

#include "core/log.hh"

namespace halbd::check {

void NotifyRunner::run(std::shared_ptr<const ScriptCommand> cmd, std::string what, Duration timeout) {
    Job job{std::move(cmd), std::move(what), timeout > Duration::zero() ? timeout : limits_.timeout};
    if (running_.size() < limits_.max_running) return start(std::move(job));
    if (queue_.size() >= limits_.max_queued) {
        ++dropped_;
        log::warning(job.what, ": not run, ", queue_.size(), " notify scripts already waiting");
        return;
    }
    queue_.push_back(std::move(job));
}

void NotifyRunner::start(Job job) {
    if (!job.cmd->refused.empty()) {
        ++failed_;
        log::info(job.what, ": ", job.cmd->command, " not run (", job.cmd->refused, ")");
        return;
    }
    log::info("running ", job.what, ": ", job.cmd->command);
    ++started_;
    auto it = running_.insert(running_.end(), Running{job.what, nullptr});
    const Duration timeout = job.timeout;
    auto started = core::KillAfter::start(
        loop_, job.cmd->spawn_options(), timeout,
        [this, it, timeout](const core::ExitStatus& st) {
            if (!st.success()) {
                ++failed_;
                if (st.timed_out)
                    log::warning(it->what, ": killed after ", log::secs(timeout), " (", st.describe(), ")");
                else log::warning(it->what, ": ", st.describe());
            }
            running_.erase(it);  // destroys the KillAfter calling us (allowed)
            start_queued();
        },
        limits_.grace);
    if (!started) {
        ++failed_;
        log::warning(job.what, ": cannot run ", job.cmd->command, ": ", started.error().message);
        running_.erase(it);
        return;
    }
    it->child = std::move(started.value());
}

void NotifyRunner::start_queued() {
    while (!queue_.empty() && running_.size() < limits_.max_running) {
        Job job = std::move(queue_.front());
        queue_.pop_front();
        start(std::move(job));
    }
}

}  // namespace halbd::check
