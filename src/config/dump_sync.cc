// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/dump_sync.cc: the `conntrack_sync` block in the normalised dump
// (`halbd -d`), every effective value spelled out. Called through
// dump_sync() (sections.cc).
#include <cstdio>

#include "config/dump.hh"
#include "config/model.hh"
#include "config/sections.hh"

namespace halbd::config {

namespace {

std::string mark_text(const std::pair<uint32_t, uint32_t>& m) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%x/0x%x", m.first, m.second);
    return buf;
}

void dump_filter(const CtFilter& f, Dumper& out) {
    std::string values;
    auto add = [&](const std::string& v) { values += (values.empty() ? "" : " ") + v; };
    for (const auto& p : f.prefixes) add(p.to_string());
    for (uint32_t v : f.values) add(std::to_string(v));
    for (const auto& m : f.marks) add(mark_text(m));
    out.line(ct_filter_kind_name(f.kind), f.accept ? "accept" : "ignore", values);
}

}  // namespace

void dump_sync(const Model& m, Dumper& out) {
    if (!m.conntrack_sync) return;
    const ConntrackSync& s = *m.conntrack_sync;
    out.open("conntrack_sync");
    out.line("interface", s.interface);
    for (const auto& p : s.peers) out.line("peer", p);
    out.line("mcast_group", s.mcast_group);
    out.line("port", s.port);
    if (s.source_ip) out.line("source_ip", *s.source_ip);
    if (!s.sync_group.empty()) out.line("sync_group", s.sync_group);
    if (!s.instances.empty()) {
        std::string names;
        for (const auto& n : s.instances) names += (names.empty() ? "" : " ") + n;
        out.line("instance", names);
    }
    if (!s.auth_key_file.empty()) out.line("auth_key_file", Dumper::quoted(s.auth_key_file));
    out.line("commit_budget", s.commit_budget);
    out.line("bulk_timeout", s.bulk_timeout);
    if (s.expectation_sync && !s.expectation_helpers.empty()) {
        std::string names;
        for (const auto& n : s.expectation_helpers) names += (names.empty() ? "" : " ") + n;
        out.line("expectation_sync", names);
    } else {
        out.line("expectation_sync", s.expectation_sync ? "on" : "off");
    }
    if (s.commit_mode == ConntrackSync::CommitMode::Always) out.line("commit_mode", "always");
    if (!s.filters.empty()) {
        out.open("filter");
        for (const CtFilter& f : s.filters) dump_filter(f, out);
        out.close();
    }
    out.close();
}

}  // namespace halbd::config
