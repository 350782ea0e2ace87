// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/vmac.hh: use_vmac, the instance's macvlan (keepalived's VMAC). Vmac
// owns one macvlan (mode private) on the instance's interface with the RFC
// 5798 §7.3 virtual router MAC, the sysctls that make it work, and for IPv6 a
// link-local address; the VRRP subsystem makes one per use_vmac instance,
// before the instance's channel and VIPs, which then live on it. The pure
// helpers say where VIPs and adverts go.
#pragma once

#include <string>

#include "config/model.hh"
#include "core/result.hh"
#include "net/address_backend.hh"
#include "net/link_backend.hh"

namespace halbd::vrrp {

// use_vmac NAME, else vmac_prefix "." VRID. keepalived 2.2.7 names IPv6
// instances' VMACs the same way ("vrrp.61"), so we do too.
std::string vmac_name(const config::VrrpInstance& v, const config::GlobalDefs& g);
// 00:00:5e:00:01:VRID (IPv4) or 00:00:5e:00:02:VRID (IPv6), or use_vmac's MAC
// (its 6th octet the VRID when 5 were given).
net::MacAddress vmac_mac(const config::VrrpInstance& v);
// Where a VIP / eVIP line without `dev` goes: the VMAC for the instance's
// family, else the instance's interface.
std::string default_vip_dev(const config::VrrpInstance& v, const config::GlobalDefs& g, net::Family f);
// The interface adverts are sent and received on: the VMAC, unless
// vmac_xmit_base (or no use_vmac): the instance's interface.
std::string advert_ifname(const config::VrrpInstance& v, const config::GlobalDefs& g);
// The part of an instance's identity (VrrpSubsystem) use_vmac adds: a change
// restarts the instance, since its VIPs and adverts move.
std::string vmac_identity(const config::VrrpInstance& v);
// The instance's fault source while its VMAC cannot be made.
std::string vmac_fault_source(const std::string& vmac);
// fe80::/64 with the modified EUI-64 interface identifier of mac (RFC 4291 §2.5.1).
net::IpAddress eui64_link_local(const net::MacAddress& mac);

struct VmacContext {
    net::LinkBackend& links;
    net::AddressBackend& addresses;
};

class Vmac {
public:
    Vmac(VmacContext ctx, const config::VrrpInstance& v, const config::GlobalDefs& g);
    // Deletes the macvlan, unless kept (-V: the VIPs on it stay).
    ~Vmac();
    Vmac(const Vmac&) = delete;
    Vmac& operator=(const Vmac&) = delete;

    // Makes the macvlan exist, configured and up: reuses one of the right
    // kind (lower link, MAC, mode private) left by an earlier run, replaces a
    // macvlan of the wrong kind, refuses to touch a link of another kind.
    // True when the link is new to us (created, or its ifindex changed).
    core::Result<bool> ensure();
    void set_keep(bool keep) { keep_ = keep; }

    const std::string& name() const { return name_; }
    const std::string& base() const { return base_; }
    int ifindex() const { return ifindex_; }

private:
    void configure();
    void add_link_local();
    void sysctl(const std::string& key, int value);

    VmacContext ctx_;
    std::string instance_;
    std::string name_;
    std::string base_;
    net::Family family_;
    net::MacAddress mac_;
    std::optional<net::IpAddress> source_;  // mcast_src_ip / unicast_src_ip
    int ifindex_ = 0;                       // of the link we configured; 0: none yet
    bool keep_ = false;
    bool warned_rp_filter_ = false;
};

}  // namespace halbd::vrrp
