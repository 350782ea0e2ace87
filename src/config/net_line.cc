// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/net_line.cc: the value readers shared by the address, route and
// rule line grammars (see net_line.hh): numbers, addresses, realms, and the
// names of tables, protocols, scopes and realms from iproute2's files.
#include "config/net_line.hh"

#include <array>
#include <charconv>
#include <fstream>
#include <map>

namespace halbd::config::vrrp_detail {

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

namespace {

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

}  // namespace

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

bool string_value(Words& w, size_t& j, std::string& out) {
    const std::string* v = w.value(j);
    if (!v) return false;
    out = *v;
    ++j;
    return true;
}

bool FamilyCheck::check(Words& w, size_t j, net::Family f) {
    if (!fam) {
        fam = f;
        return true;
    }
    if (*fam == f) return true;
    w.error(j, "address family of '" + w.at(j) + "' does not match the rest of the line");
    return false;
}

net::IpAddress zero(net::Family f) {
    return *net::IpAddress::parse(f == net::Family::V6 ? "::" : "0.0.0.0");
}

}  // namespace halbd::config::vrrp_detail
