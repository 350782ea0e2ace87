// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/model_vrrp.hh: typed model of the vrrp section: vrrp_instance,
// vrrp_sync_group, vrrp_script, track_file, vrrp_track_process, static
// addresses/routes/rules, track_group, garp_group, linkbeat_interfaces and
// interface_up_down_delays. Filled by section_vrrp.cc/keywords_vrrp*.cc; after
// validate_vrrp() every "effective" value below is set (global_defs defaults
// and inheritance resolved, references turned into indexes), so vrrp/ and net/
// never re-implement defaulting.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/diagnostics.hh"
#include "config/model_global.hh"
#include "config/model_net.hh"
#include "core/time.hh"
#include "net/address.hh"

namespace halbd::config {

inline constexpr uint32_t kNoIndex = 0xFFFFFFFFu;

struct TrackedInterface {
    Location loc;
    std::string name;
    int32_t weight = 0;   // -253..253; 0 => fault when down
    bool reverse = false;
};

// A track_script / track_file / track_process / track_bfd entry. weight and
// reverse are optional while parsing; validate_vrrp fills them from the
// referenced object and sets index (position in the referenced vector).
struct TrackedRef {
    Location loc;
    std::string name;
    std::optional<int32_t> weight;
    std::optional<bool> reverse;
    uint32_t index = kNoIndex;
};

struct NamedRef {
    Location loc;
    std::string name;
    uint32_t index = kNoIndex;
};

struct UnicastPeer {
    Location loc;
    net::IpAddress address;
    std::optional<uint8_t> min_ttl;
    std::optional<uint8_t> max_ttl;
};

enum class VrrpState : uint8_t { Backup, Master };
enum class AuthType : uint8_t { None, Pass, Ah };
enum class IpvlanMode : uint8_t { Bridge, Private, Vepa };
enum class OldUnicastChecksum : uint8_t { Off, On, Never };

struct VrrpInstance {
    Location loc;
    std::string name;

    // Effective after validation: MASTER when priority 255, else as configured (default BACKUP).
    std::optional<VrrpState> state;
    std::string interface;
    Location interface_loc;
    std::string vrf;

    bool use_vmac = false;
    std::string use_vmac_ifname;                 // empty: vrrp.VRID
    std::optional<std::array<uint8_t, 6>> use_vmac_mac;
    bool use_vmac_mac_uses_vrid = false;         // only 5 octets given
    bool use_vmac_addr = false;
    bool vmac_xmit_base = false;
    bool use_ipvlan = false;
    std::string use_ipvlan_ifname;
    std::optional<net::Prefix> use_ipvlan_address;
    IpvlanMode use_ipvlan_mode = IpvlanMode::Bridge;

    bool dont_track_primary = false;
    std::vector<TrackedInterface> track_interface;
    std::vector<TrackedRef> track_script;
    std::vector<TrackedRef> track_file;
    std::vector<TrackedRef> track_process;
    std::vector<TrackedRef> track_bfd;

    std::optional<net::IpAddress> mcast_src_ip;
    std::optional<net::IpAddress> unicast_src_ip;
    std::optional<net::IpAddress> mcast_dst_ip;
    bool track_src_ip = false;
    std::optional<uint8_t> version;              // effective: 2 or 3
    bool check_unicast_src = false;              // effective (global vrrp_check_unicast_src, min/max_ttl)
    std::vector<UnicastPeer> unicast_peer;
    bool unicast_fault_no_peer = false;
    std::optional<uint8_t> unicast_ttl;
    OldUnicastChecksum old_unicast_checksum = OldUnicastChecksum::Off;

    // Effective after validation (global vrrp_garp_* and friends).
    std::optional<Duration> garp_master_delay;
    std::optional<uint32_t> garp_master_repeat;
    std::optional<Duration> garp_lower_prio_delay;
    std::optional<uint32_t> garp_lower_prio_repeat;
    std::optional<Duration> garp_master_refresh;       // 0 = no refresh
    std::optional<uint32_t> garp_master_refresh_repeat;
    std::optional<uint32_t> garp_extra_if;             // seconds; 0 = off
    bool garp_extra_if_all = false;
    std::optional<uint8_t> down_timer_adverts;         // 1-100, RFC value 3
    std::optional<bool> lower_prio_no_advert;
    std::optional<bool> higher_prio_send_advert;

    uint8_t virtual_router_id = 0;                     // 1-255; 0 = missing (error)
    std::optional<uint8_t> priority;                   // effective: 1-255
    std::optional<Duration> advert_int;                // effective, rounded to the version's unit

    AuthType auth_type = AuthType::None;
    std::string auth_pass;                             // at most 8 bytes (truncated)

    std::vector<IpAddressLine> virtual_ipaddress;
    std::vector<IpAddressLine> virtual_ipaddress_excluded;
    bool promote_secondaries = false;
    std::vector<RouteLine> virtual_routes;
    std::vector<RuleLine> virtual_rules;

    std::optional<bool> accept;                        // effective: !strict_mode unless given
    bool nopreempt = false;
    Duration preempt_delay{};                          // 0-1000 s
    std::optional<bool> skip_check_adv_addr;
    std::optional<bool> strict_mode;                   // effective: global vrrp_strict
    uint8_t debug = 0;

    // `notify_* SCRIPT [user [group]]`; user effective: global script_user when set.
    std::optional<Script> notify_master, notify_backup, notify_fault, notify_stop, notify,
        notify_master_rx_lower_pri, notify_deleted;
    bool notify_deleted_set = false;                   // `notify_deleted` with or without script
    std::optional<bool> notify_priority_changes;       // effective: global vrrp_notify_priority_changes
    std::optional<uint32_t> kernel_rx_buf_size;
    bool linkbeat_use_polling = false;                 // deprecated; moved to linkbeat_interfaces
    std::string lvs_sync_daemon_interface;             // deprecated; moved to global lvs_sync_daemon
    Location lvs_sync_daemon_interface_loc;

    // Resolved by validate_vrrp.
    net::Family family = net::Family::V4;
    uint32_t sync_group = kNoIndex;                    // index into VrrpConfig::vrrp_sync_group
};

struct VrrpSyncGroup {
    Location loc;
    std::string name;
    std::vector<NamedRef> group;                       // indexes into vrrp_instance
    bool group_set = false;
    std::vector<TrackedInterface> track_interface;
    std::vector<TrackedRef> track_script;
    std::vector<TrackedRef> track_file;
    std::vector<TrackedRef> track_process;
    std::vector<TrackedRef> track_bfd;
    std::optional<Script> notify_master, notify_backup, notify_fault, notify_stop, notify;
    bool sync_group_tracking_weight = false;           // also set by deprecated global_tracking
    std::optional<bool> notify_priority_changes;
};

struct VrrpScript {
    Location loc;
    std::string name;
    std::string script;
    Duration interval = std::chrono::seconds(1);
    std::optional<Duration> timeout;                   // effective: interval when not given
    int32_t weight = 0;                                // -253..253
    bool weight_reverse = false;
    uint32_t rise = 1;
    uint32_t fall = 1;
    std::optional<ScriptUser> user;                    // effective: global script_user when set
    bool init_fail = false;
};

struct TrackFile {
    Location loc;
    std::string name;
    std::string file;
    int32_t weight = 1;
    bool weight_reverse = false;
    bool init_file = false;
    int64_t init_file_value = 0;
    bool init_file_overwrite = false;
};

enum class ParamMatch : uint8_t { None, Exact, Initial, Partial };

struct TrackProcess {
    Location loc;
    std::string name;
    std::vector<std::string> process;                  // name then parameters
    ParamMatch param_match = ParamMatch::None;         // effective: Exact when parameters given
    int32_t weight = 1;                                // -254..254
    bool weight_reverse = false;
    uint32_t quorum = 1;
    uint32_t quorum_max = 65535;
    Duration fork_delay{};
    Duration terminate_delay{};
    bool full_command = false;
};

struct StaticTrackGroup {
    Location loc;
    std::string name;
    std::vector<NamedRef> group;                       // indexes into vrrp_instance
};

struct GarpGroup {
    Location loc;
    std::optional<Duration> garp_interval;
    std::optional<Duration> gna_interval;
    std::string interface;
    std::vector<std::string> interfaces;
};

enum class LinkbeatType : uint8_t { Default, Mii, Ethtool, Ioctl };

struct LinkbeatInterface {
    Location loc;
    std::string name;
    LinkbeatType type = LinkbeatType::Default;
};

struct InterfaceUpDownDelay {
    Location loc;
    std::string name;
    Duration down_delay{};
    Duration up_delay{};                               // = down_delay when omitted
};

struct VrrpConfig {
    std::vector<VrrpInstance> vrrp_instance;
    std::vector<VrrpSyncGroup> vrrp_sync_group;
    std::vector<VrrpScript> vrrp_script;
    std::vector<TrackFile> track_file;
    std::vector<TrackProcess> vrrp_track_process;
    std::vector<IpAddressLine> static_ipaddress;
    std::vector<RouteLine> static_routes;
    std::vector<RuleLine> static_rules;
    std::vector<StaticTrackGroup> track_group;
    std::vector<GarpGroup> garp_group;
    std::vector<LinkbeatInterface> linkbeat_interfaces;
    std::vector<InterfaceUpDownDelay> interface_up_down_delays;
};

}  // namespace halbd::config
