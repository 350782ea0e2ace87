// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/section_vrrp.cc: the top-level keywords of the vrrp section
// (vrrp_instance, vrrp_sync_group, vrrp_script, track_file, vrrp_track_process,
// static_*, track_group, garp_group, linkbeat_interfaces,
// interface_up_down_delays) and the tables of their small blocks. Called by
// config::load() through add_vrrp_keywords(); instance keywords are in
// keywords_vrrp.cc, validation in validate_vrrp.cc, dump in dump_vrrp.cc.
#include "config/sections.hh"
#include "config/vrrp_internal.hh"

namespace halbd::config {

namespace {

using namespace vrrp_detail;
using std::chrono::seconds;

// `KEYWORD NAME { ... }` into vec (a scratch object when the name is bad or taken).
template <class T>
void named_block(Args& a, std::vector<T>& vec, const KeywordTable<T>& table, const char* what) {
    bool ok = a.exactly(1);  // keepalived: "vrrp_instance must have a name"
    if (ok)
        for (const auto& o : vec)
            if (o.name == a.str(0)) {
                a.error(0, std::string(what) + " '" + a.str(0) + "' is already defined");
                ok = false;
                break;
            }
    if (!ok) {
        T scratch;
        a.parser().block(a, table, scratch);
        return;
    }
    vec.emplace_back();
    vec.back().loc = a.loc();
    vec.back().name = a.str(0);
    a.parser().block(a, table, vec.back());
}

void name_list(Args& a, std::vector<NamedRef>& out) {
    a.parser().list(a, [&](Args& item) {
        // keepalived allows several names on one line.
        out.push_back({item.loc(), item.keyword(), kNoIndex});
        for (size_t i = 0; i < item.size(); ++i) out.push_back({item.loc(i), item.str(i), kNoIndex});
    });
}

// weight N [reverse|noreverse] for vrrp_script / track_file / vrrp_track_process.
void object_weight(Args& a, int64_t max, int32_t& weight, bool& reverse) {
    if (!a.count(1, 2)) return;
    auto w = a.integer(0, -max, max);
    if (!w) return;
    weight = static_cast<int32_t>(*w);
    reverse = false;
    if (a.has(1)) {
        if (auto c = a.choice(1, {"reverse", "noreverse"})) reverse = *c == "reverse";
    }
}

const KeywordTable<VrrpScript>& script_table() {
    using S = VrrpScript;
    static const KeywordTable<S> t("vrrp_script", {
        {"script", [](S& s, Args& a) {
             if (!a.count(1, SIZE_MAX)) return;
             // Several words: re-quote those with spaces so the command line splits back.
             s.script.clear();
             for (size_t i = 0; i < a.size(); ++i) {
                 if (i) s.script += ' ';
                 const std::string& w = a.str(i);
                 s.script += (a.size() > 1 && w.find(' ') != std::string::npos) ? "'" + w + "'" : w;
             }
         }},
        {"interval", [](S& s, Args& a) {
             if (!a.count(1)) return;
             auto v = a.uint(0, 0, UINT32_MAX / 1000000);
             if (!v) return;
             if (*v == 0) a.warning(0, "script interval must be at least 1 second; using 1");
             s.interval = seconds(*v ? *v : 1);
         }},
        {"timeout", [](S& s, Args& a) {
             if (!a.count(1)) return;
             auto v = a.uint(0, 0, UINT32_MAX / 1000000);
             if (!v) return;
             if (*v == 0) a.warning(0, "script timeout must be at least 1 second; using 1");
             s.timeout = seconds(*v ? *v : 1);
         }},
        {"weight", [](S& s, Args& a) { object_weight(a, 253, s.weight, s.weight_reverse); }},
        {"rise", [](S& s, Args& a) {
             if (a.count(1))
                 if (auto v = a.uint_or(0, 1, 0x7FFFFFFF, 1)) s.rise = static_cast<uint32_t>(*v);
         }},
        {"fall", [](S& s, Args& a) {
             if (a.count(1))
                 if (auto v = a.uint_or(0, 1, 0x7FFFFFFF, 1)) s.fall = static_cast<uint32_t>(*v);
         }},
        {"user", [](S& s, Args& a) {
             if (a.count(1, 2)) s.user = ScriptUser{a.str(0), a.str(1)};
         }},
        {"init_fail", [](S& s, Args& a) { if (a.at_most(0)) s.init_fail = true; }, kFlag},
    });
    return t;
}

const KeywordTable<TrackFile>& track_file_table() {
    using F = TrackFile;
    static const KeywordTable<F> t("track_file", {
        {"file", [](F& f, Args& a) { if (a.count(1)) f.file = a.str(0); }},
        {"weight", [](F& f, Args& a) { object_weight(a, 2147483647, f.weight, f.weight_reverse); }},
        {"init_file", [](F& f, Args& a) {
             if (!a.at_most(2)) return;
             f.init_file = true;
             for (size_t i = 0; i < a.size(); ++i) {
                 if (a.str(i) == "overwrite") f.init_file_overwrite = true;
                 else if (auto v = a.integer(i, -2147483647 - 1LL, 2147483647)) f.init_file_value = *v;
             }
         }},
    });
    return t;
}

const KeywordTable<TrackProcess>& track_process_table() {
    using P = TrackProcess;
    static const KeywordTable<P> t("vrrp_track_process", {
        {"process", [](P& p, Args& a) { if (a.count(1, SIZE_MAX)) p.process = a.strings(0); }},
        {"param_match", [](P& p, Args& a) {
             if (a.size() == 0) {  // bare: the process must have no parameters
                 p.param_match = ParamMatch::Exact;
                 return;
             }
             if (!a.count(1)) return;
             if (auto c = a.choice(0, {"initial", "partial"}))
                 p.param_match = *c == "initial" ? ParamMatch::Initial : ParamMatch::Partial;
         }},
        {"weight", [](P& p, Args& a) { object_weight(a, 254, p.weight, p.weight_reverse); }},
        {"quorum", [](P& p, Args& a) {
             if (a.count(1))
                 if (auto v = a.uint(0, 1, 65535)) p.quorum = static_cast<uint32_t>(*v);
         }},
        {"quorum_max", [](P& p, Args& a) {
             if (a.count(1))
                 if (auto v = a.uint(0, 0, 65535)) p.quorum_max = static_cast<uint32_t>(*v);
         }},
        {"fork_delay", [](P& p, Args& a) {
             if (a.count(1))
                 if (auto d = a.timer(0, Duration{}, seconds(3600))) p.fork_delay = *d;
         }},
        {"terminate_delay", [](P& p, Args& a) {
             if (a.count(1))
                 if (auto d = a.timer(0, Duration{}, seconds(3600))) p.terminate_delay = *d;
         }},
        {"delay", [](P& p, Args& a) {
             if (a.count(1))
                 if (auto d = a.timer(0, Duration{}, seconds(3600))) p.fork_delay = p.terminate_delay = *d;
         }},
        {"full_command", [](P& p, Args& a) { if (a.at_most(0)) p.full_command = true; }, kFlag},
    });
    return t;
}

// keepalived's first sync-group grammar listed the members as bare lines
// (still in its own sample keepalived.conf.vrrp.lvs_syncd, and accepted by
// 2.2.7). A line whose first word is close to a real keyword stays an
// unknown-keyword error, so typos keep their "did you mean".
bool old_style_member(VrrpSyncGroup& g, Args& a);

const KeywordTable<VrrpSyncGroup>& sync_group_table() {
    using G = VrrpSyncGroup;
    static KeywordTable<G> t("vrrp_sync_group", {
        {"group", [](G& g, Args& a) {
             if (g.group_set) a.error("group list already given for this sync group");
             g.group_set = true;
             name_list(a, g.group);
         }},
        {"track_interface", [](G& g, Args& a) { parse_track_interface(a, g.track_interface); }},
        {"track_script", [](G& g, Args& a) { parse_track_refs(a, g.track_script, 253); }},
        {"track_file", [](G& g, Args& a) { parse_track_refs(a, g.track_file, 254); }},
        {"track_process", [](G& g, Args& a) { parse_track_refs(a, g.track_process, 254); }},
        {"track_bfd", [](G& g, Args& a) { parse_track_refs(a, g.track_bfd, 253); }},
        {"notify_master", [](G& g, Args& a) { parse_notify(a, g.notify_master); }},
        {"notify_backup", [](G& g, Args& a) { parse_notify(a, g.notify_backup); }},
        {"notify_fault", [](G& g, Args& a) { parse_notify(a, g.notify_fault); }},
        {"notify_stop", [](G& g, Args& a) { parse_notify(a, g.notify_stop); }},
        {"notify", [](G& g, Args& a) { parse_notify(a, g.notify); }},
        {"smtp_alert", nullptr, kUnimplemented, "halbd does not send email alerts"},
        {"global_tracking", [](G& g, Args& a) { if (a.at_most(0)) g.sync_group_tracking_weight = true; },
         kDeprecated | kFlag, "sync_group_tracking_weight (or track_* on the sync group)"},
        {"sync_group_tracking_weight", [](G& g, Args& a) {
             if (a.at_most(0)) g.sync_group_tracking_weight = true;
         }, kFlag},
        {"notify_priority_changes", [](G& g, Args& a) {
             if (!a.at_most(1)) return;
             if (auto v = a.boolean(0)) g.notify_priority_changes = *v;
         }},
    });
    static const bool once = (t.set_fallback(old_style_member), true);
    (void)once;
    return t;
}

bool old_style_member(VrrpSyncGroup& g, Args& a) {
    if (closest_match(a.keyword(), sync_group_table().names())) return false;
    a.warning("vrrp_sync_group members listed without 'group { }' is deprecated; write 'group { " +
              a.keyword() + (a.size() ? " " + a.rest(0) : std::string()) + " }'");
    g.group.push_back({a.loc(), a.keyword(), kNoIndex});
    for (size_t i = 0; i < a.size(); ++i) g.group.push_back({a.loc(i), a.str(i), kNoIndex});
    return true;
}

const KeywordTable<StaticTrackGroup>& track_group_table() {
    static const KeywordTable<StaticTrackGroup> t("track_group", {
        {"group", [](StaticTrackGroup& g, Args& a) {
             if (!g.group.empty()) a.error("group list already given for this track_group");
             name_list(a, g.group);
         }},
    });
    return t;
}

const KeywordTable<GarpGroup>& garp_group_table() {
    using G = GarpGroup;
    static const KeywordTable<G> t("garp_group", {
        {"garp_interval", [](G& g, Args& a) {
             if (a.count(1))
                 if (auto d = a.timer(0, Duration{}, seconds(86400))) g.garp_interval = *d;
         }},
        {"gna_interval", [](G& g, Args& a) {
             if (a.count(1))
                 if (auto d = a.timer(0, Duration{}, seconds(86400))) g.gna_interval = *d;
         }},
        {"interface", [](G& g, Args& a) { if (a.count(1)) g.interface = a.str(0); }},
        {"interfaces", [](G& g, Args& a) {
             a.parser().list(a, [&](Args& item) {
                 g.interfaces.push_back(item.keyword());
                 for (size_t i = 0; i < item.size(); ++i) g.interfaces.push_back(item.str(i));
             });
         }},
    });
    return t;
}

template <class Fn>
void static_list(Args& a, Fn&& fn) {
    if (a.at_most(0)) a.parser().list(a, fn);
}

}  // namespace

void add_vrrp_keywords(KeywordTable<Model>& top) {
    top.add({
        {"vrrp_instance", [](Model& m, Args& a) {
             named_block(a, m.vrrp.vrrp_instance, instance_table(), "vrrp_instance");
         }},
        {"vrrp_sync_group", [](Model& m, Args& a) {
             named_block(a, m.vrrp.vrrp_sync_group, sync_group_table(), "vrrp_sync_group");
         }},
        {"vrrp_script", [](Model& m, Args& a) {
             named_block(a, m.vrrp.vrrp_script, script_table(), "vrrp_script");
         }},
        {"track_file", [](Model& m, Args& a) {
             named_block(a, m.vrrp.track_file, track_file_table(), "track_file");
         }},
        {"vrrp_track_file", [](Model& m, Args& a) {
             named_block(a, m.vrrp.track_file, track_file_table(), "track_file");
         }, kDeprecated | kQuiet, "track_file"},
        {"vrrp_track_process", [](Model& m, Args& a) {
             named_block(a, m.vrrp.vrrp_track_process, track_process_table(), "vrrp_track_process");
         }},
        {"track_group", [](Model& m, Args& a) {
             named_block(a, m.vrrp.track_group, track_group_table(), "track_group");
         }},
        {"static_ipaddress", [](Model& m, Args& a) {
             static_list(a, [&](Args& item) {
                 if (auto l = parse_address_line(item, true)) m.vrrp.static_ipaddress.push_back(std::move(*l));
             });
         }},
        {"static_routes", [](Model& m, Args& a) {
             static_list(a, [&](Args& item) {
                 if (auto l = parse_route_line(item, true)) m.vrrp.static_routes.push_back(std::move(*l));
             });
         }},
        {"static_rules", [](Model& m, Args& a) {
             static_list(a, [&](Args& item) {
                 if (auto l = parse_rule_line(item, true)) m.vrrp.static_rules.push_back(std::move(*l));
             });
         }},
        {"garp_group", [](Model& m, Args& a) {
             if (!a.at_most(0)) return;
             m.vrrp.garp_group.emplace_back();
             m.vrrp.garp_group.back().loc = a.loc();
             a.parser().block(a, garp_group_table(), m.vrrp.garp_group.back());
         }},
        {"linkbeat_interfaces", [](Model& m, Args& a) {
             static_list(a, [&](Args& item) {
                 LinkbeatInterface l{item.loc(), item.keyword(), LinkbeatType::Default};
                 if (item.at_most(1) && item.has(0)) {
                     if (auto c = item.choice(0, {"MII", "ETHTOOL", "IOCTL"}))
                         l.type = *c == "MII" ? LinkbeatType::Mii
                                  : *c == "ETHTOOL" ? LinkbeatType::Ethtool : LinkbeatType::Ioctl;
                 }
                 m.vrrp.linkbeat_interfaces.push_back(std::move(l));
             });
         }},
        {"interface_up_down_delays", [](Model& m, Args& a) {
             static_list(a, [&](Args& item) {
                 if (!item.count(1, 2)) return;
                 auto down = item.timer(0, Duration{}, seconds(255));
                 if (!down) return;
                 auto up = item.has(1) ? item.timer(1, Duration{}, seconds(255)) : down;
                 if (!up) return;
                 m.vrrp.interface_up_down_delays.push_back({item.loc(), item.keyword(), *down, *up});
             });
         }},
    });
}

}  // namespace halbd::config
