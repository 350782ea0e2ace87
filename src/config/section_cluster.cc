// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/section_cluster.cc: the top-level `active_active NAME { }` blocks
// (one VIP on two nodes, each serving the clients whose source address
// hashes into the buckets it owns; seed 004). Keywords, the cross-checks
// against the VRRP section (runs after it) and the dump, registered in
// sections.cc. The rules are those of ACTIVE-ACTIVE in halbd.conf(5).
#include <algorithm>
#include <cstdio>

#include "config/dump.hh"
#include "config/model.hh"
#include "config/sections.hh"

namespace halbd::config {

namespace {

constexpr uint32_t kMaxBuckets = 1024;

std::string quote(std::string_view s) { return "'" + std::string(s) + "'"; }

// "N" or "A-B", each below kMaxBuckets (checked against `buckets` later).
bool bucket_range(Args& a, size_t i, std::vector<uint32_t>& out) {
    const std::string& w = a.str(i);
    const size_t dash = w.find('-');
    auto num = [](std::string_view t) -> std::optional<uint32_t> {
        if (t.empty() || t.size() > 4 || t.find_first_not_of("0123456789") != std::string_view::npos)
            return std::nullopt;
        return static_cast<uint32_t>(std::stoul(std::string(t)));
    };
    auto lo = num(std::string_view(w).substr(0, dash));
    auto hi = dash == std::string::npos ? lo : num(std::string_view(w).substr(dash + 1));
    if (!lo || !hi || *lo > *hi || *hi >= kMaxBuckets) {
        a.error(i, "bad bucket " + quote(w) + "; expected N or N-M with N <= M < " + std::to_string(kMaxBuckets));
        return false;
    }
    for (uint32_t b = *lo; b <= *hi; ++b) out.push_back(b);
    return true;
}

const KeywordTable<ActiveActive>& cluster_table() {
    static const KeywordTable<ActiveActive> t("active_active", {
        {"interface", [](ActiveActive& c, Args& a) {
             if (!a.count(1)) return;
             c.interface = a.str(0);
             c.interface_loc = a.loc(0);
         }},
        {"vip", [](ActiveActive& c, Args& a) {
             if (!a.count(1)) return;
             auto p = a.prefix(0);
             if (!p) return;
             if (!p->address.is_v4() || p->address.is_multicast() || p->address.is_unspecified()) {
                 a.error(0, "'vip' needs a unicast IPv4 address (IPv6 is not supported), got " + quote(a.str(0)));
                 return;
             }
             c.vip = *p;
         }},
        {"buckets", [](ActiveActive& c, Args& a) {
             if (!a.count(1)) return;
             if (auto n = a.uint(0, 2, kMaxBuckets)) c.buckets = static_cast<uint32_t>(*n);
         }},
        {"hash_seed", [](ActiveActive& c, Args& a) {
             if (!a.count(1)) return;
             if (auto n = a.uint(0, 0, UINT32_MAX)) c.hash_seed = static_cast<uint32_t>(*n);
         }},
        {"owner", [](ActiveActive& c, Args& a) {
             if (!a.count(2, 1024)) return;
             for (const ClusterOwner& o : c.owners)
                 if (o.instance == a.str(0)) {
                     a.error(0, "owner " + quote(a.str(0)) + " is already given at line " +
                                    std::to_string(o.loc.line) + "; list all its buckets on one line");
                     return;
                 }
             ClusterOwner o;
             o.instance = a.str(0);
             o.loc = a.loc(0);
             for (size_t i = 1; i < a.size(); ++i)
                 if (!bucket_range(a, i, o.buckets)) return;
             std::sort(o.buckets.begin(), o.buckets.end());
             o.buckets.erase(std::unique(o.buckets.begin(), o.buckets.end()), o.buckets.end());
             c.owners.push_back(std::move(o));
         }},
    });
    return t;
}

void validate_owners(const Model& m, const ActiveActive& c, ValidateContext& ctx) {
    if (c.owners.empty()) {
        ctx.diags.error(c.loc, "active_active " + quote(c.name) +
                                   " needs 'owner INSTANCE BUCKETS...' lines: which VRRP instance owns which buckets");
        return;
    }
    std::vector<const ClusterOwner*> owner_of(c.buckets, nullptr);
    for (const ClusterOwner& o : c.owners) {
        const auto& vis = m.vrrp.vrrp_instance;
        if (std::none_of(vis.begin(), vis.end(), [&](const VrrpInstance& v) { return v.name == o.instance; }))
            ctx.diags.error(o.loc, "active_active " + quote(c.name) + ": no vrrp_instance " + quote(o.instance));
        for (uint32_t b : o.buckets) {
            if (b >= c.buckets) {
                ctx.diags.error(o.loc, "active_active " + quote(c.name) + ": bucket " + std::to_string(b) +
                                           " is out of range (buckets " + std::to_string(c.buckets) +
                                           ": 0-" + std::to_string(c.buckets - 1) + ")");
                return;
            }
            if (owner_of[b]) {
                ctx.diags.error(o.loc, "active_active " + quote(c.name) + ": bucket " + std::to_string(b) +
                                           " is already owned by instance " + quote(owner_of[b]->instance));
                return;
            }
            owner_of[b] = &o;
        }
    }
    for (uint32_t b = 0; b < c.buckets; ++b)
        if (!owner_of[b]) {
            ctx.diags.error(c.loc, "active_active " + quote(c.name) + ": bucket " + std::to_string(b) +
                                       " has no instance (every bucket needs one, or its clients are never served)");
            return;
        }
}

// The VIP belongs to the block alone: an instance's VIP would be announced
// with the node's own MAC and pull every client to one node.
void validate_vip(const Model& m, const ActiveActive& c, ValidateContext& ctx) {
    for (const VrrpInstance& v : m.vrrp.vrrp_instance)
        for (const auto* list : {&v.virtual_ipaddress, &v.virtual_ipaddress_excluded})
            for (const auto& a : *list)
                if (a.address.address == c.vip->address)
                    ctx.diags.error(c.loc, "active_active " + quote(c.name) + ": vip " + c.vip->address.to_string() +
                                               " is also a virtual_ipaddress of vrrp_instance " + quote(v.name) +
                                               "; the block adds it itself (leave it out of the instance)");
}

}  // namespace

std::string bucket_ranges(const std::vector<uint32_t>& b) {
    std::string out;
    for (size_t i = 0; i < b.size();) {
        size_t j = i;
        while (j + 1 < b.size() && b[j + 1] == b[j] + 1) ++j;
        out += (out.empty() ? "" : " ") + std::to_string(b[i]) + (j > i ? "-" + std::to_string(b[j]) : "");
        i = j + 1;
    }
    return out;
}

std::array<uint8_t, 6> cluster_mac(const net::IpAddress& vip) {
    const uint8_t* b = vip.bytes();
    return {0x01, 0x00, 0x5e, static_cast<uint8_t>(b[1] & 0x7f), b[2], b[3]};
}

uint32_t derived_seed(const std::string& name, const net::Prefix& vip) {
    uint32_t h = 2166136261u;
    for (char ch : name + "/" + vip.address.to_string()) {
        h ^= static_cast<uint8_t>(ch);
        h *= 16777619u;
    }
    return h;
}

void add_cluster_keywords(KeywordTable<Model>& top) {
    top.add({
        {"active_active", [](Model& m, Args& a) {
             bool ok = a.exactly(1);
             if (ok)
                 for (const ActiveActive& c : m.active_active)
                     if (c.name == a.str(0)) {
                         a.error(0, "active_active " + quote(a.str(0)) + " is already defined");
                         ok = false;
                     }
             if (!ok) {
                 ActiveActive scratch;
                 a.parser().block(a, cluster_table(), scratch);
                 return;
             }
             ActiveActive& c = m.active_active.emplace_back();
             c.name = a.str(0);
             c.loc = a.loc();
             a.parser().block(a, cluster_table(), c);
         }},
    });
}

void validate_cluster(Model& m, ValidateContext& ctx) {
    for (ActiveActive& c : m.active_active) {
        if (c.interface.empty())
            ctx.diags.error(c.loc, "active_active " + quote(c.name) + " needs 'interface NAME'");
        else if (!ctx.interface_exists(c.interface))
            ctx.diags.warning(c.interface_loc, "active_active interface " + quote(c.interface) + " does not exist (yet)");
        if (!c.vip) {
            ctx.diags.error(c.loc, "active_active " + quote(c.name) + " needs 'vip ADDRESS'");
            continue;
        }
        validate_owners(m, c, ctx);
        validate_vip(m, c, ctx);
        if (!c.hash_seed) c.hash_seed = derived_seed(c.name, *c.vip);
        for (const ActiveActive& o : m.active_active) {
            if (&o == &c) break;
            if (o.vip && cluster_mac(o.vip->address) == cluster_mac(c.vip->address))
                ctx.diags.error(c.loc, "active_active " + quote(c.name) + ": vip " + c.vip->address.to_string() +
                                           " has the same cluster MAC as active_active " + quote(o.name) +
                                           " (the low 23 bits of both VIPs are equal)");
        }
    }
}

void dump_cluster(const Model& m, Dumper& out) {
    for (const ActiveActive& c : m.active_active) {
        out.open("active_active", c.name);
        out.line("interface", c.interface);
        if (c.vip) out.line("vip", *c.vip);
        out.line("buckets", c.buckets);
        if (c.hash_seed) out.line("hash_seed", *c.hash_seed);
        for (const ClusterOwner& o : c.owners) out.line("owner", o.instance, bucket_ranges(o.buckets));
        out.close();
    }
}

}  // namespace halbd::config
