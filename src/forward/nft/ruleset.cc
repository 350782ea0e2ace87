// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/nft/ruleset.cc: see ruleset.hh. Every function returns complete
// nft(8) command lines; the backend concatenates them into one transaction.
#include "forward/nft/ruleset.hh"

#include <cstdio>

#include "forward/nft/maglev.hh"
#include "forward/nft/smooth_wrr.hh"

namespace halbd::forward::nft {

namespace {

bool is_v6(const ServiceKey& k) { return k.family == net::Family::V6; }
const char* ip_word(const ServiceKey& k) { return is_v6(k) ? "ip6" : "ip"; }
const char* proto_word(Protocol p) { return p == Protocol::TCP ? "tcp" : p == Protocol::UDP ? "udp" : "sctp"; }

// "add chain ip halbd " etc.: the command prefix for an object of k's table.
std::string cmd(const char* verb, const char* object, const ServiceKey& k) {
    return std::string(verb) + " " + object + " " + family_word(k.family) + " " + kTable + " ";
}

std::string slots_map(const Service& s) { return chain_name(s.key) + "_slots"; }
std::string sticky_map(const Service& s) { return chain_name(s.key) + "_sticky"; }
bool persistent(const Service& s) { return (s.params.flags & svc_flags::persistent) != 0; }

// Destinations of a fwmark service keep the packet's port when all have port 0.
bool keeps_port(const Service& s) {
    if (!s.key.fwmark) return false;
    for (const auto& [d, p] : s.dests)
        if (d.port != 0) return false;
    return true;
}

// What the slot maps hold for a destination: "ip daddr . th dport" (typeof).
std::string dest_typeof(const Service& s) {
    std::string t = std::string(ip_word(s.key)) + " daddr";
    if (!keeps_port(s)) t += " . th dport";
    return t;
}
// The persistence maps hold the address only for IPv6: nft 1.0.6 aborts
// (an assertion in netlink_linearize.c) on an IPv6 key with address . port
// data in a dynamic-map update. The port is then the one all its real
// servers share (apply_op refuses others).
bool sticky_address_only(const Service& s) { return keeps_port(s) || is_v6(s.key); }
std::string sticky_typeof(const Service& s) {
    return std::string(ip_word(s.key)) + " daddr" + (sticky_address_only(s) ? "" : " . th dport");
}
std::string sticky_port_suffix(const Service& s) {
    if (keeps_port(s) || !is_v6(s.key)) return "";
    return " : " + std::to_string(s.dests.empty() ? s.key.port : s.dests.begin()->first.port);
}
std::string dest_value(const Service& s, const DestKey& d) {
    std::string v = d.address.to_string();
    if (!keeps_port(s)) v += " . " + std::to_string(d.port);
    return v;
}
// The match that gives nft the transport context a port mapping needs.
std::string l4_match(const Service& s) {
    if (keeps_port(s)) return "";
    if (s.key.fwmark) return "meta l4proto { tcp, udp, sctp } ";
    return std::string("meta l4proto ") + proto_word(s.key.protocol) + " ";
}

// The persistence key: the client address masked by persistence_granularity.
std::string client_key(const Service& s) {
    std::string e = std::string(ip_word(s.key)) + " saddr";
    const uint32_t nm = s.params.netmask;
    if (!is_v6(s.key)) {
        if (nm == 0xffffffff) return e;
        const auto* b = reinterpret_cast<const uint8_t*>(&nm);  // network byte order
        char buf[32];
        std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
        return e + " & " + buf;
    }
    if (nm >= 128) return e;
    uint8_t bytes[16] = {};
    for (uint32_t i = 0; i < nm; ++i) bytes[i / 8] |= static_cast<uint8_t>(0x80u >> (i % 8));
    return e + " & " + net::IpAddress::from_bytes(net::Family::V6, bytes).to_string();
}

std::string scheduler_expr(const Service& s, size_t slots) {
    const std::string& sched = s.params.scheduler;
    if (sched == "rr" || sched == "wrr") return "numgen inc mod " + std::to_string(slots);
    const std::string ip = ip_word(s.key);
    std::string key = sched == "dh" ? ip + " daddr" : ip + " saddr";
    if (sched != "dh" && (s.params.flags & svc_flags::sched2)) key += " . th sport";
    return "jhash " + key + " mod " + std::to_string(slots) + " seed " + std::to_string(hash_seed(s.key));
}

std::string comment(const Service& s) {
    const ServiceKey& k = s.key;
    if (k.fwmark) return "virtual_server fwmark " + std::to_string(k.fwmark) + (is_v6(k) ? " inet6" : "");
    return "virtual_server " + k.address.to_string() + " " + std::to_string(k.port) + " " + protocol_name(k.protocol);
}

std::string dispatch_element(const Service& s) {
    const ServiceKey& k = s.key;
    if (k.fwmark) return std::string("fwmarks { ") + std::to_string(k.fwmark);
    return std::string("services { ") + proto_word(k.protocol) + " . " + k.address.to_string() + " . " +
           std::to_string(k.port);
}

std::string sticky_map_add(const Service& s) {
    return cmd("add", "map", s.key) + sticky_map(s) + " { typeof " + ip_word(s.key) + " saddr : " + sticky_typeof(s) +
           "; flags dynamic,timeout; timeout " + std::to_string(s.params.timeout) + "s; }\n";
}

// The service's rules and slot map (the chain exists and is empty; the slot map does not exist).
std::string rules_and_slots(const Service& s) {
    const std::string name = chain_name(s.key);
    std::string out = cmd("add", "map", s.key) + slots_map(s) + " { typeof numgen inc mod 2 : " + dest_typeof(s) + "; }\n";
    const std::vector<DestKey> layout = slot_layout(s);
    if (!layout.empty()) {
        out += cmd("add", "element", s.key) + slots_map(s) + " { ";
        for (size_t i = 0; i < layout.size(); ++i) {
            if (i) out += ", ";
            out += std::to_string(i) + " : " + dest_value(s, layout[i]);
        }
        out += " }\n";
    }
    const std::string dnat = std::string("dnat ") + ip_word(s.key) + " to ";
    if (persistent(s))
        out += cmd("add", "rule", s.key) + name + " " + l4_match(s) + dnat + client_key(s) + " map @" + sticky_map(s) +
               sticky_port_suffix(s) + "\n";
    if (!layout.empty())
        out += cmd("add", "rule", s.key) + name + " " + l4_match(s) + dnat + scheduler_expr(s, layout.size()) +
               " map @" + slots_map(s) + "\n";
    // No real server with a weight: refuse new connections, as IPVS does.
    out += cmd("add", "rule", s.key) + name + " drop\n";
    return out;
}

std::string u8(unsigned v) { return std::to_string(v); }

}  // namespace

const char* family_word(net::Family f) { return f == net::Family::V6 ? "ip6" : "ip"; }

std::string chain_name(const ServiceKey& k) {
    if (k.fwmark) return "fwm_" + std::to_string(k.fwmark);
    std::string a = k.address.to_string();
    for (char& c : a)
        if (c == '.' || c == ':') c = '_';
    return std::string(proto_word(k.protocol)) + "_" + a + "_" + std::to_string(k.port);
}

std::string persist_chain_name(const ServiceKey& k) {
    if (k.fwmark) return "persist_" + chain_name(k);
    std::string a = k.address.to_string();
    for (char& c : a)
        if (c == '.' || c == ':') c = '_';
    return std::string("persist_") + proto_word(k.protocol) + "_" + a;
}

uint32_t hash_seed(const ServiceKey& k) {
    const uint64_t h = fnv1a(k.to_string());
    return static_cast<uint32_t>(h ^ (h >> 32));
}

std::vector<DestKey> slot_layout(const Service& s) {
    std::vector<DestKey> keys;
    std::vector<uint32_t> weights;
    for (const auto& [d, p] : s.dests) {
        keys.push_back(d);
        weights.push_back(p.weight > 0 ? static_cast<uint32_t>(p.weight) : 0);
    }
    std::vector<uint32_t> idx;
    const std::string& sched = s.params.scheduler;
    if (sched == "rr") {
        for (auto& w : weights) w = w > 0 ? 1 : 0;
        idx = smooth_wrr_slots(weights);
    } else if (sched == "wrr") {
        idx = smooth_wrr_slots(weights);
    } else {
        // sh, dh, mh: IPVS's sh and dh weigh servers too.
        std::vector<MaglevEntry> entries;
        for (size_t i = 0; i < keys.size(); ++i) entries.push_back({keys[i].to_string(), weights[i]});
        idx = maglev_table(entries);
    }
    std::vector<DestKey> out;
    out.reserve(idx.size());
    for (uint32_t i : idx) out.push_back(keys[i]);
    return out;
}

std::string table_create(net::Family f) {
    const std::string t = std::string(family_word(f)) + " " + kTable;
    const std::string addr = f == net::Family::V6 ? "ipv6_addr" : "ipv4_addr";
    const std::string ip = f == net::Family::V6 ? "ip6" : "ip";
    return "add table " + t + "\n" + "delete table " + t + "\n" + "add table " + t + "\n" +
           "add map " + t + " services { type inet_proto . " + addr + " . inet_service : verdict; }\n" +
           "add map " + t + " fwmarks { type mark : verdict; }\n" +
           "add map " + t + " persist_vips { type inet_proto . " + addr + " : verdict; }\n" +
           "add map " + t + " persist_fwmarks { type mark : verdict; }\n" +
           "add chain " + t + " prerouting { type nat hook prerouting priority dstnat; policy accept; }\n" +
           "add rule " + t + " prerouting meta l4proto . " + ip + " daddr . th dport vmap @services\n" +
           "add rule " + t + " prerouting meta mark vmap @fwmarks\n" +
           "add chain " + t + " persist { type filter hook prerouting priority dstnat + 10; policy accept; }\n" +
           "add rule " + t + " persist ct state new ct status dnat meta l4proto . ct original " + ip +
           " daddr vmap @persist_vips\n" +
           "add rule " + t + " persist ct state new ct status dnat meta mark vmap @persist_fwmarks\n";
}

std::string table_delete(net::Family f) {
    const std::string t = std::string(family_word(f)) + " " + kTable;
    return "add table " + t + "\n" + "delete table " + t + "\n";
}

std::string service_add(const Service& s) {
    const std::string name = chain_name(s.key);
    std::string out = cmd("add", "chain", s.key) + name + " { comment \"" + comment(s) + "\"; }\n";
    if (persistent(s)) out += sticky_map_add(s);
    out += rules_and_slots(s);
    out += cmd("add", "element", s.key) + dispatch_element(s) + " : goto " + name + " }\n";
    return out;
}

std::string service_delete(const Service& s) {
    const std::string name = chain_name(s.key);
    std::string out = cmd("delete", "element", s.key) + dispatch_element(s) + " }\n";
    out += cmd("flush", "chain", s.key) + name + "\n";
    out += cmd("delete", "chain", s.key) + name + "\n";
    out += cmd("delete", "map", s.key) + slots_map(s) + "\n";
    if (persistent(s)) out += cmd("delete", "map", s.key) + sticky_map(s) + "\n";
    return out;
}

std::string service_replace(const Service& before, const Service& after) {
    std::string out = cmd("flush", "chain", after.key) + chain_name(after.key) + "\n";
    out += cmd("delete", "map", after.key) + slots_map(after) + "\n";
    const bool same_sticky = persistent(before) && persistent(after) && before.params.timeout == after.params.timeout &&
                             before.params.netmask == after.params.netmask && keeps_port(before) == keeps_port(after) &&
                             sticky_port_suffix(before) == sticky_port_suffix(after);
    if (persistent(before) && !same_sticky) out += cmd("delete", "map", before.key) + sticky_map(before) + "\n";
    if (persistent(after) && !same_sticky) out += sticky_map_add(after);
    if (same_sticky) {
        // A destination that lost its slots must not keep its clients.
        bool lost = false;
        for (const auto& [d, p] : before.dests) {
            auto it = after.dests.find(d);
            if (p.weight > 0 && (it == after.dests.end() || it->second.weight <= 0)) lost = true;
        }
        if (lost) out += cmd("flush", "map", after.key) + sticky_map(after) + "\n";
    }
    return out + rules_and_slots(after);
}

PersistUpdate persist_group(const ServiceKey& any, bool existed, const std::vector<const Service*>& persistent) {
    PersistUpdate u;
    const std::string name = persist_chain_name(any);
    const std::string element = any.fwmark ? "persist_fwmarks { " + std::to_string(any.fwmark)
                                           : std::string("persist_vips { ") + proto_word(any.protocol) + " . " +
                                                 any.address.to_string();
    if (existed) u.before = cmd("flush", "chain", any) + name + "\n";
    if (persistent.empty()) {
        if (existed)
            u.before += cmd("delete", "element", any) + element + " }\n" + cmd("delete", "chain", any) + name + "\n";
        return u;
    }
    if (!existed) u.after = cmd("add", "chain", any) + name + "\n";
    for (const Service* s : persistent) {
        std::string match = l4_match(*s);
        if (!s->key.fwmark) match += "ct original proto-dst " + u8(s->key.port) + " ";
        u.after += cmd("add", "rule", any) + name + " " + match + "update @" + sticky_map(*s) + " { " + client_key(*s) +
                   " timeout " + std::to_string(s->params.timeout) + "s : " + sticky_typeof(*s) + " }\n";
    }
    if (!existed) u.after += cmd("add", "element", any) + element + " : goto " + name + " }\n";
    return u;
}

}  // namespace halbd::forward::nft
