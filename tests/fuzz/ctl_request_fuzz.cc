// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/fuzz/ctl_request_fuzz.cc: libFuzzer target for the control socket's
// wire protocol (ctl/protocol): any bytes a local client sends must parse
// into a request or be refused with a message, never crash; a request that
// parses must format back to a line that parses to the same request. The
// reply parser halbctl runs on what the server sends gets the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ctl/protocol.hh"

using namespace halbd;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    if (auto r = ctl::parse_request(bytes); r) {
        std::string line = ctl::format_request(*r);
        if (line.empty() || line.back() != '\n') std::abort();
        line.pop_back();
        auto again = ctl::parse_request(line);
        if (!again || again->command != r->command || again->format != r->format) std::abort();
    } else if (r.error().message.empty()) {
        std::abort();  // every refusal says why
    }
    if (auto rep = ctl::parse_reply(bytes); rep) {
        auto again = ctl::parse_reply(ctl::format_reply(*rep));
        if (!again || again->status != rep->status || again->body != rep->body) std::abort();
    }
    return 0;
}
