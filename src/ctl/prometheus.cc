// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// ctl/prometheus.cc: see prometheus.hh.
#include "ctl/prometheus.hh"

#include <charconv>
#include <cmath>

namespace halbd::ctl {

PromText& PromText::family(std::string_view name, std::string_view type, std::string_view help) {
    name_ = name;
    out_.append("# HELP ").append(name);
    out_ += ' ';
    for (char c : help) {
        if (c == '\\') out_ += "\\\\";
        else if (c == '\n') out_ += "\\n";
        else out_ += c;
    }
    out_.append("\n# TYPE ").append(name).append(" ").append(type).append("\n");
    return *this;
}

std::string PromText::escape_label(std::string_view v) {
    std::string o;
    o.reserve(v.size());
    for (char c : v) {
        if (c == '\\') o += "\\\\";
        else if (c == '"') o += "\\\"";
        else if (c == '\n') o += "\\n";
        else o += c;
    }
    return o;
}

void PromText::head(Labels labels) {
    out_ += name_;
    if (labels.size() == 0) {
        out_ += ' ';
        return;
    }
    char sep = '{';
    for (const auto& [k, v] : labels) {
        out_ += sep;
        out_.append(k).append("=\"").append(escape_label(v)).append("\"");
        sep = ',';
    }
    out_ += "} ";
}

PromText& PromText::sample(Labels labels, uint64_t v) {
    head(labels);
    out_.append(std::to_string(v)) += '\n';
    return *this;
}

PromText& PromText::sample(Labels labels, int64_t v) {
    head(labels);
    out_.append(std::to_string(v)) += '\n';
    return *this;
}

PromText& PromText::sample(Labels labels, double v) {
    head(labels);
    if (std::isnan(v)) out_ += "NaN";
    else if (std::isinf(v)) out_ += v > 0 ? "+Inf" : "-Inf";
    else {
        char buf[32];  // the shortest text that reads back as v
        const auto r = std::to_chars(buf, buf + sizeof buf, v);
        out_.append(buf, r.ptr);
    }
    out_ += '\n';
    return *this;
}

}  // namespace halbd::ctl
