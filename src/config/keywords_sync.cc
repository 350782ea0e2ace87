// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/keywords_sync.cc: the top-level `conntrack_sync { }` block
// (connection-state sync, issue 13) and its `filter { }` sub-block in
// conntrackd's vocabulary. Registered by add_sync_keywords() (sections.cc);
// fills ConntrackSync (model_sync.hh). Cross-keyword checks are in
// validate_sync.cc, the dump in dump_sync.cc.
#include <netinet/in.h>

#include <algorithm>

#include "config/model.hh"
#include "config/sections.hh"

namespace halbd::config {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::string quote(std::string_view s) { return "'" + std::string(s) + "'"; }

std::optional<net::IpAddress> one_ip(Args& a) {
    if (!a.count(1)) return std::nullopt;
    return a.ip(0);
}

bool follows_already(const ConntrackSync& s, Args& a) {
    if (s.sync_group.empty() && s.instances.empty()) return false;
    a.error("conntrack_sync follows one sync_group or a list of instances; " +
            std::string(!s.sync_group.empty() ? "sync_group " + quote(s.sync_group)
                                              : "instance " + quote(s.instances.front())) +
            " is already given");
    return true;
}

void set_sync_group(ConntrackSync& s, Args& a) {
    if (!a.count(1) || follows_already(s, a)) return;
    s.sync_group = a.str(0);
    s.follow_loc = a.loc(0);
}

// `instance NAME...`: several names for active-active (one instance per
// bucket set, both nodes MASTER of some at once).
void set_instances(ConntrackSync& s, Args& a) {
    if (!a.count(1, 64) || follows_already(s, a)) return;
    for (size_t i = 0; i < a.size(); ++i) {
        if (std::find(s.instances.begin(), s.instances.end(), a.str(i)) != s.instances.end()) {
            a.error(i, "instance " + quote(a.str(i)) + " is listed twice");
            continue;
        }
        s.instances.push_back(a.str(i));
        s.instance_locs.push_back(a.loc(i));
    }
    s.follow_loc = a.loc(0);
}

// The protocols conntrackd's filter names, or a number 0-255.
std::optional<uint32_t> protocol_value(Args& a, size_t i) {
    static const std::pair<std::string_view, uint32_t> names[] = {
        {"TCP", IPPROTO_TCP},   {"UDP", IPPROTO_UDP},     {"SCTP", IPPROTO_SCTP},
        {"DCCP", IPPROTO_DCCP}, {"ICMP", IPPROTO_ICMP},   {"ICMPv6", IPPROTO_ICMPV6},
        {"UDPLITE", IPPROTO_UDPLITE}, {"GRE", IPPROTO_GRE},
    };
    for (const auto& [n, v] : names)
        if (a.str(i) == n) return v;
    const std::string& w = a.str(i);
    if (!w.empty() && w.find_first_not_of("0123456789") == std::string::npos) return a.uint(i, 0, 255);
    a.error(i, "unknown protocol " + quote(w) + "; expected TCP, UDP, SCTP, DCCP, ICMP, ICMPv6, UDPLITE, GRE or 0-255");
    return std::nullopt;
}

// VALUE[/MASK], each a number (decimal or 0x hex) 0-4294967295.
std::optional<std::pair<uint32_t, uint32_t>> mark_value(Args& a, size_t i) {
    const std::string& w = a.str(i);
    auto num = [&](std::string_view t) -> std::optional<uint32_t> {
        int base = 10;
        if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
            t.remove_prefix(2);
            base = 16;
        }
        if (t.empty() || t.size() > 10) return std::nullopt;
        uint64_t v = 0;
        for (char c : t) {
            int d = c >= '0' && c <= '9' ? c - '0'
                    : base == 16 && c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : base == 16 && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                         : -1;
            if (d < 0) return std::nullopt;
            v = v * base + d;
        }
        if (v > UINT32_MAX) return std::nullopt;
        return static_cast<uint32_t>(v);
    };
    const size_t slash = w.find('/');
    auto v = num(std::string_view(w).substr(0, slash));
    auto m = slash == std::string::npos ? std::optional<uint32_t>(UINT32_MAX) : num(std::string_view(w).substr(slash + 1));
    if (!v || !m) {
        a.error(i, "bad mark " + quote(w) + "; expected VALUE or VALUE/MASK (decimal or 0x hex, 32 bits)");
        return std::nullopt;
    }
    return std::pair{*v, *m};
}

template <CtFilter::Kind K>
void filter_line(ConntrackSync& s, Args& a) {
    if (!a.count(2, 1024)) return;
    auto mode = a.choice(0, {"accept", "ignore"});
    if (!mode) return;
    CtFilter f;
    f.kind = K;
    f.accept = *mode == "accept";
    f.loc = a.loc();
    for (size_t i = 1; i < a.size(); ++i) {
        switch (K) {
            case CtFilter::Kind::Address:
                if (auto p = a.prefix(i)) f.prefixes.push_back(*p);
                else return;
                break;
            case CtFilter::Kind::Port:
                if (auto p = a.port(i)) f.values.push_back(*p);
                else return;
                break;
            case CtFilter::Kind::Protocol:
                if (auto p = protocol_value(a, i)) f.values.push_back(*p);
                else return;
                break;
            case CtFilter::Kind::Zone:
                if (auto z = a.uint(i, 0, 65535)) f.values.push_back(static_cast<uint32_t>(*z));
                else return;
                break;
            case CtFilter::Kind::Mark:
                if (auto m = mark_value(a, i)) f.marks.push_back(*m);
                else return;
                break;
        }
    }
    for (const CtFilter& old : s.filters)
        if (old.kind == K) {
            a.error("filter " + quote(ct_filter_kind_name(K)) + " is already given at line " +
                    std::to_string(old.loc.line) + "; list every value on one line");
            return;
        }
    s.filters.push_back(std::move(f));
}

const KeywordTable<ConntrackSync>& filter_table() {
    static const KeywordTable<ConntrackSync> t("filter", {
        {"address", filter_line<CtFilter::Kind::Address>},
        {"port", filter_line<CtFilter::Kind::Port>},
        {"protocol", filter_line<CtFilter::Kind::Protocol>},
        {"zone", filter_line<CtFilter::Kind::Zone>},
        {"mark", filter_line<CtFilter::Kind::Mark>},
    });
    return t;
}

const KeywordTable<ConntrackSync>& sync_table() {
    static const KeywordTable<ConntrackSync> t("conntrack_sync", {
        {"interface", [](ConntrackSync& s, Args& a) {
             if (!a.count(1)) return;
             s.interface = a.str(0);
             s.interface_loc = a.loc(0);
         }},
        {"peer", [](ConntrackSync& s, Args& a) {
             auto ip = one_ip(a);
             if (!ip) return;
             if (ip->is_unspecified() || ip->is_multicast()) {
                 a.error(0, "'peer' needs a unicast address, got " + quote(a.str(0)));
                 return;
             }
             for (const auto& p : s.peers)
                 if (p == *ip) {
                     a.warning(0, "peer " + quote(a.str(0)) + " is given twice");
                     return;
                 }
             s.peers.push_back(*ip);
         }},
        {"mcast_group", [](ConntrackSync& s, Args& a) {
             auto ip = one_ip(a);
             if (!ip) return;
             if (!ip->is_multicast()) {
                 a.error(0, "'mcast_group' needs a multicast address, got " + quote(a.str(0)));
                 return;
             }
             s.mcast_group = *ip;
         }},
        {"port", [](ConntrackSync& s, Args& a) {
             if (!a.count(1)) return;
             if (auto p = a.port(0)) s.port = *p;
         }},
        {"source_ip", [](ConntrackSync& s, Args& a) {
             auto ip = one_ip(a);
             if (!ip) return;
             if (ip->is_unspecified() || ip->is_multicast()) {
                 a.error(0, "'source_ip' needs a unicast address, got " + quote(a.str(0)));
                 return;
             }
             s.source_ip = *ip;
         }},
        {"sync_group", set_sync_group},
        {"instance", set_instances},
        {"auth_key_file", [](ConntrackSync& s, Args& a) {
             if (!a.count(1)) return;
             if (a.str(0).empty()) {
                 a.error(0, "'auth_key_file' needs a file name");
                 return;
             }
             s.auth_key_file = a.str(0);
             s.auth_key_file_loc = a.loc(0);
         }},
        {"commit_budget", [](ConntrackSync& s, Args& a) {
             if (!a.count(1)) return;
             if (auto d = a.timer(0, milliseconds(1), seconds(60))) s.commit_budget = *d;
         }},
        {"bulk_timeout", [](ConntrackSync& s, Args& a) {
             if (!a.count(1)) return;
             if (auto d = a.timer(0, Duration::zero(), seconds(3600))) s.bulk_timeout = *d;
         }},
        {"expectation_sync", [](ConntrackSync& s, Args& a) {
             // conntrackd's `ExpectationSync on|off` and `ExpectationSync { ftp sip }`,
             // the helper list on the line: `expectation_sync ftp sip`.
             if (!a.count(1, 64)) return;
             s.expectation_helpers.clear();
             if (a.size() == 1 && (a.str(0) == "on" || a.str(0) == "off")) {
                 s.expectation_sync = a.str(0) == "on";
                 return;
             }
             for (size_t i = 0; i < a.size(); ++i) {
                 if (a.str(i).empty() || a.str(i).size() >= 16 || a.str(i) == "on" || a.str(i) == "off") {
                     a.error(i, "'expectation_sync' takes on, off or helper names (up to 15 characters), got " +
                                    quote(a.str(i)));
                     return;
                 }
                 s.expectation_helpers.push_back(a.str(i));
             }
             s.expectation_sync = true;
         }},
        {"commit_mode", [](ConntrackSync& s, Args& a) {
             if (!a.count(1)) return;
             if (a.str(0) == "on_master") s.commit_mode = ConntrackSync::CommitMode::OnMaster;
             else if (a.str(0) == "always") s.commit_mode = ConntrackSync::CommitMode::Always;
             else a.error(0, "'commit_mode' is 'on_master' or 'always', got " + quote(a.str(0)));
         }},
        {"filter", [](ConntrackSync& s, Args& a) {
             a.at_most(0);
             a.parser().block(a, filter_table(), s);
         }},
    });
    return t;
}

}  // namespace

const char* ct_filter_kind_name(CtFilter::Kind k) {
    switch (k) {
        case CtFilter::Kind::Address: return "address";
        case CtFilter::Kind::Port: return "port";
        case CtFilter::Kind::Protocol: return "protocol";
        case CtFilter::Kind::Zone: return "zone";
        case CtFilter::Kind::Mark: return "mark";
    }
    return "address";
}

void add_sync_keywords(KeywordTable<Model>& top) {
    top.add({
        {"conntrack_sync",
         [](Model& m, Args& a) {
             a.at_most(0);
             if (m.conntrack_sync) {
                 a.error("only one 'conntrack_sync' block is allowed (the first is at line " +
                         std::to_string(m.conntrack_sync->loc.line) + ")");
                 ConntrackSync scratch;
                 a.parser().block(a, sync_table(), scratch);
                 return;
             }
             ConntrackSync& s = m.conntrack_sync.emplace();
             s.loc = a.loc();
             a.parser().block(a, sync_table(), s);
         }},
    });
}

}  // namespace halbd::config
