// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// core/random.cc: see random.hh.
#include "core/random.hh"

#include <sys/random.h>
#include <unistd.h>

#include <chrono>

namespace halbd::core {

uint64_t random_seed() {
    uint64_t seed = 0;
    if (::getrandom(&seed, sizeof seed, GRND_NONBLOCK) == static_cast<ssize_t>(sizeof seed)) return seed;
    // The pool is not ready yet: good enough to spread check start times.
    const auto now = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    const auto local = reinterpret_cast<uintptr_t>(&seed);
    return now ^ (static_cast<uint64_t>(::getpid()) << 32) ^ (local * 0x9e3779b97f4a7c15ull);
}

}  // namespace halbd::core
