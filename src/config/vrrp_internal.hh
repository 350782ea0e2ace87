// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/vrrp_internal.hh: declarations shared by the files of the vrrp
// section (section_vrrp.cc, keywords_vrrp.cc, keywords_{address,route,rule}.cc,
// validate_vrrp.cc, dump_vrrp.cc). Not used outside src/config.
#pragma once

#include <optional>
#include <string>

#include "config/model.hh"
#include "config/parser.hh"

namespace halbd::config::vrrp_detail {

// One parser per line grammar, used by both virtual_* and static_* blocks.
// `is_static` enables track_group and disables no_track/use_vmac.
// Return nullopt after reporting an error at the offending word.
std::optional<IpAddressLine> parse_address_line(Args& line, bool is_static);
std::optional<RouteLine> parse_route_line(Args& line, bool is_static);
std::optional<RuleLine> parse_rule_line(Args& line, bool is_static);

// The same lines printed back in canonical keepalived grammar.
std::string format_address_line(const IpAddressLine& a);
std::string format_route_line(const RouteLine& r);
std::string format_rule_line(const RuleLine& r);

// The vrrp_instance block table (keywords_vrrp.cc).
const KeywordTable<VrrpInstance>& instance_table();

// Tracking list lines shared by vrrp_instance and vrrp_sync_group.
void parse_track_interface(Args& a, std::vector<TrackedInterface>& out);
// max_weight: 253 for scripts/bfd, 254 for files/processes.
void parse_track_refs(Args& a, std::vector<TrackedRef>& out, int32_t max_weight);
// `SCRIPT [user [group]]`
void parse_notify(Args& a, std::optional<Script>& out);

}  // namespace halbd::config::vrrp_detail
