// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/nft/ruleset.cc: see ruleset.hh. Every function returns complete
// nft(8) command lines; the backend concatenates them into one transaction.
#include "forward/nft/ruleset.hh"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter/nf_tables.h>

#include "forward/nft/maglev.hh"
#include "forward/nft/nl_objects.hh"
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

// The same key as expressions, into slot 0.
void client_key_exprs(const Service& s, std::vector<ExprSpec>& e) {
    const bool v6 = is_v6(s.key);
    e.push_back(nlx::payload(NFT_PAYLOAD_NETWORK_HEADER, v6 ? 8 : 12, v6 ? 16 : 4, 0));
    const uint32_t nm = s.params.netmask;
    if (!v6 && nm != 0xffffffff) e.push_back(nlx::mask(0, nlx::u32(nm)));
    if (v6 && nm < 128) {
        std::string bits(16, '\0');
        for (uint32_t i = 0; i < nm; ++i) bits[i / 8] = char(uint8_t(bits[i / 8]) | (0x80u >> (i % 8)));
        e.push_back(nlx::mask(0, bits));
    }
}
uint8_t proto_number(Protocol p) { return p == Protocol::TCP ? 6 : p == Protocol::UDP ? 17 : 132; }
// l4_match() as expressions (slot 0); a fwmark's `{ tcp, udp, sctp }` adds
// its anonymous set to `pre`, sent just before the rule.
void l4_exprs(const Service& s, NlBatch& pre, std::vector<ExprSpec>& e) {
    if (keeps_port(s)) return;
    e.push_back(nlx::meta(NFT_META_L4PROTO, 0));
    if (s.key.fwmark) {
        pre.push_back(nlx::l4protos_set(s.key.family));
        e.push_back(nlx::lookup(0, "__set%d", nlx::kNone));
    } else {
        e.push_back(nlx::cmp(NFT_CMP_EQ, 0, std::string(1, char(proto_number(s.key.protocol)))));
    }
}
uint32_t ip_type(const ServiceKey& k) { return is_v6(k) ? nlx::kIpv6 : nlx::kIpv4; }
uint32_t addr_len(const ServiceKey& k) { return is_v6(k) ? 16 : 4; }
std::string typeof_addr(const ServiceKey& k, bool source) {
    return nlx::typeof_payload(is_v6(k) ? nlx::kDescIp6 : nlx::kDescIp,
                               source ? nlx::ip_saddr_field(is_v6(k)) : nlx::ip_daddr_field(is_v6(k)));
}
std::string typeof_dport(const Service& s) {
    const uint32_t desc = s.key.fwmark                        ? nlx::kDescTh
                          : s.key.protocol == Protocol::TCP ? nlx::kDescTcp
                          : s.key.protocol == Protocol::UDP ? nlx::kDescUdp
                                                            : nlx::kDescSctp;
    return nlx::typeof_payload(desc, nlx::kDportField);
}
// Map data `ip daddr . tcp dport` (or th dport): its spec fields.
void addr_port_data(const Service& s, SetSpec& spec) {
    spec.data_type = nlx::concat({ip_type(s.key), nlx::kInetService});
    spec.data_len = addr_len(s.key) + 4;
}

std::string comment(const Service& s) {
    const ServiceKey& k = s.key;
    if (k.fwmark) return "virtual_server fwmark " + std::to_string(k.fwmark) + (is_v6(k) ? " inet6" : "");
    return "virtual_server " + k.address.to_string() + " " + std::to_string(k.port) + " " + protocol_name(k.protocol);
}

NlOp sticky_map_add(const Service& s) {
    SetSpec spec;
    spec.flags = NFT_SET_MAP | NFT_SET_TIMEOUT | NFT_SET_EVAL;
    spec.key_type = ip_type(s.key);
    spec.key_len = addr_len(s.key);
    spec.timeout_ms = uint64_t(s.params.timeout) * 1000;
    if (sticky_address_only(s)) {
        spec.data_type = ip_type(s.key);
        spec.data_len = addr_len(s.key);
        spec.udata = nlx::set_udata(nlx::kBig, typeof_addr(s.key, true), true, nlx::kBig, typeof_addr(s.key, false));
    } else {
        addr_port_data(s, spec);
        spec.udata = nlx::set_udata(nlx::kBig, typeof_addr(s.key, true), true, nlx::kNoOrder,
                                    nlx::typeof_concat({typeof_addr(s.key, false), typeof_dport(s)}));
    }
    return nlx::set_op(s.key.family, false, sticky_map(s), std::move(spec),
                       cmd("add", "map", s.key) + sticky_map(s) + " { typeof " + ip_word(s.key) + " saddr : " +
                           sticky_typeof(s) + "; flags dynamic,timeout; timeout " + std::to_string(s.params.timeout) +
                           "s; }\n");
}
NlOp map_op(NlOp::Kind kind, const ServiceKey& k, const std::string& name) {
    const char* verb = kind == NlOp::Kind::DeleteSet ? "delete" : "flush";
    return nlx::named_op(kind, k.family, false, name, cmd(verb, "map", k) + name + "\n");
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
NlOp own_slots_map_add(const Service& s) {
    SetSpec spec;
    spec.flags = NFT_SET_MAP;
    spec.key_type = nlx::kInteger;
    spec.key_len = 4;
    addr_port_data(s, spec);
    spec.udata = nlx::set_udata(nlx::kHost, nlx::typeof_numgen_mod2(), true, nlx::kNoOrder,
                                nlx::typeof_concat({typeof_addr(s.key, false), typeof_dport(s)}));
    return nlx::set_op(s.key.family, false, slot_map(s), std::move(spec),
                       cmd("add", "map", s.key) + slot_map(s) + " { typeof numgen inc mod 2 : " + ip_word(s.key) +
                           " daddr . th dport; }\n");
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

NlOp nl_slot_map_add(const Service& s) {
    std::string data = std::string(ip_word(s.key)) + " daddr";
    if (!s.key.fwmark) data += " . " + dport(s);
    const std::string key = s.key.fwmark ? "meta mark" : data;
    SetSpec spec;
    spec.flags = NFT_SET_MAP;
    if (s.key.fwmark) {
        spec.key_type = nlx::concat({nlx::kMark, nlx::kInteger});
        spec.key_len = 8;
        spec.data_type = ip_type(s.key);
        spec.data_len = addr_len(s.key);
        spec.udata = nlx::set_udata(nlx::kNoOrder, nlx::typeof_concat({nlx::typeof_meta(NFT_META_MARK), nlx::typeof_numgen_mod2()}),
                                    true, nlx::kBig, typeof_addr(s.key, false));
    } else {
        spec.key_type = nlx::concat({ip_type(s.key), nlx::kInetService, nlx::kInteger});
        spec.key_len = addr_len(s.key) + 8;
        addr_port_data(s, spec);
        const std::string addr = typeof_addr(s.key, false), port = typeof_dport(s);
        spec.udata = nlx::set_udata(nlx::kNoOrder, nlx::typeof_concat({addr, port, nlx::typeof_numgen_mod2()}), true,
                                    nlx::kNoOrder, nlx::typeof_concat({addr, port}));
    }
    return nlx::set_op(s.key.family, false, slot_map(s), std::move(spec),
                       cmd("add", "map", s.key) + slot_map(s) + " { typeof " + key + " . numgen inc mod 2 : " + data +
                           "; }\n");
}
std::string slot_map_add(const Service& s) { return nl_slot_map_add(s).text; }

namespace {

// Element bytes as nf_tables stores them: nft's address and port types in
// network order, integers (mark, slot) in host order, each field padded to 4.
using nlx::raw_addr;
using nlx::raw_port;
using nlx::raw_proto;
using nlx::raw_u32;

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

}  // namespace

void scheduler_exprs(const Service& s, size_t slots, uint32_t out, uint32_t in, std::vector<ExprSpec>& e) {
    const std::string& sched = s.params.scheduler;
    if (sched == "rr" || sched == "wrr") {
        e.push_back(nlx::numgen(out, uint32_t(slots)));
        return;
    }
    const bool v6 = is_v6(s.key), src = sched != "dh", sport = src && (s.params.flags & svc_flags::sched2);
    const uint32_t len = addr_len(s.key);
    e.push_back(nlx::payload(NFT_PAYLOAD_NETWORK_HEADER, v6 ? (src ? 8 : 24) : (src ? 12 : 16), len, in));
    if (sport) e.push_back(nlx::payload(NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2, in + len / 4));
    e.push_back(nlx::jhash(in, out, len + (sport ? 4 : 0), uint32_t(slots), hash_seed(s.key)));
}

namespace {

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
    }
    if (slots && owns_maps(s)) {
        // Keyed by the slot alone, for any transport protocol.
        std::vector<ExprSpec> e;
        l4_exprs(s, out, e);
        scheduler_exprs(s, slots, 0, 5, e);
        e.push_back(nlx::lookup(0, slot_map(s), 0));
        e.push_back(nlx::dnat(is_v6(s.key), 0, int(addr_len(s.key) / 4)));
        out.push_back(nlx::rule_op(s.key.family, false, name, std::move(e), op.text));
    } else if (slots) {
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

// The persistence lookup: a known client goes to its real server.
NlBatch sticky_rule(const Service& s) {
    NlBatch out;
    std::vector<ExprSpec> e;
    l4_exprs(s, out, e);
    client_key_exprs(s, e);
    e.push_back(nlx::lookup(0, sticky_map(s), 0));
    const bool v6 = is_v6(s.key);
    if (keeps_port(s)) {
        e.push_back(nlx::dnat(v6, 0, -1));
    } else if (v6) {
        e.push_back(nlx::immediate(4, nlx::be16(s.dests.empty() ? s.key.port : s.dests.begin()->first.port)));
        e.push_back(nlx::dnat(v6, 0, 4, NF_NAT_RANGE_PROTO_SPECIFIED));
    } else {
        e.push_back(nlx::dnat(v6, 0, 1));
    }
    const std::string name = chain_name(s.key);
    out.push_back(nlx::rule_op(s.key.family, false, name, std::move(e),
                               cmd("add", "rule", s.key) + name + " " + l4_match(s) + "dnat " + ip_word(s.key) +
                                   " to " + client_key(s) + " map @" + sticky_map(s) + sticky_port_suffix(s) + "\n"));
    return out;
}

// The service's rules (its chain exists and is empty).
NlBatch rules(const Service& s, size_t slots) {
    NlBatch out;
    if (persistent(s)) out = sticky_rule(s);
    append(out, rule_ops(s, slots));
    return out;
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

namespace {
NlOp dispatch_map(net::Family f, const char* name, bool mark, bool port, const std::string& text) {
    return nlx::verdict_map(f, false, name, mark, port, text);
}
// `ct state new ct status dnat`: a connection's first packet, just DNATed.
void new_dnat_exprs(std::vector<ExprSpec>& e) {
    e.push_back(nlx::ct(NFT_CT_STATE, 0, false));
    e.push_back(nlx::mask(0, nlx::u32(NF_CT_STATE_BIT(IP_CT_NEW))));
    e.push_back(nlx::cmp(NFT_CMP_NEQ, 0, nlx::u32(0)));
    e.push_back(nlx::ct(NFT_CT_STATUS, 0, false));
    e.push_back(nlx::mask(0, nlx::u32(IPS_DST_NAT)));
    e.push_back(nlx::cmp(NFT_CMP_NEQ, 0, nlx::u32(0)));
}
}  // namespace

NlBatch nl_table_create(net::Family f) {
    const bool v6 = f == net::Family::V6;
    const std::string t = std::string(family_word(f)) + " " + kTable;
    const std::string addr = v6 ? "ipv6_addr" : "ipv4_addr";
    const std::string ip = v6 ? "ip6" : "ip";
    NlBatch b = nl_table_delete(f);
    b.push_back(nlx::table_op(NlOp::Kind::AddTable, f, false, "add table " + t + "\n"));
    b.push_back(dispatch_map(f, "services", false, true,
                             "add map " + t + " services { type inet_proto . " + addr + " . inet_service : verdict; }\n"));
    b.push_back(dispatch_map(f, "fwmarks", true, false, "add map " + t + " fwmarks { type mark : verdict; }\n"));
    b.push_back(dispatch_map(f, "persist_vips", false, false,
                             "add map " + t + " persist_vips { type inet_proto . " + addr + " : verdict; }\n"));
    b.push_back(dispatch_map(f, "persist_fwmarks", true, false,
                             "add map " + t + " persist_fwmarks { type mark : verdict; }\n"));
    b.push_back(nlx::base_chain(f, false, "prerouting", HookSpec{"nat", NF_INET_PRE_ROUTING, NF_IP_PRI_NAT_DST, ""},
                                "add chain " + t + " prerouting { type nat hook prerouting priority dstnat; policy accept; }\n"));
    const uint32_t len = v6 ? 16 : 4;
    b.push_back(nlx::rule_op(f, false, "prerouting",
                             {nlx::meta(NFT_META_L4PROTO, 0), nlx::payload(NFT_PAYLOAD_NETWORK_HEADER, v6 ? 24 : 16, len, 1),
                              nlx::payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, 1 + len / 4),
                              nlx::lookup(0, "services", nlx::kVerdict)},
                             "add rule " + t + " prerouting meta l4proto . " + ip + " daddr . th dport vmap @services\n"));
    b.push_back(nlx::rule_op(f, false, "prerouting", {nlx::meta(NFT_META_MARK, 0), nlx::lookup(0, "fwmarks", nlx::kVerdict)},
                             "add rule " + t + " prerouting meta mark vmap @fwmarks\n"));
    b.push_back(nlx::base_chain(f, false, "persist", HookSpec{"filter", NF_INET_PRE_ROUTING, NF_IP_PRI_NAT_DST + 10, ""},
                                "add chain " + t + " persist { type filter hook prerouting priority dstnat + 10; policy accept; }\n"));
    std::vector<ExprSpec> e;
    new_dnat_exprs(e);
    e.push_back(nlx::meta(NFT_META_L4PROTO, 0));
    e.push_back(nlx::ct(v6 ? NFT_CT_DST_IP6 : NFT_CT_DST_IP, 1, true));
    e.push_back(nlx::lookup(0, "persist_vips", nlx::kVerdict));
    b.push_back(nlx::rule_op(f, false, "persist", std::move(e),
                             "add rule " + t + " persist ct state new ct status dnat meta l4proto . ct original " + ip +
                                 " daddr vmap @persist_vips\n"));
    e.clear();
    new_dnat_exprs(e);
    e.push_back(nlx::meta(NFT_META_MARK, 0));
    e.push_back(nlx::lookup(0, "persist_fwmarks", nlx::kVerdict));
    b.push_back(nlx::rule_op(f, false, "persist", std::move(e),
                             "add rule " + t + " persist ct state new ct status dnat meta mark vmap @persist_fwmarks\n"));
    return b;
}
std::string table_create(net::Family f) { return batch_text(nl_table_create(f)); }

NlBatch nl_table_delete(net::Family f) {
    const std::string t = std::string(family_word(f)) + " " + kTable;
    return {nlx::table_op(NlOp::Kind::AddTable, f, false, "add table " + t + "\n"),
            nlx::table_op(NlOp::Kind::DeleteTable, f, false, "delete table " + t + "\n")};
}
std::string table_delete(net::Family f) { return batch_text(nl_table_delete(f)); }

NlCommands nl_service_add(const Service& s) {
    NlCommands c;
    const std::vector<DestKey> layout = slot_layout(s);
    c.main.push_back(chain_op(NlOp::Kind::AddChain, s));
    if (persistent(s)) c.main.push_back(sticky_map_add(s));
    if (owns_maps(s)) c.main.push_back(own_slots_map_add(s));
    append(c.main, rules(s, layout.size()));
    append(c.main, dispatch(true, s));
    c.slots = slots_add(s, layout);
    return c;
}

NlCommands nl_service_delete(const Service& s) {
    NlCommands c = {dispatch(false, s), {}};
    c.main.push_back(chain_op(NlOp::Kind::FlushChain, s));
    c.main.push_back(chain_op(NlOp::Kind::DeleteChain, s));
    if (owns_maps(s)) c.main.push_back(map_op(NlOp::Kind::DeleteSet, s.key, slot_map(s)));
    else append(c.main, slots_delete(s, slot_layout(s).size()));
    if (persistent(s)) c.main.push_back(map_op(NlOp::Kind::DeleteSet, s.key, sticky_map(s)));
    return c;
}

namespace {
// A service that is neither persistent nor has its own maps.
bool plain(const Service& s) { return !owns_maps(s) && !persistent(s); }

NlCommands plain_replace(const Service& before, const Service& after) {
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
}  // namespace

NlCommands nl_service_replace(const Service& before, const Service& after) {
    if (plain(before) && plain(after)) return plain_replace(before, after);
    const std::vector<DestKey> was = slot_layout(before), now = slot_layout(after);
    const bool same_sticky = persistent(before) && persistent(after) && before.params.timeout == after.params.timeout &&
                             before.params.netmask == after.params.netmask && keeps_port(before) == keeps_port(after) &&
                             sticky_port_suffix(before) == sticky_port_suffix(after) && !owns_maps(before) &&
                             !owns_maps(after);
    const bool sticky_changes = (persistent(before) || persistent(after)) && !same_sticky;
    const bool own = owns_maps(before) || owns_maps(after);
    NlBatch new_rules = rules(after, now.size());
    const bool rules_change =
        own || sticky_changes || batch_text(rules(before, was.size())) != batch_text(new_rules);
    NlCommands c;
    if (rules_change) c.main.push_back(chain_op(NlOp::Kind::FlushChain, after));
    if (persistent(before) && !same_sticky) c.main.push_back(map_op(NlOp::Kind::DeleteSet, before.key, sticky_map(before)));
    if (persistent(after) && !same_sticky) c.main.push_back(sticky_map_add(after));
    if (same_sticky) {
        // A destination that lost its slots must not keep its clients.
        bool lost = false;
        for (const auto& [d, p] : before.dests) {
            auto it = after.dests.find(d);
            if (p.weight > 0 && (it == after.dests.end() || it->second.weight <= 0)) lost = true;
        }
        if (lost) c.main.push_back(map_op(NlOp::Kind::FlushSet, after.key, sticky_map(after)));
    }
    if (own) {
        // Made again with the rules (see owns_maps).
        if (owns_maps(before)) c.main.push_back(map_op(NlOp::Kind::DeleteSet, before.key, slot_map(before)));
        else append(c.main, slots_delete(before, was.size()));
        if (owns_maps(after)) c.main.push_back(own_slots_map_add(after));
        c.slots = slots_add(after, now);
    } else {
        // The slots go as a plain service's, the rules after them.
        Service b = before, a = after;
        b.params.flags &= ~svc_flags::persistent;
        a.params.flags &= ~svc_flags::persistent;
        NlCommands n = plain_replace(b, a);
        for (auto& op : n.main)
            if (op.kind == NlOp::Kind::DeleteElements) c.main.push_back(std::move(op));
        c.slots = std::move(n.slots);
    }
    if (rules_change) append(c.main, std::move(new_rules));
    return c;
}

namespace {
Commands text(const NlCommands& n) { return Commands{batch_text(n.main), batch_text(n.slots)}; }
}  // namespace

Commands service_add(const Service& s) { return text(nl_service_add(s)); }
Commands service_delete(const Service& s) { return text(nl_service_delete(s)); }
Commands service_replace(const Service& before, const Service& after) {
    return text(nl_service_replace(before, after));
}

PersistOps nl_persist_group(const ServiceKey& any, bool existed, const std::vector<const Service*>& persistent) {
    PersistOps u;
    const std::string name = persist_chain_name(any);
    Service group;  // the group's key, for elements()
    group.key = any;
    ElementItem element;
    element.key = any.fwmark ? raw_u32(any.fwmark) : raw_proto(any.protocol) + raw_addr(any.address);
    const std::string map = any.fwmark ? "persist_fwmarks" : "persist_vips";
    const char* fields = any.fwmark ? "n" : "Pa";
    if (existed) u.before.push_back(nlx::named_op(NlOp::Kind::FlushChain, any.family, false, name, cmd("flush", "chain", any) + name + "\n"));
    if (persistent.empty()) {
        if (existed) {
            append(u.before, elements(false, group, map, {element}, fields, ""));
            u.before.push_back(nlx::named_op(NlOp::Kind::DeleteChain, any.family, false, name, cmd("delete", "chain", any) + name + "\n"));
        }
        return u;
    }
    if (!existed) u.after.push_back(nlx::named_op(NlOp::Kind::AddChain, any.family, false, name, cmd("add", "chain", any) + name + "\n"));
    for (const Service* s : persistent) {
        std::vector<ExprSpec> e;
        l4_exprs(*s, u.after, e);
        std::string match = l4_match(*s);
        if (!s->key.fwmark) {
            match += "ct original proto-dst " + u8(s->key.port) + " ";
            e.push_back(nlx::ct(NFT_CT_PROTO_DST, 0, true));
            e.push_back(nlx::cmp(NFT_CMP_EQ, 0, nlx::be16(s->key.port)));
        }
        client_key_exprs(*s, e);
        const bool v6 = is_v6(s->key);
        e.push_back(nlx::payload(NFT_PAYLOAD_NETWORK_HEADER, 16 + (v6 ? 8 : 0), addr_len(s->key), 4));
        if (!sticky_address_only(*s)) e.push_back(nlx::payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, 4 + addr_len(s->key) / 4));
        e.push_back(nlx::dynset_update(sticky_map(*s), 0, 4, uint64_t(s->params.timeout) * 1000));
        u.after.push_back(nlx::rule_op(any.family, false, name, std::move(e),
                                       cmd("add", "rule", any) + name + " " + match + "update @" + sticky_map(*s) + " { " +
                                           client_key(*s) + " timeout " + std::to_string(s->params.timeout) + "s : " +
                                           sticky_typeof(*s) + " }\n"));
    }
    if (!existed) {
        element.goto_chain = name;
        append(u.after, elements(true, group, map, {element}, fields, ""));
    }
    return u;
}

PersistUpdate persist_group(const ServiceKey& any, bool existed, const std::vector<const Service*>& persistent) {
    const PersistOps o = nl_persist_group(any, existed, persistent);
    return PersistUpdate{batch_text(o.before), batch_text(o.after)};
}

}  // namespace halbd::forward::nft
