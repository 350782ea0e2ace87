// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// core/netns.cc: see netns.hh.
#include "core/netns.hh"

#include <fcntl.h>
#include <sched.h>

#include "core/fd.hh"

namespace halbd::core {

bool valid_netns_name(std::string_view name) {
    return !name.empty() && name != "." && name != ".." && name.find('/') == std::string_view::npos &&
           name.size() < 256;
}

Status join_net_namespace(std::string_view name, const std::string& dir) {
    if (!valid_netns_name(name))
        return Error{EINVAL, "network namespace name '" + std::string(name) + "' is not valid"};
    const std::string path = dir + std::string(name);
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return system_error("network namespace " + std::string(name) + ": open " + path);
    if (::setns(fd.get(), CLONE_NEWNET) != 0)
        return system_error("network namespace " + std::string(name) + ": setns " + path);
    return Ok{};
}

}  // namespace halbd::core
