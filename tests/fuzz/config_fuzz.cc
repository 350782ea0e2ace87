// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/fuzz/config_fuzz.cc: libFuzzer target for the whole configuration
// front end (lexer with macros/conditionals/generators, parser, validation).
// Any input must end in a Model or in diagnostics: never a crash, a hang or
// unbounded memory. Includes are disabled so inputs cannot read the disk.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/load.hh"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    halbd::config::LoadOptions opts;
    opts.config_id = "lb1";
    opts.allow_include = false;
    opts.interface_exists = [](std::string_view name) { return name == "lo"; };
    auto r = halbd::config::load_text("fuzz.conf",
                                      std::string(reinterpret_cast<const char*>(data), size), opts);
    (void)r.messages();
    return 0;
}
