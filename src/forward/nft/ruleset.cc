// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/nft/ruleset.cc: see ruleset.hh. Every function returns complete
// nft(8) command lines; the backend concatenates them into one transaction.
#include "forward/nft/ruleset.hh"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "forward/nft/maglev.hh"
#include "forward/nft/nl_batch.hh"
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

std::string sticky_map_add(const Service& s) {
    return cmd("add", "map", s.key) + sticky_map(s) + " { typeof " + ip_word(s.key) + " saddr : " + sticky_typeof(s) +
           "; flags dynamic,timeout; timeout " + std::to_string(s.params.timeout) + "s; }\n";
}

// A fwmark service whose real servers have ports keeps its own slot map, as
// its packets may be TCP, UDP or SCTP (data `th dport`, see dport()): it is
// recreated with the service's rules on every change, and so is its
// persistence map.
bool owns_maps(const Service& s) { return s.key.fwmark && !keeps_port(s); }
// The expression giving the service's own part of a slot key ("192.0.2.10 .
// 80 . ", "3 . ", nothing in its own map: slot_item).
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
// rewrite walk every slot of every service); and each element added to a
// map is checked against every rule bound to it (nft_add_set_elem: with 32
// buckets, 27% of programming 10,000 services; 256 keep both costs small).
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

// Element bytes as nf_tables stores them: nft's address and port types in
// network order, integers (mark, slot) in host order, each field padded to 4.
std::string raw_u32(uint32_t v) { return std::string(reinterpret_cast<const char*>(&v), 4); }
std::string raw_addr(const net::IpAddress& a) {
    return std::string(reinterpret_cast<const char*>(a.bytes()), a.family() == net::Family::V6 ? 16 : 4);
}
std::string raw_port(uint16_t p) { return std::string{char(p >> 8), char(p & 0xff), 0, 0}; }
std::string raw_proto(Protocol p) {
    return std::string{char(p == Protocol::TCP ? 6 : p == Protocol::UDP ? 17 : 132), 0, 0, 0};
}

// "VERB element ... MAP { items }" or nothing when there are none.
NlBatch elements(bool add, const Service& s, const std::string& map, std::vector<ElementItem> items,
                 const char* key_fields, const char* data_fields) {
    if (items.empty()) return {};
    NlOp op{add ? NlOp::Kind::AddElements : NlOp::Kind::DeleteElements};
    op.family = s.key.family;
    op.name = map;
    op.text = cmd(add ? "add" : "delete", "element", s.key) + map;
    op.items = std::move(items);
    op.key_fields = key_fields;
    if (add) op.data_fields = data_fields;
    return {std::move(op)};
}
ElementItem slot_item(const Service& s, size_t i, const DestKey* d) {
    ElementItem e;
    if (owns_maps(s)) e.key = "";
    else if (s.key.fwmark) e.key = raw_u32(s.key.fwmark);
    else e.key = raw_addr(s.key.address) + raw_port(s.key.port);
    e.key += raw_u32(uint32_t(i));
    if (d) e.data = raw_addr(d->address) + (keeps_port(s) ? "" : raw_port(d->port));
    return e;
}
NlBatch slot_elements(bool add, const Service& s, std::vector<ElementItem> items) {
    const char* key = owns_maps(s) ? "n" : s.key.fwmark ? "nn" : "apn";
    return elements(add, s, slot_map(s), std::move(items), key, keeps_port(s) ? "a" : "ap");
}
NlBatch slots_add(const Service& s, const std::vector<DestKey>& layout) {
    std::vector<ElementItem> items;
    items.reserve(layout.size());
    for (size_t i = 0; i < layout.size(); ++i) items.push_back(slot_item(s, i, &layout[i]));
    return slot_elements(true, s, std::move(items));
}
NlBatch slots_delete(const Service& s, size_t count) {
    std::vector<ElementItem> items;
    items.reserve(count);
    for (size_t i = 0; i < count; ++i) items.push_back(slot_item(s, i, nullptr));
    return slot_elements(false, s, std::move(items));
}
// The service's element in `services` or `fwmarks`, going to its chain (add).
NlBatch dispatch(bool add, const Service& s) {
    ElementItem e;
    const ServiceKey& k = s.key;
    e.key = k.fwmark ? raw_u32(k.fwmark) : raw_proto(k.protocol) + raw_addr(k.address) + raw_port(k.port);
    if (add) e.goto_chain = chain_name(k);
    return elements(add, s, k.fwmark ? "fwmarks" : "services", {e}, k.fwmark ? "n" : "Pap", "");
}
NlOp chain_op(NlOp::Kind kind, const Service& s) {
    NlOp op{kind};
    op.family = s.key.family;
    op.name = chain_name(s.key);
    const char* verb = kind == NlOp::Kind::AddChain ? "add" : kind == NlOp::Kind::FlushChain ? "flush" : "delete";
    op.text = cmd(verb, "chain", s.key) + op.name;
    if (kind == NlOp::Kind::AddChain) {
        op.comment = comment(s);
        op.text += " { comment \"" + op.comment + "\"; }";
    }
    op.text += "\n";
    return op;
}
void append(NlBatch& to, NlBatch from) {
    for (auto& op : from) to.push_back(std::move(op));
}

// The service's rules but the persistence lookup (its chain exists and is empty).
NlBatch rule_ops(const Service& s, size_t slots) {
    const std::string name = chain_name(s.key);
    NlBatch out;
    NlOp op{NlOp::Kind::AddRule};
    op.family = s.key.family;
    op.name = name;
    if (slots) {
        const std::string dnat = std::string("dnat ") + ip_word(s.key) + " to ";
        op.text = cmd("add", "rule", s.key) + name + " " + l4_match(s) + dnat + slot_key_expr(s) +
                  scheduler_expr(s, slots) + " map @" + slot_map(s) + "\n";
        RuleSpec& r = op.rule;
        r.v6 = is_v6(s.key);
        if (!keeps_port(s) && !s.key.fwmark) r.l4proto = uint8_t(raw_proto(s.key.protocol)[0]);
        r.mark_key = s.key.fwmark != 0;
        r.port_data = !keeps_port(s);
        const std::string& sched = s.params.scheduler;
        r.sched = sched == "rr" || sched == "wrr" ? RuleSpec::Sched::Numgen
                  : sched == "dh"                 ? RuleSpec::Sched::JhashDaddr
                                                  : RuleSpec::Sched::JhashSaddr;
        r.hash_sport = r.sched == RuleSpec::Sched::JhashSaddr && (s.params.flags & svc_flags::sched2);
        r.modulus = uint32_t(slots);
        r.seed = hash_seed(s.key);
        r.map = slot_map(s);
        out.push_back(op);
    }
    // No real server with a weight: refuse new connections, as IPVS does.
    op.rule = RuleSpec{};
    op.rule.drop = true;
    op.text = cmd("add", "rule", s.key) + name + " drop\n";
    out.push_back(std::move(op));
    return out;
}

// The service's rules (its chain exists and is empty).
std::string rules(const Service& s, size_t slots) {
    const std::string name = chain_name(s.key);
    std::string out;
    const std::string dnat = std::string("dnat ") + ip_word(s.key) + " to ";
    if (persistent(s))
        out += cmd("add", "rule", s.key) + name + " " + l4_match(s) + dnat + client_key(s) + " map @" + sticky_map(s) +
               sticky_port_suffix(s) + "\n";
    return out + batch_text(rule_ops(s, slots));
}

std::string u8(unsigned v) { return std::to_string(v); }

}  // namespace

namespace {
// One element field printed as nft(8) input; `at` moves past it.
std::string field_text(char kind, net::Family f, const std::string& bytes, size_t& at) {
    const auto* p = reinterpret_cast<const uint8_t*>(bytes.data()) + at;
    if (kind == 'a') {
        at += f == net::Family::V6 ? 16 : 4;
        return net::IpAddress::from_bytes(f, p).to_string();
    }
    at += 4;
    if (kind == 'p') return std::to_string(unsigned(p[0]) << 8 | p[1]);
    if (kind == 'P') return p[0] == 6 ? "tcp" : p[0] == 17 ? "udp" : "sctp";
    uint32_t v;
    std::memcpy(&v, p, 4);
    return std::to_string(v);
}
std::string fields_text(const std::string& kinds, net::Family f, const std::string& bytes) {
    std::string out;
    size_t at = 0;
    for (size_t i = 0; i < kinds.size() && at < bytes.size(); ++i) {
        if (i) out += " . ";
        out += field_text(kinds[i], f, bytes, at);
    }
    return out;
}
}  // namespace

std::string op_text(const NlOp& op) {
    if (op.kind != NlOp::Kind::AddElements && op.kind != NlOp::Kind::DeleteElements) return op.text;
    std::string out = op.text + " { ";
    for (size_t i = 0; i < op.items.size(); ++i) {
        const ElementItem& e = op.items[i];
        if (i) out += ", ";
        out += fields_text(op.key_fields, op.family, e.key);
        if (!e.goto_chain.empty()) out += " : goto " + e.goto_chain;
        else if (!e.data.empty()) out += " : " + fields_text(op.data_fields, op.family, e.data);
    }
    return out + " }\n";
}

std::string batch_text(const NlBatch& b) {
    std::string out;
    for (const NlOp& op : b) out += op_text(op);
    return out;
}

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

bool fast(const Service& s) { return !owns_maps(s) && !persistent(s); }

NlCommands nl_service_add(const Service& s) {
    NlCommands c;
    const std::vector<DestKey> layout = slot_layout(s);
    c.main.push_back(chain_op(NlOp::Kind::AddChain, s));
    append(c.main, rule_ops(s, layout.size()));
    append(c.main, dispatch(true, s));
    c.slots = slots_add(s, layout);
    return c;
}

NlCommands nl_service_delete(const Service& s) {
    NlCommands c = {dispatch(false, s), {}};
    c.main.push_back(chain_op(NlOp::Kind::FlushChain, s));
    c.main.push_back(chain_op(NlOp::Kind::DeleteChain, s));
    append(c.main, slots_delete(s, slot_layout(s).size()));
    return c;
}

NlCommands nl_service_replace(const Service& before, const Service& after) {
    const std::vector<DestKey> was = slot_layout(before), now = slot_layout(after);
    NlBatch new_rules = rule_ops(after, now.size());
    const bool rules_change = batch_text(rule_ops(before, was.size())) != batch_text(new_rules);
    NlCommands c;
    if (rules_change) c.main.push_back(chain_op(NlOp::Kind::FlushChain, after));
    // Only the slots whose server changed are sent (deleted, then added).
    std::vector<ElementItem> gone, added;
    for (size_t i = 0; i < std::max(was.size(), now.size()); ++i) {
        const bool differs =
            i >= was.size() || i >= now.size() || dest_value(before, was[i]) != dest_value(after, now[i]);
        if (!differs) continue;
        if (i < was.size()) gone.push_back(slot_item(before, i, nullptr));
        if (i < now.size()) added.push_back(slot_item(after, i, &now[i]));
    }
    append(c.main, slot_elements(false, before, std::move(gone)));
    c.slots = slot_elements(true, after, std::move(added));
    if (rules_change) append(c.main, std::move(new_rules));
    return c;
}

namespace {
Commands text(const NlCommands& n) { return Commands{batch_text(n.main), batch_text(n.slots)}; }
}  // namespace

Commands service_add(const Service& s) {
    if (fast(s)) return text(nl_service_add(s));
    const std::string name = chain_name(s.key);
    Commands c;
    c.main = chain_op(NlOp::Kind::AddChain, s).text;
    if (persistent(s)) c.main += sticky_map_add(s);
    const std::vector<DestKey> layout = slot_layout(s);
    if (owns_maps(s)) c.main += own_slots_map_add(s);
    c.main += rules(s, layout.size());
    c.main += batch_text(dispatch(true, s));
    c.slots = batch_text(slots_add(s, layout));
    return c;
}

Commands service_delete(const Service& s) {
    if (fast(s)) return text(nl_service_delete(s));
    const std::string name = chain_name(s.key);
    Commands c;
    c.main = batch_text(dispatch(false, s));
    c.main += cmd("flush", "chain", s.key) + name + "\n";
    c.main += cmd("delete", "chain", s.key) + name + "\n";
    if (owns_maps(s)) c.main += cmd("delete", "map", s.key) + slot_map(s) + "\n";
    else c.main += batch_text(slots_delete(s, slot_layout(s).size()));
    if (persistent(s)) c.main += cmd("delete", "map", s.key) + sticky_map(s) + "\n";
    return c;
}

Commands service_replace(const Service& before, const Service& after) {
    if (fast(before) && fast(after)) return text(nl_service_replace(before, after));
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
                                    : batch_text(slots_delete(before, was.size()));
        if (owns_maps(after)) c.main += own_slots_map_add(after);
        c.slots = batch_text(slots_add(after, now));
    } else {
        // The slots go as in nl_service_replace, the rules after them.
        Service b = before, a = after;
        b.params.flags &= ~svc_flags::persistent;
        a.params.flags &= ~svc_flags::persistent;
        NlCommands n = nl_service_replace(b, a);
        std::erase_if(n.main, [](const NlOp& op) { return op.kind != NlOp::Kind::DeleteElements; });
        c.main += batch_text(n.main);
        c.slots = batch_text(n.slots);
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
