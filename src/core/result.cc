// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// core/result.cc: builds Error values from errno for the core's system calls.
#include "core/result.hh"

#include <cerrno>
#include <cstring>

namespace halbd::core {

Error system_error(std::string what, int code) {
    what += ": ";
    what += std::strerror(code);
    return Error{code, std::move(what)};
}

Error system_error(std::string what) { return system_error(std::move(what), errno); }

}  // namespace halbd::core
