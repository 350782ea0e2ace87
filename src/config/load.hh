// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/load.hh: the one entry point that turns a configuration file into a
// validated Model: lex (with includes and macros), parse every section, then
// validate. Used by halbd at start, on HUP (reload) and for -t/-d, and by
// tests. All problems are collected, not only the first.
#pragma once

#include <cstddef>
#include <cstdint>
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

inline constexpr uint64_t kMaxReadBytes = 64u << 20;  // 64 MiB
inline constexpr size_t kMaxReadFiles = 10000;

struct LoadOptions {
    std::string config_id;  // -i; empty = first label of the host name
    bool allow_include = true;  // false for fuzzing: inputs must not read the disk
    bool all_config = false;    // -e: every include must match a file
    // What one load may read, the top file and every include together, so
    // that a reload ends in bounded time (halbd(8) LIMITS).
    uint64_t max_read_bytes = kMaxReadBytes;
    size_t max_read_files = kMaxReadFiles;
    // Does a network interface exist here? Default: if_nametoindex().
    std::function<bool(std::string_view)> interface_exists;
    // Is a command an executable file here? Default: core::find_executable().
    std::function<bool(std::string_view)> executable_exists;
    // What the forwarding backend that will run supports: the rest is
    // refused with file:line:col. Unset = no backend restriction (tests,
    // fuzzing, -P where nothing is forwarded).
    std::optional<ForwardCapabilities> forwarding;
    // Or: the capabilities of the backend this configuration chooses
    // (global_defs lvs_backend), asked once it is parsed.
    std::function<ForwardCapabilities(const Model&)> forwarding_for;
};

struct LoadResult {
    // Null when there were errors: a running daemon keeps its current Model.
    std::shared_ptr<const Model> model;
    SourceManager sources;
    Diagnostics diags;
    // Every diagnostic formatted as `file:line:col: error|warning: message`;
    // with notes = true the notes too (`...: note: ...`, halbd -t -D / -d).
    std::vector<std::string> messages(bool notes = false) const;
};

// A model with nothing to run: no vrrp_instance, virtual_server,
// static_ipaddress, static_routes or static_rules (an empty or truncated
// file). A reload refuses it (it would stop every instance), -t fails on it,
// and a start logs kDefinesNothing as a warning.
bool defines_nothing(const Model& m);
inline constexpr const char* kDefinesNothing =
    "the configuration defines nothing (no vrrp_instance, virtual_server, static_ipaddress, static_routes or "
    "static_rules)";

LoadResult load_file(const std::string& path, const LoadOptions& opts);
LoadResult load_text(const std::string& name, std::string text, const LoadOptions& opts);

}  // namespace halbd::config
