// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// announce/vtysh_runner.hh: the real VtyshRunner of the FRR announcer:
// vtysh started by core::spawn (execve, no shell, clean environment, its
// own process group), stdout and stderr into a memfd read after it ends (no
// pipe to drain while it runs), killed at the bound by core::KillAfter.
// run_now() is the blocking variant used only at stop.
#pragma once

#include <memory>

#include "announce/frr_announcer.hh"
#include "core/spawn.hh"

namespace halbd::announce {

class SpawnVtyshRunner : public VtyshRunner {
public:
    explicit SpawnVtyshRunner(core::EventLoop& loop);
    ~SpawnVtyshRunner() override;

    void start(const std::vector<std::string>& argv, Duration bound, Done done) override;
    void cancel() override;
    VtyshRun run_now(const std::vector<std::string>& argv, Duration bound) override;

private:
    core::EventLoop& loop_;
    std::unique_ptr<core::KillAfter> child_;
    core::UniqueFd out_;
    core::TimerPtr failed_;  // reports a run that could not start, from the loop
    VtyshRun failure_;
    Done done_;
};

}  // namespace halbd::announce
