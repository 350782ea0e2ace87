// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/load.cc: lexer -> parser -> validation over the list of sections
// (see sections.hh).
#include "config/load.hh"

#include <net/if.h>

#include "config/lexer.hh"
#include "config/sections.hh"
#include "core/spawn.hh"

namespace halbd::config {

namespace {

bool system_interface_exists(std::string_view name) {
    std::string n(name);
    return if_nametoindex(n.c_str()) != 0;
}

bool system_executable_exists(std::string_view command) { return core::find_executable(command).has_value(); }

void run(LoadResult& r, Lexer& lexer, const LoadOptions& opts) {
    ValidateContext ctx{r.diags, opts.interface_exists ? opts.interface_exists : system_interface_exists,
                        opts.executable_exists ? opts.executable_exists : system_executable_exists};
    r.model = parse_model(lexer, ctx, sections());
    // What the chosen forwarding backend cannot program (no errors otherwise).
    if (r.model && (opts.forwarding || opts.forwarding_for)) {
        validate_forwarding(*r.model, ctx, opts.forwarding ? *opts.forwarding : opts.forwarding_for(*r.model));
        if (r.diags.has_errors()) r.model.reset();
    }
}

LexerOptions lexer_options(const LoadOptions& opts) {
    LexerOptions lo;
    lo.config_id = opts.config_id;
    lo.allow_include = opts.allow_include;
    lo.all_includes_required = opts.all_config;
    lo.max_read_bytes = opts.max_read_bytes;
    lo.max_read_files = opts.max_read_files;
    return lo;
}

}  // namespace

std::vector<std::string> LoadResult::messages(bool notes) const {
    std::vector<std::string> out;
    out.reserve(diags.items().size());
    for (const auto& d : diags.items())
        if (notes || d.severity != Severity::Note) out.push_back(diags.format(sources, d));
    return out;
}

bool defines_nothing(const Model& m) {
    return m.vrrp.vrrp_instance.empty() && m.lvs.virtual_servers.empty() && m.vrrp.static_ipaddress.empty() &&
           m.vrrp.static_routes.empty() && m.vrrp.static_rules.empty();
}

LoadResult load_file(const std::string& path, const LoadOptions& opts) {
    LoadResult r;
    Lexer lexer(r.sources, r.diags, lexer_options(opts));
    if (!lexer.open_file(path)) return r;
    run(r, lexer, opts);
    return r;
}

LoadResult load_text(const std::string& name, std::string text, const LoadOptions& opts) {
    LoadResult r;
    Lexer lexer(r.sources, r.diags, lexer_options(opts));
    lexer.open_text(name, std::move(text));
    run(r, lexer, opts);
    return r;
}

}  // namespace halbd::config
