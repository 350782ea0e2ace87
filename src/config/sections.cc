// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/sections.cc: the one list of top-level sections (see sections.hh) and
// the loops that run it: top-level keywords, validation in order, the dump.
// Called by config::load() and config::dump(); adding a section is one line here.
#include "config/sections.hh"

#include "config/dump.hh"
#include "config/model.hh"

namespace halbd::config {

namespace {

constexpr Section kSections[] = {
    {"global", add_global_keywords, validate_global, dump_global},
    {"vrrp", add_vrrp_keywords, validate_vrrp, dump_vrrp},
    {"lvs", add_lvs_keywords, validate_lvs, dump_lvs},
    {"conntrack_sync", add_sync_keywords, validate_sync, dump_sync},  // after vrrp: names its instance or group
    {"route_announce", add_announce_keywords, validate_announce, dump_announce},  // after lvs: names its addresses
    {"active_active", add_cluster_keywords, validate_cluster, dump_cluster},  // after vrrp: names its instances
    // Last: warns about parsed keywords no subsystem acts on (effective values).
    {"unimplemented", nullptr, validate_unimplemented, nullptr},
};

KeywordTable<Model> top_table(std::span<const Section> list) {
    KeywordTable<Model> t("", {});
    for (const Section& s : list)
        if (s.add_keywords) s.add_keywords(t);
    return t;
}

}  // namespace

std::span<const Section> sections() { return kSections; }

std::shared_ptr<Model> parse_model(TokenSource& source, ValidateContext& ctx,
                                   std::span<const Section> list) {
    // The table of the built-in list is built once; a test's list each time.
    static const KeywordTable<Model> builtin = top_table(sections());
    const bool is_builtin = list.data() == sections().data() && list.size() == sections().size();
    std::optional<KeywordTable<Model>> own;
    if (!is_builtin) own.emplace(top_table(list));
    auto model = std::make_shared<Model>();
    Parser parser(source, ctx.diags);
    parser.parse_top(is_builtin ? builtin : *own, *model);
    for (const Section& s : list)
        if (s.validate) s.validate(*model, ctx);
    if (ctx.diags.has_errors()) return nullptr;
    return model;
}

void dump_model(const Model& m, std::ostream& os, std::span<const Section> list) {
    Dumper d(os);
    for (const Section& s : list)
        if (s.dump) s.dump(m, d);
}

}  // namespace halbd::config
