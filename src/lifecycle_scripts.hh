// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// lifecycle_scripts.hh: global_defs startup_script and shutdown_script, as
// keepalived runs them: the startup script before the first configuration is
// applied, the shutdown script once everything has stopped; halbd waits for
// each (driving its loop) at most its *_timeout, after which the script is
// killed and halbd goes on. Called by halbd.cc only.
#pragma once

#include <optional>
#include <string>

#include "config/model_global.hh"
#include "core/event_loop.hh"
#include "core/spawn.hh"

namespace halbd {

// Runs `script` (what: "startup_script" / "shutdown_script", for the log)
// and waits for its end or its timeout; logs how it ended. The exit status,
// or nullopt when it could not run (refused, not started). Call only from
// the loop's thread and never from a callback (it runs the loop).
std::optional<core::ExitStatus> run_lifecycle_script(core::EventLoop& loop, const std::string& what,
                                                     const config::Script& script, Duration timeout,
                                                     const config::GlobalDefs& g);

}  // namespace halbd
