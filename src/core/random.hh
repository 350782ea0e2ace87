// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// core/random.hh: seeds for the non-cryptographic generators halbd uses
// (check warmup jitter, ICMP ids, DNS query ids, UDP payloads). Called by
// check/; owns nothing. std::random_device would block in getrandom() until
// the kernel's entropy pool is ready, which at boot (or in a fresh VM) took
// over a second, before VRRP or any check had started.
#pragma once

#include <cstdint>

namespace halbd::core {

// Never blocks: getrandom(GRND_NONBLOCK), else the clock, pid and an address.
uint64_t random_seed();

}  // namespace halbd::core
