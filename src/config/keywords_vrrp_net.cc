// config/keywords_vrrp_net.cc: the one parser (and printer) for each of the
// address, route and rule line grammars, used by virtual_ipaddress(_excluded),
// virtual_routes, virtual_rules and static_ipaddress/routes/rules. Names of
// tables, protocols, scopes and realms resolve through iproute2's files.
#include <array>
#include <charconv>
#include <fstream>
#include <map>

#include "config/vrrp_internal.hh"

namespace halbd::config::vrrp_detail {

namespace {

// Word j of a line: 0 is the line's first word (Args::keyword), j>0 its arguments.
struct Words {
    Args& a;
    size_t size() const { return a.size() + 1; }
    const std::string& at(size_t j) const { return j == 0 ? a.keyword() : a.str(j - 1); }
    void error(size_t j, std::string m) {
        if (j == 0) a.error(std::move(m));
        else a.error(j - 1, std::move(m));
    }
    void warning(size_t j, std::string m) {
        if (j == 0) a.warning(std::move(m));
        else a.warning(j - 1, std::move(m));
    }
    // The value after option word j; reports and returns nullptr when missing.
    const std::string* value(size_t j) {
        if (j + 1 < size()) return &at(j + 1);
        error(j, "'" + at(j) + "' needs a value");
        return nullptr;
    }
};

std::optional<uint64_t> number(std::string_view s, uint64_t max) {
    uint64_t v = 0;
    int base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s.remove_prefix(2);
        base = 16;
    }
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v > max) return std::nullopt;
    return v;
}

enum class RtFile { Tables, Protos, Scopes, Realms, Dsfield };

struct BuiltinName {
    std::string_view name;
    uint32_t value;
};

constexpr BuiltinName kTables[] = {{"unspec", 0}, {"default", 253}, {"main", 254}, {"local", 255}};
constexpr BuiltinName kProtos[] = {
    {"unspec", 0}, {"redirect", 1}, {"kernel", 2}, {"boot", 3}, {"static", 4}, {"gated", 8},
    {"ra", 9}, {"mrt", 10}, {"zebra", 11}, {"bird", 12}, {"dnrouted", 13}, {"xorp", 14},
    {"ntk", 15}, {"dhcp", 16}, {"keepalived", 18}, {"babel", 42}, {"openr", 99}, {"bgp", 186},
    {"isis", 187}, {"ospf", 188}, {"rip", 189}, {"eigrp", 192}};
constexpr BuiltinName kScopes[] = {
    {"global", 0}, {"universe", 0}, {"site", 200}, {"link", 253}, {"host", 254}, {"nowhere", 255}};
constexpr BuiltinName kRealms[] = {{"cosmos", 0}, {"unknown", 0}};

// iproute2 name files: "NUMBER NAME" lines, '#' comments. Read once per
// process, all at once: a reload parses on a worker thread (a function-local
// static is initialised once, whichever thread gets there first).
const std::map<std::string, uint32_t, std::less<>>& rt_file(RtFile f) {
    using Names = std::map<std::string, uint32_t, std::less<>>;
    static const std::array<Names, 5> cache = [] {
        std::array<Names, 5> c;
        const char* const names[] = {"rt_tables", "rt_protos", "rt_scopes", "rt_realms", "rt_dsfield"};
        for (size_t i = 0; i < c.size(); ++i)
            for (const char* dir : {"/usr/share/iproute2/", "/usr/lib/iproute2/", "/etc/iproute2/"}) {
                std::ifstream in(std::string(dir) + names[i]);
                std::string num, name;
                while (in >> num) {
                    if (num[0] == '#') {
                        std::getline(in, num);
                        continue;
                    }
                    if (!(in >> name)) break;
                    if (auto v = number(num, 0xFFFFFFFFu)) c[i][name] = static_cast<uint32_t>(*v);
                    std::getline(in, num);
                }
            }
        return c;
    }();
    return cache[static_cast<size_t>(f)];
}

std::optional<uint32_t> rt_lookup(RtFile f, std::string_view s, uint32_t max) {
    if (auto v = number(s, max)) return static_cast<uint32_t>(*v);
    auto search = [&](auto& table) -> std::optional<uint32_t> {
        for (const auto& b : table)
            if (b.name == s) return b.value;
        return std::nullopt;
    };
    std::optional<uint32_t> r;
    switch (f) {
        case RtFile::Tables: r = search(kTables); break;
        case RtFile::Protos: r = search(kProtos); break;
        case RtFile::Scopes: r = search(kScopes); break;
        case RtFile::Realms: r = search(kRealms); break;
        case RtFile::Dsfield: break;
    }
    if (r) return r;
    const auto& m = rt_file(f);
    if (auto it = m.find(s); it != m.end() && it->second <= max) return it->second;
    return std::nullopt;
}

// Helpers that parse the value of option word j, report errors, and return it.
std::optional<uint32_t> rt_value(Words& w, size_t j, RtFile f, uint32_t max, const char* what) {
    const std::string* v = w.value(j);
    if (!v) return std::nullopt;
    auto r = rt_lookup(f, *v, max);
    if (!r) w.error(j + 1, "unknown " + std::string(what) + " '" + *v + "'");
    return r;
}

std::optional<uint32_t> uint_value(Words& w, size_t j, uint32_t max) {
    const std::string* v = w.value(j);
    if (!v) return std::nullopt;
    auto r = number(*v, max);
    if (!r) w.error(j + 1, "'" + w.at(j) + "' expects a number 0-" + std::to_string(max) +
                               ", got '" + *v + "'");
    return r ? std::optional<uint32_t>(static_cast<uint32_t>(*r)) : std::nullopt;
}

std::optional<uint32_t> realms_value(Words& w, size_t j) {
    const std::string* v = w.value(j);
    if (!v) return std::nullopt;
    std::string_view s = *v;
    uint32_t from = 0;
    if (auto slash = s.find('/'); slash != std::string_view::npos) {
        auto f = rt_lookup(RtFile::Realms, s.substr(0, slash), 0xFFFF);
        if (!f) {
            w.error(j + 1, "invalid realm '" + std::string(s.substr(0, slash)) + "'");
            return std::nullopt;
        }
        from = *f;
        s.remove_prefix(slash + 1);
    }
    auto to = rt_lookup(RtFile::Realms, s, 0xFFFF);
    if (!to) {
        w.error(j + 1, "invalid realm '" + std::string(s) + "'");
        return std::nullopt;
    }
    return (from << 16) | *to;
}

std::optional<net::IpAddress> ip_value(Words& w, size_t j) {
    const std::string* v = w.value(j);
    if (!v) return std::nullopt;
    auto r = net::IpAddress::parse(*v);
    if (!r) w.error(j + 1, "'" + *v + "' is not a valid IPv4 or IPv6 address");
    return r;
}

std::optional<net::Prefix> prefix_word(Words& w, size_t j) {
    auto r = net::Prefix::parse(w.at(j));
    if (!r) w.error(j, "'" + w.at(j) + "' is not a valid IPv4 or IPv6 address/prefix");
    return r;
}

std::string scope_name(uint8_t s) {
    for (const auto& b : kScopes)
        if (b.value == s && b.name != "universe") return std::string(b.name);
    return std::to_string(s);
}

std::string realms_text(uint32_t r) {
    return (r >> 16) ? std::to_string(r >> 16) + "/" + std::to_string(r & 0xFFFF)
                     : std::to_string(r & 0xFFFF);
}

// Tracks the family a line's addresses imply; reports a mismatch.
struct FamilyCheck {
    std::optional<net::Family> fam;
    bool check(Words& w, size_t j, net::Family f) {
        if (!fam) {
            fam = f;
            return true;
        }
        if (*fam == f) return true;
        w.error(j, "address family of '" + w.at(j) + "' does not match the rest of the line");
        return false;
    }
};

net::IpAddress zero(net::Family f) {
    return *net::IpAddress::parse(f == net::Family::V6 ? "::" : "0.0.0.0");
}

}  // namespace

// ---- addresses -------------------------------------------------------------

std::optional<IpAddressLine> parse_address_line(Args& line, bool is_static) {
    Words w{line};
    IpAddressLine out;
    out.loc = line.loc();
    auto addr = prefix_word(w, 0);
    if (!addr) return std::nullopt;
    out.address = *addr;
    const bool v6 = addr->address.is_v6();
    const bool had_len = w.at(0).find('/') != std::string::npos;
    int brd_mode = 0;  // 1 '+', 2 '-'
    bool ok = true, have_lft = false;
    for (size_t j = 1; j < w.size(); ++j) {
        const std::string& k = w.at(j);
        const std::string* v = nullptr;
        if (k == "dev") {
            if (!(v = w.value(j))) return std::nullopt;
            if (!out.dev.empty()) w.error(j, "'dev' given twice for " + w.at(0)), ok = false;
            out.dev = *v;
            ++j;
        } else if (k == "scope") {
            auto s = rt_value(w, j, RtFile::Scopes, 255, "scope");
            if (!s) return std::nullopt;
            if (v6) w.warning(j, "scope cannot be set for IPv6 address " + w.at(0) + "; ignored");
            else out.scope = static_cast<uint8_t>(*s);
            ++j;
        } else if (k == "broadcast" || k == "brd") {
            if (!(v = w.value(j))) return std::nullopt;
            if (v6) {
                w.error(j, "a broadcast address cannot be set for IPv6 address " + w.at(0));
                return std::nullopt;
            }
            if (*v == "+") brd_mode = 1;
            else if (*v == "-") brd_mode = 2;
            else {
                auto b = net::IpAddress::parse(*v);
                if (!b || !b->is_v4()) {
                    w.error(j + 1, "invalid broadcast address '" + *v + "'");
                    return std::nullopt;
                }
                out.brd = *b;
            }
            ++j;
        } else if (k == "label") {
            if (!(v = w.value(j))) return std::nullopt;
            if (v6) w.warning(j, "label cannot be set for IPv6 address " + w.at(0) + "; ignored");
            else if (v->size() >= 16) w.error(j + 1, "label '" + *v + "' is longer than 15 characters"), ok = false;
            else out.label = *v;
            ++j;
        } else if (k == "peer") {
            if (!w.value(j)) return std::nullopt;
            auto p = prefix_word(w, j + 1);
            if (!p) return std::nullopt;
            if (out.peer) w.error(j, "peer given twice"), ok = false;
            if (p->address.family() != addr->address.family()) {
                w.error(j + 1, "peer address family does not match " + w.at(0));
                return std::nullopt;
            }
            if (had_len)
                w.warning(j, "the prefix length of " + w.at(0) +
                                 " is ignored when a peer is given (the peer's is used)");
            out.peer = p->address;
            out.address.length = p->length;
            ++j;
        } else if (k == "home") {
            out.home = true;
        } else if (k == "-nodad") {
            out.nodad = true;
        } else if (k == "mngtmpaddr") {
            out.mngtmpaddr = true;
        } else if (k == "noprefixroute") {
            out.noprefixroute = true;
        } else if (k == "autojoin") {
            out.autojoin = true;
        } else if (k == "no_track" && !is_static) {
            out.no_track = true;
        } else if (k == "use_vmac" && !is_static) {
            out.use_vmac = true;
        } else if (k == "preferred_lft") {
            if (!(v = w.value(j))) return std::nullopt;
            if (*v == "forever") out.preferred_lft = kLifetimeForever;
            else if (auto n = number(*v, 0xFFFFFFFFu)) out.preferred_lft = static_cast<uint32_t>(*n);
            else {
                w.error(j + 1, "preferred_lft expects a number of seconds or 'forever', got '" + *v + "'");
                return std::nullopt;
            }
            have_lft = true;
            ++j;
        } else if (k == "track_group" && is_static) {
            if (!(v = w.value(j))) return std::nullopt;
            if (!out.track_group.empty()) w.error(j, "track_group given twice"), ok = false;
            out.track_group = *v;
            ++j;
        } else {
            std::string valid = is_static ? "track_group" : "no_track, use_vmac";
            w.error(j, "unknown address option '" + k +
                           "' (expected brd, dev, scope, label, peer, home, -nodad, mngtmpaddr, "
                           "noprefixroute, autojoin, preferred_lft, " + valid + ")");
            return std::nullopt;
        }
    }
    if (brd_mode) {
        if (out.peer) {
            w.warning(0, "broadcast and peer cannot both be set; broadcast ignored");
        } else if (out.address.length > 30) {
            w.error(0, "prefix length /" + std::to_string(out.address.length) +
                           " is too long for a '+' or '-' broadcast");
            return std::nullopt;
        } else {
            uint32_t a = out.address.address.v4_host_order();
            uint32_t mask = out.address.length == 0 ? 0xFFFFFFFFu : (0xFFFFFFFFu >> out.address.length);
            out.brd = net::IpAddress::v4(brd_mode == 1 ? (a | mask) : (a & ~mask));
        }
    } else if (out.brd && out.peer) {
        w.warning(0, "broadcast and peer cannot both be set; broadcast ignored");
        out.brd.reset();
    }
    if (v6 && !have_lft) out.preferred_lft = out.address.length == 128 ? 0 : kLifetimeForever;
    if (is_static && !out.track_group.empty() && out.dev.empty()) {
        w.error(0, "a static address with track_group needs 'dev'");
        return std::nullopt;
    }
    if (!ok) return std::nullopt;
    return out;
}

std::string format_address_line(const IpAddressLine& a) {
    std::string s = a.peer ? a.address.address.to_string() : a.address.to_string();
    if (a.brd) s += " brd " + a.brd->to_string();
    if (!a.dev.empty()) s += " dev " + a.dev;
    if (a.scope) s += " scope " + scope_name(a.scope);
    if (!a.label.empty()) s += " label " + a.label;
    if (a.peer) s += " peer " + net::Prefix{*a.peer, a.address.length}.to_string();
    if (a.home) s += " home";
    if (a.nodad) s += " -nodad";
    if (a.mngtmpaddr) s += " mngtmpaddr";
    if (a.noprefixroute) s += " noprefixroute";
    if (a.autojoin) s += " autojoin";
    if (a.no_track) s += " no_track";
    if (a.use_vmac) s += " use_vmac";
    if (a.preferred_lft)
        s += " preferred_lft " +
             (*a.preferred_lft == kLifetimeForever ? std::string("forever") : std::to_string(*a.preferred_lft));
    if (!a.track_group.empty()) s += " track_group " + a.track_group;
    return s;
}

// ---- routes ----------------------------------------------------------------

namespace {

struct NameValue {
    std::string_view name;
    uint8_t value;
};
constexpr std::string_view kRouteTypes[] = {"unicast", "blackhole", "unreachable", "prohibit", "throw",
                                            "local", "broadcast", "anycast", "multicast"};
constexpr std::string_view kMetricNames[] = {
    "mtu", "hoplimit", "advmss", "rtt", "rttvar", "reordering", "window", "cwnd", "ssthresh",
    "rto_min", "initcwnd", "initrwnd", "quickack", "fastopen_no_cookie"};

std::optional<size_t> index_of(std::string_view word, const std::string_view* names, size_t n) {
    for (size_t i = 0; i < n; ++i)
        if (names[i] == word) return i;
    return std::nullopt;
}

// rtt, rttvar and rto_min take a time: bare milliseconds, or with "ms"/"s".
std::optional<uint32_t> time_ms(std::string_view s) {
    uint64_t mult = 1;
    if (s.size() > 2 && s.substr(s.size() - 2) == "ms") s.remove_suffix(2);
    else if (s.size() > 1 && s.back() == 's') s.remove_suffix(1), mult = 1000;
    auto v = number(s, 0xFFFFFFFFu / 1000);
    if (!v) return std::nullopt;
    return static_cast<uint32_t>(*v * mult);
}

}  // namespace

std::optional<RouteLine> parse_route_line(Args& line, bool is_static) {
    Words w{line};
    RouteLine out;
    out.loc = line.loc();
    FamilyCheck fam;
    bool have_to = false, to_default = false;
    Nexthop* nh = nullptr;  // the nexthop being filled, if any
    for (size_t j = 0; j < w.size(); ++j) {
        const std::string& k = w.at(j);
        const std::string* v = nullptr;
        // Nexthop sub-options apply to the current nexthop.
        if (nh) {
            if (k == "via" || k == "gw") {
                size_t at = j + 1;
                if (at < w.size() && (w.at(at) == "inet" || w.at(at) == "inet6")) ++j;
                auto a = ip_value(w, j);
                if (!a || !fam.check(w, j + 1, a->family())) return std::nullopt;
                nh->via = *a;
                ++j;
                continue;
            }
            if (k == "dev") {
                if (!(v = w.value(j))) return std::nullopt;
                nh->dev = *v;
                ++j;
                continue;
            }
            if (k == "weight") {
                auto n = uint_value(w, j, 256);
                if (!n) return std::nullopt;
                if (*n == 0) {
                    w.error(j + 1, "nexthop weight must be 1-256");
                    return std::nullopt;
                }
                nh->weight = static_cast<uint16_t>(*n);
                ++j;
                continue;
            }
            if (k == "onlink") {
                nh->onlink = true;
                continue;
            }
            if (k == "realms") {
                auto r = realms_value(w, j);
                if (!r) return std::nullopt;
                nh->realms = *r;
                ++j;
                continue;
            }
            nh = nullptr;  // any other word ends the nexthop
        }
        if (auto t = index_of(k, kRouteTypes, std::size(kRouteTypes)); t && j == 0) {
            out.type = static_cast<RouteType>(*t);
        } else if (k == "inet" || k == "inet6") {
            if (!fam.check(w, j, k == "inet6" ? net::Family::V6 : net::Family::V4)) return std::nullopt;
        } else if (k == "to" || k == "default" || (k.find_first_of(".:") != std::string::npos && !have_to)) {
            if (have_to) {
                w.error(j, "route destination given twice");
                return std::nullopt;
            }
            if (k == "to") {
                if (!w.value(j)) return std::nullopt;
                ++j;
            }
            have_to = true;
            if (w.at(j) == "default") {
                to_default = true;
                continue;
            }
            auto p = prefix_word(w, j);
            if (!p || !fam.check(w, j, p->address.family())) return std::nullopt;
            out.to = *p;
        } else if (k == "src") {
            auto a = ip_value(w, j);
            if (!a || !fam.check(w, j + 1, a->family())) return std::nullopt;
            out.src = *a;
            ++j;
        } else if (k == "from") {
            if (!w.value(j)) return std::nullopt;
            auto p = prefix_word(w, j + 1);
            if (!p || !fam.check(w, j + 1, p->address.family())) return std::nullopt;
            if (!p->address.is_v6()) {
                w.error(j, "'from' (source-specific routing) is only valid for IPv6 routes");
                return std::nullopt;
            }
            out.from = *p;
            ++j;
        } else if (k == "via" || k == "gw") {
            if (j + 1 < w.size() && (w.at(j + 1) == "inet" || w.at(j + 1) == "inet6")) ++j;
            auto a = ip_value(w, j);
            if (!a || !fam.check(w, j + 1, a->family())) return std::nullopt;
            if (out.via || !out.nexthops.empty()) {
                w.error(j, "gateway given twice (use nexthop for multipath)");
                return std::nullopt;
            }
            out.via = *a;
            ++j;
        } else if (k == "or") {
            auto a = ip_value(w, j);
            if (!a || !fam.check(w, j + 1, a->family())) return std::nullopt;
            if (!out.via && out.nexthops.empty()) {
                w.error(j, "'or' needs a preceding 'via'");
                return std::nullopt;
            }
            if (out.via) {
                out.nexthops.push_back(Nexthop{out.via, {}, {}, false, {}});
                out.via.reset();
            }
            out.nexthops.push_back(Nexthop{*a, {}, {}, false, {}});
            ++j;
        } else if (k == "nexthop") {
            if (out.via) {
                w.error(j, "'nexthop' cannot be combined with 'via'");
                return std::nullopt;
            }
            out.nexthops.emplace_back();
            nh = &out.nexthops.back();
        } else if (k == "dev" || k == "oif") {
            if (!(v = w.value(j))) return std::nullopt;
            out.dev = *v;
            ++j;
        } else if (k == "table") {
            auto t = rt_value(w, j, RtFile::Tables, 0xFFFFFFFFu, "routing table");
            if (!t) return std::nullopt;
            out.table = *t;
            ++j;
        } else if (k == "metric" || k == "priority" || k == "preference") {
            auto n = uint_value(w, j, 0xFFFFFFFFu);
            if (!n) return std::nullopt;
            out.metric = *n;
            ++j;
        } else if (k == "protocol" || k == "proto") {
            auto p = rt_value(w, j, RtFile::Protos, 255, "protocol");
            if (!p) return std::nullopt;
            out.protocol = static_cast<uint8_t>(*p);
            ++j;
        } else if (k == "scope") {
            auto s = rt_value(w, j, RtFile::Scopes, 255, "scope");
            if (!s) return std::nullopt;
            out.scope = static_cast<uint8_t>(*s);
            ++j;
        } else if (k == "tos" || k == "dsfield") {
            auto t = rt_value(w, j, RtFile::Dsfield, 255, "tos");
            if (!t) return std::nullopt;
            out.tos = static_cast<uint8_t>(*t);
            ++j;
        } else if (k == "realms") {
            auto r = realms_value(w, j);
            if (!r) return std::nullopt;
            out.realms = *r;
            ++j;
        } else if (auto m = index_of(k, kMetricNames, std::size(kMetricNames))) {
            RouteMetric rm{static_cast<RouteMetricKind>(*m), 0, false};
            if (j + 1 < w.size() && w.at(j + 1) == "lock") rm.lock = true, ++j;
            if (!(v = w.value(j))) return std::nullopt;
            std::optional<uint32_t> n;
            if (rm.kind == RouteMetricKind::Rtt || rm.kind == RouteMetricKind::Rttvar ||
                rm.kind == RouteMetricKind::RtoMin)
                n = time_ms(*v);
            else if (auto x = number(*v, rm.kind == RouteMetricKind::Hoplimit ? 255
                                         : (rm.kind == RouteMetricKind::Quickack ||
                                            rm.kind == RouteMetricKind::FastopenNoCookie) ? 1
                                                                                          : 0xFFFFFFFFu))
                n = static_cast<uint32_t>(*x);
            if (!n) {
                w.error(j + 1, "invalid " + k + " value '" + *v + "'");
                return std::nullopt;
            }
            rm.value = *n;
            out.metrics.push_back(rm);
            ++j;
        } else if (k == "features") {
            if (!(v = w.value(j))) return std::nullopt;
            if (*v != "ecn") {
                w.error(j + 1, "'features' expects 'ecn', got '" + *v + "'");
                return std::nullopt;
            }
            out.features_ecn = true;
            ++j;
        } else if (k == "congctl") {
            if (j + 1 < w.size() && w.at(j + 1) == "lock") out.congctl_lock = true, ++j;
            if (!(v = w.value(j))) return std::nullopt;
            out.congctl = *v;
            ++j;
        } else if (k == "pref") {
            if (!(v = w.value(j))) return std::nullopt;
            if (*v == "low") out.pref = 3;
            else if (*v == "medium") out.pref = 0;
            else if (*v == "high") out.pref = 1;
            else {
                w.error(j + 1, "'pref' expects low|medium|high, got '" + *v + "'");
                return std::nullopt;
            }
            ++j;
        } else if (k == "ttl-propagate") {
            if (!(v = w.value(j))) return std::nullopt;
            if (*v != "enabled" && *v != "disabled") {
                w.error(j + 1, "'ttl-propagate' expects enabled|disabled, got '" + *v + "'");
                return std::nullopt;
            }
            out.ttl_propagate = *v == "enabled";
            ++j;
        } else if (k == "expires") {
            auto n = uint_value(w, j, 0x7FFFFFFFu);
            if (!n) return std::nullopt;
            out.expires = *n;
            ++j;
        } else if (k == "onlink") {
            out.onlink = true;
        } else if (k == "vrf") {
            if (!(v = w.value(j))) return std::nullopt;
            out.vrf = *v;
            ++j;
        } else if (k == "append") {
            out.append = true;
        } else if (k == "no_track" && !is_static) {
            out.no_track = true;
        } else if (k == "track_group" && is_static) {
            if (!(v = w.value(j))) return std::nullopt;
            out.track_group = *v;
            ++j;
        } else if (k == "encap") {
            w.error(j, "route encapsulation ('encap') is not supported by halbd");
            return std::nullopt;
        } else {
            w.error(j, "unknown route option '" + k + "'");
            return std::nullopt;
        }
    }
    if (!have_to) {
        w.error(0, "route has no destination (expected an address/prefix, 'to' or 'default')");
        return std::nullopt;
    }
    if (to_default) out.to = net::Prefix{zero(fam.fam.value_or(net::Family::V4)), 0};
    else if (fam.fam && *fam.fam != out.to.address.family()) {
        w.error(0, "address family mismatch in route");
        return std::nullopt;
    }
    for (const auto& n : out.nexthops)
        if (!n.via && n.dev.empty()) {
            w.error(0, "a nexthop needs 'via' or 'dev'");
            return std::nullopt;
        }
    if (out.expires && !out.to.address.is_v6()) {
        w.error(0, "'expires' is only valid for IPv6 routes");
        return std::nullopt;
    }
    if (is_static && !out.track_group.empty() && out.dev.empty() && out.nexthops.empty()) {
        w.error(0, "a static route with track_group needs 'dev'");
        return std::nullopt;
    }
    return out;
}

std::string format_route_line(const RouteLine& r) {
    std::string s;
    if (r.type != RouteType::Unicast) s += std::string(kRouteTypes[static_cast<size_t>(r.type)]) + " ";
    s += r.to.to_string();
    if (r.src) s += " src " + r.src->to_string();
    if (r.from) s += " from " + r.from->to_string();
    if (r.via) s += " via " + r.via->to_string();
    if (!r.dev.empty()) s += " dev " + r.dev;
    if (r.table) s += " table " + std::to_string(*r.table);
    if (r.metric) s += " metric " + std::to_string(*r.metric);
    if (r.protocol) s += " protocol " + std::to_string(*r.protocol);
    if (r.scope) s += " scope " + scope_name(*r.scope);
    if (r.tos) s += " tos " + std::to_string(*r.tos);
    if (r.realms) s += " realms " + realms_text(*r.realms);
    for (const auto& m : r.metrics) {
        s += ' ';
        s += kMetricNames[static_cast<size_t>(m.kind)];
        if (m.lock) s += " lock";
        s += ' ' + std::to_string(m.value);
    }
    if (r.features_ecn) s += " features ecn";
    if (!r.congctl.empty()) s += std::string(" congctl ") + (r.congctl_lock ? "lock " : "") + r.congctl;
    if (r.pref) s += *r.pref == 3 ? " pref low" : *r.pref == 1 ? " pref high" : " pref medium";
    if (r.ttl_propagate) s += *r.ttl_propagate ? " ttl-propagate enabled" : " ttl-propagate disabled";
    if (r.expires) s += " expires " + std::to_string(*r.expires);
    if (r.onlink) s += " onlink";
    if (!r.vrf.empty()) s += " vrf " + r.vrf;
    for (const auto& n : r.nexthops) {
        s += " nexthop";
        if (n.via) s += " via " + n.via->to_string();
        if (!n.dev.empty()) s += " dev " + n.dev;
        if (n.weight) s += " weight " + std::to_string(*n.weight);
        if (n.onlink) s += " onlink";
        if (n.realms) s += " realms " + realms_text(*n.realms);
    }
    if (r.append) s += " append";
    if (r.no_track) s += " no_track";
    if (!r.track_group.empty()) s += " track_group " + r.track_group;
    return s;
}

// ---- rules -----------------------------------------------------------------

namespace {

constexpr NameValue kIpProtos[] = {{"icmp", 1}, {"igmp", 2}, {"tcp", 6}, {"udp", 17}, {"dccp", 33},
                                   {"gre", 47}, {"esp", 50}, {"ah", 51}, {"ipv6-icmp", 58},
                                   {"sctp", 132}, {"udplite", 136}};

bool range_value(Words& w, size_t j, uint32_t max, uint32_t& lo, uint32_t& hi) {
    const std::string* v = w.value(j);
    if (!v) return false;
    std::string_view s = *v;
    auto dash = s.find('-');
    auto a = number(s.substr(0, dash), max);
    auto b = dash == std::string_view::npos ? a : number(s.substr(dash + 1), max);
    if (!a || !b || *b < *a) {
        w.error(j + 1, "'" + w.at(j) + "' expects N or N-M (0-" + std::to_string(max) + "), got '" + *v + "'");
        return false;
    }
    lo = static_cast<uint32_t>(*a);
    hi = static_cast<uint32_t>(*b);
    return true;
}

}  // namespace

std::optional<RuleLine> parse_rule_line(Args& line, bool is_static) {
    Words w{line};
    RuleLine out;
    out.loc = line.loc();
    FamilyCheck fam;
    bool have_action = false;
    auto set_action = [&](size_t j, RuleAction a) {
        if (have_action) {
            w.error(j, "rule action given twice");
            return false;
        }
        have_action = true;
        out.action = a;
        return true;
    };
    for (size_t j = 0; j < w.size(); ++j) {
        const std::string& k = w.at(j);
        const std::string* v = nullptr;
        if (k == "from" || k == "to") {
            if (!(v = w.value(j))) return std::nullopt;
            ++j;
            if (*v == "all") continue;
            auto p = prefix_word(w, j);
            if (!p || !fam.check(w, j, p->address.family())) return std::nullopt;
            (k == "from" ? out.from : out.to) = *p;
        } else if (k == "inet" || k == "inet6") {
            if (!fam.check(w, j, k == "inet6" ? net::Family::V6 : net::Family::V4)) return std::nullopt;
        } else if (k == "not") {
            out.invert = true;
        } else if (k == "preference" || k == "priority" || k == "order" || k == "pref" || k == "prio") {
            auto n = uint_value(w, j, 0xFFFFFFFFu);
            if (!n) return std::nullopt;
            out.preference = *n;
            ++j;
        } else if (k == "table" || k == "lookup") {
            auto t = rt_value(w, j, RtFile::Tables, 0xFFFFFFFFu, "routing table");
            if (!t || !set_action(j, RuleAction::Table)) return std::nullopt;
            out.table = *t;
            ++j;
        } else if (k == "goto") {
            auto n = uint_value(w, j, 0xFFFFFFFFu);
            if (!n || !set_action(j, RuleAction::Goto)) return std::nullopt;
            out.goto_target = *n;
            ++j;
        } else if (k == "nop") {
            if (!set_action(j, RuleAction::Nop)) return std::nullopt;
        } else if (k == "blackhole" || k == "unreachable" || k == "prohibit") {
            if (!set_action(j, k == "blackhole" ? RuleAction::Blackhole
                               : k == "unreachable" ? RuleAction::Unreachable : RuleAction::Prohibit))
                return std::nullopt;
        } else if (k == "fwmark") {
            if (!(v = w.value(j))) return std::nullopt;
            std::string_view s = *v;
            auto slash = s.find('/');
            auto mark = number(s.substr(0, slash), 0xFFFFFFFFu);
            std::optional<uint64_t> mask;
            if (slash != std::string_view::npos) mask = number(s.substr(slash + 1), 0xFFFFFFFFu);
            if (!mark || (slash != std::string_view::npos && !mask)) {
                w.error(j + 1, "'fwmark' expects MARK[/MASK], got '" + *v + "'");
                return std::nullopt;
            }
            out.fwmark = static_cast<uint32_t>(*mark);
            if (mask) out.fwmask = static_cast<uint32_t>(*mask);
            ++j;
        } else if (k == "realms") {
            auto r = realms_value(w, j);
            if (!r) return std::nullopt;
            out.realms = *r;
            ++j;
        } else if (k == "iif" || k == "dev") {
            if (!(v = w.value(j))) return std::nullopt;
            out.iif = *v;
            ++j;
        } else if (k == "oif") {
            if (!(v = w.value(j))) return std::nullopt;
            out.oif = *v;
            ++j;
        } else if (k == "tos" || k == "dsfield") {
            auto t = rt_value(w, j, RtFile::Dsfield, 255, "tos");
            if (!t) return std::nullopt;
            out.tos = static_cast<uint8_t>(*t);
            ++j;
        } else if (k == "suppress_prefixlength" || k == "sup_pl") {
            auto n = uint_value(w, j, 128);
            if (!n) return std::nullopt;
            out.suppress_prefixlength = *n;
            ++j;
        } else if (k == "suppress_ifgroup" || k == "sup_group") {
            auto n = uint_value(w, j, 0xFFFFFFFFu);
            if (!n) return std::nullopt;
            out.suppress_ifgroup = *n;
            ++j;
        } else if (k == "uidrange") {
            uint32_t lo = 0, hi = 0;
            if (!range_value(w, j, 0xFFFFFFFFu, lo, hi)) return std::nullopt;
            out.uidrange_start = lo;
            out.uidrange_end = hi;
            ++j;
        } else if (k == "l3mdev") {
            out.l3mdev = true;
            have_action = true;
        } else if (k == "protocol" || k == "proto") {
            auto p = rt_value(w, j, RtFile::Protos, 255, "protocol");
            if (!p) return std::nullopt;
            out.protocol = static_cast<uint8_t>(*p);
            ++j;
        } else if (k == "ip_proto" || k == "ipproto") {
            if (!(v = w.value(j))) return std::nullopt;
            std::string low;
            for (char c : *v) low += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            std::optional<uint8_t> p;
            for (const auto& n : kIpProtos)
                if (n.name == low) p = n.value;
            if (!p)
                if (auto n = number(*v, 255)) p = static_cast<uint8_t>(*n);
            if (!p) {
                w.error(j + 1, "unknown IP protocol '" + *v + "'");
                return std::nullopt;
            }
            out.ip_proto = *p;
            ++j;
        } else if (k == "sport" || k == "dport") {
            uint32_t lo = 0, hi = 0;
            if (!range_value(w, j, 65535, lo, hi)) return std::nullopt;
            (k == "sport" ? out.sport_start : out.dport_start) = static_cast<uint16_t>(lo);
            (k == "sport" ? out.sport_end : out.dport_end) = static_cast<uint16_t>(hi);
            ++j;
        } else if (k == "no_track" && !is_static) {
            out.no_track = true;
        } else if (k == "track_group" && is_static) {
            if (!(v = w.value(j))) return std::nullopt;
            out.track_group = *v;
            ++j;
        } else {
            w.error(j, "unknown rule option '" + k + "'");
            return std::nullopt;
        }
    }
    out.family = fam.fam.value_or(net::Family::V4);
    if (out.action == RuleAction::Goto && out.goto_target && out.preference &&
        *out.goto_target <= *out.preference) {
        w.error(0, "'goto' must jump to a higher preference than the rule's own");
        return std::nullopt;
    }
    return out;
}

std::string format_rule_line(const RuleLine& r) {
    std::string s;
    auto add = [&](const std::string& part) {
        if (!s.empty()) s += ' ';
        s += part;
    };
    if (r.family == net::Family::V6 && !r.from && !r.to) add("inet6");
    if (r.invert) add("not");
    if (r.from) add("from " + r.from->to_string());
    if (r.to) add("to " + r.to->to_string());
    if (!r.from && !r.to) add("from all");
    if (r.preference) add("preference " + std::to_string(*r.preference));
    switch (r.action) {
        case RuleAction::Table:
            if (r.table) add("table " + std::to_string(*r.table));
            break;
        case RuleAction::Goto: add("goto " + std::to_string(r.goto_target.value_or(0))); break;
        case RuleAction::Nop: add("nop"); break;
        case RuleAction::Blackhole: add("blackhole"); break;
        case RuleAction::Unreachable: add("unreachable"); break;
        case RuleAction::Prohibit: add("prohibit"); break;
    }
    if (r.fwmark)
        add("fwmark " + std::to_string(*r.fwmark) + (r.fwmask ? "/" + std::to_string(*r.fwmask) : ""));
    if (r.realms) add("realms " + realms_text(*r.realms));
    if (!r.iif.empty()) add("iif " + r.iif);
    if (!r.oif.empty()) add("oif " + r.oif);
    if (r.tos) add("tos " + std::to_string(*r.tos));
    if (r.suppress_prefixlength) add("suppress_prefixlength " + std::to_string(*r.suppress_prefixlength));
    if (r.suppress_ifgroup) add("suppress_ifgroup " + std::to_string(*r.suppress_ifgroup));
    if (r.uidrange_start)
        add("uidrange " + std::to_string(*r.uidrange_start) + "-" + std::to_string(r.uidrange_end.value_or(0)));
    if (r.l3mdev) add("l3mdev");
    if (r.protocol) add("protocol " + std::to_string(*r.protocol));
    if (r.ip_proto) add("ip_proto " + std::to_string(*r.ip_proto));
    if (r.sport_start) add("sport " + std::to_string(*r.sport_start) + "-" + std::to_string(r.sport_end.value_or(0)));
    if (r.dport_start) add("dport " + std::to_string(*r.dport_start) + "-" + std::to_string(r.dport_end.value_or(0)));
    if (r.no_track) add("no_track");
    if (!r.track_group.empty()) add("track_group " + r.track_group);
    return s;
}

}  // namespace halbd::config::vrrp_detail
