// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// ctl/prometheus.hh: PromText, the Prometheus text exposition format (0.0.4)
// written one metric family at a time: HELP and TYPE, then its samples with
// escaped label values. Used by ctl/metrics.cc; pure, no I/O.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace halbd::ctl {

class PromText {
public:
    using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;
    // type: "counter" or "gauge". The family's name prefixes its samples.
    PromText& family(std::string_view name, std::string_view type, std::string_view help);
    PromText& sample(Labels labels, uint64_t v);
    PromText& sample(Labels labels, int64_t v);
    PromText& sample(Labels labels, double v);  // NaN, +Inf, -Inf as the format spells them
    PromText& sample(uint64_t v) { return sample({}, v); }
    PromText& sample(double v) { return sample({}, v); }
    const std::string& str() const { return out_; }

    static std::string escape_label(std::string_view v);  // \\, \", \n

private:
    void head(Labels labels);
    std::string name_;
    std::string out_;
};

}  // namespace halbd::ctl
