// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/checker_factory.hh: from a config checker to a running Checker, and
// the key that decides when two checkers are the same probe. Called by
// CheckSubsystem on start and reload; owns nothing.
#pragma once

#include <memory>
#include <string>

#include "check/checker.hh"
#include "check/tls_client.hh"
#include "config/model.hh"
#include "config/model_check.hh"
#include "core/event_loop.hh"
#include "core/result.hh"

namespace halbd::check {

// Whether halbd can run this kind yet.
bool implemented(config::CheckerKind kind);

// What some kinds need beyond their checker block: the global section
// (MISC_CHECK: script_user, enable_script_security), the model
// (FILE_CHECK: track_file blocks) and the SSL block's TLS context (SSL_GET).
// Null members: defaults (for tls: a default context, as keepalived builds
// without an SSL block).
struct CheckContext {
    const config::GlobalDefs* global = nullptr;
    const config::Model* model = nullptr;
    std::shared_ptr<const tls::ClientContext> tls;
};

// The start of make_checker()'s error for a checker keepalived would remove
// at start (a MISC_CHECK script that is not there): counted as up, like a
// real server without checkers, and shown as such by `halbctl checks`.
inline const std::string kCheckerDisabled = "checker disabled: ";

// The checker for c, or an error ("FILE_CHECK is not implemented yet") for a
// kind that is not implemented, or one starting with kCheckerDisabled.
core::Result<std::unique_ptr<Checker>> make_checker(core::EventLoop& loop, const config::Checker& c,
                                                    const CheckContext& ctx = {});

// Two checkers with equal keys probe the same thing on the same schedule, so
// one probe serves both: kind, target, local binding, timing and the kind's
// own parameters. (A kind added to make_checker() must add its parameters.)
// model: the one c belongs to (FILE_CHECK keys its track_file's file and weight).
std::string probe_key(const config::Checker& c, const config::Model* model = nullptr);

}  // namespace halbd::check
