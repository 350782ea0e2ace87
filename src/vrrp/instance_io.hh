// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/instance_io.hh: InstanceIo, the Actions of one Instance bound to the
// world: adverts go out on the instance's Channel (multicast group or each
// unicast peer), VIPs (virtual_ipaddress and virtual_ipaddress_excluded) are
// added and removed through net::AddressBackend, GARPs / unsolicited NAs
// leave through net::Announcer paced by vrrp_garp_interval /
// vrrp_gna_interval on a loop timer; virtual_routes/rules follow the VIPs
// (VirtualRoutes). Owned by the VRRP subsystem, one per
// instance, next to the Instance it serves; owns the pacing timer.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "config/model.hh"
#include "core/event_loop.hh"
#include "core/log_limiter.hh"
#include "core/rate_limit.hh"
#include "net/address_backend.hh"
#include "net/address_monitor.hh"
#include "net/announcer.hh"
#include "net/route_backend.hh"
#include "vrrp/instance.hh"
#include "vrrp/transport.hh"
#include "vrrp/virtual_routes.hh"

namespace halbd::vrrp {

// What InstanceIo needs from the daemon: the loop and the kernel adapters.
struct IoContext {
    core::EventLoop& loop;
    net::AddressBackend& addresses;
    net::Announcer& announcer;
    net::RouteBackend& routes;
};

struct IoStats {
    uint64_t tx_errors = 0;
    uint64_t tx_no_source = 0;  // no usable source address yet (IPv6 link-local in DAD)
    uint64_t vip_errors = 0;
    uint64_t route_errors = 0;  // virtual_routes and virtual_rules
    uint64_t garps_sent = 0;
    uint64_t nas_sent = 0;
    uint64_t announce_errors = 0;
    uint64_t vips_restored = 0;  // put back after someone else removed them (vip_watch.cc)
};

// VIPs someone else removes are put back at most this often (a fight with
// another tool must not become a busy loop): 4 at once, then 4 per second.
inline constexpr uint32_t kRestoreBurst = 4;
inline constexpr Duration kRestorePeriod = std::chrono::milliseconds(250);

class InstanceIo final : public Actions {
public:
    InstanceIo(IoContext ctx, const config::VrrpInstance& v, const config::GlobalDefs& g);
    ~InstanceIo() override;
    InstanceIo(const InstanceIo&) = delete;
    InstanceIo& operator=(const InstanceIo&) = delete;

    // Binds to the instance it acts for and the channel adverts go out on
    // (null: sends fail and are counted). The advert source is looked up again.
    void bind(Instance* instance, Channel* channel);
    // Reload with the same identity: new VIP list, peers, group; while the
    // VIPs are installed only the difference is applied.
    void update(const config::VrrpInstance& v, const config::GlobalDefs& g);
    // -V: on stop, neither priority 0 nor VIP removal.
    void set_release_on_stop(bool release) { release_ = release; }

    // The advert source: unicast_src_ip / mcast_src_ip, else the interface's
    // primary IPv4 / link-local IPv6 address (looked up until found).
    std::optional<net::IpAddress> source();

    void send_advert(uint8_t priority) override;
    void add_vips() override;
    void remove_vips() override;
    // At start, before the instance runs: removes our VIPs that the kernel
    // still holds (left by a crash or a kill -9), since a Backup must not.
    void remove_stale_vips();
    void announce(uint32_t repeat, AnnounceReason why) override;

    // VIP watch (vrrp/vip_watch.cc). The kernel reported an address change:
    // while the VIPs are installed, one that someone else removed is put
    // back, with a GARP / NA and a log line, unless it is no_track (then it
    // stays missing until the next MASTER, as keepalived does). Restores
    // are rate-limited (kRestoreBurst at once, then one per kRestorePeriod);
    // lost events: every VIP is checked.
    void on_address(const net::AddressEvent& e);
    // The VIPs that should be installed and are known missing from the kernel.
    std::vector<net::Prefix> missing_vips() const;

    // Every VIP (and excluded VIP) with its prefix length and device, in
    // configuration order.
    struct VipView {
        std::string dev;
        net::Prefix address;
    };
    std::vector<VipView> vips() const;
    bool vips_installed() const { return installed_; }
    const VirtualRoutes& routes() const { return routes_; }
    const IoStats& stats() const { return stats_; }
    const net::IpAddress& group() const { return group_; }
    const std::string& ifname() const { return ifname_; }

private:
    struct Vip {
        std::string dev;
        net::AddressSpec spec;
        bool no_track = false;  // not restored when someone removes it
        friend bool operator==(const Vip&, const Vip&) = default;
    };
    using VipKey = std::pair<std::string, net::IpAddress>;  // dev, address
    struct Pending {
        std::string dev;
        net::IpAddress ip;
    };

    void load(const config::VrrpInstance& v, const config::GlobalDefs& g);
    void install(const Vip& vip);
    void uninstall(const Vip& vip);
    void pump();
    void restore_vips();  // vip_watch.cc
    void reset_watch();
    std::optional<net::LinkInfo> link(const std::string& dev);

    IoContext ctx_;
    std::string name_;
    std::string ifname_;
    net::Family family_;
    std::vector<Vip> vips_;
    std::vector<net::IpAddress> peers_;
    net::IpAddress group_;
    uint8_t unicast_ttl_ = 255;
    std::optional<net::IpAddress> configured_source_;
    std::optional<net::IpAddress> primary_;
    Duration garp_interval_{};
    Duration gna_interval_{};
    bool release_ = true;
    bool installed_ = false;
    int last_tx_errno_ = 0;

    Instance* instance_ = nullptr;
    Channel* channel_ = nullptr;
    std::map<std::string, net::LinkInfo> links_;  // cache, refreshed by add_vips()
    std::deque<Pending> queue_;
    IoStats stats_;
    core::TimerPtr pace_timer_;
    VirtualRoutes routes_;
    // VIP watch (vip_watch.cc).
    std::set<VipKey> missing_;
    bool check_all_ = false;
    core::RateLimit restore_limit_;
    core::TimerPtr restore_timer_;
    core::log::Limiter watch_log_;
};

// The AddressSpec of a virtual_ipaddress line (IPv6 VIPs without DAD, as keepalived adds them).
net::AddressSpec address_spec(const config::IpAddressLine& line);

}  // namespace halbd::vrrp
