// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/nft/ruleset.hh: what the nftables backend sends, as pure functions
// of the services: NlOps (nl_batch.hh), each with its nft(8) line, which the
// exact-output unit tests compare and an operator reads back (the same) with
// `nft list table ip halbd`; text, not JSON: nft 1.0.x's JSON parser lacks
// statements this layout needs.
//
// Layout of table `halbd` (family ip or ip6): a nat prerouting chain
// dispatches through verdict maps (`services`: protocol . VIP . port,
// `fwmarks`: mark) to one chain per service, which DNATs through its slots,
// keyed by VIP . port . slot in maps shared by many services (slot_map):
// `numgen inc` over a smooth-wrr layout (rr, wrr), or `jhash` of the
// source (sh, mh; with sh-port/mh-port also the source port) or destination
// (dh) over a Maglev table. Persistence adds a timed dynamic map from the
// masked client address to the real server, looked up first; a filter chain
// just after DNAT (`persist`, dispatched by `persist_vips`/`persist_fwmarks`)
// adds or refreshes the client's entry on each new connection.
#pragma once

#include <string>
#include <vector>

#include "forward/nft/nl_batch.hh"
#include "forward/service.hh"

namespace halbd::forward::nft {

inline constexpr const char* kTable = "halbd";

const char* family_word(net::Family f);  // "ip", "ip6"
// The service's chain: "tcp_192_0_2_10_80", "udp_2001_db8__10_53", "fwm_3".
std::string chain_name(const ServiceKey& k);
// The chain adding/refreshing persistence entries of the services on one
// VIP and protocol (or one fwmark): "persist_tcp_192_0_2_10", "persist_fwm_3".
std::string persist_chain_name(const ServiceKey& k);
// jhash seed of a service: from its key only (same on every node).
uint32_t hash_seed(const ServiceKey& k);
// The slot a packet takes: "jhash ip saddr mod 4093 seed 1234" (sh, mh;
// dh hashes the destination), "numgen inc mod 6" (rr, wrr). The DR path
// (dr_ruleset.hh) uses it too, so both pick the same slot.
std::string scheduler_expr(const Service& s, size_t slots);
// Slot -> destination, as the service's slot map holds it (empty: none has weight).
std::vector<DestKey> slot_layout(const Service& s);

// The family's table made afresh (whatever a previous run left is replaced
// in the same transaction): base chains and dispatch maps.
NlBatch nl_table_create(net::Family f);
std::string table_create(net::Family f);  // its text
// Removes the family's table (and everything in it), if it exists.
NlBatch nl_table_delete(net::Family f);
std::string table_delete(net::Family f);
// What a service change sends, in two parts: `main` (chains, rules, maps,
// dispatch, slot deletions) and `slots` (slot additions), which the backend
// sends after every service's `main`, so that the rules are bound to the
// shared slot maps before those fill (the kernel walks a map's elements when
// a rule is bound to it).
struct Commands {
    std::string main, slots;
    std::string text() const { return main + slots; }
};
// A new service: its chain, rules, dispatch element and slots.
Commands service_add(const Service& s);
// Removes the service's chain, slots, maps and dispatch element.
Commands service_delete(const Service& s);
// The service changed (parameters or destinations): the slots whose server
// changed, and its rules only when they change; its persistence map kept
// unless persistence changed, and emptied when a destination lost its slots
// (clients stuck to it re-pick).
Commands service_replace(const Service& before, const Service& after);
// The same changes as NlBatch values (nl_batch.hh): what the backend sends
// as one libnftnl batch. Their text is what service_add/_delete/_replace
// return.
struct NlCommands {
    NlBatch main, slots;
};
NlCommands nl_service_add(const Service& s);
NlCommands nl_service_delete(const Service& s);
NlCommands nl_service_replace(const Service& before, const Service& after);
// The scheduler's expressions (numgen or jhash into slot `out`, a jhash's
// input from slot `in`), as scheduler_expr() says it; DR shares them.
void scheduler_exprs(const Service& s, size_t slots, uint32_t out, uint32_t in, std::vector<ExprSpec>& e);
// The map holding the service's slots: one of kSlotMapBuckets shared maps
// per protocol ("tcp_slots_7", "fwmark_slots_2", chosen by hash_seed), or,
// for a fwmark service whose real servers have ports, its own ("fwm_3_slots").
inline constexpr uint32_t kSlotMapBuckets = 256;
std::string slot_map(const Service& s);
// Declares the shared map slot_map(s) (the backend adds each once, before its
// first service, and keeps it while the family's table lives).
NlOp nl_slot_map_add(const Service& s);
std::string slot_map_add(const Service& s);  // its text
// Whether the service's slots are in a shared map (slot_map_add) or its own.
bool shares_slot_map(const Service& s);
// The persistence chain of a group (same persist_chain_name): `existed` says
// whether it is there now; `persistent` are the group's persistent services
// after the change. First half goes before the services change (empties or
// removes the chain, which references their maps), second half after.
struct PersistOps {
    NlBatch before, after;
};
PersistOps nl_persist_group(const ServiceKey& any_member, bool existed, const std::vector<const Service*>& persistent);
struct PersistUpdate {  // the same as text
    std::string before, after;
};
PersistUpdate persist_group(const ServiceKey& any_member, bool existed, const std::vector<const Service*>& persistent);

}  // namespace halbd::forward::nft
