// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// core/atomic_file.hh: writing a whole file so that readers see the old
// text or the new one, never half: the state dump (USR1), the JSON dump and
// the statistics file. Called on a background job's worker thread, so it
// logs nothing and returns its error as text.
#pragma once

#include <string>
#include <string_view>

namespace halbd::core {

// Writes text to a new temporary file next to path (a random name created
// with O_EXCL, mode 0600: nothing planted in a shared directory can receive
// it), then rename()s it over path. Returns empty on success, else why not.
std::string write_file_atomically(const std::string& path, std::string_view text);

}  // namespace halbd::core
