// config/load.cc: lexer -> parser -> validation, building the top-level
// keyword table from the sections (see sections.hh).
#include "config/load.hh"

#include <net/if.h>

#include "config/lexer.hh"
#include "config/parser.hh"
#include "config/sections.hh"

namespace halbd::config {

namespace {

const KeywordTable<Model>& top_table() {
    static const KeywordTable<Model> table = [] {
        KeywordTable<Model> t("", {});
        add_global_keywords(t);
        add_vrrp_keywords(t);
        add_lvs_keywords(t);
        return t;
    }();
    return table;
}

bool system_interface_exists(std::string_view name) {
    std::string n(name);
    return if_nametoindex(n.c_str()) != 0;
}

void run(LoadResult& r, Lexer& lexer, const LoadOptions& opts) {
    auto model = std::make_shared<Model>();
    Parser parser(lexer, r.diags);
    parser.parse_top(top_table(), *model);
    ValidateContext ctx{r.diags, opts.interface_exists ? opts.interface_exists
                                                       : system_interface_exists};
    validate_global(*model, ctx);
    validate_vrrp(*model, ctx);
    validate_lvs(*model, ctx);
    if (opts.forwarding) validate_forwarding(*model, ctx, *opts.forwarding);
    if (!r.diags.has_errors()) r.model = std::move(model);
}

LexerOptions lexer_options(const LoadOptions& opts) {
    LexerOptions lo;
    lo.config_id = opts.config_id;
    lo.allow_include = opts.allow_include;
    lo.all_includes_required = opts.all_config;
    return lo;
}

}  // namespace

std::vector<std::string> LoadResult::messages() const {
    std::vector<std::string> out;
    out.reserve(diags.items().size());
    for (const auto& d : diags.items()) out.push_back(diags.format(sources, d));
    return out;
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
