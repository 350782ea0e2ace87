// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// core/atomic_file.cc: see atomic_file.hh.
#include "core/atomic_file.hh"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <vector>

namespace halbd::core {

std::string write_file_atomically(const std::string& path, std::string_view text) {
    // mkostemp: O_CREAT|O_EXCL on a name no one can guess, 0600.
    std::string tmp = path + ".XXXXXX";
    std::vector<char> name(tmp.begin(), tmp.end());
    name.push_back('\0');
    const int fd = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd < 0) return "cannot create a temporary file for " + path + ": " + std::system_category().message(errno);
    tmp.assign(name.data());
    size_t off = 0;
    while (off < text.size()) {
        const ssize_t n = ::write(fd, text.data() + off, text.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        off += static_cast<size_t>(n);
    }
    const bool closed = ::close(fd) == 0;
    if (off != text.size() || !closed) {
        ::unlink(tmp.c_str());
        return "short write of " + tmp;
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const std::string err = std::system_category().message(errno);
        ::unlink(tmp.c_str());
        return "cannot rename " + tmp + " to " + path + ": " + err;
    }
    return {};
}

}  // namespace halbd::core
