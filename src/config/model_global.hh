// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/model_global.hh: typed model of the global section: the top-level
// daemon keywords, `global_defs { ... }` and the `bfd_instance` blocks.
// Filled by config/section_global.cc; read by every subsystem (VRRP defaults,
// IPVS sync daemon and timeouts, script security, notify FIFOs). Field names
// are keepalived's keyword names. std::optional fields whose default depends
// on another global keyword are set once validate_global() has run; those
// whose default depends on each VRRP instance (vrrp_garp_lower_prio_*,
// vrrp_lower_prio_no_advert) stay unset when not configured.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostics.hh"
#include "config/model_bfd.hh"
#include "core/time.hh"
#include "net/address.hh"

namespace halbd::config {

// `username [groupname]` of script_user, scripts and FIFOs. An empty group
// means the user's primary group (resolved when the script is run).
struct ScriptUser {
    std::string user;
    std::string group;
    friend bool operator==(const ScriptUser&, const ScriptUser&) = default;
};

// A script to run: the command line exactly as configured (one word, quoted
// when it has arguments; split into argv when run) and an optional user to
// run it as (default: global script_user). Shared by the other sections.
struct Script {
    std::string command;
    std::optional<ScriptUser> user;
    Location loc;
};

// A FIFO to write notify events to (`notify_fifo NAME [user [group]]`); the
// user/group own the FIFO when halbd creates it.
struct NotifyFifo {
    std::string name;
    std::optional<ScriptUser> user;
    Location loc;
};

// metrics_listen ADDR:PORT ([ADDR]:PORT for IPv6): where halbd serves
// Prometheus /metrics (ctl/metrics_server.hh). Unset: no listener.
struct MetricsListen {
    net::IpAddress address;
    uint16_t port = 0;
    Location loc;
    std::string text() const {  // "127.0.0.1:9650", "[::1]:9650"
        const std::string a = address.to_string();
        return (address.is_v6() ? "[" + a + "]" : a) + ":" + std::to_string(port);
    }
    friend bool operator==(const MetricsListen& a, const MetricsListen& b) {
        return a.address == b.address && a.port == b.port;
    }
};

// lvs_sync_daemon INTERFACE [[inst] VRRP_INSTANCE] [id N] [maxlen N] [port N] [ttl N] [group IP]
struct LvsSyncDaemon {
    std::string interface;
    // VRRP instance whose state selects master/backup daemon; empty = run both.
    std::string inst;
    Location inst_loc;
    // syncid; default: the VRID of `inst` (set by validate_vrrp, which checks
    // that the instance exists), or 0 without an instance (set by validate_global).
    std::optional<uint8_t> id;
    std::optional<uint16_t> maxlen;  // 1..65507; unset = kernel computes from the MTU
    uint16_t port = 8848;
    uint8_t ttl = 1;
    net::IpAddress group = *net::IpAddress::parse("224.0.0.81");
    Location loc;
};

// lvs_timeouts [tcp SECS] [tcpfin SECS] [udp SECS]: unset = leave the kernel's value.
struct LvsTimeouts {
    std::optional<Duration> tcp;
    std::optional<Duration> tcpfin;
    std::optional<Duration> udp;
    Location loc;  // file 0 = not configured
};

enum class LvsFlushOnStop : uint8_t {
    None,           // not configured: remove each virtual/real server individually
    Full,           // lvs_flush_on_stop: flush the whole IPVS table
    VirtualServers, // lvs_flush_on_stop VS: remove only our virtual servers
};

// lvs_backend auto|ipvs|nftables (halbd's own): which forwarding backend runs.
enum class LvsBackend : uint8_t {
    Auto,      // IPVS where the kernel has it, nftables otherwise
    Ipvs,
    Nftables,
};

// vrrp_garp_extra_if [all] SECS
struct VrrpGarpExtraIf {
    Duration interval{};  // 0 = off; at most 86400 s
    bool all = false;     // every interface of the instance, not only VMACs
};

// vrrp_iptables [IN_CHAIN [OUT_CHAIN]]
struct VrrpIptables {
    std::string in_chain = "INPUT";
    std::string out_chain;  // empty = no outbound filtering
};

// vrrp_ipsets [ADDR [ADDR6 [ADDR_IF6 [IGMP [MLD]]]]]: the ipsets no_accept
// fills in vrrp_iptables mode, named as keepalived derives the ones left
// out. (keepalived's IGMP/MLD sets are not made by halbd: names ignored.)
struct VrrpIpsets {
    std::string address = "keepalived";
    std::string address6 = "keepalived6";
    std::string address_iface6 = "keepalived_if6";
    friend bool operator==(const VrrpIpsets&, const VrrpIpsets&) = default;
};

enum class VrrpRxBufsPolicy : uint8_t { Default, Mtu, Advert, Size };

enum class DynamicInterfaces : uint8_t { Off, On, AllowIfChanges };

// One of keepalived's process keyword sets (vrrp_* or checker_*).
struct ProcessDefs {
    std::optional<uint32_t> rt_priority;        // *_rt_priority 1..99: SCHED_RR
    std::optional<int32_t> nice;                // *_priority -20..19
    bool no_swap = false;                       // *_no_swap: mlockall
    std::vector<uint32_t> cpu_affinity;         // *_cpu_affinity: CPU numbers, sorted, unique
    std::optional<uint64_t> rlimit_rttime_us;   // *_rlimit_rttime: RLIMIT_RTTIME
};

struct GlobalDefs {
    // ---- top level (outside global_defs) ----
    bool linkbeat_use_polling = false;
    // The named network namespace (/run/netns/NAME) halbd joins before it
    // opens any socket; `halbd -s NAME` overrides it. Empty = stay.
    std::string net_namespace;
    Location net_namespace_loc;

    // ---- identity ----
    // Default: the local host name (resolved by validate_global).
    std::string router_id;

    // ---- operations ----
    std::optional<MetricsListen> metrics_listen;  // off by default

    // ---- scripts and security ----
    std::optional<ScriptUser> script_user;  // unset: keepalived_script if it exists, else our uid
    Location script_user_loc;
    bool enable_script_security = false;
    std::optional<Script> startup_script;
    Duration startup_script_timeout = std::chrono::seconds(10);   // 1..1000 s
    std::optional<Script> shutdown_script;
    Duration shutdown_script_timeout = std::chrono::seconds(10);  // 1..1000 s

    // ---- notify FIFOs ----
    std::optional<NotifyFifo> notify_fifo;
    std::optional<Script> notify_fifo_script;
    std::optional<NotifyFifo> vrrp_notify_fifo;
    std::optional<Script> vrrp_notify_fifo_script;
    std::optional<NotifyFifo> lvs_notify_fifo;
    std::optional<Script> lvs_notify_fifo_script;
    bool fifo_write_vrrp_states_on_reload = false;
    bool vrrp_notify_priority_changes = false;

    // ---- VRRP defaults ----
    net::IpAddress vrrp_mcast_group4 = *net::IpAddress::parse("224.0.0.18");
    net::IpAddress vrrp_mcast_group6 = *net::IpAddress::parse("ff02::12");
    std::string default_interface = "eth0";  // interface of static addresses/routes
    Location default_interface_loc;          // file 0 = not configured
    // vrrp_min_garp, like keepalived, sets master_repeat 1 / master_delay 0 /
    // refresh_repeat 1 when it is read; a later explicit keyword overrides.
    bool vrrp_min_garp = false;
    Duration vrrp_garp_master_delay = std::chrono::seconds(5);  // 0 = no second burst
    uint32_t vrrp_garp_master_repeat = 5;                       // >= 1
    // Unset: each instance uses its garp_master_delay / garp_master_repeat.
    std::optional<Duration> vrrp_garp_lower_prio_delay;
    std::optional<uint32_t> vrrp_garp_lower_prio_repeat;
    Duration vrrp_garp_master_refresh{};                  // 0 = no periodic refresh
    uint32_t vrrp_garp_master_refresh_repeat = 1;         // >= 1
    Duration vrrp_garp_interval{};                        // between GARPs on one interface
    Duration vrrp_gna_interval{};                         // between NAs on one interface
    VrrpGarpExtraIf vrrp_garp_extra_if;
    uint32_t vrrp_down_timer_adverts = 3;                 // 1..100
    // Unset: each instance's strict mode. vrrp_strict forces true.
    std::optional<bool> vrrp_lower_prio_no_advert;
    // Unset: true unless vrrp_strict (halbd's default; keepalived's is false):
    // without it a split brain heals without the winner's GARPs about half
    // the time, whenever the loser hears the winner first.
    std::optional<bool> vrrp_higher_prio_send_advert;
    uint8_t vrrp_version = 2;                             // 2 or 3 (IPv6 instances use 3)
    bool vrrp_check_unicast_src = false;
    bool vrrp_skip_check_adv_addr = false;
    bool vrrp_strict = false;
    Location vrrp_strict_loc;
    Duration vrrp_startup_delay{};
    bool log_unknown_vrids = false;
    std::string vmac_prefix = "vrrp";
    std::optional<std::string> vmac_addr_prefix;          // default vmac_prefix
    DynamicInterfaces dynamic_interfaces = DynamicInterfaces::Off;
    bool disable_local_igmp = false;
    VrrpRxBufsPolicy vrrp_rx_bufs_policy = VrrpRxBufsPolicy::Default;
    uint32_t vrrp_rx_bufs_size = 0;                       // policy Size: the size in bytes
    uint32_t vrrp_rx_bufs_multiplier = 3;                 // >= 1

    // ---- firewall (no_accept mode, VMAC IGMP/MLD, virtual server group fwmarks) ----
    std::optional<VrrpIptables> vrrp_iptables;
    VrrpIpsets vrrp_ipsets;
    std::optional<std::string> nftables;                  // table name; default "keepalived"
    int32_t nftables_priority = -1;
    bool nftables_counters = false;
    bool nftables_ifindex = false;
    std::optional<std::string> nftables_ipvs;             // table name; default "keepalived_ipvs"
    int32_t nftables_ipvs_priority = -1;
    uint32_t nftables_ipvs_start_fwmark = 1000;

    // ---- netlink socket receive buffers (0 = system default) ----
    uint32_t vrrp_netlink_cmd_rcv_bufs = 0;
    bool vrrp_netlink_cmd_rcv_bufs_force = false;
    uint32_t vrrp_netlink_monitor_rcv_bufs = 0;
    bool vrrp_netlink_monitor_rcv_bufs_force = false;
    uint32_t lvs_netlink_cmd_rcv_bufs = 0;
    bool lvs_netlink_cmd_rcv_bufs_force = false;
    uint32_t lvs_netlink_monitor_rcv_bufs = 0;
    bool lvs_netlink_monitor_rcv_bufs_force = false;
    uint32_t process_monitor_rcv_bufs = 0;
    bool process_monitor_rcv_bufs_force = false;

    // ---- IPVS ----
    std::optional<LvsSyncDaemon> lvs_sync_daemon;
    LvsTimeouts lvs_timeouts;
    bool lvs_flush = false;
    Location lvs_flush_loc;
    LvsFlushOnStop lvs_flush_on_stop = LvsFlushOnStop::None;
    Location lvs_flush_on_stop_loc;
    LvsBackend lvs_backend = LvsBackend::Auto;

    // ---- checkers ----
    bool checker_log_all_failures = false;
    bool rs_init_notifies = false;

    // ---- files ----
    uint32_t umask = 022;  // IWGRP|IWOTH

    // ---- the process (keepalived's per-process keywords; halbd is one
    // process, so core/process_settings.cc combines the vrrp_ and checker_
    // sets: the higher real-time priority, the lower nice value, ...) ----
    ProcessDefs vrrp_process;     // vrrp_rt_priority, vrrp_priority, ...
    ProcessDefs checker_process;  // checker_rt_priority, checker_priority, ...

    // ---- BFD ----
    std::vector<BfdInstance> bfd_instances;  // file order; names unique
    // The instance named `name`, or nullptr.
    const BfdInstance* find_bfd_instance(std::string_view name) const {
        for (const auto& b : bfd_instances)
            if (b.name == name) return &b;
        return nullptr;
    }
};

}  // namespace halbd::config
