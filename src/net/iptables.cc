// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// net/iptables.cc: see iptables.hh. libipset parses and sends each ipset
// line (ipset_parse_line, as `ipset restore` does); iptables lines run the
// program with posix_spawn, stderr read back for the error message.
#include "net/iptables.hh"

#include <libipset/ipset.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <memory>
#include <algorithm>
#include <vector>

#include "core/fd.hh"

extern char** environ;

namespace halbd::net {

namespace {

struct IpsetDeleter {
    void operator()(ipset* s) const { ipset_fini(s); }
};

// libipset reports its errors through these; keep them for the Error.
thread_local std::string g_ipset_error;
int custom_error(ipset*, void*, int, const char* fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    g_ipset_error = buf;
    return -1;
}
int standard_error(ipset* s, void*) {
    const char* m = ipset_session_report_msg(ipset_session(s));
    g_ipset_error = m ? m : "";
    ipset_session_report_reset(ipset_session(s));
    return -1;
}

core::Status run_ipset(std::string line) {
    static const bool loaded = [] {
        ipset_load_types();
        return true;
    }();
    (void)loaded;
    std::unique_ptr<ipset, IpsetDeleter> s(ipset_init());
    if (!s) return core::Error{ENOMEM, "ipset: cannot create a libipset session"};
    ipset_custom_printf(s.get(), custom_error, standard_error, nullptr, nullptr);
    g_ipset_error.clear();
    if (ipset_parse_line(s.get(), line.data()) == 0) return core::Ok{};
    std::string why = g_ipset_error;
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return core::Error{0, why.empty() ? "refused" : why};
}

core::Status run_program(const std::vector<std::string>& words) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) < 0) return core::Error{errno, "pipe"};
    core::UniqueFd rd(p[0]), wr(p[1]);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, wr.get(), 1);
    posix_spawn_file_actions_adddup2(&fa, wr.get(), 2);
    std::vector<char*> argv;
    for (size_t i = 0; i < words.size(); ++i) argv.push_back(const_cast<char*>(words[i].c_str()));
    argv.push_back(nullptr);
    pid_t pid = -1;
    // posix_spawnp: the PATH halbd was started with, so that a host (or a
    // test) chooses iptables-legacy or iptables-nft there.
    const int rc = ::posix_spawnp(&pid, words.front().c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    wr.reset();
    if (rc != 0) return core::Error{rc, "cannot run " + words.front() + ": " + std::strerror(rc)};
    std::string out;
    char buf[512];
    for (;;) {
        const ssize_t n = ::read(rd.get(), buf, sizeof buf);
        if (n > 0 && out.size() < 4096) out.append(buf, static_cast<size_t>(n));
        if (n > 0 || (n < 0 && errno == EINTR)) continue;
        break;
    }
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return core::Ok{};
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return core::Error{0, out.empty() ? "exit status " + std::to_string(WIFEXITED(st) ? WEXITSTATUS(st) : -1) : out};
}

}  // namespace

core::Status SystemIptables::run(std::string_view batch) {
    size_t start = 0;
    while (start < batch.size()) {
        size_t end = batch.find('\n', start);
        if (end == std::string_view::npos) end = batch.size();
        std::string_view line = batch.substr(start, end - start);
        start = end + 1;
        if (line.empty()) continue;
        const bool may_fail = line.front() == '-';
        if (may_fail) line.remove_prefix(1);
        std::vector<std::string> words;
        for (size_t i = 0; i < line.size();) {
            const size_t j = std::min(line.find(' ', i), line.size());
            if (j > i) words.emplace_back(line.substr(i, j - i));
            i = j + 1;
        }
        if (words.empty()) continue;
        core::Status r = words.front() == "ipset" ? run_ipset(std::string(line.substr(6)))
                                                         : run_program(words);
        if (!r && !may_fail) return core::Error{r.error().code, std::string(line) + ": " + r.error().message};
    }
    return core::Ok{};
}

}  // namespace halbd::net
