// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/keywords_vrrp.cc: the keyword table of a vrrp_instance block (and its
// authentication sub-block), plus the tracking/notify line parsers shared with
// vrrp_sync_group. Called by the parser through section_vrrp.cc; fills
// VrrpInstance as written; defaults and inheritance come in validate_vrrp.cc.
#include <cctype>

#include "config/vrrp_internal.hh"

namespace halbd::config::vrrp_detail {

namespace {

using std::chrono::seconds;

bool valid_ifname(std::string_view n) {
    if (n.empty() || n.size() >= 16 || n == "." || n == "..") return false;
    for (char c : n)
        if (c == '/' || c == ':' || std::isspace(static_cast<unsigned char>(c))) return false;
    return true;
}

// Optional `weight N [reverse|noreverse|no_reverse]` from argument `i` on.
bool parse_weight(Args& a, size_t i, int32_t max, std::optional<int32_t>& weight,
                  std::optional<bool>& reverse) {
    while (a.has(i)) {
        const std::string& k = a.str(i);
        if (k == "weight") {
            auto w = a.integer(i + 1, -max, max);
            if (!w) return false;
            weight = static_cast<int32_t>(*w);
            i += 2;
        } else if (k == "reverse") {
            reverse = true;
            ++i;
        } else if (k == "noreverse" || k == "no_reverse") {
            reverse = false;
            ++i;
        } else {
            a.error(i, "unexpected '" + k + "' (expected 'weight N [reverse|noreverse]')");
            return false;
        }
    }
    if (reverse && !weight) {
        a.error("'reverse' needs a 'weight'");
        return false;
    }
    return true;
}

std::optional<uint32_t> uint32(Args& a, size_t i, uint32_t min, uint32_t max) {
    auto v = a.uint(i, min, max);
    return v ? std::optional<uint32_t>(static_cast<uint32_t>(*v)) : std::nullopt;
}

// `garp_master_repeat 0` and friends: keepalived accepts 0 and uses 1.
void repeat(Args& a, std::optional<uint32_t>& out) {
    if (!a.count(1)) return;
    auto v = uint32(a, 0, 0, UINT32_MAX);
    if (!v) return;
    if (*v == 0) {
        a.warning(0, "'" + a.keyword() + "' must be at least 1; using 1");
        *v = 1;
    }
    out = *v;
}

void seconds_value(Args& a, std::optional<Duration>& out) {
    if (!a.count(1)) return;
    // keepalived: whole seconds up to UINT_MAX / TIMER_HZ.
    if (auto v = a.uint(0, 0, UINT32_MAX / 1000000)) out = seconds(*v);
}

void bool_opt(Args& a, std::optional<bool>& out) {
    if (!a.at_most(1)) return;
    if (auto v = a.boolean(0)) out = *v;
}

void address_list(Args& a, std::vector<IpAddressLine>& out) {
    a.parser().list(a, [&](Args& item) {
        if (auto l = parse_address_line(item, false)) out.push_back(std::move(*l));
    });
}

void src_ip(Args& a, std::optional<net::IpAddress>& out) {
    if (!a.count(1)) return;
    if (auto ip = a.ip(0)) out = *ip;
}

// use_vmac [IFNAME] [MAC]; the MAC may have 5 octets (the VRID is the 6th).
void use_vmac(VrrpInstance& v, Args& a) {
    v.use_vmac = true;
    for (size_t i = 0; i < a.size(); ++i) {
        const std::string& s = a.str(i);
        if (s.find(':') != std::string::npos) {
            std::array<uint8_t, 6> mac{};
            size_t n = 0, pos = 0;
            bool bad = false;
            while (pos <= s.size() && n < 6) {
                size_t end = s.find(':', pos);
                if (end == std::string::npos) end = s.size();
                std::string_view oct(s.data() + pos, end - pos);
                if (oct.empty() || oct.size() > 2 ||
                    oct.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos) {
                    bad = true;
                    break;
                }
                mac[n++] = static_cast<uint8_t>(std::stoul(std::string(oct), nullptr, 16));
                pos = end + 1;
                if (end == s.size()) break;
            }
            if (bad || (n != 5 && n != 6) || pos < s.size()) {
                a.error(i, "invalid MAC address '" + s + "' (expected 5 or 6 hex octets)");
                continue;
            }
            if (mac[0] & 1) {
                a.error(i, "MAC address '" + s + "' is a multicast address");
                continue;
            }
            if (mac[0] == 0 && mac[1] == 0 && mac[2] == 0x5e && mac[3] == 0 && (mac[4] == 1 || mac[4] == 2)) {
                a.error(i, "MAC address '" + s + "' is an RFC 5798 virtual router MAC; omit it to use that");
                continue;
            }
            v.use_vmac_mac = mac;
            v.use_vmac_mac_uses_vrid = n == 5;
            continue;
        }
        if (s == "name") continue;
        if (!valid_ifname(s)) {
            a.error(i, "invalid interface name '" + s + "' (at most 15 characters, no '/', ':' or spaces)");
            continue;
        }
        if (!v.use_vmac_ifname.empty()) a.error(i, "vmac interface name given twice");
        v.use_vmac_ifname = s;
    }
}

void use_ipvlan(VrrpInstance& v, Args& a) {
    v.use_ipvlan = true;
    for (size_t i = 0; i < a.size(); ++i) {
        const std::string& s = a.str(i);
        if (s == "bridge") v.use_ipvlan_mode = IpvlanMode::Bridge;
        else if (s == "private") v.use_ipvlan_mode = IpvlanMode::Private;
        else if (s == "vepa") v.use_ipvlan_mode = IpvlanMode::Vepa;
        else if (s == "name") continue;
        else if (auto p = net::Prefix::parse(s)) v.use_ipvlan_address = *p;
        else if (valid_ifname(s)) v.use_ipvlan_ifname = s;
        else a.error(i, "unexpected '" + s + "' (expected [IFNAME] [ADDRESS] [bridge|private|vepa])");
    }
}

// `garp_extra_if [all] SECONDS` (and its old name vmac_garp_intvl).
void garp_extra_if(VrrpInstance& v, Args& a) {
    if (!a.count(1, 2)) return;
    size_t i = 0;
    if (a.str(0) == "all") {
        v.garp_extra_if_all = true;
        i = 1;
    }
    if (auto n = uint32(a, i, 0, 86400)) v.garp_extra_if = *n;
}

const KeywordTable<VrrpInstance>& auth_table() {
    static const KeywordTable<VrrpInstance> t("authentication", {
        {"auth_type", [](VrrpInstance& v, Args& a) {
             if (!a.count(1)) return;
             if (auto c = a.choice(0, {"PASS", "AH"})) v.auth_type = *c == "AH" ? AuthType::Ah : AuthType::Pass;
         }},
        {"auth_pass", [](VrrpInstance& v, Args& a) {
             if (!a.count(1)) return;
             v.auth_pass = a.str(0);
             if (v.auth_pass.size() > 8) {
                 a.warning(0, "auth_pass is longer than 8 characters; only the first 8 are used");
                 v.auth_pass.resize(8);
             }
         }},
    });
    return t;
}

}  // namespace

void parse_track_interface(Args& a, std::vector<TrackedInterface>& out) {
    a.parser().list(a, [&](Args& item) {
        std::optional<int32_t> w;
        std::optional<bool> r;
        if (!parse_weight(item, 0, 253, w, r)) return;
        out.push_back({item.loc(), item.keyword(), w.value_or(0), r.value_or(false)});
    });
}

void parse_track_refs(Args& a, std::vector<TrackedRef>& out, int32_t max_weight) {
    a.parser().list(a, [&](Args& item) {
        TrackedRef t;
        t.loc = item.loc();
        t.name = item.keyword();
        if (!parse_weight(item, 0, max_weight, t.weight, t.reverse)) return;
        out.push_back(std::move(t));
    });
}

void parse_notify(Args& a, std::optional<Script>& out) {
    if (!a.count(1, 3)) return;
    if (out) a.warning(0, "'" + a.keyword() + "' given twice; the last one is used");
    if (a.str(0).empty()) {
        a.error(0, "'" + a.keyword() + "' needs a script");
        return;
    }
    out = Script{a.str(0), std::nullopt, a.loc()};
    if (a.has(1)) out->user = ScriptUser{a.str(1), a.str(2)};
}

const KeywordTable<VrrpInstance>& instance_table() {
    using V = VrrpInstance;
    static const KeywordTable<V> t("vrrp_instance", {
        {"state", [](V& v, Args& a) {
             if (!a.count(1)) return;
             if (auto c = a.choice(0, {"MASTER", "BACKUP"})) {
                 if (*c == "BACKUP" && v.state == VrrpState::Master)
                     a.warning(0, "state was already set to MASTER; BACKUP ignored");
                 else
                     v.state = *c == "MASTER" ? VrrpState::Master : VrrpState::Backup;
             }
         }},
        {"interface", [](V& v, Args& a) {
             if (!a.count(1)) return;
             if (!valid_ifname(a.str(0))) {
                 a.error(0, "invalid interface name '" + a.str(0) + "'");
                 return;
             }
             v.interface = a.str(0);
             v.interface_loc = a.loc(0);
         }},
        {"vrf", [](V& v, Args& a) {
             if (a.count(1)) v.vrf = a.str(0);
         }},
        {"use_vmac", use_vmac},
        {"use_vmac_addr", [](V& v, Args& a) { if (a.at_most(0)) v.use_vmac_addr = true; }, kFlag},
        {"vmac_xmit_base", [](V& v, Args& a) { if (a.at_most(0)) v.vmac_xmit_base = true; }, kFlag},
        {"use_ipvlan", use_ipvlan},
        {"native_ipv6", [](V&, Args& a) { a.at_most(0); }, kDeprecated | kFlag,
         "IPv6 addresses in virtual_ipaddress (they select the family)"},
        {"dont_track_primary", [](V& v, Args& a) { if (a.at_most(0)) v.dont_track_primary = true; }, kFlag},
        {"track_interface", [](V& v, Args& a) { parse_track_interface(a, v.track_interface); }},
        {"track_script", [](V& v, Args& a) { parse_track_refs(a, v.track_script, 253); }},
        {"track_file", [](V& v, Args& a) { parse_track_refs(a, v.track_file, 254); }},
        {"track_process", [](V& v, Args& a) { parse_track_refs(a, v.track_process, 254); }},
        {"track_bfd", [](V& v, Args& a) { parse_track_refs(a, v.track_bfd, 253); }},
        {"mcast_src_ip", [](V& v, Args& a) { src_ip(a, v.mcast_src_ip); }},
        {"unicast_src_ip", [](V& v, Args& a) { src_ip(a, v.unicast_src_ip); }},
        {"mcast_dst_ip", [](V& v, Args& a) { src_ip(a, v.mcast_dst_ip); }},
        {"track_src_ip", [](V& v, Args& a) { if (a.at_most(0)) v.track_src_ip = true; }, kFlag},
        {"version", [](V& v, Args& a) {
             if (!a.count(1)) return;
             if (auto c = a.choice(0, {"2", "3"})) v.version = static_cast<uint8_t>((*c)[0] - '0');
         }},
        {"check_unicast_src", [](V& v, Args& a) { if (a.at_most(0)) v.check_unicast_src = true; }, kFlag},
        {"unicast_peer", [](V& v, Args& a) {
             a.parser().list(a, [&](Args& item) {
                 auto addr = net::IpAddress::parse(item.keyword());
                 if (!addr) {
                     item.error("'" + item.keyword() + "' is not a valid IPv4 or IPv6 address");
                     return;
                 }
                 UnicastPeer p{item.loc(), *addr, {}, {}};
                 for (size_t i = 0; i < item.size(); i += 2) {
                     const std::string& k = item.str(i);
                     if (k != "min_ttl" && k != "max_ttl") {
                         item.error(i, "unexpected '" + k + "' (expected min_ttl N or max_ttl N)");
                         return;
                     }
                     auto n = item.uint(i + 1, 0, 255);
                     if (!n) return;
                     (k == "min_ttl" ? p.min_ttl : p.max_ttl) = static_cast<uint8_t>(*n);
                 }
                 if (p.min_ttl && p.max_ttl && *p.min_ttl > *p.max_ttl) {
                     item.error("min_ttl is greater than max_ttl");
                     return;
                 }
                 v.unicast_peer.push_back(p);
             });
         }},
        {"unicast_fault_no_peer", [](V& v, Args& a) { if (a.at_most(0)) v.unicast_fault_no_peer = true; }, kFlag},
        {"unicast_ttl", [](V& v, Args& a) {
             if (!a.count(1)) return;
             if (auto n = a.uint(0, 0, 255)) v.unicast_ttl = static_cast<uint8_t>(*n);
         }},
        {"old_unicast_checksum", [](V& v, Args& a) {
             if (!a.at_most(1)) return;
             if (!a.has(0)) v.old_unicast_checksum = OldUnicastChecksum::On;
             else if (a.choice(0, {"never"})) v.old_unicast_checksum = OldUnicastChecksum::Never;
         }},
        {"garp_master_delay", [](V& v, Args& a) { seconds_value(a, v.garp_master_delay); }},
        {"garp_master_repeat", [](V& v, Args& a) { repeat(a, v.garp_master_repeat); }},
        {"garp_lower_prio_delay", [](V& v, Args& a) { seconds_value(a, v.garp_lower_prio_delay); }},
        {"garp_lower_prio_repeat", [](V& v, Args& a) {
             if (!a.count(1)) return;
             if (auto n = uint32(a, 0, 0, 0x7FFFFFFF)) v.garp_lower_prio_repeat = *n;
         }},
        {"garp_master_refresh", [](V& v, Args& a) {
             // keepalived: any unsigned number of seconds (0 = no refresh).
             if (a.count(1)) if (auto n = uint32(a, 0, 0, UINT32_MAX)) v.garp_master_refresh = seconds(*n);
         }},
        {"garp_master_refresh_repeat", [](V& v, Args& a) { repeat(a, v.garp_master_refresh_repeat); }},
        {"garp_extra_if", garp_extra_if},
        {"vmac_garp_intvl", garp_extra_if, kDeprecated, "garp_extra_if"},
        {"down_timer_adverts", [](V& v, Args& a) {
             if (!a.count(1)) return;
             if (auto n = a.uint(0, 1, 100)) v.down_timer_adverts = static_cast<uint8_t>(*n);
         }},
        {"lower_prio_no_advert", [](V& v, Args& a) { bool_opt(a, v.lower_prio_no_advert); }},
        {"higher_prio_send_advert", [](V& v, Args& a) { bool_opt(a, v.higher_prio_send_advert); }},
        {"virtual_router_id", [](V& v, Args& a) {
             if (!a.count(1)) return;
             if (auto n = a.uint(0, 1, 255)) v.virtual_router_id = static_cast<uint8_t>(*n);
         }},
        {"priority", [](V& v, Args& a) {
             if (!a.count(1)) return;
             // keepalived: "Priority not valid! must be between 1 & 255. Using default 100".
             if (auto n = a.uint_or(0, 1, 255, 100)) v.priority = static_cast<uint8_t>(*n);
         }},
        {"advert_int", [](V& v, Args& a) {
             if (!a.count(1)) return;
             if (auto d = a.timer(0, std::chrono::milliseconds(10), seconds(255))) v.advert_int = *d;
         }},
        {"authentication", [](V& v, Args& a) {
             if (a.at_most(0)) a.parser().block(a, auth_table(), v);
         }},
        {"virtual_ipaddress", [](V& v, Args& a) { address_list(a, v.virtual_ipaddress); }},
        {"virtual_ipaddress_excluded", [](V& v, Args& a) { address_list(a, v.virtual_ipaddress_excluded); }},
        {"promote_secondaries", [](V& v, Args& a) { if (a.at_most(0)) v.promote_secondaries = true; }, kFlag},
        {"virtual_routes", [](V& v, Args& a) {
             a.parser().list(a, [&](Args& item) {
                 if (auto r = parse_route_line(item, false)) v.virtual_routes.push_back(std::move(*r));
             });
         }},
        {"virtual_rules", [](V& v, Args& a) {
             a.parser().list(a, [&](Args& item) {
                 if (auto r = parse_rule_line(item, false)) v.virtual_rules.push_back(std::move(*r));
             });
         }},
        {"accept", [](V& v, Args& a) { if (a.at_most(0)) v.accept = true; }, kFlag},
        {"no_accept", [](V& v, Args& a) { if (a.at_most(0)) v.accept = false; }, kFlag},
        {"nopreempt", [](V& v, Args& a) { if (a.at_most(0)) v.nopreempt = true; }, kFlag},
        {"preempt", [](V& v, Args& a) { if (a.at_most(0)) v.nopreempt = false; }, kFlag},
        {"preempt_delay", [](V& v, Args& a) {
             if (!a.count(1)) return;
             if (auto d = a.timer(0, Duration{}, seconds(1000))) v.preempt_delay = *d;
         }},
        {"skip_check_adv_addr", [](V& v, Args& a) { bool_opt(a, v.skip_check_adv_addr); }},
        {"strict_mode", [](V& v, Args& a) { bool_opt(a, v.strict_mode); }},
        {"debug", [](V& v, Args& a) {
             if (!a.at_most(1)) return;
             if (!a.has(0)) return;
             if (auto n = a.uint(0, 0, 4)) v.debug = static_cast<uint8_t>(*n);
         }},
        {"notify_master", [](V& v, Args& a) { parse_notify(a, v.notify_master); }},
        {"notify_backup", [](V& v, Args& a) { parse_notify(a, v.notify_backup); }},
        {"notify_fault", [](V& v, Args& a) { parse_notify(a, v.notify_fault); }},
        {"notify_stop", [](V& v, Args& a) { parse_notify(a, v.notify_stop); }},
        {"notify", [](V& v, Args& a) { parse_notify(a, v.notify); }},
        {"notify_master_rx_lower_pri", [](V& v, Args& a) { parse_notify(a, v.notify_master_rx_lower_pri); }},
        {"notify_deleted", [](V& v, Args& a) {
             v.notify_deleted_set = true;
             if (a.size() > 0) parse_notify(a, v.notify_deleted);
         }},
        {"smtp_alert", nullptr, kUnimplemented, "halbd does not send email alerts"},
        {"notify_priority_changes", [](V& v, Args& a) { bool_opt(a, v.notify_priority_changes); }},
        {"kernel_rx_buf_size", [](V& v, Args& a) {
             if (!a.count(1)) return;
             if (auto n = uint32(a, 0, 0, 0xFFFFFFFFu)) v.kernel_rx_buf_size = *n;
         }},
        {"linkbeat_use_polling", [](V& v, Args& a) { if (a.at_most(0)) v.linkbeat_use_polling = true; },
         kDeprecated | kFlag, "linkbeat_interfaces"},
        {"lvs_sync_daemon_interface", [](V& v, Args& a) {
             if (!a.count(1)) return;
             v.lvs_sync_daemon_interface = a.str(0);
             v.lvs_sync_daemon_interface_loc = a.loc();
         }, kDeprecated, "lvs_sync_daemon in global_defs"},
    });
    return t;
}

}  // namespace halbd::config::vrrp_detail
