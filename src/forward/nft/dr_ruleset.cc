// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/nft/dr_ruleset.cc: see dr_ruleset.hh. Every function returns
// complete nft(8) command lines for table `netdev halbd`; NftBackend::run()
// appends them to the NAT transaction, so both commit together.
#include "forward/nft/dr_ruleset.hh"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <set>
#include <vector>

#include "forward/nft/ruleset.hh"

namespace halbd::forward::nft {

namespace {

const std::string kT = std::string("netdev ") + kTable;

bool is_v6(const Service& s) { return s.key.family == net::Family::V6; }
const char* ip_word(const Service& s) { return is_v6(s) ? "ip6" : "ip"; }
const char* proto_word(Protocol p) { return p == Protocol::TCP ? "tcp" : p == Protocol::UDP ? "udp" : "sctp"; }
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

std::string dispatch_element(const Service& s) {
    return dispatch_map(s) + " { " + proto_word(s.key.protocol) + " . " + s.key.address.to_string() + " . " +
           std::to_string(s.key.port);
}

// The chain's rules (it exists and is empty): forward through the slots, or
// drop when no real server has a weight (as IPVS refuses new connections).
std::string rules(const Service& s, const std::string& device, size_t slots) {
    const std::string chain = "add rule " + kT + " " + chain_name(s.key) + " ";
    std::string out;
    if (slots)
        out += chain + "fwd " + ip_word(s) + " to " + scheduler_expr(s, slots) + " map @" + slots_map(s) +
               " device \"" + device + "\"\n";
    return out + chain + "drop\n";
}

std::string slot_items(const char* verb, const Service& s, const std::vector<size_t>& which,
                       const std::vector<DestKey>* layout) {
    if (which.empty()) return "";
    std::string out = std::string(verb) + " element " + kT + " " + slots_map(s) + " { ";
    for (size_t i = 0; i < which.size(); ++i) {
        if (i) out += ", ";
        out += std::to_string(which[i]);
        if (layout) out += " : " + (*layout)[which[i]].address.to_string();
    }
    return out + " }\n";
}
std::vector<size_t> all(size_t n) {
    std::vector<size_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = i;
    return v;
}

std::string dr_service_delete(const Service& s) {
    return "delete element " + kT + " " + dispatch_element(s) + " }\n" + "flush chain " + kT + " " +
           chain_name(s.key) + "\n" + "delete chain " + kT + " " +
           chain_name(s.key) + "\n" + "delete map " + kT + " " + slots_map(s) + "\n";
}

std::string dr_service_replace(const Service& was, const std::string& was_dev, const Service& now,
                            const std::string& dev) {
    const std::vector<DestKey> a = slot_layout(was), b = slot_layout(now);
    std::string out;
    const std::string new_rules = rules(now, dev, b.size());
    if (rules(was, was_dev, a.size()) != new_rules)
        out += "flush chain " + kT + " " + chain_name(now.key) + "\n" + new_rules;
    // Only the slots whose real server changed.
    std::vector<size_t> gone, added;
    for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
        if (i < a.size() && i < b.size() && a[i].address == b[i].address) continue;
        if (i < a.size()) gone.push_back(i);
        if (i < b.size()) added.push_back(i);
    }
    return out + slot_items("delete", was, gone, nullptr) + slot_items("add", now, added, &b);
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

std::string dr_table_create() {
    return "add table " + kT + "\n" + "delete table " + kT + "\n" + "add table " + kT + "\n" + "add map " + kT +
           " dr_services { type inet_proto . ipv4_addr . inet_service : verdict; }\n" + "add map " + kT +
           " dr_services6 { type inet_proto . ipv6_addr . inet_service : verdict; }\n";
}

// Only frames addressed to this host: a switch floods frames for an unknown
// or vanished MAC to every port, and every node forwarding them would
// duplicate (or, in tests, mask a dead node's loss).
std::string dr_ingress_add(const std::string& device) {
    const std::string c = ingress_chain(device);
    return "add chain " + kT + " " + c + " { type filter hook ingress device \"" + device +
           "\" priority 0; policy accept; }\n" + "add rule " + kT + " " + c +
           " meta pkttype host meta protocol ip meta l4proto . ip daddr . th dport vmap @dr_services\n" + "add rule " +
           kT + " " + c + " meta pkttype host meta protocol ip6 meta l4proto . ip6 daddr . th dport vmap @dr_services6\n";
}

std::string dr_service_add(const Service& s, const std::string& device) {
    const std::string name = chain_name(s.key);
    const std::vector<DestKey> layout = slot_layout(s);
    return "add chain " + kT + " " + name + " { comment \"virtual_server " + s.key.address.to_string() + " " +
           std::to_string(s.key.port) + " " + protocol_name(s.key.protocol) + " (DR)\"; }\n" + "add map " + kT +
           " " + slots_map(s) + " { typeof numgen inc mod 2 : " + ip_word(s) + " daddr; }\n" +
           rules(s, device, layout.size()) + "add element " + kT + " " + dispatch_element(s) + " : goto " + name +
           " }\n" + slot_items("add", s, all(layout.size()), &layout);
}

core::Result<DrPlan> dr_transaction(const ServiceTable& before,
                                    const std::map<ServiceKey, std::optional<Service>>& changes, bool fresh,
                                    const DrState& state, const DeviceResolver& resolve) {
    DrPlan plan{{}, state};
    std::string body;
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
            body += dr_service_delete(*was);
            plan.next.device.erase(k);
        } else {
            body += was ? dr_service_replace(*was, state.device.at(k), *now, dev) : dr_service_add(*now, dev);
            plan.next.device[k] = dev;
        }
    }
    std::set<std::string> had, has;
    for (const auto& [k, d] : state.device) had.insert(d);
    for (const auto& [k, d] : plan.next.device) has.insert(d);
    std::string head;
    if (has.empty()) {
        // The last DR service left (or a previous run's table).
        if (!had.empty() || fresh) plan.text = "add table " + kT + "\n" + "delete table " + kT + "\n";
        return plan;
    }
    if (had.empty()) head = dr_table_create();
    for (const auto& d : has)
        if (!had.count(d)) head += dr_ingress_add(d);
    std::string tail;
    for (const auto& d : had)
        if (!has.count(d)) tail += "flush chain " + kT + " " + ingress_chain(d) + "\n" + "delete chain " + kT + " " + ingress_chain(d) + "\n";
    plan.text = head + body + tail;
    return plan;
}

}  // namespace halbd::forward::nft
