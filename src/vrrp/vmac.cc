// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/vmac.cc: see vmac.hh. What is set, as keepalived 2.2.7 sets it:
//  - the macvlan: mode private, so frames sent from our own virtual MAC by
//    the peer (another VRRP router's VMAC) come to it, not to the parent;
//  - IPv4 instances: parent arp_ignore=1 and arp_filter=1 (only the VMAC
//    answers ARP for the VIPs, with the virtual MAC); VMAC arp_ignore=1,
//    accept_local=1, rp_filter=0, promote_secondaries=1, IPv6 disabled;
//  - IPv6 instances: no generated link-local (addr_gen_mode none, RFC 5798
//    §7.4); the adverts' source, the parent's link-local (or the configured
//    source, or one built from the parent's MAC), is added nodad and
//    deprecated (preferred_lft 0) so nothing else picks it.
// Deviations: we also set arp_announce=2 on the parent. Without it a master
// that answers a client from a VIP resolves the client on the parent with the
// VIP as sender address, and the client's neighbour entry for the VIP turns
// to the parent's MAC (keepalived 2.2.7 shows this too); the point of a VMAC
// is that it stays the virtual MAC. keepalived lowers every interface's rp_filter when
// net.ipv4.conf.all.rp_filter is set and restores it at exit; we leave it and
// log a warning, as all.rp_filter then overrides the VMAC's 0. Like 2.2.7 we
// leave the parent's arp_ignore / arp_filter set at exit (another VMAC on the
// same parent may still need them). keepalived's nftables rules keeping
// IGMP/MLD reports off VMACs are not installed.
#include "vrrp/vmac.hh"

#include <cerrno>

#include "core/log.hh"

namespace halbd::vrrp {

namespace {
std::string conf4(const std::string& ifname, const char* what) { return "net/ipv4/conf/" + ifname + "/" + what; }
std::string conf6(const std::string& ifname, const char* what) { return "net/ipv6/conf/" + ifname + "/" + what; }
constexpr int kAddrGenModeNone = 1;  // IN6_ADDR_GEN_MODE_NONE
}  // namespace

std::string vmac_name(const config::VrrpInstance& v, const config::GlobalDefs& g) {
    if (!v.use_vmac_ifname.empty()) return v.use_vmac_ifname;
    return g.vmac_prefix + "." + std::to_string(v.virtual_router_id);
}

net::MacAddress vmac_mac(const config::VrrpInstance& v) {
    if (v.use_vmac_mac) {
        net::MacAddress m = *v.use_vmac_mac;
        if (v.use_vmac_mac_uses_vrid) m[5] = v.virtual_router_id;
        return m;
    }
    return {0x00, 0x00, 0x5e, 0x00, static_cast<uint8_t>(v.family == net::Family::V4 ? 0x01 : 0x02),
            v.virtual_router_id};
}

std::string default_vip_dev(const config::VrrpInstance& v, const config::GlobalDefs& g, net::Family f) {
    return v.use_vmac && f == v.family ? vmac_name(v, g) : v.interface;
}

std::string advert_ifname(const config::VrrpInstance& v, const config::GlobalDefs& g) {
    return v.use_vmac && !v.vmac_xmit_base ? vmac_name(v, g) : v.interface;
}

std::string vmac_identity(const config::VrrpInstance& v) {
    if (!v.use_vmac) return "";
    std::string s = "/vmac";
    if (!v.use_vmac_ifname.empty()) s += " " + v.use_vmac_ifname;
    if (v.use_vmac_mac) s += " " + net::to_string(vmac_mac(v));
    if (v.vmac_xmit_base) s += "/xmit_base";
    return s;
}

std::string vmac_fault_source(const std::string& vmac) { return "VMAC " + vmac + " unusable"; }

net::IpAddress eui64_link_local(const net::MacAddress& mac) {
    uint8_t b[16] = {0xfe, 0x80};
    b[8] = mac[0] ^ 0x02;
    b[9] = mac[1];
    b[10] = mac[2];
    b[11] = 0xff;
    b[12] = 0xfe;
    b[13] = mac[3];
    b[14] = mac[4];
    b[15] = mac[5];
    return net::IpAddress::from_bytes(net::Family::V6, b);
}

Vmac::Vmac(VmacContext ctx, const config::VrrpInstance& v, const config::GlobalDefs& g)
    : ctx_(ctx),
      instance_(v.name),
      name_(vmac_name(v, g)),
      base_(v.interface),
      family_(v.family),
      mac_(vmac_mac(v)),
      source_(v.unicast_src_ip ? v.unicast_src_ip : v.mcast_src_ip) {}

Vmac::~Vmac() {
    if (ifindex_ == 0) return;
    if (keep_) {
        log::info(instance_, ": leaving VMAC ", name_, " in place (-V)");
        return;
    }
    auto d = ctx_.links.details(name_);
    if (!d || !*d || (*d)->kind != "macvlan") return;  // gone, or no longer ours
    if (auto st = ctx_.links.delete_link(name_); !st)
        log::error(instance_, ": cannot remove VMAC: ", st.error().message);
    else
        log::info(instance_, ": removed VMAC ", name_);
}

core::Result<bool> Vmac::ensure() {
    auto base = ctx_.links.details(base_);
    if (!base) return base.error();
    if (!*base) return core::Error{ENODEV, "VMAC " + name_ + ": interface " + base_ + " not found"};
    auto have = ctx_.links.details(name_);
    if (!have) return have.error();
    if (*have) {
        const net::LinkDetails& d = **have;
        if (d.kind != "macvlan")
            return core::Error{EEXIST, "VMAC " + name_ + ": an interface of that name exists and is not a macvlan"};
        if (d.lower_ifindex == (*base)->ifindex && d.mac == mac_ && d.private_mode) {
            if (d.ifindex == ifindex_ && d.up) return false;
            if (ifindex_ == 0) log::info(instance_, ": reusing VMAC ", name_, " (left by an earlier run)");
        } else {
            log::info(instance_, ": replacing macvlan ", name_, " (wrong parent, MAC or mode)");
            if (auto st = ctx_.links.delete_link(name_); !st) return st.error();
            have->reset();
        }
    }
    if (!*have) {
        if (auto st = ctx_.links.create_macvlan({name_, base_, mac_}); !st) return st.error();
        log::info(instance_, ": created VMAC ", name_, " on ", base_, " (", net::to_string(mac_), ")");
    }
    configure();
    if (auto st = ctx_.links.set_up(name_); !st) return st.error();
    if (family_ == net::Family::V6) add_link_local();
    auto now = ctx_.links.details(name_);
    if (!now) return now.error();
    if (!*now) return core::Error{ENODEV, "VMAC " + name_ + " vanished"};
    const bool fresh = (*now)->ifindex != ifindex_;
    ifindex_ = (*now)->ifindex;
    return fresh;
}

void Vmac::sysctl(const std::string& key, int value) {
    auto cur = ctx_.links.read_sysctl(key);
    if (cur && *cur == value) return;
    if (auto st = ctx_.links.write_sysctl(key, value); !st) log::warning(instance_, ": ", st.error().message);
}

void Vmac::configure() {
    sysctl(conf6(name_, "addr_gen_mode"), kAddrGenModeNone);
    if (family_ != net::Family::V4) return;
    sysctl(conf4(base_, "arp_ignore"), 1);
    sysctl(conf4(base_, "arp_filter"), 1);
    sysctl(conf4(base_, "arp_announce"), 2);
    sysctl(conf4(name_, "arp_ignore"), 1);
    sysctl(conf4(name_, "accept_local"), 1);
    sysctl(conf4(name_, "rp_filter"), 0);
    sysctl(conf4(name_, "promote_secondaries"), 1);
    sysctl(conf6(name_, "disable_ipv6"), 1);
    auto all = ctx_.links.read_sysctl(conf4("all", "rp_filter"));
    if (all && *all != 0 && !warned_rp_filter_) {
        warned_rp_filter_ = true;
        log::warning(instance_, ": net.ipv4.conf.all.rp_filter is ", *all, ", which overrides rp_filter 0 on ", name_,
                     "; traffic to the VIPs may be dropped");
    }
}

void Vmac::add_link_local() {
    std::optional<net::IpAddress> ll = source_;
    if (!ll)
        if (auto addrs = ctx_.addresses.addresses(base_, net::Family::V6))
            ll = net::primary_address(*addrs, net::Family::V6);
    if (!ll)
        if (auto base = ctx_.addresses.link(base_)) ll = eui64_link_local(base->mac);
    if (!ll) return;
    net::AddressSpec s;
    s.address = net::Prefix{*ll, 64};
    s.scope = 253;  // RT_SCOPE_LINK
    s.nodad = true;
    s.preferred_lft = 0;
    if (auto st = ctx_.addresses.add_address(name_, s); !st)
        log::warning(instance_, ": cannot add ", ll->to_string(), " to ", name_, ": ", st.error().message);
}

}  // namespace halbd::vrrp
