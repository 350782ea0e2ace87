// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/ctl_metrics_test.cc: the Prometheus text writer (HELP/TYPE
// lines, label escaping, number spelling) and the HTTP answer of the
// metrics listener (GET/HEAD /metrics, 404, 405, 400). The text against a
// real parser and a running daemon: tests/netns/metrics.sh.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "ctl/metrics_server.hh"
#include "ctl/prometheus.hh"

namespace halbd::ctl {
namespace {

TEST(PromTextTest, FamiliesLabelsAndNumbers) {
    PromText p;
    p.family("halbd_x_total", "counter", "Things\\counted\nhere")
        .sample({{"instance", "VI \"1\"\\\n"}}, uint64_t{7})
        .sample({{"a", "1"}, {"b", "2"}}, uint64_t{0});
    p.family("halbd_y", "gauge", "Y").sample(0.25).sample(std::numeric_limits<double>::infinity()).sample(std::nan(""));
    p.family("halbd_big", "gauge", "B").sample(1796615530.282841);
    EXPECT_EQ(p.str(),
              "# HELP halbd_x_total Things\\\\counted\\nhere\n"
              "# TYPE halbd_x_total counter\n"
              "halbd_x_total{instance=\"VI \\\"1\\\"\\\\\\n\"} 7\n"
              "halbd_x_total{a=\"1\",b=\"2\"} 0\n"
              "# HELP halbd_y Y\n# TYPE halbd_y gauge\n"
              "halbd_y 0.25\nhalbd_y +Inf\nhalbd_y NaN\n"
              "# HELP halbd_big B\n# TYPE halbd_big gauge\n"
              "halbd_big 1796615530.282841\n");
}

TEST(MetricsHttpTest, ServesOnlyMetrics) {
    MetricsServerStats st;
    int built = 0;
    auto body = [&] { ++built; return std::string("halbd_up 1\n"); };
    std::string r = metrics_http_response("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", body, st);
    EXPECT_EQ(r.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << r;
    EXPECT_NE(r.find("Content-Type: text/plain; version=0.0.4"), std::string::npos);
    EXPECT_NE(r.find("Content-Length: 11\r\n"), std::string::npos);
    EXPECT_EQ(r.substr(r.size() - 11), "halbd_up 1\n");
    r = metrics_http_response("HEAD /metrics?x=1 HTTP/1.0\n\n", body, st);
    EXPECT_EQ(r.rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
    EXPECT_EQ(r.substr(r.size() - 4), "\r\n\r\n") << "HEAD: no body";
    EXPECT_EQ(metrics_http_response("GET / HTTP/1.1\r\n\r\n", body, st).rfind("HTTP/1.1 404", 0), 0u);
    EXPECT_EQ(metrics_http_response("POST /metrics HTTP/1.1\r\n\r\n", body, st).rfind("HTTP/1.1 405", 0), 0u);
    EXPECT_EQ(metrics_http_response("garbage\r\n\r\n", body, st).rfind("HTTP/1.1 400", 0), 0u);
    EXPECT_EQ(metrics_http_response("GET /metrics\r\n\r\n", body, st).rfind("HTTP/1.1 400", 0), 0u);
    EXPECT_EQ(built, 2);
    EXPECT_EQ(st.served, 2u);
    EXPECT_EQ(st.not_found, 1u);
    EXPECT_EQ(st.bad_request, 3u);
}

}  // namespace
}  // namespace halbd::ctl
