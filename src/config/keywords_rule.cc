// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/keywords_rule.cc: the one parser (and printer) of a rule line, the
// ip-rule(8) grammar as keepalived accepts it, used by virtual_rules and
// static_rules. Each option word has a handler in one table; whole-line
// checks run once it is read.
#include <cctype>

#include "config/net_line.hh"

namespace halbd::config::vrrp_detail {

namespace {

struct NameValue {
    std::string_view name;
    uint8_t value;
};

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

// What the options of one rule line have read so far.
struct RuleParse {
    RuleLine out;
    FamilyCheck fam;
    bool have_action = false;

    bool set_action(Words& w, size_t j, RuleAction a) {
        if (have_action) {
            w.error(j, "rule action given twice");
            return false;
        }
        have_action = true;
        out.action = a;
        return true;
    }
};
using U = RuleParse;
using T = LineOptions<U>;

// `from|to PREFIX|all`
bool selector(U& s, Words& w, size_t& j) {
    const std::string& k = w.at(j);
    const std::string* v = w.value(j);
    if (!v) return false;
    ++j;
    if (*v == "all") return true;
    auto p = prefix_word(w, j);
    if (!p || !s.fam.check(w, j, p->address.family())) return false;
    (k == "from" ? s.out.from : s.out.to) = *p;
    return true;
}

bool family(U& s, Words& w, size_t& j) {
    return s.fam.check(w, j, w.at(j) == "inet6" ? net::Family::V6 : net::Family::V4);
}

bool table(U& s, Words& w, size_t& j) {
    auto t = rt_value(w, j, RtFile::Tables, 0xFFFFFFFFu, "routing table");
    if (!t || !s.set_action(w, j, RuleAction::Table)) return false;
    s.out.table = *t;
    ++j;
    return true;
}

bool goto_rule(U& s, Words& w, size_t& j) {
    auto n = uint_value(w, j, 0xFFFFFFFFu);
    if (!n || !s.set_action(w, j, RuleAction::Goto)) return false;
    s.out.goto_target = *n;
    ++j;
    return true;
}

// nop, blackhole, unreachable, prohibit: the action alone.
template <RuleAction Action>
bool action(U& s, Words& w, size_t& j) {
    return s.set_action(w, j, Action);
}

bool fwmark(U& s, Words& w, size_t& j) {
    const std::string* v = w.value(j);
    if (!v) return false;
    std::string_view sv = *v;
    auto slash = sv.find('/');
    auto mark = number(sv.substr(0, slash), 0xFFFFFFFFu);
    std::optional<uint64_t> mask;
    if (slash != std::string_view::npos) mask = number(sv.substr(slash + 1), 0xFFFFFFFFu);
    if (!mark || (slash != std::string_view::npos && !mask)) {
        w.error(j + 1, "'fwmark' expects MARK[/MASK], got '" + *v + "'");
        return false;
    }
    s.out.fwmark = static_cast<uint32_t>(*mark);
    if (mask) s.out.fwmask = static_cast<uint32_t>(*mask);
    ++j;
    return true;
}

bool uidrange(U& s, Words& w, size_t& j) {
    uint32_t lo = 0, hi = 0;
    if (!range_value(w, j, 0xFFFFFFFFu, lo, hi)) return false;
    s.out.uidrange_start = lo;
    s.out.uidrange_end = hi;
    ++j;
    return true;
}

bool l3mdev(U& s, Words&, size_t&) {
    s.out.l3mdev = true;
    s.have_action = true;
    return true;
}

bool ip_proto(U& s, Words& w, size_t& j) {
    const std::string* v = w.value(j);
    if (!v) return false;
    std::string low;
    for (char c : *v) low += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::optional<uint8_t> p;
    for (const auto& n : kIpProtos)
        if (n.name == low) p = n.value;
    if (!p)
        if (auto n = number(*v, 255)) p = static_cast<uint8_t>(*n);
    if (!p) {
        w.error(j + 1, "unknown IP protocol '" + *v + "'");
        return false;
    }
    s.out.ip_proto = *p;
    ++j;
    return true;
}

// `sport|dport N[-M]`
bool port_range(U& s, Words& w, size_t& j) {
    const bool sport = w.at(j) == "sport";
    uint32_t lo = 0, hi = 0;
    if (!range_value(w, j, 65535, lo, hi)) return false;
    (sport ? s.out.sport_start : s.out.dport_start) = static_cast<uint16_t>(lo);
    (sport ? s.out.sport_end : s.out.dport_end) = static_cast<uint16_t>(hi);
    ++j;
    return true;
}


const T& rule_options() {
    constexpr auto preference = T::u32<0xFFFFFFFFu, &RuleLine::preference>;
    static const T t({
        {"from", selector},
        {"to", selector},
        {"inet", family},
        {"inet6", family},
        {"not", T::flag<&RuleLine::invert>},
        {"preference", preference},
        {"priority", preference},
        {"order", preference},
        {"pref", preference},
        {"prio", preference},
        {"table", table},
        {"lookup", table},
        {"goto", goto_rule},
        {"nop", action<RuleAction::Nop>},
        {"blackhole", action<RuleAction::Blackhole>},
        {"unreachable", action<RuleAction::Unreachable>},
        {"prohibit", action<RuleAction::Prohibit>},
        {"fwmark", fwmark},
        {"realms", T::realms<&RuleLine::realms>},
        {"iif", T::text<&RuleLine::iif>},
        {"dev", T::text<&RuleLine::iif>},
        {"oif", T::text<&RuleLine::oif>},
        {"tos", T::rt_byte<RtFile::Dsfield, &RuleLine::tos>},
        {"dsfield", T::rt_byte<RtFile::Dsfield, &RuleLine::tos>},
        {"suppress_prefixlength", T::u32<128, &RuleLine::suppress_prefixlength>},
        {"sup_pl", T::u32<128, &RuleLine::suppress_prefixlength>},
        {"suppress_ifgroup", T::u32<0xFFFFFFFFu, &RuleLine::suppress_ifgroup>},
        {"sup_group", T::u32<0xFFFFFFFFu, &RuleLine::suppress_ifgroup>},
        {"uidrange", uidrange},
        {"l3mdev", l3mdev},
        {"protocol", T::rt_byte<RtFile::Protos, &RuleLine::protocol>},
        {"proto", T::rt_byte<RtFile::Protos, &RuleLine::protocol>},
        {"ip_proto", ip_proto},
        {"ipproto", ip_proto},
        {"sport", port_range},
        {"dport", port_range},
        {"no_track", T::flag<&RuleLine::no_track>, LineUse::VirtualOnly},
        {"track_group", T::text<&RuleLine::track_group>, LineUse::StaticOnly},
    });
    return t;
}

}  // namespace

std::optional<RuleLine> parse_rule_line(Args& line, bool is_static) {
    Words w{line};
    RuleParse s;
    s.out.loc = line.loc();
    for (size_t j = 0; j < w.size(); ++j) {
        const LineOption<U>* o = rule_options().find(w.at(j), is_static);
        if (!o) {
            w.error(j, "unknown rule option '" + w.at(j) + "'");
            return std::nullopt;
        }
        if (!o->parse(s, w, j)) return std::nullopt;
    }
    RuleLine& out = s.out;
    out.family = s.fam.fam.value_or(net::Family::V4);
    if (out.action == RuleAction::Goto && out.goto_target && out.preference &&
        *out.goto_target <= *out.preference) {
        w.error(0, "'goto' must jump to a higher preference than the rule's own");
        return std::nullopt;
    }
    return std::move(s.out);
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
