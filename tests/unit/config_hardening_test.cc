// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/config_hardening_test.cc: the bounds on what one load may read
// (files and bytes, includes included; a FIFO is refused without waiting for
// a writer), the "defines nothing" rule that keeps an empty or truncated
// file from stopping every instance, and the log form of a diagnostic
// without a location (no "error: halbd: error:").
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "config/load.hh"
#include "config/read_budget.hh"
#include "config_test_util.hh"

namespace halbd::config {
namespace {

using test_util::all_messages;
using test_util::has_message;

struct Dir {
    std::string path;
    Dir() {
        char t[] = "/tmp/halbd-cfg-hardening-XXXXXX";
        path = ::mkdtemp(t);
    }
    ~Dir() { [[maybe_unused]] int rc = std::system(("rm -rf '" + path + "'").c_str()); }
    std::string write(const std::string& name, const std::string& text) const {
        const std::string p = path + "/" + name;
        std::ofstream(p) << text;
        return p;
    }
};

const char* kInstance =
    "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 1\n priority 100\n"
    " virtual_ipaddress {\n  192.0.2.10/24\n }\n}\n";

TEST(ReadBudget, FilesAndBytesPastTheLimitAreOneErrorNamingIt) {
    ReadBudget b(100, 2);
    EXPECT_FALSE(b.charge_file());
    EXPECT_FALSE(b.charge_file());
    EXPECT_FALSE(b.charge_bytes(100));
    EXPECT_FALSE(b.exhausted());
    auto over = b.charge_file();
    ASSERT_TRUE(over);
    EXPECT_NE(over->find("more than 2 configuration files"), std::string::npos) << *over;
    EXPECT_TRUE(b.exhausted());
    EXPECT_FALSE(b.charge_bytes(1000)) << "one error only";

    ReadBudget c(100, 10);
    auto big = c.charge_bytes(101);
    ASSERT_TRUE(big);
    EXPECT_NE(big->find("more than 100 bytes"), std::string::npos) << *big;
}

TEST(LoadLimits, IncludeFanOutPastTheFileLimitIsRefused) {
    Dir d;
    std::string top;
    for (int i = 0; i < 5; ++i) {
        d.write("part" + std::to_string(i) + ".inc", "# part\n");
        top += "include part" + std::to_string(i) + ".inc\n";
    }
    const std::string path = d.write("top.conf", top + kInstance);
    LoadOptions o = test_util::options();
    o.max_read_files = 4;  // top + 3 of the 5 includes
    LoadResult r = load_file(path, o);
    EXPECT_FALSE(r.model);
    EXPECT_TRUE(has_message(r, "error: more than 4 configuration files (top file and includes) in one load"))
        << all_messages(r);
    o.max_read_files = 6;
    EXPECT_TRUE(load_file(path, o).model) << all_messages(load_file(path, o));
}

TEST(LoadLimits, IncludedBytesPastTheByteLimitAreRefused) {
    Dir d;
    d.write("big.inc", std::string(4000, '#') + "\n");
    const std::string path = d.write("top.conf", std::string("include big.inc\n") + kInstance);
    LoadOptions o = test_util::options();
    o.max_read_bytes = 2000;
    LoadResult r = load_file(path, o);
    EXPECT_FALSE(r.model);
    EXPECT_TRUE(has_message(r, "more than 2000 bytes of configuration")) << all_messages(r);
    EXPECT_EQ(kMaxReadBytes, 64u << 20);
    EXPECT_EQ(kMaxReadFiles, 10000u);
}

// Opening a FIFO for reading waits for a writer: a reload including one
// hung its reader for good. It is refused at once now.
TEST(LoadLimits, FifoIncludeIsRefusedWithoutWaiting) {
    Dir d;
    const std::string fifo = d.path + "/pipe.inc";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const std::string path = d.write("top.conf", std::string("include pipe.inc\n") + kInstance);
    LoadResult r = load_file(path, test_util::options());
    EXPECT_FALSE(r.model);
    EXPECT_TRUE(has_message(r, "is not a regular file")) << all_messages(r);
}

TEST(DefinesNothing, EmptyAndGlobalOnlyDefineNothing) {
    LoadResult empty = load_text("empty.conf", "", test_util::options());
    ASSERT_TRUE(empty.model);
    EXPECT_TRUE(defines_nothing(*empty.model));
    LoadResult global = load_text("g.conf", "global_defs {\n router_id a\n}\n", test_util::options());
    ASSERT_TRUE(global.model);
    EXPECT_TRUE(defines_nothing(*global.model));
    LoadResult vi = load_text("vi.conf", kInstance, test_util::options());
    ASSERT_TRUE(vi.model) << all_messages(vi);
    EXPECT_FALSE(defines_nothing(*vi.model));
    LoadResult vs = load_text("vs.conf", "virtual_server 192.0.2.1 80 {\n protocol TCP\n real_server 192.0.2.2 80 {\n }\n}\n", test_util::options());
    ASSERT_TRUE(vs.model) << all_messages(vs);
    EXPECT_FALSE(defines_nothing(*vs.model));
    LoadResult st = load_text("st.conf", "static_ipaddress {\n 192.0.2.5/24 dev eth0\n}\n", test_util::options());
    ASSERT_TRUE(st.model) << all_messages(st);
    EXPECT_FALSE(defines_nothing(*st.model));
}

TEST(DiagnosticsFormat, LogFormOfALocationlessErrorHasNoSecondPrefix) {
    LoadResult r = load_file("/nonexistent-halbd/none.conf", test_util::options());
    ASSERT_EQ(r.diags.items().size(), 1u);
    const auto& d = r.diags.items()[0];
    EXPECT_EQ(r.diags.format(r.sources, d).rfind("halbd: error: cannot open configuration file", 0), 0u);
    EXPECT_EQ(r.diags.format_for_log(r.sources, d).rfind("cannot open configuration file", 0), 0u);
}

}  // namespace
}  // namespace halbd::config

namespace halbd::config {
namespace {

// Issue 11 item 10: keywords that are parsed (and dumped) but that no
// subsystem acts on warn at their line; before, they loaded in silence.
TEST(ConfigUnimplemented, ParsedButIgnoredKeywordsWarnAtTheirLine) {
    const auto r = load_text("t.conf",
                             "global_defs {\n"
                             " vrrp_garp_extra_if 60\n"
                             "}\n"
                             "bfd_instance B1 {\n"
                             " neighbor_ip 192.0.2.9\n"
                             "}\n"
                             "vrrp_instance VI_1 {\n"
                             " interface eth0\n"
                             " virtual_router_id 51\n"
                             " priority 100\n"
                             " unicast_fault_no_peer\n"
                             " old_unicast_checksum\n"
                             " kernel_rx_buf_size 65536\n"
                             " track_bfd {\n"
                             "  B1\n"
                             " }\n"
                             " virtual_ipaddress {\n"
                             "  192.0.2.100/24\n"
                             " }\n"
                             "}\n"
                             "virtual_server 192.0.2.100 80 {\n"
                             " real_server 192.0.2.20 80 {\n"
                             "  BFD_CHECK {\n"
                             "   name B1\n"
                             "  }\n"
                             " }\n"
                             "}\n",
                             test_util::options({"eth0"}, "test"));
    ASSERT_TRUE(r.model) << test_util::all_messages(r);
    for (const char* want :
         {"t.conf:2:", "'vrrp_garp_extra_if' is recognised but not implemented", "t.conf:4:",
          "bfd_instance 'B1' is recognised but not implemented", "'unicast_fault_no_peer' is recognised but not implemented",
          "'old_unicast_checksum' is recognised but not implemented", "'kernel_rx_buf_size' is recognised but not implemented",
          "t.conf:15:", "'track_bfd' is recognised but not implemented", "t.conf:23:",
          "BFD_CHECK is recognised but not implemented"})
        EXPECT_TRUE(test_util::has_message(r, want)) << want << "\n" << test_util::all_messages(r);
}

}  // namespace
}  // namespace halbd::config
