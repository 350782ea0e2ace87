// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/validate_lvs.cc: cross-keyword checks of the LVS section and the
// resolution of inherited values (virtual_server -> real_server -> checker),
// so that subsystems read effective values and never re-implement defaulting.
// Called by config::load() after validate_global() and validate_vrrp().
#include <algorithm>
#include <string>
#include <unordered_map>

#include "config/lvs_internal.hh"
#include "config/regex.hh"
#include "config/sections.hh"
#include "core/spawn.hh"

namespace halbd::config {

namespace {

using namespace lvs;

std::string at(const Location& l) { return "line " + std::to_string(l.line); }

const char* fam(net::Family f) { return f == net::Family::V4 ? "IPv4" : "IPv6"; }

std::string server_key(const net::IpAddress& a, uint16_t port) {
    std::string k(reinterpret_cast<const char*>(a.bytes()), a.size());
    k += static_cast<char>(port >> 8);
    k += static_cast<char>(port & 0xff);
    return k;
}

void validate_groups(LvsConfig& lvs, Diagnostics& d) {
    std::unordered_map<std::string_view, const VirtualServerGroup*> seen;
    for (auto& g : lvs.virtual_server_groups) {
        auto [it, fresh] = seen.emplace(g.name, &g);
        if (!fresh)
            d.error(g.loc, "duplicate virtual_server_group '" + g.name + "' (first defined at " +
                               at(it->second->loc) + ")");
        if (g.entries.empty()) d.warning(g.loc, "virtual_server_group '" + g.name + "' has no entries");
        bool v4 = false, v6 = false, fw_nofam = false;
        for (auto& e : g.entries) {
            if (e.is_fwmark) fw_nofam |= !e.family;
            else (e.first.is_v4() ? v4 : v6) = true;
        }
        if (v4 && v6 && fw_nofam)
            d.error(g.loc, "virtual_server_group '" + g.name +
                               "' mixes IPv4 and IPv6 addresses, so its fwmarks need 'inet' or 'inet6'");
    }
}

// The address family of a virtual server, as keepalived derives it.
void resolve_family(VirtualServer& vs, const VirtualServerGroup* g, Diagnostics& d) {
    std::optional<net::Family> f;
    if (vs.kind == VsKind::Address) f = vs.address.family();
    if (g) {
        for (auto& e : g->entries)
            if (!e.is_fwmark) { f = e.first.family(); break; }
            else if (e.family && !f) f = e.family;
    }
    auto from_server = [&](const net::IpAddress& a, const std::optional<LvsMethod>& m, const Location& loc) {
        bool tun = (m ? m->kind : vs.lvs_method ? vs.lvs_method->kind : LvsMethodKind::NAT) == LvsMethodKind::TUN;
        if (tun) return;
        if (!f) f = a.family();
        else if (*f != a.family())
            d.error(loc, std::string(fam(a.family())) + " server " + a.to_string() + " in " + fam(*f) +
                             " virtual server " + vs_name(vs) + ": families must match unless the server uses TUN");
    };
    if (vs.ip_family && f && *vs.ip_family != *f && vs.kind == VsKind::Address)
        d.error(vs.loc, "'ip_family' conflicts with the " + std::string(fam(*f)) + " address of virtual server " + vs_name(vs));
    if (vs.ip_family && !f) f = vs.ip_family;
    if (vs.sorry_server) from_server(vs.sorry_server->address, vs.sorry_server->lvs_method, vs.sorry_server->loc);
    for (auto& rs : vs.real_servers) from_server(rs.address, rs.lvs_method, rs.loc);
    if (!f && vs.persistence_granularity) f = vs.persistence_granularity->family;
    if (!f) {
        // fwmark service with only tunnelled servers: their common family, else IPv4.
        std::optional<net::Family> all;
        bool mixed = false;
        for (auto& rs : vs.real_servers) {
            if (!all) all = rs.address.family();
            else if (*all != rs.address.family()) mixed = true;
        }
        f = mixed || !all ? net::Family::V4 : *all;
    }
    vs.ip_family = f;
    if (vs.persistence_granularity && vs.persistence_granularity->family != *f)
        d.error(vs.loc, "'persistence_granularity' must be " +
                            std::string(*f == net::Family::V4 ? "an IPv4 netmask" : "an IPv6 prefix length") +
                            " for " + fam(*f) + " virtual server " + vs_name(vs));
}

Duration kind_delay_before_retry(CheckerKind k, Duration delay_loop) {
    switch (k) {
        case CheckerKind::HTTP_GET:
        case CheckerKind::SSL_GET: return std::chrono::seconds(3);
        case CheckerKind::DNS_CHECK: return delay_loop;
        default: return std::chrono::seconds(1);
    }
}

uint32_t kind_retry(CheckerKind k) {
    return k == CheckerKind::DNS_CHECK ? 3 : k == CheckerKind::MISC_CHECK ? 0 : 1;
}

bool has_connection(CheckerKind k) {
    return k != CheckerKind::MISC_CHECK && k != CheckerKind::FILE_CHECK && k != CheckerKind::BFD_CHECK;
}

void resolve_checker(Checker& c, const RealServer& rs, const VirtualServer& vs, const Model& m,
                     ValidateContext& ctx) {
    Diagnostics& d = ctx.diags;
    const CheckerKind k = c.kind();
    if (!c.alpha) c.alpha = *rs.alpha;
    if (!c.log_all_failures) c.log_all_failures = m.global.checker_log_all_failures;
    if (k != CheckerKind::FILE_CHECK && k != CheckerKind::BFD_CHECK) {
        if (!c.delay_loop) c.delay_loop = *rs.delay_loop;
        if (!c.retry) c.retry = rs.retry ? *rs.retry : kind_retry(k);
        if (!c.warmup) c.warmup = rs.warmup ? *rs.warmup : *c.delay_loop;
        if (!c.delay_before_retry)
            c.delay_before_retry = rs.delay_before_retry ? *rs.delay_before_retry
                                                         : kind_delay_before_retry(k, *c.delay_loop);
    }
    if (has_connection(k)) {
        if (!c.connect_timeout) c.connect_timeout = *rs.connect_timeout;
        if (!c.connect_ip) c.connect_ip = rs.address;
        if (!c.connect_port && rs.port) c.connect_port = rs.port;
        if (c.bindto && c.bindto->family() != c.connect_ip->family())
            d.error(c.loc, "checker 'bindto' " + c.bindto->to_string() + " and connect address " +
                               c.connect_ip->to_string() + " are of different families");
        if (c.connect_ip->is_v6() && c.connect_ip->is_link_local() && !c.bind_if)
            d.error(c.loc, "checker link-local address " + c.connect_ip->to_string() + " needs 'bind_if'");
        if (!c.connect_port && k != CheckerKind::PING_CHECK)
            d.error(c.loc, std::string(checker_kind_name(k)) + " needs 'connect_port': real server " +
                               rs.address.to_string() + " has no port");
    }
    std::visit([&](auto& p) {
        using P = std::decay_t<decltype(p)>;
        if constexpr (std::is_base_of_v<HttpGetCheck, P>) {
            if (p.url.empty()) d.error(c.loc, std::string(checker_kind_name(k)) + " needs at least one 'url' block");
            if (!p.virtualhost) {
                if (rs.virtualhost) p.virtualhost = *rs.virtualhost;
                else if (vs.virtualhost) p.virtualhost = *vs.virtualhost;
            }
            for (auto& u : p.url) {
                if (!u.virtualhost && p.virtualhost) u.virtualhost = *p.virtualhost;
                // keepalived 2.x (url_check()): 200-299 unless status_code is given, digest or not.
                if (u.status_code.empty()) u.status_code.push_back({200, 299});
                if (u.regex.empty() && (u.regex_no_match || !u.regex_options.empty() || u.regex_stack_max ||
                                        u.regex_min_offset || u.regex_max_offset))
                    d.warning(u.loc, "regex parameters given without 'regex'; they have no effect");
                if (u.regex_min_offset && u.regex_max_offset && *u.regex_min_offset > *u.regex_max_offset)
                    d.error(u.loc, "'regex_min_offset' exceeds 'regex_max_offset'");
            }
            if constexpr (std::is_same_v<P, HttpGetCheck>)
                if (p.enable_sni) d.warning(c.loc, "'enable_sni' only applies to SSL_GET; ignored");
        } else if constexpr (std::is_same_v<P, MiscCheck>) {
            if (p.misc_path.empty()) d.error(c.loc, "MISC_CHECK needs 'misc_path'");
            else if (auto argv = core::split_command(p.misc_path); argv && !argv->empty() &&
                                                                   !ctx.executable_exists(argv->front()))
                d.warning(c.loc, "MISC_CHECK script " + argv->front() +
                                     " is not found or not executable: the checker is disabled (keepalived "
                                     "removes it at start) and its real server stays in the pool unchecked");
            if (p.misc_timeout == Duration{}) p.misc_timeout = *c.delay_loop;
        } else if constexpr (std::is_same_v<P, UdpCheck>) {
            if (p.min_reply_length > p.max_reply_length)
                d.warning(c.loc, "UDP_CHECK 'min_reply_length' exceeds 'max_reply_length': the check always fails");
        } else if constexpr (std::is_same_v<P, FileCheck>) {
            if (p.track_file.empty()) {
                d.error(c.loc, "FILE_CHECK needs 'track_file'");
            } else if (std::none_of(m.vrrp.track_file.begin(), m.vrrp.track_file.end(),
                                    [&](const TrackFile& t) { return t.name == p.track_file; })) {
                d.error(c.loc, "FILE_CHECK refers to unknown track_file '" + p.track_file + "'");
            }
        } else if constexpr (std::is_same_v<P, BfdCheck>) {
            d.warning(c.loc, not_implemented("BFD_CHECK", "no BFD"));
            if (p.name.empty()) d.error(c.loc, "BFD_CHECK needs 'name'");
            else if (!m.global.find_bfd_instance(p.name))
                d.error(c.loc, "BFD_CHECK refers to unknown bfd_instance '" + p.name + "'");
        }
    }, c.params);
}

// Real server and sorry server ports, as keepalived corrects them.
// `what` names the server in warnings ("real server"/"sorry server"); the
// address is only turned into text when a warning is due (100,000 real
// servers must not pay for it).
uint16_t resolve_port(const VirtualServer& vs, const LvsMethod& mth, uint16_t port, const Location& loc,
                      const char* what_kind, const net::IpAddress& addr, Diagnostics& d) {
    auto what = [&] { return std::string(what_kind) + " " + addr.to_string(); };
    if (vs.kind == VsKind::Group) return port;
    if (mth.kind == LvsMethodKind::NAT) return port || vs.kind == VsKind::Fwmark ? port : vs.port;
    if (vs.kind == VsKind::Fwmark) {
        if (port) d.warning(loc, what() + " port " + std::to_string(port) + " is ignored: fwmark service with " +
                                     lvs_method_text(mth) + " forwarding");
        return 0;
    }
    if (port && port != vs.port)
        d.warning(loc, what() + " port " + std::to_string(port) + " differs from virtual server port " +
                           std::to_string(vs.port) + "; " + lvs_method_text(mth) +
                           " forwarding cannot change ports, using " + std::to_string(vs.port));
    return vs.port;
}

bool validate_vs(VirtualServer& vs, const Model& m, ValidateContext& ctx) {
    Diagnostics& d = ctx.diags;
    const VirtualServerGroup* g = nullptr;
    if (vs.kind == VsKind::Group) {
        g = m.lvs.find_group(vs.group);
        if (!g) {
            d.error(vs.loc, "virtual_server refers to unknown virtual_server_group '" + vs.group + "'");
            return true;
        }
    }
    if (vs.real_servers.empty()) {
        d.warning(vs.loc, "virtual server " + vs_name(vs) + " has no real servers; ignored");
        return false;
    }
    resolve_family(vs, g, d);
    bool has_addr = vs.kind == VsKind::Address, has_fw = vs.kind == VsKind::Fwmark;
    if (g)
        for (auto& e : g->entries) (e.is_fwmark ? has_fw : has_addr) = true;
    if (vs.ha_suspend && has_fw) {
        d.warning(vs.loc, "'ha_suspend' cannot be used with fwmarks; cleared");
        vs.ha_suspend = false;
    }
    if (has_addr) {
        if (!vs.protocol) {
            d.warning(vs.loc, "virtual server " + vs_name(vs) + " has no 'protocol'; using UDP as keepalived does");
            vs.protocol = LvsProtocol::UDP;
        }
        if (vs.ops && *vs.protocol != LvsProtocol::UDP) {
            d.warning(vs.loc, "'ops' (one-packet scheduling) requires UDP; cleared");
            vs.ops = false;
        }
        bool zero_port = vs.kind == VsKind::Address && vs.port == 0;
        if (g && !vs.persistence_timeout)
            for (auto& e : g->entries) zero_port |= !e.is_fwmark && e.port == 0;
        if (zero_port && !vs.persistence_timeout) {
            d.warning(vs.loc, "a virtual server without a port must be persistent; using persistence_timeout " +
                                  std::to_string(kDefaultPersistenceTimeout));
            vs.persistence_timeout = kDefaultPersistenceTimeout;
        }
    } else if (vs.protocol) {
        d.warning(vs.loc, "'protocol' has no effect on a fwmark virtual server; ignored");
        vs.protocol.reset();
    }
    if (vs.persistence_granularity && !vs.persistence_timeout) vs.persistence_timeout = kDefaultPersistenceTimeout;
    if (!vs.lvs_sched) vs.lvs_sched = LvsSched::wlc;
    const bool sh = *vs.lvs_sched == LvsSched::sh, mh = *vs.lvs_sched == LvsSched::mh;
    auto sched_flag = [&](bool& f, const char* name, bool ok, const char* sched) {
        if (f && !ok) {
            d.warning(vs.loc, std::string("'") + name + "' only applies to the " + sched + " scheduler; ignored");
            f = false;
        }
    };
    sched_flag(vs.sh_port, "sh-port", sh, "sh");
    sched_flag(vs.sh_fallback, "sh-fallback", sh, "sh");
    sched_flag(vs.mh_port, "mh-port", mh, "mh");
    sched_flag(vs.mh_fallback, "mh-fallback", mh, "mh");
    if (!vs.lvs_method) vs.lvs_method = LvsMethod{};

    std::unordered_map<std::string, size_t> seen;
    seen.reserve(vs.real_servers.size());
    uint64_t weight_sum = 0;
    for (size_t i = 0; i < vs.real_servers.size(); ++i) {
        auto& rs = vs.real_servers[i];
        if (!rs.lvs_method) rs.lvs_method = vs.lvs_method;
        rs.port = resolve_port(vs, *rs.lvs_method, rs.port, rs.loc, "real server", rs.address, d);
        auto [it, fresh] = seen.emplace(server_key(rs.address, rs.port), i);
        if (!fresh)
            d.error(rs.loc, "duplicate real server " + rs.address.to_string() + " port " + std::to_string(rs.port) +
                                " in virtual server " + vs_name(vs) + " (first at " +
                                at(vs.real_servers[it->second].loc) + ")");
        if (!rs.weight) rs.weight = vs.weight;
        if (!rs.inhibit_on_failure) rs.inhibit_on_failure = vs.inhibit_on_failure;
        if (!rs.alpha) rs.alpha = vs.alpha;
        if (!rs.connect_timeout) rs.connect_timeout = vs.connect_timeout;
        if (!rs.delay_loop) rs.delay_loop = vs.delay_loop;
        if (!rs.delay_before_retry) rs.delay_before_retry = vs.delay_before_retry;
        if (!rs.warmup) rs.warmup = vs.warmup;
        if (!rs.retry) rs.retry = vs.retry;
        if (rs.uthreshold && rs.lthreshold > rs.uthreshold)
            d.error(rs.loc, "'lthreshold' " + std::to_string(rs.lthreshold) + " exceeds 'uthreshold' " +
                                std::to_string(rs.uthreshold));
        weight_sum += *rs.weight;
        for (auto& c : rs.checkers) resolve_checker(c, rs, vs, m, ctx);
    }
    if (auto& s = vs.sorry_server) {
        if (!s->lvs_method) s->lvs_method = vs.lvs_method;
        s->port = resolve_port(vs, *s->lvs_method, s->port, s->loc, "sorry server", s->address, d);
        if (auto it = seen.find(server_key(s->address, s->port)); it != seen.end()) {
            auto& rs = vs.real_servers[it->second];
            if (*rs.inhibit_on_failure != s->inhibit) {
                d.warning(s->loc, "sorry server is also real server at " + at(rs.loc) +
                                      " but their inhibit settings differ; using the real server's");
                s->inhibit = *rs.inhibit_on_failure;
            }
        }
    }
    if (vs.quorum > weight_sum) {
        d.warning(vs.loc, "quorum " + std::to_string(vs.quorum) + " exceeds the total weight " +
                              std::to_string(weight_sum) + " of the real servers; using " + std::to_string(weight_sum));
        vs.quorum = static_cast<uint32_t>(weight_sum);
    }
    if (vs.hysteresis >= vs.quorum && (vs.hysteresis || vs.quorum)) {
        uint32_t h = vs.quorum ? vs.quorum - 1 : 0;
        if (vs.hysteresis != h) {
            d.warning(vs.loc, "hysteresis " + std::to_string(vs.hysteresis) + " must be below quorum " +
                                  std::to_string(vs.quorum) + "; using " + std::to_string(h));
            vs.hysteresis = h;
        }
    }
    return true;
}

std::string vs_key(const VirtualServer& vs) {
    std::string k(1, static_cast<char>(vs.kind));
    k += static_cast<char>(vs.protocol ? static_cast<int>(*vs.protocol) + 1 : 0);
    k += static_cast<char>(vs.ip_family ? static_cast<int>(*vs.ip_family) : 0);
    switch (vs.kind) {
        case VsKind::Address: k += server_key(vs.address, vs.port); break;
        case VsKind::Fwmark: k += std::to_string(vs.fwmark); break;
        case VsKind::Group: k += vs.group; break;
    }
    return k;
}

// Compiles every url `regex` once; urls with the same pattern, options and
// stack share one compiled pattern (100,000 real servers often check the
// same page the same way). A pattern that does not compile is an error at
// the pattern's location.
void compile_url_regexes(LvsConfig& lvs, Diagnostics& d) {
    std::unordered_map<std::string, std::shared_ptr<const Regex>> compiled;
    for (auto& vs : lvs.virtual_servers)
        for (auto& rs : vs.real_servers)
            for (auto& c : rs.checkers) {
                auto* h = std::get_if<HttpGetCheck>(&c.params);
                if (!h) h = std::get_if<SslGetCheck>(&c.params);
                if (!h) continue;
                for (auto& u : h->url) {
                    if (u.regex.empty()) continue;
                    std::string key = u.regex + '\0' + std::to_string(u.regex_stack_start) + '/' +
                                      std::to_string(u.regex_stack_max);
                    for (const auto& o : u.regex_options) key += '\0' + o;
                    auto& slot = compiled[key];
                    if (!slot) {
                        auto r = Regex::compile(u.regex, u.regex_options, u.regex_stack_start, u.regex_stack_max);
                        if (!r) {
                            d.error(u.regex_loc, "invalid regex '" + u.regex + "': " + r.error().message);
                            continue;
                        }
                        slot = std::move(*r);
                    }
                    u.compiled_regex = slot;
                }
            }
}

}  // namespace

void validate_lvs(Model& m, ValidateContext& ctx) {
    auto& d = ctx.diags;
    auto& lvs = m.lvs;
    validate_groups(lvs, d);
    std::unordered_map<std::string, size_t> seen;
    seen.reserve(lvs.virtual_servers.size());
    std::vector<VirtualServer> kept;
    kept.reserve(lvs.virtual_servers.size());
    for (auto& vs : lvs.virtual_servers) {
        if (!validate_vs(vs, m, ctx)) continue;
        auto [it, fresh] = seen.emplace(vs_key(vs), kept.size());
        if (!fresh)
            d.error(vs.loc, "duplicate virtual server " + vs_name(vs) + " (first at " + at(kept[it->second].loc) + ")");
        vs.real_servers.shrink_to_fit();  // parsing grows by doubling; keep 100k servers compact
        kept.push_back(std::move(vs));
    }
    lvs.virtual_servers = std::move(kept);
    compile_url_regexes(lvs, d);
}

}  // namespace halbd::config
