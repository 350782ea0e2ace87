// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/nft/dr_ruleset.hh: lb_kind DR on the nftables backend, as pure
// functions (exact-output unit tests), called by NftBackend::run() next to
// the NAT transaction. Table `netdev halbd`: a base chain hooked at ingress
// on each interface through which a DR service's real servers are reached
// (`ingress_eth0`), dispatching protocol . VIP . port (`dr_services`,
// `dr_services6`) to one chain per service, which sends the unchanged packet
// to the real server of its slot: `fwd ip to jhash ... map @<chain>_slots
// device "eth0"` (the kernel resolves the neighbour and rewrites the MAC).
// Stateless, before conntrack: only the hash schedulers fit, with the NAT
// path's Maglev table and seed (ruleset.hh), so every node picks the same
// real server for a client. A service is DR when it has real servers and all
// forward by Route; one with none (or NAT ones) stays in the ip table.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "core/result.hh"
#include "forward/nft/nl_batch.hh"
#include "forward/service.hh"

namespace halbd::forward::nft {

// Whether the service goes through the DR path (see above).
bool is_dr(const Service& s);
// The interface through which `address` is reached in one hop, or why not.
using DeviceResolver = std::function<core::Result<std::string>(const net::IpAddress& address)>;

// The DR part of the kernel: each DR service's interface (all its real
// servers are reached through it), as the last committed transaction left it.
struct DrState {
    std::map<ServiceKey, std::string> device;
    friend bool operator==(const DrState&, const DrState&) = default;
};
struct DrPlan {
    NlBatch ops;   // empty: nothing to change
    DrState next;  // the state once they are committed
    std::string text() const { return batch_text(ops); }
};
// The transaction taking the DR part from `state` (whose services are
// `before`) through `changes` (new value, or none for a deleted service).
// `fresh`: the first run, which also removes what a previous halbd left.
// An error when a DR service's real servers are not on one connected link.
core::Result<DrPlan> dr_transaction(const ServiceTable& before,
                                    const std::map<ServiceKey, std::optional<Service>>& changes, bool fresh,
                                    const DrState& state, const DeviceResolver& resolve);

// Pieces, for tests: the table made afresh, an interface's ingress chain,
// a service's chain, rules, dispatch element and slots.
std::string dr_table_create();
std::string dr_ingress_add(const std::string& device);
std::string dr_service_add(const Service& s, const std::string& device);

}  // namespace halbd::forward::nft
