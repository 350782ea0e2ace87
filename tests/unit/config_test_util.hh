// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/config_test_util.hh: helpers shared by the config_*_test.cc unit
// tests: load options with a fake interface list, searching and printing the
// messages of a load, and the dump of a model. Header-only; owns nothing.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/dump.hh"
#include "config/load.hh"

namespace halbd::config::test_util {

// Options for load_text(). interface_exists accepts only the names in
// interfaces, or every name when it is empty; config_id empty = the host's.
inline LoadOptions options(std::vector<std::string> interfaces = {},
                           std::string config_id = {}) {
    LoadOptions o;
    o.config_id = std::move(config_id);
    o.interface_exists = [names = std::move(interfaces)](std::string_view n) {
        return names.empty() || std::find(names.begin(), names.end(), n) != names.end();
    };
    return o;
}

// Every message of a load, one a line (for a failing assertion to print).
inline std::string all_messages(const std::vector<std::string>& msgs) {
    std::string s;
    for (const auto& m : msgs) s += m + "\n";
    return s;
}
inline std::string all_messages(const LoadResult& r) { return all_messages(r.messages()); }

// Whether any message of a load contains needle.
inline bool has_message(const std::vector<std::string>& msgs, std::string_view needle) {
    for (const auto& m : msgs)
        if (m.find(needle) != std::string::npos) return true;
    return false;
}
inline bool has_message(const LoadResult& r, std::string_view needle) {
    return has_message(r.messages(), needle);
}

// The model of a load that must be valid (fails the test, printing the
// messages, when it is not).
inline std::shared_ptr<const Model> expect_model(const LoadResult& r) {
    EXPECT_TRUE(r.model) << all_messages(r);
    return r.model;
}

// What `halbd -d` prints for m.
inline std::string dump_text(const Model& m) {
    std::ostringstream os;
    dump(m, os);
    return os.str();
}

// A load of text kept with its messages, for tests that look at both.
struct LoadedConfig {
    LoadResult r;
    std::vector<std::string> msgs;
    explicit LoadedConfig(const std::string& text, const LoadOptions& opts = options())
        : r(load_text("t.conf", text, opts)), msgs(r.messages()) {}
    bool has(const std::string& needle) const { return has_message(msgs, needle); }
    std::string all() const { return all_messages(msgs); }
};

}  // namespace halbd::config::test_util
