// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// core/time.hh: the one time vocabulary of halbd. Durations in the model and
// timers in the loop are nanoseconds on the monotonic clock.
#pragma once

#include <chrono>

namespace halbd {

using Duration = std::chrono::nanoseconds;
using MonoTime = std::chrono::time_point<std::chrono::steady_clock, Duration>;

}  // namespace halbd
