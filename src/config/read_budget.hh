// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/read_budget.hh: ReadBudget, how much one configuration load may
// read (bytes, files) so that a reload ends in bounded time whatever the
// includes fan out to. The lexer charges every file it opens and every chunk
// it reads; the first charge past a limit yields the error, naming the limit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace halbd::config {

class ReadBudget {
public:
    ReadBudget(uint64_t max_bytes, size_t max_files) : max_bytes_(max_bytes), max_files_(max_files) {}
    // One more file to read; the error once past the limit (then exhausted()).
    std::optional<std::string> charge_file();
    // n more bytes read; the error once past the limit (then exhausted()).
    std::optional<std::string> charge_bytes(uint64_t n);
    // A limit was passed: read nothing more (the load fails anyway).
    bool exhausted() const { return exhausted_; }

private:
    uint64_t max_bytes_;
    size_t max_files_;
    uint64_t bytes_ = 0;
    size_t files_ = 0;
    bool exhausted_ = false;
};

}  // namespace halbd::config
