// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/ctl_hardening_test.cc: halbctl asks again when halbd answers
// "busy" (too many control connections; nothing was done), and the
// statistics file's counters (ctl::Statistics): since start, then since the
// last STATS_CLEAR.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "core/fd.hh"
#include "ctl/stats.hh"
#include "halbctl_client.hh"

namespace halbd::ctl {
namespace {

// A control socket that answers `busy` to its first `busy_first` clients,
// then `ok` with the request echoed.
class FakeBusyServer {
public:
    FakeBusyServer(const std::string& path, int busy_first) {
        fd_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_un sa{};
        sa.sun_family = AF_UNIX;
        std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
        EXPECT_EQ(::bind(fd_.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
        EXPECT_EQ(::listen(fd_.get(), 8), 0);
        thread_ = std::thread([this, busy_first] {
            for (int i = 0; i <= busy_first; ++i) {
                core::UniqueFd c(::accept4(fd_.get(), nullptr, nullptr, SOCK_CLOEXEC));
                if (!c) return;
                ++accepted;
                std::string reply = "error\nbusy: too many control connections, try again\n";
                if (i == busy_first) {
                    char buf[256];
                    const ssize_t n = ::recv(c.get(), buf, sizeof buf, 0);
                    reply = "ok\nanswered " + std::string(buf, n > 0 ? static_cast<size_t>(n) : 0);
                }
                [[maybe_unused]] ssize_t n = ::send(c.get(), reply.data(), reply.size(), MSG_NOSIGNAL);
            }
        });
    }
    ~FakeBusyServer() {
        ::shutdown(fd_.get(), SHUT_RDWR);
        thread_.join();
    }
    std::atomic<int> accepted{0};

private:
    core::UniqueFd fd_;
    std::thread thread_;
};

TEST(HalbctlBusy, RetriedUntilAnswered) {
    char tmpl[] = "/tmp/halbd-ctl-busy.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    const std::string dir = tmpl, path = dir + "/ctl";
    std::ostringstream out, err;
    int rc;
    {
        FakeBusyServer server(path, 3);
        rc = control_main({"--socket", path, "status"}, out, err);
        EXPECT_EQ(server.accepted, 4);
    }
    std::filesystem::remove_all(dir);
    EXPECT_EQ(rc, kExitOk) << err.str();
    EXPECT_EQ(out.str(), "answered status\n");
    EXPECT_EQ(err.str(), "");
}

TEST(HalbctlBusy, GivesUpAtTheTimeoutSayingWhy) {
    char tmpl[] = "/tmp/halbd-ctl-busy.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    const std::string dir = tmpl, path = dir + "/ctl";
    std::ostringstream out, err;
    int rc;
    {
        FakeBusyServer server(path, 1000);
        rc = control_main({"--socket", path, "--timeout", "0.3", "status"}, out, err);
    }
    std::filesystem::remove_all(dir);
    EXPECT_EQ(rc, kExitUnreachable);
    EXPECT_NE(err.str().find("stayed busy"), std::string::npos) << err.str();
}

TEST(StatisticsFile, CountsSinceStartThenSinceTheLastClear) {
    Statistics s;
    std::vector<Counter> now = {{"daemon", "reloads_refused", 2}, {"VRRP instance VI_1", "adverts_sent", 10}};
    EXPECT_EQ(s.report(now, "halbd statistics", false),
              "# halbd statistics, counters since start\n"
              "daemon:\n  reloads_refused: 2\n"
              "VRRP instance VI_1:\n  adverts_sent: 10\n");
    // STATS_CLEAR: written as they are, then zero.
    EXPECT_NE(s.report(now, "h", true).find("adverts_sent: 10"), std::string::npos);
    now[1].value = 13;
    EXPECT_EQ(s.report(now, "h", false),
              "# h, counters since the last STATS_CLEAR\n"
              "daemon:\n  reloads_refused: 0\n"
              "VRRP instance VI_1:\n  adverts_sent: 3\n");
    // An instance recreated by a reload counts again from its own zero.
    now[1].value = 1;
    EXPECT_NE(s.report(now, "h", false).find("adverts_sent: 1\n"), std::string::npos);
}

}  // namespace
}  // namespace halbd::ctl
