// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/sections.hh: the seams between the generic parser and the sections.
// Each section (global, vrrp, lvs) contributes its top-level keywords, its
// validation (ranges across keywords, references, inheritance, conflicts) and
// its part of the normalised dump (`halbd -d`); sections.cc lists them once,
// and config/load.cc and config/dump.cc run that list.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <span>
#include <string_view>

#include "config/diagnostics.hh"
#include "config/parser.hh"

namespace halbd::config {

struct Model;
struct ProcessDefs;
struct ForwardCapabilities;
class Dumper;

// Facts about the machine that validation may ask for; injected so tests and
// `halbd -t` on another host behave predictably.
struct ValidateContext {
    Diagnostics& diags;
    // Does a network interface with this name exist here? (missing => warning)
    std::function<bool(std::string_view)> interface_exists;
    // Is this command (a path, or a name looked up in PATH) an executable
    // file here? (MISC_CHECK's script missing => warning, checker disabled)
    std::function<bool(std::string_view)> executable_exists;
};

// One top-level section. A new top-level block (say `conntrack_sync { }`)
// is a member of Model, a section file defining these three functions, and
// one line in the list in sections.cc.
struct Section {
    std::string_view name;
    void (*add_keywords)(KeywordTable<Model>& top);     // null: no keywords of its own
    void (*validate)(Model& m, ValidateContext& ctx);  // null: nothing to check
    void (*dump)(const Model& m, Dumper& out);          // null: nothing to print
};

// Every section, in the order validation and the dump run them: later
// sections may read what earlier ones resolved.
std::span<const Section> sections();

// The front end over a given list of sections (load() passes sections();
// tests may pass their own): parse every statement of `source` into a new
// Model, then validate it section by section. Null when there were errors.
std::shared_ptr<Model> parse_model(TokenSource& source, ValidateContext& ctx,
                                   std::span<const Section> list);
void dump_model(const Model& m, std::ostream& os, std::span<const Section> list);

void add_global_keywords(KeywordTable<Model>& top);
// The handler of top-level `bfd_instance` (keywords_bfd.cc).
void parse_bfd_instance(Model& m, Args& a);
// keepalived's per-process keywords of global_defs (keywords_process.cc).
void process_rt_priority(ProcessDefs& p, Args& a);
void process_nice(ProcessDefs& p, Args& a);
void process_no_swap(ProcessDefs& p, Args& a);
void process_cpu_affinity(ProcessDefs& p, Args& a);
void process_rlimit_rttime(ProcessDefs& p, Args& a);
void add_vrrp_keywords(KeywordTable<Model>& top);
void add_lvs_keywords(KeywordTable<Model>& top);
void add_sync_keywords(KeywordTable<Model>& top);
void add_announce_keywords(KeywordTable<Model>& top);
void add_cluster_keywords(KeywordTable<Model>& top);

void validate_global(Model& m, ValidateContext& ctx);
void validate_vrrp(Model& m, ValidateContext& ctx);
void validate_lvs(Model& m, ValidateContext& ctx);
void validate_sync(Model& m, ValidateContext& ctx);
void validate_announce(Model& m, ValidateContext& ctx);
void validate_cluster(Model& m, ValidateContext& ctx);
// Warns about every parsed keyword no subsystem acts on (validate_unimplemented.cc).
void validate_unimplemented(Model& m, ValidateContext& ctx);
// Refuses what a forwarding backend cannot program (validate_forwarding.cc);
// runs after validate_lvs(), on effective values.
void validate_forwarding(const Model& m, ValidateContext& ctx, const ForwardCapabilities& caps);

void dump_global(const Model& m, Dumper& out);
void dump_vrrp(const Model& m, Dumper& out);
void dump_lvs(const Model& m, Dumper& out);
void dump_sync(const Model& m, Dumper& out);
void dump_announce(const Model& m, Dumper& out);
void dump_cluster(const Model& m, Dumper& out);

}  // namespace halbd::config
