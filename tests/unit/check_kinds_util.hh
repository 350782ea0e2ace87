// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/check_kinds_util.hh: helpers for the tests of the checker kinds
// that run for real on loopback (check_{misc,ping,udp,dns,smtp}_test.cc):
// an EpollLoop fixture that runs one attempt to its end (bounded, waiting on
// events, never sleeping), loopback UDP/TCP sockets and a temporary directory.
// Header-only; owns the loop, the sockets and the directory it makes.
#pragma once

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "check/checker.hh"
#include "check/probe_socket.hh"
#include "check/tcp_check.hh"
#include "core/epoll_loop.hh"
#include "core/fd.hh"

namespace halbd::check::test_util {

using namespace std::chrono_literals;

inline net::IpAddress ip(const char* s) { return *net::IpAddress::parse(s); }

// The whole content of a file ("" if unreadable).
inline std::string slurp(const std::string& path) {
    std::ifstream f(path);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

inline uint16_t local_port(int fd) {
    sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) < 0) return 0;
    return ntohs(ss.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&ss)->sin_port
                                         : reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
}

// A socket bound to an ephemeral loopback port (non-blocking).
inline core::UniqueFd bound_socket(const net::IpAddress& a, int type, uint16_t& port) {
    core::UniqueFd fd(::socket(a.is_v4() ? AF_INET : AF_INET6, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd) return fd;
    sockaddr_storage ss;
    const socklen_t len = net::to_sockaddr(a, 0, ss);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) < 0) return core::UniqueFd();
    port = local_port(fd.get());
    return fd;
}

inline TcpTarget target(const char* addr, uint16_t port, Duration timeout = 5s) {
    TcpTarget t;
    t.address = ip(addr);
    t.port = port;
    t.connect_timeout = timeout;
    return t;
}

// A private directory under /tmp, removed with its contents.
struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/halbd-test-XXXXXX";
        if (::mkdtemp(tmpl)) path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        if (!path.empty()) std::filesystem::remove_all(path, ec);
    }
    // Writes an executable file (mode 0755) and returns its path.
    std::string script(const std::string& name, const std::string& text) const {
        const std::string p = path + "/" + name;
        std::ofstream(p) << text;
        std::filesystem::permissions(p, std::filesystem::perms(0755));
        return p;
    }
};

struct EpollTest : ::testing::Test {
    std::unique_ptr<core::EpollLoop> loop;
    void SetUp() override {
        auto r = core::EpollLoop::create();
        ASSERT_TRUE(r) << r.error().message;
        loop = std::move(r.value());
    }
    // Runs one attempt to its end; `serve` runs between loop turns (an
    // in-test server answering on its sockets without blocking).
    template <class Serve>
    std::optional<CheckResult> run(Checker& c, Serve serve, Duration* took = nullptr, int turns = 300) {
        std::optional<CheckResult> got;
        const MonoTime start = loop->now();
        c.start([&](const CheckResult& r) { got = r; });
        EXPECT_FALSE(got) << "completion ran inside start()";
        for (int i = 0; i < turns && !got; ++i) {
            serve();
            if (!got) loop->run_once(20ms);
        }
        if (took) *took = loop->now() - start;
        EXPECT_FALSE(c.running());
        return got;
    }
    std::optional<CheckResult> run(Checker& c, Duration* took = nullptr) {
        return run(c, [] {}, took);
    }
};

}  // namespace halbd::check::test_util
