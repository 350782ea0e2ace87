// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/instance_io.cc: see instance_io.hh. Deviation: keepalived paces
// GARPs per interface across all instances (vrrp_garp_interval); we pace
// within each instance, which is the same whenever one instance owns the
// interface's VIPs. A send error is logged when it first appears and when it
// clears, and counted every time (a dead link must not flood the log).
#include "vrrp/instance_io.hh"

#include <algorithm>
#include <cstring>

#include "core/log.hh"
#include "vrrp/vmac.hh"

namespace halbd::vrrp {

net::AddressSpec address_spec(const config::IpAddressLine& line) {
    net::AddressSpec s;
    s.address = line.address;
    s.brd = line.brd;
    s.scope = line.scope;
    s.label = line.label;
    s.peer = line.peer;
    s.nodad = line.nodad || line.address.address.is_v6();
    s.noprefixroute = line.noprefixroute;
    s.home = line.home;
    s.mngtmpaddr = line.mngtmpaddr;
    s.autojoin = line.autojoin;
    s.preferred_lft = line.preferred_lft;
    return s;
}

InstanceIo::InstanceIo(IoContext ctx, const config::VrrpInstance& v, const config::GlobalDefs& g)
    : ctx_(ctx), name_(v.name), ifname_(v.interface), family_(v.family),
      routes_(v.name, ctx.addresses, ctx.routes, stats_.route_errors),
      restore_limit_(kRestorePeriod, kRestoreBurst),
      watch_log_(ctx.loop) {
    load(v, g);
    routes_.load(v);
    pace_timer_ = ctx_.loop.create_timer([this] { pump(); });
    restore_timer_ = ctx_.loop.create_timer([this] {
        if (restore_limit_.allow(ctx_.loop.now())) restore_vips();
    });
}

InstanceIo::~InstanceIo() = default;

void InstanceIo::load(const config::VrrpInstance& v, const config::GlobalDefs& g) {
    vips_.clear();
    for (const auto* list : {&v.virtual_ipaddress, &v.virtual_ipaddress_excluded})
        for (const auto& line : *list)
            vips_.push_back(Vip{line.dev.empty() ? default_vip_dev(v, g, line.address.address.family()) : line.dev,
                                address_spec(line), line.no_track});
    peers_.clear();
    for (const auto& p : v.unicast_peer) peers_.push_back(p.address);
    group_ = v.mcast_dst_ip ? *v.mcast_dst_ip
                            : (v.family == net::Family::V4 ? g.vrrp_mcast_group4 : g.vrrp_mcast_group6);
    unicast_ttl_ = v.unicast_ttl.value_or(255);
    configured_source_ = v.unicast_src_ip ? v.unicast_src_ip : v.mcast_src_ip;
    garp_interval_ = g.vrrp_garp_interval;
    gna_interval_ = g.vrrp_gna_interval;
}

void InstanceIo::bind(Instance* instance, Channel* channel) {
    instance_ = instance;
    channel_ = channel;
    primary_.reset();  // a new channel may be a new interface: learn the source again
    links_.clear();
}

void InstanceIo::update(const config::VrrpInstance& v, const config::GlobalDefs& g) {
    const auto old = vips_;
    load(v, g);
    routes_.update(v);
    if (!installed_) return;
    for (const auto& o : old)
        if (std::find(vips_.begin(), vips_.end(), o) == vips_.end()) uninstall(o);
    for (const auto& n : vips_)
        if (std::find(old.begin(), old.end(), n) == old.end()) install(n);
}

std::optional<net::IpAddress> InstanceIo::source() {
    if (configured_source_) return configured_source_;
    if (primary_) return primary_;
    auto addrs = ctx_.addresses.addresses(ifname_, family_);
    if (!addrs) return std::nullopt;
    std::vector<net::IpAddress> exclude;
    for (const auto& v : vips_) exclude.push_back(v.spec.address.address);
    primary_ = net::primary_address(*addrs, family_, exclude);
    if (primary_) {
        log::info(name_, ": sending adverts from ", primary_->to_string(), " (", ifname_, ")");
        if (instance_) instance_->set_primary_address(*primary_);
    }
    return primary_;
}

void InstanceIo::send_advert(uint8_t priority) {
    if (!instance_) return;
    if (!release_ && priority == kPriorityStop) return;  // -V: leave the peers believing we are master
    auto src = source();
    if (!src) {
        if (stats_.tx_no_source++ == 0)
            log::warning(name_, ": no usable ", family_ == net::Family::V4 ? "IPv4" : "link-local IPv6",
                         " address on ", ifname_, " yet; advert not sent");
        return;
    }
    if (!channel_) {
        ++stats_.tx_errors;
        return;
    }
    const Advert advert = make_advert(instance_->config(), priority);
    auto send_to = [&](const net::IpAddress& dst, uint8_t ttl) {
        const auto bytes = encode(advert, *src, dst);
        auto st = channel_->send(*src, dst, bytes, ttl);
        if (!st) {
            ++stats_.tx_errors;
            if (st.error().code != last_tx_errno_) log::error(name_, ": ", st.error().message);
            last_tx_errno_ = st.error().code;
        } else if (last_tx_errno_ != 0) {
            log::info(name_, ": adverts are being sent again on ", ifname_);
            last_tx_errno_ = 0;
        }
    };
    if (peers_.empty())
        send_to(group_, kVrrpTtl);
    else
        for (const auto& p : peers_) send_to(p, unicast_ttl_);
}

std::vector<InstanceIo::VipView> InstanceIo::vips() const {
    std::vector<VipView> out;
    for (const auto& v : vips_) out.push_back(VipView{v.dev, v.spec.address});
    return out;
}

namespace {
// "192.0.2.10/24 on eth0, 2001:db8::10/64 on eth0": the log names what it
// changed, up to kListed addresses, then how many more.
constexpr size_t kListed = 8;
std::string vip_list(const std::vector<InstanceIo::VipView>& vips) {
    std::string out;
    for (size_t k = 0; k < vips.size() && k < kListed; ++k)
        out += (k ? ", " : "") + vips[k].address.to_string() + " on " + vips[k].dev;
    if (vips.size() > kListed) out += log::concat(" and ", vips.size() - kListed, " more");
    return out;
}
}  // namespace

void InstanceIo::install(const Vip& vip) {
    auto st = ctx_.addresses.add_address(vip.dev, vip.spec);
    if (!st) {
        ++stats_.vip_errors;
        log::error(name_, ": cannot add VIP: ", st.error().message);
    }
}

void InstanceIo::uninstall(const Vip& vip) {
    auto st = ctx_.addresses.remove_address(vip.dev, vip.spec);
    if (!st) {
        ++stats_.vip_errors;
        log::error(name_, ": cannot remove VIP: ", st.error().message);
    }
}

void InstanceIo::add_vips() {
    links_.clear();
    reset_watch();
    for (const auto& v : vips_) install(v);
    installed_ = true;
    if (!vips_.empty()) log::info(name_, ": added ", vips_.size(), " VIP(s): ", vip_list(vips()));
    routes_.install("MASTER");
}

void InstanceIo::remove_vips() {
    queue_.clear();
    pace_timer_->cancel();
    reset_watch();
    if (!installed_) return;
    if (!release_) {
        log::info(name_, ": leaving ", vips_.size(), " VIP(s) in place (-V): ", vip_list(vips()));
        return;
    }
    routes_.uninstall("leaving MASTER");
    for (const auto& v : vips_) uninstall(v);
    installed_ = false;
    if (!vips_.empty()) log::info(name_, ": removed ", vips_.size(), " VIP(s): ", vip_list(vips()));
}

void InstanceIo::remove_stale_vips() {
    routes_.remove_stale();
    for (const auto& v : vips_) {
        auto have = ctx_.addresses.addresses(v.dev, v.spec.address.address.family());
        if (!have) continue;
        const bool present = std::any_of(have->begin(), have->end(), [&](const net::InterfaceAddress& a) {
            return a.address.address == v.spec.address.address;
        });
        if (!present) continue;
        log::info(name_, ": removing stale VIP ", v.spec.address.to_string(), " from ", v.dev);
        uninstall(v);
    }
}

std::optional<net::LinkInfo> InstanceIo::link(const std::string& dev) {
    if (auto it = links_.find(dev); it != links_.end()) return it->second;
    auto l = ctx_.addresses.link(dev);
    if (!l) return std::nullopt;
    links_[dev] = *l;
    return *l;
}

void InstanceIo::announce(uint32_t repeat, AnnounceReason) {
    for (uint32_t r = 0; r < repeat; ++r)
        for (const auto& v : vips_) queue_.push_back({v.dev, v.spec.address.address});
    if (!pace_timer_->armed()) pump();
}

// Sends queued announcements until one needs a pause (vrrp_garp_interval /
// vrrp_gna_interval), then lets the timer resume.
void InstanceIo::pump() {
    while (!queue_.empty()) {
        const Pending p = queue_.front();
        queue_.pop_front();
        auto l = link(p.dev);
        core::Status st = core::Ok{};
        if (!l) {
            st = core::Error{ENODEV, "interface " + p.dev + " not found"};
        } else if (p.ip.is_v4()) {
            st = ctx_.announcer.garp(*l, p.ip);
            if (st) ++stats_.garps_sent;
        } else {
            st = ctx_.announcer.unsolicited_na(*l, p.ip);
            if (st) ++stats_.nas_sent;
        }
        if (!st && stats_.announce_errors++ == 0) log::error(name_, ": ", st.error().message);
        const Duration pause = p.ip.is_v4() ? garp_interval_ : gna_interval_;
        if (pause > Duration::zero() && !queue_.empty()) {
            pace_timer_->arm(pause);
            return;
        }
    }
}

}  // namespace halbd::vrrp
