// config/load.hh: the one entry point that turns a configuration file into a
// validated Model: lex (with includes and macros), parse every section, then
// validate. Used by halbd at start, on HUP (reload) and for -t/-d, and by
// tests. All problems are collected, not only the first.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostics.hh"
#include "config/forward_capabilities.hh"
#include "config/model.hh"

namespace halbd::config {

struct LoadOptions {
    std::string config_id;  // -i; empty = first label of the host name
    bool allow_include = true;  // false for fuzzing: inputs must not read the disk
    bool all_config = false;    // -e: every include must match a file
    // Does a network interface exist here? Default: if_nametoindex().
    std::function<bool(std::string_view)> interface_exists;
    // What the forwarding backend that will run supports: the rest is
    // refused with file:line:col. Unset = no backend restriction (tests,
    // fuzzing, -P where nothing is forwarded).
    std::optional<ForwardCapabilities> forwarding;
};

struct LoadResult {
    // Null when there were errors: a running daemon keeps its current Model.
    std::shared_ptr<const Model> model;
    SourceManager sources;
    Diagnostics diags;
    // Every diagnostic formatted as `file:line:col: error|warning: message`.
    std::vector<std::string> messages() const;
};

LoadResult load_file(const std::string& path, const LoadOptions& opts);
LoadResult load_text(const std::string& name, std::string text, const LoadOptions& opts);

}  // namespace halbd::config
