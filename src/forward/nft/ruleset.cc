// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/nft/ruleset.cc: see ruleset.hh. Every function returns complete
// nft(8) command lines; the backend concatenates them into one transaction.
#include "forward/nft/ruleset.hh"

#include <algorithm>
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

std::string sticky_map(const Service& s) { return chain_name(s.key) + "_sticky"; }
bool persistent(const Service& s) { return (s.params.flags & svc_flags::persistent) != 0; }

// Destinations of a fwmark service keep the packet's port when all have port 0.
bool keeps_port(const Service& s) {
    if (!s.key.fwmark) return false;
    for (const auto& [d, p] : s.dests)
        if (d.port != 0) return false;
    return true;
}

// The persistence maps hold the address only for IPv6: nft 1.0.6 aborts
// (an assertion in netlink_linearize.c) on an IPv6 key with address . port
// data in a dynamic-map update. The port is then the one all its real
// servers share (apply_op refuses others).
bool sticky_address_only(const Service& s) { return keeps_port(s) || is_v6(s.key); }
// "tcp dport": map data typed `th dport` cannot be used by a later
// transaction's rule (nft 1.0.6 reads it back from the kernel as a protocol
// conflicting with the rule's), so the maps name the protocol; only a fwmark
// service's own maps (see owns_maps) say `th`, and are made with their rules.
std::string dport(const Service& s) {
    return std::string(s.key.fwmark ? "th" : proto_word(s.key.protocol)) + " dport";
}
std::string sticky_typeof(const Service& s) {
    return std::string(ip_word(s.key)) + " daddr" + (sticky_address_only(s) ? "" : " . " + dport(s));
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

// A fwmark service whose real servers have ports keeps its own slot map, as
// its packets may be TCP, UDP or SCTP (data `th dport`, see dport()): it is
// recreated with the service's rules on every change, and so is its
// persistence map.
bool owns_maps(const Service& s) { return s.key.fwmark && !keeps_port(s); }
// The service's own part of a slot key ("192.0.2.10 . 80 . ", "3 . "), and
// the expression the packet gives it.
std::string slot_prefix(const Service& s) {
    const ServiceKey& k = s.key;
    if (owns_maps(s)) return "";
    if (k.fwmark) return std::to_string(k.fwmark) + " . ";
    return k.address.to_string() + " . " + std::to_string(k.port) + " . ";
}
std::string slot_key_expr(const Service& s) {
    if (owns_maps(s)) return "";
    if (s.key.fwmark) return "meta mark . ";
    return std::string(ip_word(s.key)) + " daddr . " + dport(s) + " . ";
}
std::string own_slots_map_add(const Service& s) {
    return cmd("add", "map", s.key) + slot_map(s) + " { typeof numgen inc mod 2 : " + ip_word(s.key) +
           " daddr . th dport; }\n";
}

}  // namespace

// Why shared and why buckets: the kernel keeps a table's sets in a list
// searched by name (a map per service made 10,000 services cost O(n^2):
// 12.9 s), and binding a rule to a map walks all the map's elements unless a
// rule of the same chain is bound already (one map for all made each rule
// rewrite walk every slot of every service).
std::string slot_map(const Service& s) {
    if (owns_maps(s)) return chain_name(s.key) + "_slots";
    const std::string bucket = "_" + std::to_string(hash_seed(s.key) % kSlotMapBuckets);
    if (s.key.fwmark) return "fwmark_slots" + bucket;
    return std::string(proto_word(s.key.protocol)) + "_slots" + bucket;
}

bool shares_slot_map(const Service& s) { return !owns_maps(s); }

std::string slot_map_add(const Service& s) {
    std::string data = std::string(ip_word(s.key)) + " daddr";
    if (!s.key.fwmark) data += " . " + dport(s);
    const std::string key = s.key.fwmark ? "meta mark" : data;
    return cmd("add", "map", s.key) + slot_map(s) + " { typeof " + key + " . numgen inc mod 2 : " + data + "; }\n";
}

namespace {

// "VERB element ... MAP { items }" or nothing when there are none.
std::string elements(const char* verb, const Service& s, const std::string& map, const std::vector<std::string>& items) {
    if (items.empty()) return "";
    std::string out = cmd(verb, "element", s.key) + map + " { ";
    for (size_t i = 0; i < items.size(); ++i) {
        if (i) out += ", ";
        out += items[i];
    }
    return out + " }\n";
}
std::string slot_item(const Service& s, size_t i, const DestKey* d) {
    std::string e = slot_prefix(s) + std::to_string(i);
    return d ? e + " : " + dest_value(s, *d) : e;
}
std::string slots_add(const Service& s, const std::vector<DestKey>& layout) {
    std::vector<std::string> items;
    items.reserve(layout.size());
    for (size_t i = 0; i < layout.size(); ++i) items.push_back(slot_item(s, i, &layout[i]));
    return elements("add", s, slot_map(s), items);
}
std::string slots_delete(const Service& s, size_t count) {
    std::vector<std::string> items;
    items.reserve(count);
    for (size_t i = 0; i < count; ++i) items.push_back(slot_item(s, i, nullptr));
    return elements("delete", s, slot_map(s), items);
}

// The service's rules (its chain exists and is empty).
std::string rules(const Service& s, size_t slots) {
    const std::string name = chain_name(s.key);
    std::string out;
    const std::string dnat = std::string("dnat ") + ip_word(s.key) + " to ";
    if (persistent(s))
        out += cmd("add", "rule", s.key) + name + " " + l4_match(s) + dnat + client_key(s) + " map @" + sticky_map(s) +
               sticky_port_suffix(s) + "\n";
    if (slots)
        out += cmd("add", "rule", s.key) + name + " " + l4_match(s) + dnat + slot_key_expr(s) +
               scheduler_expr(s, slots) + " map @" + slot_map(s) + "\n";
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

std::string scheduler_expr(const Service& s, size_t slots) {
    const std::string& sched = s.params.scheduler;
    if (sched == "rr" || sched == "wrr") return "numgen inc mod " + std::to_string(slots);
    const std::string ip = ip_word(s.key);
    std::string key = sched == "dh" ? ip + " daddr" : ip + " saddr";
    if (sched != "dh" && (s.params.flags & svc_flags::sched2)) key += " . th sport";
    return "jhash " + key + " mod " + std::to_string(slots) + " seed " + std::to_string(hash_seed(s.key));
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

Commands service_add(const Service& s) {
    const std::string name = chain_name(s.key);
    Commands c;
    c.main = cmd("add", "chain", s.key) + name + " { comment \"" + comment(s) + "\"; }\n";
    if (persistent(s)) c.main += sticky_map_add(s);
    const std::vector<DestKey> layout = slot_layout(s);
    if (owns_maps(s)) c.main += own_slots_map_add(s);
    c.main += rules(s, layout.size());
    c.main += cmd("add", "element", s.key) + dispatch_element(s) + " : goto " + name + " }\n";
    c.slots = slots_add(s, layout);
    return c;
}

Commands service_delete(const Service& s) {
    const std::string name = chain_name(s.key);
    Commands c;
    c.main = cmd("delete", "element", s.key) + dispatch_element(s) + " }\n";
    c.main += cmd("flush", "chain", s.key) + name + "\n";
    c.main += cmd("delete", "chain", s.key) + name + "\n";
    if (owns_maps(s)) c.main += cmd("delete", "map", s.key) + slot_map(s) + "\n";
    else c.main += slots_delete(s, slot_layout(s).size());
    if (persistent(s)) c.main += cmd("delete", "map", s.key) + sticky_map(s) + "\n";
    return c;
}

Commands service_replace(const Service& before, const Service& after) {
    const std::vector<DestKey> was = slot_layout(before), now = slot_layout(after);
    const bool same_sticky = persistent(before) && persistent(after) && before.params.timeout == after.params.timeout &&
                             before.params.netmask == after.params.netmask && keeps_port(before) == keeps_port(after) &&
                             sticky_port_suffix(before) == sticky_port_suffix(after) && !owns_maps(before) &&
                             !owns_maps(after);
    const bool sticky_changes = (persistent(before) || persistent(after)) && !same_sticky;
    const bool own = owns_maps(before) || owns_maps(after);
    const std::string new_rules = rules(after, now.size());
    const bool rules_change = own || sticky_changes || rules(before, was.size()) != new_rules;
    Commands c;
    if (rules_change) c.main += cmd("flush", "chain", after.key) + chain_name(after.key) + "\n";
    if (persistent(before) && !same_sticky) c.main += cmd("delete", "map", before.key) + sticky_map(before) + "\n";
    if (persistent(after) && !same_sticky) c.main += sticky_map_add(after);
    if (same_sticky) {
        // A destination that lost its slots must not keep its clients.
        bool lost = false;
        for (const auto& [d, p] : before.dests) {
            auto it = after.dests.find(d);
            if (p.weight > 0 && (it == after.dests.end() || it->second.weight <= 0)) lost = true;
        }
        if (lost) c.main += cmd("flush", "map", after.key) + sticky_map(after) + "\n";
    }
    if (own) {
        // Made again with the rules (see owns_maps).
        c.main += owns_maps(before) ? cmd("delete", "map", before.key) + slot_map(before) + "\n"
                                    : slots_delete(before, was.size());
        if (owns_maps(after)) c.main += own_slots_map_add(after);
        c.slots = slots_add(after, now);
    } else if (slot_map(before) != slot_map(after)) {
        c.main += slots_delete(before, was.size());
        c.slots = slots_add(after, now);
    } else {
        // Only the slots whose server changed are sent (deleted, then added).
        std::vector<std::string> gone, added;
        for (size_t i = 0; i < std::max(was.size(), now.size()); ++i) {
            const bool differs =
                i >= was.size() || i >= now.size() || dest_value(before, was[i]) != dest_value(after, now[i]);
            if (!differs) continue;
            if (i < was.size()) gone.push_back(slot_item(before, i, nullptr));
            if (i < now.size()) added.push_back(slot_item(after, i, &now[i]));
        }
        c.main += elements("delete", before, slot_map(before), gone);
        c.slots = elements("add", after, slot_map(after), added);
    }
    if (rules_change) c.main += new_rules;
    return c;
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
