// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/read_budget.cc: see read_budget.hh.
#include "config/read_budget.hh"

namespace halbd::config {

std::optional<std::string> ReadBudget::charge_file() {
    if (exhausted_) return std::nullopt;
    if (++files_ <= max_files_) return std::nullopt;
    exhausted_ = true;
    return "more than " + std::to_string(max_files_) +
           " configuration files (top file and includes) in one load: limit reached, nothing more is read";
}

std::optional<std::string> ReadBudget::charge_bytes(uint64_t n) {
    if (exhausted_) return std::nullopt;
    bytes_ += n;
    if (bytes_ <= max_bytes_) return std::nullopt;
    exhausted_ = true;
    return "more than " + std::to_string(max_bytes_) +
           " bytes of configuration (top file and includes) in one load: limit reached, nothing more is read";
}

}  // namespace halbd::config
