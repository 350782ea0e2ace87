// config/sections.hh: the seams between the generic parser and the sections.
// Each section (global, vrrp, lvs) contributes its top-level keywords, its
// validation (ranges across keywords, references, inheritance, conflicts) and
// its part of the normalised dump (`halbd -d`). Called only by config/load.cc
// and config/dump.cc.
#pragma once

#include <functional>
#include <string_view>

#include "config/diagnostics.hh"
#include "config/parser.hh"

namespace halbd::config {

struct Model;
struct ForwardCapabilities;
class Dumper;

// Facts about the machine that validation may ask for; injected so tests and
// `halbd -t` on another host behave predictably.
struct ValidateContext {
    Diagnostics& diags;
    // Does a network interface with this name exist here? (missing => warning)
    std::function<bool(std::string_view)> interface_exists;
};

void add_global_keywords(KeywordTable<Model>& top);
void add_vrrp_keywords(KeywordTable<Model>& top);
void add_lvs_keywords(KeywordTable<Model>& top);

// Validation runs in this order; later sections may read earlier ones.
void validate_global(Model& m, ValidateContext& ctx);
void validate_vrrp(Model& m, ValidateContext& ctx);
void validate_lvs(Model& m, ValidateContext& ctx);
// Refuses what a forwarding backend cannot program (validate_forwarding.cc);
// runs after validate_lvs(), on effective values.
void validate_forwarding(const Model& m, ValidateContext& ctx, const ForwardCapabilities& caps);

void dump_global(const Model& m, Dumper& out);
void dump_vrrp(const Model& m, Dumper& out);
void dump_lvs(const Model& m, Dumper& out);

}  // namespace halbd::config
