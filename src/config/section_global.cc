// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/section_global.cc: the keywords of the global section: the daemon
// keywords allowed at top level, `global_defs { ... }` and `bfd_instance`
// (its block in keywords_bfd.cc). Called through add_global_keywords() (see
// sections.cc); fills GlobalDefs (model_global.hh). Validation is in
// validate_global.cc, dump in dump_global.cc.
#include <cctype>
#include <charconv>

#include "config/model.hh"
#include "config/sections.hh"
#include "core/netns.hh"

namespace halbd::config {

namespace {

using std::chrono::seconds;

std::string quote(std::string_view s) { return "'" + std::string(s) + "'"; }

// ---- generic handlers, instantiated per field -----------------------------

// A flag (`vrrp_strict`) or a <BOOL> keyword: no argument means true.
template <bool GlobalDefs::*F>
void set_bool(GlobalDefs& g, Args& a) {
    if (!a.at_most(1)) return;
    if (auto v = a.boolean(0)) g.*F = *v;
}

template <uint32_t GlobalDefs::*F, uint32_t Min, uint32_t Max>
void set_u32(GlobalDefs& g, Args& a) {
    if (!a.count(1)) return;
    if (auto v = a.uint(0, Min, Max)) g.*F = static_cast<uint32_t>(*v);
}

// Whole seconds (keepalived reads these as unsigned integers).
template <Duration GlobalDefs::*F, uint32_t Max>
void set_secs(GlobalDefs& g, Args& a) {
    if (!a.count(1)) return;
    if (auto v = a.uint(0, 0, Max)) g.*F = seconds(*v);
}

// Seconds with microsecond resolution.
template <Duration GlobalDefs::*F>
void set_timer(GlobalDefs& g, Args& a) {
    if (!a.count(1)) return;
    if (auto v = a.timer(0, Duration{}, seconds(4294))) g.*F = *v;
}

template <int32_t GlobalDefs::*F>
void set_i32(GlobalDefs& g, Args& a) {
    if (!a.count(1)) return;
    if (auto v = a.integer(0, INT32_MIN, INT32_MAX)) g.*F = static_cast<int32_t>(*v);
}

// `NAME [user [group]]` tail starting at argument i.
std::optional<ScriptUser> user_at(Args& a, size_t i) {
    if (!a.has(i)) return std::nullopt;
    return ScriptUser{a.str(i), a.has(i + 1) ? a.str(i + 1) : std::string()};
}

// SCRIPT [user [group]]
std::optional<Script> script(Args& a) {
    if (!a.count(1, 3)) return std::nullopt;
    if (a.str(0).empty()) {
        a.error(0, quote(a.keyword()) + " needs a script, got an empty string");
        return std::nullopt;
    }
    return Script{a.str(0), user_at(a, 1), a.loc()};
}

template <std::optional<Script> GlobalDefs::*F>
void set_script(GlobalDefs& g, Args& a) {
    if ((g.*F).has_value()) {
        a.warning(quote(a.keyword()) + " already specified; ignoring this one");
        return;
    }
    if (auto s = script(a)) g.*F = std::move(*s);
}

template <std::optional<NotifyFifo> GlobalDefs::*F>
void set_fifo(GlobalDefs& g, Args& a) {
    if (!a.count(1, 3)) return;
    if ((g.*F).has_value()) {
        a.warning(0, quote(a.keyword()) + " already specified; ignoring " + quote(a.str(0)));
        return;
    }
    if (a.str(0).empty()) {
        a.error(0, quote(a.keyword()) + " needs a FIFO path, got an empty string");
        return;
    }
    g.*F = NotifyFifo{a.str(0), user_at(a, 1), a.loc()};
}

// Like keepalived: "vmac prefix has already been specified - ignoring".
template <std::optional<std::string> GlobalDefs::*F>
void set_table_name(GlobalDefs& g, Args& a, std::string_view dflt) {
    if (!a.at_most(1)) return;
    if ((g.*F).has_value()) {
        a.warning(quote(a.keyword()) + " already specified; ignoring this one");
        return;
    }
    std::string name = a.has(0) ? a.str(0) : std::string(dflt);
    if (name.empty() || name.size() > 255) {  // NFT_TABLE_MAXNAMELEN 256
        a.error(0, quote(a.keyword()) + " table name must be 1-255 characters");
        return;
    }
    // halbd speaks nft's text syntax, where a table name is an identifier
    // (keepalived, building netlink messages itself, takes any name).
    auto ident = [](char c, bool first) {
        return std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
               (!first && (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.'));
    };
    for (size_t i = 0; i < name.size(); ++i) {
        if (!ident(name[i], i == 0)) {
            a.error(0, quote(a.keyword()) + " table name " + quote(name) +
                           " must start with a letter or '_' and hold only letters, digits, '_', '-' and '.'");
            return;
        }
    }
    g.*F = std::move(name);
}

// ---- specific handlers -----------------------------------------------------

// net_namespace NAME (keepalived: a top-level keyword; the first one counts).
void net_namespace(GlobalDefs& g, Args& a) {
    if (!a.count(1)) return;
    if (!g.net_namespace.empty()) {
        a.warning(0, "'net_namespace' already given as " + quote(g.net_namespace) + "; ignoring " +
                         quote(a.str(0)));
        return;
    }
    if (!core::valid_netns_name(a.str(0))) {
        a.error(0, "'net_namespace' " + quote(a.str(0)) + " is not a namespace name (as 'ip netns add' takes)");
        return;
    }
    g.net_namespace = a.str(0);
    g.net_namespace_loc = a.loc();
}

void router_id(GlobalDefs& g, Args& a) {
    if (a.count(1)) g.router_id = a.str(0);
}

// ADDR:PORT, or [ADDR]:PORT for IPv6; port 1-65535.
void metrics_listen(GlobalDefs& g, Args& a) {
    if (!a.count(1)) return;
    const std::string& t = a.str(0);
    std::string addr, port;
    if (!t.empty() && t[0] == '[') {
        const auto close = t.find("]:");
        if (close != std::string::npos) addr = t.substr(1, close - 1), port = t.substr(close + 2);
    } else if (const auto colon = t.rfind(':'); colon != std::string::npos && t.find(':') == colon) {
        addr = t.substr(0, colon), port = t.substr(colon + 1);
    }
    const auto ip = net::IpAddress::parse(addr);
    unsigned long n = 0;
    const bool digits = !port.empty() && port.size() <= 5 && port.find_first_not_of("0123456789") == std::string::npos;
    if (digits) n = std::stoul(port);
    if (!ip || !digits || n < 1 || n > 65535) {
        a.error(0, "'metrics_listen' expects ADDRESS:PORT (IPv6 as [ADDRESS]:PORT), port 1-65535; got " + quote(t));
        return;
    }
    g.metrics_listen = MetricsListen{*ip, static_cast<uint16_t>(n), a.loc(0)};
}

void script_user(GlobalDefs& g, Args& a) {
    if (!a.count(1, 2)) return;
    g.script_user = user_at(a, 0);
    g.script_user_loc = a.loc();
}

void script_timeout(Duration& d, Args& a) {
    if (!a.count(1)) return;
    if (auto v = a.uint(0, 1, 1000)) d = seconds(*v);
}

void mcast_group(net::IpAddress& out, Args& a, bool v4) {
    if (!a.count(1)) return;
    auto ip = a.ip(0);
    if (!ip) return;
    if (ip->is_v4() != v4) {
        a.error(0, quote(a.keyword()) + " needs an " + (v4 ? "IPv4" : "IPv6") +
                       " multicast address, got " + quote(a.str(0)));
        return;
    }
    if (!ip->is_multicast()) {
        a.error(0, quote(a.keyword()) + " needs a multicast address, got " + quote(a.str(0)));
        return;
    }
    if (!v4 && (ip->bytes()[1] & 0x0f) != 0x02)
        a.warning(0, quote(a.keyword()) + " " + quote(a.str(0)) +
                         " is not a link-local scope multicast address");
    out = *ip;
}

void default_interface(GlobalDefs& g, Args& a) {
    if (!a.count(1)) return;
    g.default_interface = a.str(0);
    g.default_interface_loc = a.loc(0);
}

// keepalived's vrrp_min_garp: one GARP/NA burst of one message, no second
// burst; only values still at their default are changed, and a later explicit
// keyword overrides, exactly as in keepalived.
void vrrp_min_garp(GlobalDefs& g, Args& a) {
    if (!a.at_most(1)) return;
    auto v = a.boolean(0);
    if (!v) return;
    g.vrrp_min_garp = *v;
    if (!*v) return;
    if (g.vrrp_garp_master_repeat == 5) g.vrrp_garp_master_repeat = 1;
    if (g.vrrp_garp_master_delay == seconds(5)) g.vrrp_garp_master_delay = Duration{};
}

void vrrp_garp_master_repeat(GlobalDefs& g, Args& a) {
    if (!a.count(1)) return;
    auto v = a.uint(0, 0, UINT32_MAX);
    if (!v) return;
    if (*v == 0) {
        a.warning(0, "'vrrp_garp_master_repeat' must be at least 1; using 1");
        *v = 1;
    }
    g.vrrp_garp_master_repeat = static_cast<uint32_t>(*v);
}

void vrrp_garp_master_refresh_repeat(GlobalDefs& g, Args& a) {
    if (!a.count(1)) return;
    auto v = a.uint(0, 0, UINT32_MAX);
    if (!v) return;
    if (*v == 0) {
        a.warning(0, "'vrrp_garp_master_refresh_repeat' must be at least 1; using 1");
        *v = 1;
    }
    g.vrrp_garp_master_refresh_repeat = static_cast<uint32_t>(*v);
}

void vrrp_garp_lower_prio_delay(GlobalDefs& g, Args& a) {
    if (!a.count(1)) return;
    if (auto v = a.uint(0, 0, 4294)) g.vrrp_garp_lower_prio_delay = seconds(*v);
}

void vrrp_garp_lower_prio_repeat(GlobalDefs& g, Args& a) {
    if (!a.count(1)) return;
    if (auto v = a.uint(0, 0, INT32_MAX)) g.vrrp_garp_lower_prio_repeat = static_cast<uint32_t>(*v);
}

// vrrp_garp_extra_if [all] SECS (the words in any order)
void vrrp_garp_extra_if(GlobalDefs& g, Args& a) {
    if (!a.count(1, 2)) return;
    bool all = false;
    std::optional<uint64_t> secs;
    for (size_t i = 0; i < a.size(); ++i) {
        if (a.str(i) == "all") {
            all = true;
            continue;
        }
        secs = a.uint(i, 1, 86400);
        if (!secs) return;
    }
    if (!secs) {
        a.error(quote(a.keyword()) + " needs an interval in seconds (1-86400)");
        return;
    }
    g.vrrp_garp_extra_if = {seconds(*secs), all};
    // Parsed and dumped, but no subsystem sends these GARPs yet.
    if (*secs) a.warning(0, not_implemented("'vrrp_garp_extra_if'"));
}

void vrrp_higher_prio_send_advert(GlobalDefs& g, Args& a) {
    if (!a.at_most(1)) return;
    if (auto v = a.boolean(0)) g.vrrp_higher_prio_send_advert = *v;
}

void vrrp_lower_prio_no_advert(GlobalDefs& g, Args& a) {
    if (!a.at_most(1)) return;
    if (auto v = a.boolean(0)) g.vrrp_lower_prio_no_advert = *v;
}

void vrrp_version(GlobalDefs& g, Args& a) {
    if (!a.count(1)) return;
    if (auto v = a.uint(0, 2, 3)) g.vrrp_version = static_cast<uint8_t>(*v);
}

void vrrp_strict(GlobalDefs& g, Args& a) {
    if (!a.at_most(1)) return;
    if (auto v = a.boolean(0)) {
        g.vrrp_strict = *v;
        g.vrrp_strict_loc = a.loc();
    }
}

void vrrp_iptables(GlobalDefs& g, Args& a) {
    if (!a.at_most(2)) return;
    if (g.vrrp_iptables) {
        a.warning("'vrrp_iptables' already specified; ignoring this one");
        return;
    }
    VrrpIptables t;
    if (a.size() == 0) {
        t.in_chain = "INPUT";
        t.out_chain = "OUTPUT";
    } else {
        for (size_t i = 0; i < a.size(); ++i) {
            // XT_EXTENSION_MAXNAMELEN (29) - 1 as in keepalived
            if (a.str(i).empty() || a.str(i).size() >= 28) {
                a.error(i, "iptables chain name " + quote(a.str(i)) + " must be 1-27 characters");
                return;
            }
        }
        t.in_chain = a.str(0);
        t.out_chain = a.size() > 1 ? a.str(1) : std::string();
    }
    g.vrrp_iptables = std::move(t);
}

// keepalived's vrrp_ipsets_handler: names left out are derived from the
// previous one (ADDR6 = ADDR + "6", ADDR_IF6 = ADDR6 without a trailing 6 +
// "_if6"). Without names keepalived uses
// per-address iptables rules; halbd always uses sets, with the default names.
void vrrp_ipsets(GlobalDefs& g, Args& a) {
    if (!a.at_most(5)) return;
    g.vrrp_ipsets = VrrpIpsets{};
    if (a.size() == 0) {
        a.warning("'vrrp_ipsets' without names: keepalived then filters with one iptables rule per address; "
                  "halbd uses the ipsets keepalived, keepalived6 and keepalived_if6");
        return;
    }
    for (size_t i = 0; i < a.size(); ++i) {
        // IPSET_MAXNAMELEN (32) - 1, the suffixes included, as keepalived
        if (a.str(i).empty() || a.str(i).size() >= 31) {
            a.error(i, "ipset name " + quote(a.str(i)) + " must be 1-30 characters");
            return;
        }
    }
    VrrpIpsets& s = g.vrrp_ipsets;
    s.address = a.str(0);
    s.address6 = a.size() > 1 ? a.str(1) : s.address.substr(0, 29) + "6";
    if (a.size() > 2) {
        s.address_iface6 = a.str(2);
    } else {
        std::string base = s.address6;
        if (!base.empty() && base.back() == '6') base.pop_back();
        s.address_iface6 = base.substr(0, 26) + "_if6";
    }
    if (a.size() > 3)
        a.warning(3, "the IGMP/MLD set names are ignored: halbd does not filter IGMP/MLD reports with ipsets");
}

void vrrp_startup_delay(GlobalDefs& g, Args& a) {
    if (!a.count(1)) return;
    if (auto v = a.timer(0, Duration{}, seconds(4294))) g.vrrp_startup_delay = *v;
}

void vmac_prefix(GlobalDefs& g, Args& a) {
    if (!a.count(1)) return;
    // A VMAC name is prefix + VRID (+ "_" + index): keep it within IFNAMSIZ.
    if (a.str(0).empty() || a.str(0).size() > 10) {
        a.error(0, quote(a.keyword()) + " must be 1-10 characters, got " + quote(a.str(0)));
        return;
    }
    if (a.keyword() == "vmac_prefix")
        g.vmac_prefix = a.str(0);
    else
        g.vmac_addr_prefix = a.str(0);
}

void dynamic_interfaces(GlobalDefs& g, Args& a) {
    if (!a.at_most(1)) return;
    if (!a.has(0)) {
        g.dynamic_interfaces = DynamicInterfaces::On;
        return;
    }
    if (a.choice(0, {"allow_if_changes"})) g.dynamic_interfaces = DynamicInterfaces::AllowIfChanges;
}

void vrrp_rx_bufs_policy(GlobalDefs& g, Args& a) {
    if (!a.count(1)) return;
    std::string s = a.str(0);
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (s == "MTU") {
        g.vrrp_rx_bufs_policy = VrrpRxBufsPolicy::Mtu;
    } else if (s == "ADVERT") {
        g.vrrp_rx_bufs_policy = VrrpRxBufsPolicy::Advert;
    } else if (!s.empty() && std::isdigit(static_cast<unsigned char>(s[0]))) {
        if (auto v = a.uint(0, 1, UINT32_MAX)) {
            g.vrrp_rx_bufs_policy = VrrpRxBufsPolicy::Size;
            g.vrrp_rx_bufs_size = static_cast<uint32_t>(*v);
        }
    } else {
        a.error(0, "'vrrp_rx_bufs_policy' expects MTU|ADVERT|a size in bytes, got " + quote(a.str(0)));
    }
}

// umask NUMBER (decimal, 0octal or 0xhex) | IRUSR|IWGRP|... (one or more words)
void umask(GlobalDefs& g, Args& a) {
    if (!a.count(1, SIZE_MAX)) return;
    const std::string& first = a.str(0);
    if (!first.empty() && std::isdigit(static_cast<unsigned char>(first[0]))) {
        if (!a.exactly(1)) return;  // keepalived: "Extra parameter(s) to umask option"
        int base = 10;
        std::string_view digits = first;
        if (digits.size() > 1 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
            base = 16;
            digits.remove_prefix(2);
        } else if (digits.size() > 1 && digits[0] == '0') {
            base = 8;
            digits.remove_prefix(1);
        }
        uint32_t v = 0;
        auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, base);
        if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size() || v > 0777) {
            a.error(0, "'umask' expects a mode between 0 and 0777, got " + quote(first));
            return;
        }
        g.umask = v;
        return;
    }
    static constexpr struct { std::string_view name; uint32_t bit; } kBits[] = {
        {"IRUSR", 0400}, {"IWUSR", 0200}, {"IXUSR", 0100}, {"IRGRP", 040}, {"IWGRP", 020},
        {"IXGRP", 010},  {"IROTH", 04},   {"IWOTH", 02},   {"IXOTH", 01},
    };
    uint32_t bits = 0;
    bool need_bar = false;
    for (size_t i = 0; i < a.size(); ++i) {
        std::string_view s = a.str(i);
        while (!s.empty()) {
            if (need_bar) {
                if (s[0] != '|') {
                    a.error(i, "'umask' bits must be separated by '|', got " + quote(a.str(i)));
                    return;
                }
                s.remove_prefix(1);
                need_bar = false;
                continue;
            }
            bool found = false;
            for (const auto& b : kBits) {
                if (s.substr(0, 5) == b.name) {
                    bits |= b.bit;
                    s.remove_prefix(5);
                    found = true;
                    break;
                }
            }
            if (!found) {
                a.error(i, "unknown 'umask' bit " + quote(s) +
                               "; expected I{R|W|X}{USR|GRP|OTH} or a number");
                return;
            }
            need_bar = true;
        }
    }
    if (!need_bar) {
        a.error("'umask' ends with '|': a bit name is missing");
        return;
    }
    g.umask = bits;
}

// lvs_sync_daemon INTERFACE [[inst] VRRP_INSTANCE] [id N] [maxlen N] [port N] [ttl N] [group IP]
// (the old form `lvs_sync_daemon IF VRRP_INSTANCE [SYNC_ID]` is accepted too).
void lvs_sync_daemon(GlobalDefs& g, Args& a) {
    if (g.lvs_sync_daemon) {
        a.warning("'lvs_sync_daemon' already specified as " + quote(g.lvs_sync_daemon->interface) +
                  "; ignoring this one");
        return;
    }
    if (!a.count(1, SIZE_MAX)) return;
    LvsSyncDaemon d;
    d.loc = a.loc();
    d.interface = a.str(0);
    if (d.interface.empty() || d.interface.size() >= 16) {  // IP_VS_IFNAME_MAXLEN
        a.error(0, "'lvs_sync_daemon' interface name must be 1-15 characters, got " + quote(d.interface));
        return;
    }
    bool ok = true;
    auto value = [&](size_t i) -> bool {
        if (a.has(i + 1)) return true;
        a.error(i, "'lvs_sync_daemon' option " + quote(a.str(i)) + " needs a value");
        ok = false;
        return false;
    };
    for (size_t i = 1; i < a.size(); ++i) {
        const std::string& opt = a.str(i);
        if (opt == "inst") {
            if (!value(i)) break;
            if (!d.inst.empty()) {
                a.error(i + 1, "'lvs_sync_daemon' vrrp instance already given as " + quote(d.inst));
                ok = false;
            }
            d.inst = a.str(i + 1);
            d.inst_loc = a.loc(i + 1);
            ++i;
        } else if (opt == "id") {
            if (!value(i)) break;
            if (auto v = a.uint(i + 1, 0, 255)) d.id = static_cast<uint8_t>(*v);
            else ok = false;
            ++i;
        } else if (opt == "maxlen") {
            if (!value(i)) break;
            if (auto v = a.uint(i + 1, 1, 65535 - 20 - 8)) d.maxlen = static_cast<uint16_t>(*v);
            else ok = false;
            ++i;
        } else if (opt == "port") {
            if (!value(i)) break;
            if (auto v = a.port(i + 1)) d.port = *v;
            else ok = false;
            ++i;
        } else if (opt == "ttl") {
            if (!value(i)) break;
            if (auto v = a.uint(i + 1, 1, 255)) d.ttl = static_cast<uint8_t>(*v);
            else ok = false;
            ++i;
        } else if (opt == "group") {
            if (!value(i)) break;
            auto ip = a.ip(i + 1);
            if (ip && !ip->is_multicast()) {
                a.error(i + 1, "'lvs_sync_daemon' group " + quote(a.str(i + 1)) +
                                   " is not a multicast address");
                ip.reset();
            }
            if (ip) d.group = *ip;
            else ok = false;
            ++i;
        } else if (i == 1) {
            // Old positional form: the VRRP instance name.
            d.inst = opt;
            d.inst_loc = a.loc(i);
        } else if (i == 2 && !opt.empty() && std::isdigit(static_cast<unsigned char>(opt[0]))) {
            a.warning(i, "a bare sync id in 'lvs_sync_daemon' is deprecated; use 'id " + opt + "'");
            if (auto v = a.uint(i, 0, 255)) d.id = static_cast<uint8_t>(*v);
            else ok = false;
        } else {
            a.error(i, "unknown 'lvs_sync_daemon' option " + quote(opt) +
                           "; expected inst|id|maxlen|port|ttl|group");
            ok = false;
        }
    }
    if (ok) g.lvs_sync_daemon = std::move(d);
}

// lvs_timeouts [tcp SECS] [tcpfin SECS] [udp SECS]
void lvs_timeouts(GlobalDefs& g, Args& a) {
    if (a.size() < 2) {
        a.error("'lvs_timeouts' needs at least one of tcp|tcpfin|udp followed by seconds");
        return;
    }
    g.lvs_timeouts.loc = a.loc();
    for (size_t i = 0; i < a.size(); ++i) {
        std::optional<Duration>* slot = nullptr;
        if (a.str(i) == "tcp") slot = &g.lvs_timeouts.tcp;
        else if (a.str(i) == "tcpfin") slot = &g.lvs_timeouts.tcpfin;
        else if (a.str(i) == "udp") slot = &g.lvs_timeouts.udp;
        if (!slot) {
            a.error(i, "unknown 'lvs_timeouts' option " + quote(a.str(i)) + "; expected tcp|tcpfin|udp");
            // Skip its value too, so one mistake gives one error.
            if (a.has(i + 1) && std::isdigit(static_cast<unsigned char>(a.str(i + 1)[0]))) ++i;
            continue;
        }
        if (!a.has(i + 1)) {
            a.error(i, "'lvs_timeouts' option " + quote(a.str(i)) + " needs a value in seconds");
            return;
        }
        if (auto v = a.uint(i + 1, 0, 86400 * 31)) *slot = seconds(*v);  // LVS_MAX_TIMEOUT
        ++i;
    }
}

void lvs_flush(GlobalDefs& g, Args& a) {
    set_bool<&GlobalDefs::lvs_flush>(g, a);
    g.lvs_flush_loc = a.loc();
}

void lvs_flush_on_stop(GlobalDefs& g, Args& a) {
    if (!a.at_most(1)) return;
    g.lvs_flush_on_stop_loc = a.loc();
    if (!a.has(0)) {
        g.lvs_flush_on_stop = LvsFlushOnStop::Full;
        return;
    }
    if (a.choice(0, {"VS"})) g.lvs_flush_on_stop = LvsFlushOnStop::VirtualServers;
}

void lvs_backend(GlobalDefs& g, Args& a) {
    if (!a.count(1)) return;
    if (auto c = a.choice(0, {"auto", "ipvs", "nftables"}))
        g.lvs_backend = *c == "ipvs" ? LvsBackend::Ipvs : *c == "nftables" ? LvsBackend::Nftables : LvsBackend::Auto;
}

constexpr std::string_view kNoEmail = "halbd does not send email alerts; use notify scripts or FIFOs";
constexpr std::string_view kOneProcess =
    "halbd runs as one process; only the vrrp_ and checker_ scheduling, memory and affinity keywords apply to it";
constexpr std::string_view kNoSnmp = "halbd has no SNMP agent; use halbctl for state";
constexpr std::string_view kNoDbus = "halbd has no DBus interface; use halbctl";
constexpr std::string_view kNoNetns = "halbd programs IPVS and ipsets in the namespace of net_namespace";

const KeywordTable<GlobalDefs>& global_defs_table() {
    static const KeywordTable<GlobalDefs> t("global_defs", {
        // identity, scripts, security
        {"router_id", router_id},
        // keepalived reads it at top level only ("Unknown keyword" here);
        // whoever wrote it here meant it, so halbd honours it with a warning.
        {"net_namespace",
         [](GlobalDefs& g, Args& a) {
             a.warning("keepalived reads 'net_namespace' only outside global_defs (it ignores this one); "
                       "halbd honours it");
             net_namespace(g, a);
         }},
        // keepalived 1.0's name for router_id, still in old files.
        {"lvs_id", router_id, kDeprecated, "router_id"},
        {"plugin_dir", nullptr, kObsolete, "keepalived 1.2's checker plugins are gone"},
        {"metrics_listen", metrics_listen},
        {"script_user", script_user},
        {"enable_script_security", set_bool<&GlobalDefs::enable_script_security>, kFlag},
        {"startup_script", set_script<&GlobalDefs::startup_script>},
        {"startup_script_timeout",
         [](GlobalDefs& g, Args& a) { script_timeout(g.startup_script_timeout, a); }},
        {"shutdown_script", set_script<&GlobalDefs::shutdown_script>},
        {"shutdown_script_timeout",
         [](GlobalDefs& g, Args& a) { script_timeout(g.shutdown_script_timeout, a); }},
        // notify FIFOs
        {"notify_fifo", set_fifo<&GlobalDefs::notify_fifo>},
        {"notify_fifo_script", set_script<&GlobalDefs::notify_fifo_script>},
        {"vrrp_notify_fifo", set_fifo<&GlobalDefs::vrrp_notify_fifo>},
        {"vrrp_notify_fifo_script", set_script<&GlobalDefs::vrrp_notify_fifo_script>},
        {"lvs_notify_fifo", set_fifo<&GlobalDefs::lvs_notify_fifo>},
        {"lvs_notify_fifo_script", set_script<&GlobalDefs::lvs_notify_fifo_script>},
        {"fifo_write_vrrp_states_on_reload", set_bool<&GlobalDefs::fifo_write_vrrp_states_on_reload>, kFlag},
        {"vrrp_notify_priority_changes", set_bool<&GlobalDefs::vrrp_notify_priority_changes>},
        // VRRP defaults
        {"vrrp_mcast_group4", [](GlobalDefs& g, Args& a) { mcast_group(g.vrrp_mcast_group4, a, true); }},
        {"vrrp_mcast_group6", [](GlobalDefs& g, Args& a) { mcast_group(g.vrrp_mcast_group6, a, false); }},
        {"default_interface", default_interface},
        {"vrrp_min_garp", vrrp_min_garp},
        {"vrrp_garp_master_delay", set_secs<&GlobalDefs::vrrp_garp_master_delay, 4294>},
        {"vrrp_garp_master_repeat", vrrp_garp_master_repeat},
        {"vrrp_garp_lower_prio_delay", vrrp_garp_lower_prio_delay},
        {"vrrp_garp_lower_prio_repeat", vrrp_garp_lower_prio_repeat},
        {"vrrp_garp_master_refresh", set_secs<&GlobalDefs::vrrp_garp_master_refresh, UINT32_MAX>},
        {"vrrp_garp_master_refresh_repeat", vrrp_garp_master_refresh_repeat},
        {"vrrp_garp_interval", set_timer<&GlobalDefs::vrrp_garp_interval>},
        {"vrrp_gna_interval", set_timer<&GlobalDefs::vrrp_gna_interval>},
        {"vrrp_garp_extra_if", vrrp_garp_extra_if},
        {"vrrp_vmac_garp_intvl", vrrp_garp_extra_if, kDeprecated, "vrrp_garp_extra_if"},
        {"vrrp_down_timer_adverts", set_u32<&GlobalDefs::vrrp_down_timer_adverts, 1, 100>},
        {"vrrp_lower_prio_no_advert", vrrp_lower_prio_no_advert},
        {"vrrp_higher_prio_send_advert", vrrp_higher_prio_send_advert},
        {"vrrp_version", vrrp_version},
        {"vrrp_check_unicast_src", set_bool<&GlobalDefs::vrrp_check_unicast_src>, kFlag},
        {"vrrp_skip_check_adv_addr", set_bool<&GlobalDefs::vrrp_skip_check_adv_addr>, kFlag},
        {"vrrp_strict", vrrp_strict, kFlag},
        {"vrrp_startup_delay", vrrp_startup_delay},
        {"log_unknown_vrids", set_bool<&GlobalDefs::log_unknown_vrids>, kFlag},
        {"vmac_prefix", vmac_prefix},
        {"vmac_addr_prefix", vmac_prefix},
        {"dynamic_interfaces", dynamic_interfaces},
        {"disable_local_igmp", set_bool<&GlobalDefs::disable_local_igmp>, kFlag},
        {"vrrp_rx_bufs_policy", vrrp_rx_bufs_policy},
        {"vrrp_rx_bufs_multiplier", set_u32<&GlobalDefs::vrrp_rx_bufs_multiplier, 1, UINT32_MAX>},
        // firewall
        {"vrrp_iptables", vrrp_iptables},
        {"vrrp_ipsets", vrrp_ipsets},
        {"nftables", [](GlobalDefs& g, Args& a) { set_table_name<&GlobalDefs::nftables>(g, a, "keepalived"); }},
        {"nftables_priority", set_i32<&GlobalDefs::nftables_priority>},
        {"nftables_counters", set_bool<&GlobalDefs::nftables_counters>, kFlag},
        {"nftables_ifindex", set_bool<&GlobalDefs::nftables_ifindex>, kFlag},
        {"nftables_ipvs",
         [](GlobalDefs& g, Args& a) { set_table_name<&GlobalDefs::nftables_ipvs>(g, a, "keepalived_ipvs"); }},
        {"nftables_ipvs_priority", set_i32<&GlobalDefs::nftables_ipvs_priority>},
        {"nftables_ipvs_start_fwmark", set_u32<&GlobalDefs::nftables_ipvs_start_fwmark, 1, UINT32_MAX>},
        // netlink buffers
        {"vrrp_netlink_cmd_rcv_bufs", set_u32<&GlobalDefs::vrrp_netlink_cmd_rcv_bufs, 0, UINT32_MAX>},
        {"vrrp_netlink_cmd_rcv_bufs_force", set_bool<&GlobalDefs::vrrp_netlink_cmd_rcv_bufs_force>},
        {"vrrp_netlink_monitor_rcv_bufs", set_u32<&GlobalDefs::vrrp_netlink_monitor_rcv_bufs, 0, UINT32_MAX>},
        {"vrrp_netlink_monitor_rcv_bufs_force", set_bool<&GlobalDefs::vrrp_netlink_monitor_rcv_bufs_force>},
        {"lvs_netlink_cmd_rcv_bufs", set_u32<&GlobalDefs::lvs_netlink_cmd_rcv_bufs, 0, UINT32_MAX>},
        {"lvs_netlink_cmd_rcv_bufs_force", set_bool<&GlobalDefs::lvs_netlink_cmd_rcv_bufs_force>},
        {"lvs_netlink_monitor_rcv_bufs", set_u32<&GlobalDefs::lvs_netlink_monitor_rcv_bufs, 0, UINT32_MAX>},
        {"lvs_netlink_monitor_rcv_bufs_force", set_bool<&GlobalDefs::lvs_netlink_monitor_rcv_bufs_force>},
        {"process_monitor_rcv_bufs", set_u32<&GlobalDefs::process_monitor_rcv_bufs, 0, UINT32_MAX>},
        {"process_monitor_rcv_bufs_force", set_bool<&GlobalDefs::process_monitor_rcv_bufs_force>},
        // IPVS
        {"lvs_sync_daemon", lvs_sync_daemon},
        {"lvs_timeouts", lvs_timeouts},
        {"lvs_flush", lvs_flush, kFlag},
        {"lvs_flush_on_stop", lvs_flush_on_stop},
        {"lvs_backend", lvs_backend},
        {"lvs_flush_onstop", lvs_flush_on_stop, kDeprecated | kQuiet, "lvs_flush_on_stop"},
        // checkers
        {"checker_log_all_failures", set_bool<&GlobalDefs::checker_log_all_failures>},
        {"rs_init_notifies", set_bool<&GlobalDefs::rs_init_notifies>},
        // files
        {"umask", umask},
        // not implemented: email alerts
        {"notification_email", nullptr, kUnimplemented, kNoEmail},
        {"notification_email_from", nullptr, kUnimplemented, kNoEmail},
        {"smtp_server", nullptr, kUnimplemented, kNoEmail},
        {"smtp_helo_name", nullptr, kUnimplemented, kNoEmail},
        {"smtp_connect_timeout", nullptr, kUnimplemented, kNoEmail},
        {"smtp_connection_timeout", nullptr, kDeprecated, "smtp_connect_timeout"},
        {"smtp_alert", nullptr, kUnimplemented, kNoEmail},
        {"smtp_alert_vrrp", nullptr, kUnimplemented, kNoEmail},
        {"smtp_alert_checker", nullptr, kUnimplemented, kNoEmail},
        {"no_email_faults", nullptr, kUnimplemented, kNoEmail},
        {"no_checker_emails", nullptr, kUnimplemented, kNoEmail},
        // keepalived's per-process settings: halbd is one process and
        // combines the vrrp_ and checker_ sets (core/process_settings.cc)
        {"process_names", nullptr, kUnimplemented, kOneProcess},
        {"process_name", nullptr, kUnimplemented, kOneProcess},
        {"vrrp_process_name", nullptr, kUnimplemented, kOneProcess},
        {"checker_process_name", nullptr, kUnimplemented, kOneProcess},
        {"lvs_process_name", nullptr, kUnimplemented, kOneProcess},
        {"bfd_process_name", nullptr, kUnimplemented, kOneProcess},
        {"max_auto_priority", nullptr, kUnimplemented, kOneProcess},
        {"min_auto_priority_delay", nullptr, kUnimplemented, kOneProcess},
        {"vrrp_priority", [](GlobalDefs& g, Args& a) { process_nice(g.vrrp_process, a); }},
        {"checker_priority", [](GlobalDefs& g, Args& a) { process_nice(g.checker_process, a); }},
        {"bfd_priority", nullptr, kUnimplemented, kOneProcess},
        {"vrrp_no_swap", [](GlobalDefs& g, Args& a) { process_no_swap(g.vrrp_process, a); }},
        {"checker_no_swap", [](GlobalDefs& g, Args& a) { process_no_swap(g.checker_process, a); }},
        {"bfd_no_swap", nullptr, kUnimplemented, kOneProcess},
        {"vrrp_cpu_affinity", [](GlobalDefs& g, Args& a) { process_cpu_affinity(g.vrrp_process, a); }},
        {"checker_cpu_affinity", [](GlobalDefs& g, Args& a) { process_cpu_affinity(g.checker_process, a); }},
        {"bfd_cpu_affinity", nullptr, kUnimplemented, kOneProcess},
        {"vrrp_rt_priority", [](GlobalDefs& g, Args& a) { process_rt_priority(g.vrrp_process, a); }},
        {"checker_rt_priority", [](GlobalDefs& g, Args& a) { process_rt_priority(g.checker_process, a); }},
        {"bfd_rt_priority", nullptr, kUnimplemented, kOneProcess},
        {"vrrp_rlimit_rttime", [](GlobalDefs& g, Args& a) { process_rlimit_rttime(g.vrrp_process, a); }},
        {"checker_rlimit_rttime", [](GlobalDefs& g, Args& a) { process_rlimit_rttime(g.checker_process, a); }},
        {"bfd_rlimit_rttime", nullptr, kUnimplemented, kOneProcess},
        {"vrrp_rlimit_rtime", [](GlobalDefs& g, Args& a) { process_rlimit_rttime(g.vrrp_process, a); }, kDeprecated, "vrrp_rlimit_rttime"},
        {"checker_rlimit_rtime", [](GlobalDefs& g, Args& a) { process_rlimit_rttime(g.checker_process, a); }, kDeprecated, "checker_rlimit_rttime"},
        {"bfd_rlimit_rtime", nullptr, kUnimplemented, kOneProcess},
        // not implemented: SNMP, DBus
        {"snmp_socket", nullptr, kUnimplemented, kNoSnmp},
        {"enable_traps", nullptr, kUnimplemented, kNoSnmp},
        {"enable_snmp_vrrp", nullptr, kUnimplemented, kNoSnmp},
        {"enable_snmp_keepalived", nullptr, kUnimplemented, kNoSnmp},
        {"enable_snmp_checker", nullptr, kUnimplemented, kNoSnmp},
        {"enable_snmp_rfc", nullptr, kUnimplemented, kNoSnmp},
        {"enable_snmp_rfcv2", nullptr, kUnimplemented, kNoSnmp},
        {"enable_snmp_rfcv3", nullptr, kUnimplemented, kNoSnmp},
        {"enable_dbus", nullptr, kUnimplemented, kNoDbus},
        {"dbus_service_name", nullptr, kUnimplemented, kNoDbus},
        // not implemented: keepalived's configuration-handling machinery
        {"tmp_config_directory", nullptr, kUnimplemented, "halbd reads the configuration once, in one process"},
        {"config_save_dir", nullptr, kUnimplemented, "halbd does not save configuration copies; use halbd -d"},
        {"random_seed", nullptr, kUnimplemented, "the ${_RANDOM} macro is not seeded from the configuration"},
        {"reload_check_config", nullptr, kUnimplemented,
         "halbd always checks a new configuration and keeps the running one if it has errors"},
        {"reload_time_file", nullptr, kUnimplemented, "scheduled reloads are not supported; send SIGHUP"},
        {"reload_repeat", nullptr, kUnimplemented, "scheduled reloads are not supported; send SIGHUP"},
        {"reload_file", nullptr, kUnimplemented, "reload files are not supported"},
        {"include_check", nullptr, kUnimplemented, "halbd always reports a missing include file"},
        {"data_use_instance", nullptr, kUnimplemented, "halbd writes no .data files; use halbctl"},
    });
    return t;
}

}  // namespace

void add_global_keywords(KeywordTable<Model>& top) {
    top.add({
        {"global_defs",
         [](Model& m, Args& a) {
             a.at_most(0);
             a.parser().block(a, global_defs_table(), m.global);
         }},
        {"bfd_instance", parse_bfd_instance},
        {"linkbeat_use_polling",
         [](Model& m, Args& a) {
             if (a.at_most(0)) m.global.linkbeat_use_polling = true;
         }, kFlag},
        {"net_namespace", [](Model& m, Args& a) { net_namespace(m.global, a); }},
        {"net_namespace_ipvs", nullptr, kUnimplemented, kNoNetns},
        {"namespace_with_ipsets", nullptr, kUnimplemented, kNoNetns},
        {"instance", nullptr, kUnimplemented, "pid file names are set with halbd's command-line options"},
        {"use_pid_dir", nullptr, kUnimplemented, "pid file names are set with halbd's command-line options"},
        {"child_wait_time", nullptr, kUnimplemented, "halbd runs as one process with no children to wait for"},
    });
}

}  // namespace halbd::config
