// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/model_lvs.hh: typed model of the LVS section: virtual_server_group,
// virtual_server with its real servers (checkers are in model_check.hh) and
// the SSL block. Filled by keywords_lvs.cc, resolved by validate_lvs.cc (every
// inherited value is effective afterwards), read by forward/ and check/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/diagnostics.hh"
#include "config/model_check.hh"
#include "config/model_global.hh"
#include "core/time.hh"
#include "net/address.hh"

namespace halbd::config {

// One entry of a virtual_server_group: an address range with an optional
// port (0 = none) or a fwmark (with an optional family).
struct VsgEntry {
    Location loc;
    bool is_fwmark = false;
    net::IpAddress first, last;  // address entries; first == last for a single address
    uint16_t port = 0;
    uint32_t fwmark = 0;
    std::optional<net::Family> family;  // fwmark entries: `inet` / `inet6`
};

struct VirtualServerGroup {
    Location loc;
    std::string name;
    std::vector<VsgEntry> entries;
};

enum class LvsSched : uint8_t { rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf, mh, twos };
enum class LvsMethodKind : uint8_t { NAT, DR, TUN };
enum class TunnelType : uint8_t { ipip, gue, gre };
enum class TunnelCsum : uint8_t { nocsum, csum, remcsum };

// `lvs_method NAT|DR|TUN [type ipip|gue port N|gre] [nocsum|csum|remcsum]`
struct LvsMethod {
    LvsMethodKind kind = LvsMethodKind::NAT;
    TunnelType type = TunnelType::ipip;  // TUN only
    uint16_t port = 0;                   // gue only (required there)
    TunnelCsum csum = TunnelCsum::nocsum;
    friend bool operator==(const LvsMethod&, const LvsMethod&) = default;
};

enum class LvsProtocol : uint8_t { TCP, UDP, SCTP };

struct RealServer {
    Location loc;
    net::IpAddress address;
    uint16_t port = 0;                      // effective; 0 only for fwmark/persistent services
    std::optional<uint32_t> weight;         // effective; default the virtual server's weight (1)
    std::optional<LvsMethod> lvs_method;    // effective; default the virtual server's
    uint32_t uthreshold = 0, lthreshold = 0;  // 0 = no limit
    std::optional<bool> inhibit_on_failure; // effective; default virtual server's
    std::optional<bool> alpha;              // effective; default virtual server's
    Box<Script> notify_up, notify_down;
    Box<std::string> virtualhost;           // own value only (HTTP checkers hold the effective one)
    std::optional<Duration> connect_timeout;  // effective; default virtual server's
    std::optional<Duration> delay_loop;       // effective; default virtual server's
    // Own or virtual server's value; may stay unset: checkers then use their kind's default.
    std::optional<Duration> delay_before_retry;
    std::optional<Duration> warmup;
    std::optional<uint32_t> retry;
    std::vector<Checker> checkers;
};

struct SorryServer {
    Location loc;
    net::IpAddress address;
    uint16_t port = 0;                    // effective
    std::optional<LvsMethod> lvs_method;  // effective; default the virtual server's
    bool inhibit = false;                 // sorry_server_inhibit
};

// persistence_granularity: an IPv4 netmask or an IPv6 prefix length.
struct PersistenceGranularity {
    net::Family family = net::Family::V4;
    net::IpAddress mask;  // IPv4
    uint8_t prefix = 128; // IPv6
};

enum class VsKind : uint8_t { Address, Fwmark, Group };

struct VirtualServer {
    Location loc;
    VsKind kind = VsKind::Address;
    net::IpAddress address;  // Address
    uint16_t port = 0;       // Address; 0 only for persistent services
    uint32_t fwmark = 0;     // Fwmark
    std::string group;       // Group: a virtual_server_group name
    std::optional<net::Family> ip_family;  // effective address family of the service

    std::optional<LvsSched> lvs_sched;     // effective; default wlc
    bool flag_1 = false, flag_2 = false, flag_3 = false;
    bool sh_port = false, sh_fallback = false, mh_port = false, mh_fallback = false;
    bool ops = false;
    std::optional<LvsMethod> lvs_method;   // effective; default NAT
    std::string persistence_engine;        // empty = none ("sip")
    uint32_t persistence_timeout = 0;      // seconds; 0 = not persistent
    std::optional<PersistenceGranularity> persistence_granularity;
    std::optional<LvsProtocol> protocol;   // effective for address services (default UDP, as keepalived); unset for fwmarks
    bool ha_suspend = false;
    std::optional<std::string> virtualhost;
    bool alpha = false, omega = false;
    uint32_t quorum = 1;
    uint32_t hysteresis = 0;
    uint32_t weight = 1;                   // default real server weight
    Box<Script> quorum_up, quorum_down;
    std::optional<SorryServer> sorry_server;
    bool inhibit_on_failure = false;
    Duration delay_loop = std::chrono::seconds(60);
    Duration connect_timeout = std::chrono::seconds(5);
    std::optional<Duration> delay_before_retry;
    std::optional<Duration> warmup;
    std::optional<uint32_t> retry;
    std::vector<RealServer> real_servers;
};

struct SslConfig {
    Location loc;             // file 0 = no SSL block
    std::string password, ca, certificate, key;  // empty = not set
};

struct LvsConfig {
    std::vector<VirtualServerGroup> virtual_server_groups;
    std::vector<VirtualServer> virtual_servers;
    SslConfig ssl;

    const VirtualServerGroup* find_group(std::string_view name) const {
        for (const auto& g : virtual_server_groups)
            if (g.name == name) return &g;
        return nullptr;
    }
};

// Text forms shared by the parser and the dump.
const char* lvs_sched_name(LvsSched s);
const char* lvs_protocol_name(LvsProtocol p);
std::string lvs_method_text(const LvsMethod& m);  // "NAT", "TUN type gue port 6080 csum"

}  // namespace halbd::config
