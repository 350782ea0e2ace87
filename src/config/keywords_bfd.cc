// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/keywords_bfd.cc: the `bfd_instance NAME { ... }` block of the global
// section (keepalived's bfd_parser.c keywords), registered at top level by
// add_global_keywords(). Fills BfdInstance (model_bfd.hh); validation and dump
// are with the rest of the global section.
#include "config/model.hh"
#include "config/sections.hh"

namespace halbd::config {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::string quote(std::string_view s) { return "'" + std::string(s) + "'"; }

// A BFD interval written in milliseconds with up to 3 decimals ("3.312").
void bfd_ms(Duration& out, Args& a, uint32_t min_ms) {
    if (!a.count(1)) return;
    // Reuse the seconds parser: "3.312" read as seconds is 1000x the wanted value.
    auto v = a.timer(0, Duration{}, seconds(1'000'000'000));
    if (!v) return;
    const Duration d = *v / 1000;
    constexpr uint32_t kMaxMs = UINT32_MAX / 1000;  // BFD_MINRX_MAX
    if (d < milliseconds(min_ms) || d > milliseconds(kMaxMs)) {
        a.error(0, quote(a.keyword()) + " value " + a.str(0) + " is out of range " +
                       std::to_string(min_ms) + "-" + std::to_string(kMaxMs) + " milliseconds");
        return;
    }
    out = d;
}

template <uint8_t BfdInstance::*F, uint8_t Min>
void bfd_u8(BfdInstance& b, Args& a) {
    if (!a.count(1)) return;
    if (auto v = a.uint(0, Min, 255)) b.*F = static_cast<uint8_t>(*v);
}

void bfd_ip(std::optional<net::IpAddress>& out, Args& a) {
    if (!a.count(1)) return;
    auto ip = a.ip(0);
    if (!ip) return;
    if (ip->is_unspecified() || ip->is_multicast()) {
        a.error(0, quote(a.keyword()) + " needs a unicast address, got " + quote(a.str(0)));
        return;
    }
    out = *ip;
}

void bfd_weight(BfdInstance& b, Args& a) {
    if (!a.count(1, 2)) return;
    auto v = a.integer(0, -253, 253);
    if (!v) return;
    if (a.has(1) && !a.choice(1, {"reverse"})) return;
    b.weight = static_cast<int16_t>(*v);
    b.weight_reverse = a.has(1);
}

const KeywordTable<BfdInstance>& bfd_table() {
    static const KeywordTable<BfdInstance> t("bfd_instance", {
        {"neighbor_ip", [](BfdInstance& b, Args& a) { bfd_ip(b.neighbor_ip, a); }},
        {"neighbour_ip", [](BfdInstance& b, Args& a) { bfd_ip(b.neighbor_ip, a); }},
        {"source_ip", [](BfdInstance& b, Args& a) { bfd_ip(b.source_ip, a); }},
        {"min_rx", [](BfdInstance& b, Args& a) { bfd_ms(b.min_rx, a, 1); }},
        {"min_tx", [](BfdInstance& b, Args& a) { bfd_ms(b.min_tx, a, 1); }},
        {"idle_tx", [](BfdInstance& b, Args& a) { bfd_ms(b.idle_tx, a, 1000); }},
        {"multiplier", bfd_u8<&BfdInstance::multiplier, 1>},
        {"passive", [](BfdInstance& b, Args& a) { if (a.at_most(0)) b.passive = true; }, kFlag},
        {"ttl", bfd_u8<&BfdInstance::ttl, 1>},
        {"hoplimit", bfd_u8<&BfdInstance::hoplimit, 1>},
        {"max_hops", bfd_u8<&BfdInstance::max_hops, 0>},
        {"weight", bfd_weight},
        {"vrrp", [](BfdInstance& b, Args& a) { if (a.at_most(0)) b.vrrp = true; }, kFlag},
        {"checker", [](BfdInstance& b, Args& a) { if (a.at_most(0)) b.checker = true; }, kFlag},
    });
    return t;
}

}  // namespace

void parse_bfd_instance(Model& m, Args& a) {
    if (!a.count(1)) {
        // Still read the block, so its contents are checked and skipped.
        BfdInstance scratch;
        if (a.has_block()) a.parser().block(a, bfd_table(), scratch);
        return;
    }
    if (a.str(0).empty() || a.str(0).size() > 31) {  // BFD_INAME_MAX - 1
        a.error(0, "bfd_instance name must be 1-31 characters, got " + quote(a.str(0)));
    }
    BfdInstance& b = m.global.bfd_instances.emplace_back();
    b.name = a.str(0);
    b.loc = a.loc(0);
    a.parser().block(a, bfd_table(), b);
}

}  // namespace halbd::config
