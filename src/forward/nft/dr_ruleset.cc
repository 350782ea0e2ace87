// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/nft/dr_ruleset.cc: see dr_ruleset.hh. Every function returns
// complete nft(8) command lines for table `netdev halbd`; NftBackend::run()
// appends them to the NAT transaction, so both commit together.
#include "forward/nft/dr_ruleset.hh"

#include <linux/if_packet.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <set>
#include <vector>

#include "forward/nft/nl_objects.hh"
#include "forward/nft/ruleset.hh"

namespace halbd::forward::nft {

namespace {

const std::string kT = std::string("netdev ") + kTable;

bool is_v6(const Service& s) { return s.key.family == net::Family::V6; }
const char* ip_word(const Service& s) { return is_v6(s) ? "ip6" : "ip"; }
std::string dispatch_map(const Service& s) { return is_v6(s) ? "dr_services6" : "dr_services"; }
std::string slots_map(const Service& s) { return chain_name(s.key) + "_slots"; }

// An interface name as part of a chain name (nft identifiers: letters,
// digits and _ . - /).
std::string ingress_chain(const std::string& device) {
    std::string n = "ingress_" + device;
    for (char& c : n)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-')) c = '_';
    return n;
}

NlOp op(NlOp::Kind kind, const Service* s, std::string name, std::string text) {
    return nlx::named_op(kind, s && is_v6(*s) ? net::Family::V6 : net::Family::V4, true, std::move(name),
                         std::move(text));
}
NlOp rule(const Service& s, std::vector<ExprSpec> e, const std::string& text) {
    return nlx::rule_op(s.key.family, true, chain_name(s.key), std::move(e), "add rule " + kT + " " + chain_name(s.key) + " " + text + "\n");
}
std::string ethertype(bool v6) { return nlx::be16(v6 ? 0x86dd : 0x0800); }

// The chain's rules (it exists and is empty): forward through the slots, or
// drop when no real server has a weight (as IPVS refuses new connections).
NlBatch rules(const Service& s, const std::string& device, size_t slots) {
    NlBatch out;
    if (slots) {
        std::vector<ExprSpec> e{nlx::meta(NFT_META_PROTOCOL, 0), nlx::cmp(NFT_CMP_EQ, 0, ethertype(is_v6(s))),
                                nlx::ifindex(0, device)};
        scheduler_exprs(s, slots, 4, 8, e);
        e.push_back(nlx::lookup(4, slots_map(s), 4));
        e.push_back(nlx::fwd(0, 4, is_v6(s)));
        out.push_back(rule(s, std::move(e),
                           std::string("fwd ") + ip_word(s) + " to " + scheduler_expr(s, slots) + " map @" + slots_map(s) +
                               " device \"" + device + "\""));
    }
    out.push_back(rule(s, {nlx::drop()}, "drop"));
    return out;
}

NlBatch slot_items(bool add, const Service& s, const std::vector<size_t>& which, const std::vector<DestKey>* layout) {
    if (which.empty()) return {};
    NlOp o = op(add ? NlOp::Kind::AddElements : NlOp::Kind::DeleteElements, &s, slots_map(s),
                std::string(add ? "add" : "delete") + " element " + kT + " " + slots_map(s));
    o.key_fields = "n";
    if (add) o.data_fields = "a";
    for (size_t i : which) o.items.push_back(ElementItem{nlx::raw_u32(uint32_t(i)), layout ? nlx::raw_addr((*layout)[i].address) : "", ""});
    return {std::move(o)};
}
std::vector<size_t> all(size_t n) {
    std::vector<size_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = i;
    return v;
}
NlOp dispatch(bool add, const Service& s) {
    NlOp o = op(add ? NlOp::Kind::AddElements : NlOp::Kind::DeleteElements, &s, dispatch_map(s),
                std::string(add ? "add" : "delete") + " element " + kT + " " + dispatch_map(s));
    o.key_fields = "Pap";
    ElementItem e{nlx::raw_proto(s.key.protocol) + nlx::raw_addr(s.key.address) + nlx::raw_port(s.key.port), "", ""};
    if (add) e.goto_chain = chain_name(s.key);
    o.items.push_back(std::move(e));
    return o;
}
void append(NlBatch& to, NlBatch from) {
    for (auto& o : from) to.push_back(std::move(o));
}

NlBatch dr_service_delete(const Service& s) {
    const std::string c = chain_name(s.key);
    return {dispatch(false, s), op(NlOp::Kind::FlushChain, &s, c, "flush chain " + kT + " " + c + "\n"),
            op(NlOp::Kind::DeleteChain, &s, c, "delete chain " + kT + " " + c + "\n"),
            op(NlOp::Kind::DeleteSet, &s, slots_map(s), "delete map " + kT + " " + slots_map(s) + "\n")};
}

NlBatch dr_service_replace(const Service& was, const std::string& was_dev, const Service& now, const std::string& dev) {
    const std::vector<DestKey> a = slot_layout(was), b = slot_layout(now);
    NlBatch out;
    NlBatch new_rules = rules(now, dev, b.size());
    if (batch_text(rules(was, was_dev, a.size())) != batch_text(new_rules)) {
        out.push_back(op(NlOp::Kind::FlushChain, &now, chain_name(now.key), "flush chain " + kT + " " + chain_name(now.key) + "\n"));
        append(out, std::move(new_rules));
    }
    // Only the slots whose real server changed.
    std::vector<size_t> gone, added;
    for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
        if (i < a.size() && i < b.size() && a[i].address == b[i].address) continue;
        if (i < a.size()) gone.push_back(i);
        if (i < b.size()) added.push_back(i);
    }
    append(out, slot_items(false, was, gone, nullptr));
    append(out, slot_items(true, now, added, &b));
    return out;
}

// The interface of a service's real servers (all must share it).
core::Result<std::string> service_device(const Service& s, const DeviceResolver& resolve) {
    std::string dev;
    for (const auto& [d, p] : s.dests) {
        auto r = resolve(d.address);
        if (!r) return core::Error{r.error().code, "DR real server " + d.address.to_string() + " of " +
                                                       s.key.to_string() + ": " + r.error().message};
        if (!dev.empty() && r.value() != dev)
            return core::Error{EINVAL, "DR real servers of " + s.key.to_string() + " are reached through " + dev +
                                           " and " + r.value() + ": the nftables DR path forwards through one"};
        dev = r.value();
    }
    return dev;
}

}  // namespace

bool is_dr(const Service& s) {
    if (s.dests.empty() || s.key.fwmark) return false;  // fwmark: refused at load
    for (const auto& [d, p] : s.dests)
        if (p.method != Method::Route) return false;
    return true;
}

NlBatch nl_dr_table_create() {
    NlBatch b = {op(NlOp::Kind::AddTable, nullptr, "", "add table " + kT + "\n"),
                 op(NlOp::Kind::DeleteTable, nullptr, "", "delete table " + kT + "\n"),
                 op(NlOp::Kind::AddTable, nullptr, "", "add table " + kT + "\n")};
    b.push_back(nlx::verdict_map(net::Family::V4, true, "dr_services", false, true,
                                 "add map " + kT + " dr_services { type inet_proto . ipv4_addr . inet_service : verdict; }\n"));
    b.push_back(nlx::verdict_map(net::Family::V6, true, "dr_services6", false, true,
                                 "add map " + kT + " dr_services6 { type inet_proto . ipv6_addr . inet_service : verdict; }\n"));
    return b;
}
std::string dr_table_create() { return batch_text(nl_dr_table_create()); }

// Only frames addressed to this host: a switch floods frames for an unknown
// or vanished MAC to every port, and every node forwarding them would
// duplicate (or, in tests, mask a dead node's loss).
NlBatch nl_dr_ingress_add(const std::string& device) {
    const std::string c = ingress_chain(device);
    NlBatch b{nlx::base_chain(net::Family::V4, true, c, HookSpec{"filter", NF_NETDEV_INGRESS, 0, device},
                              "add chain " + kT + " " + c + " { type filter hook ingress device \"" + device +
                                  "\" priority 0; policy accept; }\n")};
    for (bool v6 : {false, true}) {
        const uint32_t len = v6 ? 16 : 4;
        const std::string ip = v6 ? "ip6" : "ip", map = v6 ? "dr_services6" : "dr_services";
        b.push_back(nlx::rule_op(v6 ? net::Family::V6 : net::Family::V4, true, c,
                                 {nlx::meta(NFT_META_PKTTYPE, 0), nlx::cmp(NFT_CMP_EQ, 0, std::string(1, char(PACKET_HOST))),
                                  nlx::meta(NFT_META_PROTOCOL, 0), nlx::cmp(NFT_CMP_EQ, 0, ethertype(v6)),
                                  nlx::meta(NFT_META_L4PROTO, 0), nlx::payload(NFT_PAYLOAD_NETWORK_HEADER, v6 ? 24 : 16, len, 1),
                                  nlx::payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, 1 + len / 4),
                                  nlx::lookup(0, map, nlx::kVerdict)},
                                 "add rule " + kT + " " + c + " meta pkttype host meta protocol " + ip + " meta l4proto . " +
                                     ip + " daddr . th dport vmap @" + map + "\n"));
    }
    return b;
}
std::string dr_ingress_add(const std::string& device) { return batch_text(nl_dr_ingress_add(device)); }

NlBatch nl_dr_service_add(const Service& s, const std::string& device) {
    const std::string name = chain_name(s.key);
    const std::vector<DestKey> layout = slot_layout(s);
    NlOp chain = op(NlOp::Kind::AddChain, &s, name, "");
    chain.comment = "virtual_server " + s.key.address.to_string() + " " + std::to_string(s.key.port) + " " +
                    protocol_name(s.key.protocol) + " (DR)";
    chain.text = "add chain " + kT + " " + name + " { comment \"" + chain.comment + "\"; }\n";
    SetSpec spec;
    spec.flags = NFT_SET_MAP;
    spec.key_type = nlx::kInteger;
    spec.key_len = 4;
    spec.data_type = is_v6(s) ? nlx::kIpv6 : nlx::kIpv4;
    spec.data_len = is_v6(s) ? 16 : 4;
    spec.udata = nlx::set_udata(nlx::kHost, nlx::typeof_numgen_mod2(), true, nlx::kBig,
                                nlx::typeof_payload(is_v6(s) ? nlx::kDescIp6 : nlx::kDescIp, nlx::ip_daddr_field(is_v6(s))));
    NlBatch b{std::move(chain), nlx::set_op(s.key.family, true, slots_map(s), std::move(spec),
                                            "add map " + kT + " " + slots_map(s) + " { typeof numgen inc mod 2 : " +
                                                ip_word(s) + " daddr; }\n")};
    append(b, rules(s, device, layout.size()));
    b.push_back(dispatch(true, s));
    append(b, slot_items(true, s, all(layout.size()), &layout));
    return b;
}
std::string dr_service_add(const Service& s, const std::string& device) {
    return batch_text(nl_dr_service_add(s, device));
}

core::Result<DrPlan> dr_transaction(const ServiceTable& before,
                                    const std::map<ServiceKey, std::optional<Service>>& changes, bool fresh,
                                    const DrState& state, const DeviceResolver& resolve) {
    DrPlan plan{{}, state};
    NlBatch body;
    for (const auto& [k, after] : changes) {
        auto b = before.find(k);
        const Service* was = b != before.end() && state.device.count(k) ? &b->second : nullptr;
        const Service* now = after && is_dr(*after) ? &*after : nullptr;
        if (!was && !now) continue;
        std::string dev;
        if (now) {
            auto d = service_device(*now, resolve);
            if (!d) return d.error();
            dev = d.value();
        }
        if (was && now && *was == *now && dev == state.device.at(k)) continue;
        if (!now) {
            append(body, dr_service_delete(*was));
            plan.next.device.erase(k);
        } else {
            append(body, was ? dr_service_replace(*was, state.device.at(k), *now, dev) : nl_dr_service_add(*now, dev));
            plan.next.device[k] = dev;
        }
    }
    std::set<std::string> had, has;
    for (const auto& [k, d] : state.device) had.insert(d);
    for (const auto& [k, d] : plan.next.device) has.insert(d);
    if (has.empty()) {
        // The last DR service left (or a previous run's table).
        if (!had.empty() || fresh)
            plan.ops = {op(NlOp::Kind::AddTable, nullptr, "", "add table " + kT + "\n"),
                        op(NlOp::Kind::DeleteTable, nullptr, "", "delete table " + kT + "\n")};
        return plan;
    }
    if (had.empty()) plan.ops = nl_dr_table_create();
    for (const auto& d : has)
        if (!had.count(d)) append(plan.ops, nl_dr_ingress_add(d));
    append(plan.ops, std::move(body));
    for (const auto& d : had)
        if (!has.count(d)) {
            const std::string c = ingress_chain(d);
            plan.ops.push_back(op(NlOp::Kind::FlushChain, nullptr, c, "flush chain " + kT + " " + c + "\n"));
            plan.ops.push_back(op(NlOp::Kind::DeleteChain, nullptr, c, "delete chain " + kT + " " + c + "\n"));
        }
    return plan;
}

}  // namespace halbd::forward::nft
