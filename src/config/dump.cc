// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/dump.cc: the Dumper helpers; `halbd -d` prints the sections in the
// order of the list in sections.cc.
#include "config/dump.hh"

#include "config/model.hh"
#include "config/sections.hh"

namespace halbd::config {

void Dumper::start(std::string_view keyword) {
    for (int i = 0; i < indent_; ++i) os_ << "    ";
    os_ << keyword;
}

void Dumper::close() {
    --indent_;
    for (int i = 0; i < indent_; ++i) os_ << "    ";
    os_ << "}\n";
}

std::string Dumper::timer(Duration d) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
    std::string s = std::to_string(us / 1'000'000);
    if (auto frac = us % 1'000'000) {
        std::string f = std::to_string(frac);
        f.insert(0, 6 - f.size(), '0');
        while (!f.empty() && f.back() == '0') f.pop_back();
        s += '.' + f;
    }
    return s;
}

std::string Dumper::quoted(std::string_view s) {
    bool plain = !s.empty();
    for (char c : s)
        if (c == ' ' || c == '\t' || c == '"' || c == '\'' || c == '\\' || c == '#' || c == '!' ||
            c == '{' || c == '}' || c == '$' || static_cast<unsigned char>(c) < 0x20)
            plain = false;
    if (plain) return std::string(s);
    std::string out = "\"";
    for (char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            case '\r': out += "\\r"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\%03o", static_cast<unsigned char>(c));
                    out += buf;
                } else {
                    out += c;
                }
        }
    }
    return out + "\"";
}

void dump(const Model& m, std::ostream& os) { dump_model(m, os, sections()); }

}  // namespace halbd::config
