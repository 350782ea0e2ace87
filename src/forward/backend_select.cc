// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/backend_select.cc: see backend_select.hh.
#include "forward/backend_select.hh"

#include <cerrno>

#include "forward/ipvs/ipvs_backend.hh"
#include "forward/nft/nft_backend.hh"

namespace halbd::forward {

core::Status probe_ipvs() {
    auto b = ipvs::IpvsBackend::open();
    if (!b) return b.error();
    return core::Ok{};
}

BackendSelection select_backend(config::LvsBackend pref, const std::function<core::Status()>& ipvs_probe) {
    BackendSelection c;
    switch (pref) {
        case config::LvsBackend::Ipvs:
            c.choice = ipvs::IpvsBackend::choice();
            c.reason = "lvs_backend ipvs";
            break;
        case config::LvsBackend::Nftables:
            c.choice = nft::NftBackend::choice();
            c.reason = "lvs_backend nftables";
            break;
        case config::LvsBackend::Auto:
            if (auto st = ipvs_probe(); st) {
                c.choice = ipvs::IpvsBackend::choice();
                c.reason = "lvs_backend auto: the kernel has IPVS";
            } else {
                c.choice = nft::NftBackend::choice();
                c.reason = st.error().code == ENOENT ? "lvs_backend auto: the kernel has no IPVS"
                                                     : "lvs_backend auto: IPVS unavailable (" + st.error().message + ")";
            }
            break;
    }
    return c;
}

}  // namespace halbd::forward
