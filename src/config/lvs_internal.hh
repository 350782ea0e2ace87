// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/lvs_internal.hh: declarations shared by the files of the LVS section
// (section_lvs.cc helpers, keywords_lvs.cc, keywords_check.cc,
// validate_lvs.cc, validate_forwarding.cc, dump_lvs.cc). Not used outside src/config.
#pragma once

#include <optional>

#include "config/dump.hh"
#include "config/model.hh"
#include "config/parser.hh"

namespace halbd::config::lvs {

// Limits of keepalived's timers: "unlimited" is capped at 10^9 seconds.
inline constexpr Duration kMaxTimer = std::chrono::seconds(1'000'000'000);
inline constexpr Duration kMicro = std::chrono::microseconds(1);
// connect_timeout: 1 us .. UINT_MAX us, as keepalived.
inline constexpr Duration kMaxConnectTimeout = std::chrono::microseconds(4'294'967'295LL);
// IPVS_WEIGHT_LIMIT.
inline constexpr uint32_t kMaxWeight = 2'147'483'647;
// LVS_MAX_TIMEOUT (31 days) and the default persistence timeout (6 minutes).
inline constexpr uint32_t kMaxPersistenceTimeout = 86400 * 31;
inline constexpr uint32_t kDefaultPersistenceTimeout = 360;

// "10.0.0.1:80", "[2001:db8::1]:80", "fwmark 3", "group NAME": a virtual server in messages.
std::string vs_name(const VirtualServer& vs);
// `CMD [user [group]]` from argument 0.
std::optional<Script> parse_script(Args& a);
// `NAT|DR|TUN [type ipip|gue|gre] [port N] [nocsum|csum|remcsum]` from argument 0.
std::optional<LvsMethod> parse_lvs_method(Args& a);
// Adds the checker blocks (TCP_CHECK, HTTP_GET, ...) to the real_server table.
void add_checker_blocks(KeywordTable<RealServer>& rs);
// Text of a script line: command quoted as needed, then user and group.
void dump_script(Dumper& d, std::string_view keyword, const Script& s);
void dump_checker(Dumper& d, const Checker& c);

}  // namespace halbd::config::lvs
