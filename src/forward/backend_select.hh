// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/backend_select.hh: which forwarding backend halbd runs, from
// global_defs `lvs_backend auto|ipvs|nftables`: auto is IPVS where the kernel
// has it, nftables otherwise. Called by halbd.cc (to validate the first
// configuration against the right capabilities) and by wiring.cc (to run it);
// the IPVS probe is injected so tests need no kernel.
#pragma once

#include <functional>

#include "config/model_global.hh"
#include "core/result.hh"
#include "forward/backend.hh"

namespace halbd::forward {

// Can IPVS be opened here? (Opens and closes it; may load ip_vs.)
core::Status probe_ipvs();

// The backend for `pref`, and why in words ("lvs_backend auto: the kernel has no IPVS").
struct BackendSelection {
    BackendChoice choice;
    std::string reason;
};
BackendSelection select_backend(config::LvsBackend pref, const std::function<core::Status()>& ipvs_probe = probe_ipvs);

}  // namespace halbd::forward
