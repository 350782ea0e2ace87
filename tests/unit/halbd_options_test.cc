// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// Unit tests for halbd's keepalived-compatible command line (halbd_options).
#include <gtest/gtest.h>
#include <signal.h>
#include <syslog.h>

#include "halbd_options.hh"

namespace halbd {
namespace {

OptionsResult parse(std::vector<const char*> args) {
    args.insert(args.begin(), "halbd");
    return parse_options(static_cast<int>(args.size()), args.data());
}

TEST(Options, Defaults) {
    auto r = parse({});
    ASSERT_TRUE(r.options);
    EXPECT_EQ(r.options->action, Options::Action::Run);
    EXPECT_EQ(r.options->log_facility, LOG_DAEMON);
    EXPECT_EQ(r.options->pid_file, kDefaultPidFile);
    EXPECT_TRUE(r.options->config_file.empty());
}

TEST(Options, ControlSocket) {
    auto d = parse({});
    ASSERT_TRUE(d.options);
    EXPECT_EQ(d.options->control_socket, std::string(RUNSTATEDIR) + "/halbd.ctl");
    auto r = parse({"--control-socket", "/tmp/x.ctl"});
    ASSERT_TRUE(r.options);
    EXPECT_EQ(r.options->control_socket, "/tmp/x.ctl");
    auto bad = parse({"--control-socket", ""});
    EXPECT_FALSE(bad.options);
    EXPECT_NE(bad.error.find("--control-socket needs a path"), std::string::npos);
    std::string long_path(120, 'x');
    EXPECT_FALSE(parse({"--control-socket", long_path.c_str()}).options);
}

TEST(Options, KeepalivedShortAndLongFlags) {
    auto r = parse({"-f", "/tmp/k.conf", "-P", "-l", "-D", "-S", "3", "-g", "/tmp/log", "-n",
                    "-p", "/tmp/p.pid", "-i", "lb1", "-V", "-I", "-d"});
    ASSERT_TRUE(r.options) << r.error;
    const Options& o = *r.options;
    EXPECT_EQ(o.config_file, "/tmp/k.conf");
    EXPECT_TRUE(o.vrrp_only && o.log_console && o.log_detail && o.dont_fork);
    EXPECT_TRUE(o.dont_release_vrrp && o.dont_release_ipvs && o.dump_conf);
    EXPECT_EQ(o.log_facility, LOG_LOCAL3);
    EXPECT_EQ(o.log_file, "/tmp/log");
    EXPECT_EQ(o.pid_file, "/tmp/p.pid");
    EXPECT_EQ(o.config_id, "lb1");

    auto l = parse({"--use-file=/x.conf", "--check", "--log-facility=local7", "--config-id", "b"});
    ASSERT_TRUE(l.options) << l.error;
    EXPECT_EQ(l.options->config_file, "/x.conf");
    EXPECT_TRUE(l.options->check_only);
    EXPECT_EQ(l.options->log_facility, LOG_LOCAL7);
}

TEST(Options, ConfigTestTakesAnOptionalFile) {
    auto a = parse({"-t", "-f", "x.conf"});
    ASSERT_TRUE(a.options) << a.error;
    EXPECT_EQ(a.options->action, Options::Action::ConfigTest);
    EXPECT_EQ(a.options->config_test_output, "");
    auto b = parse({"--config-test=/tmp/out"});
    ASSERT_TRUE(b.options);
    EXPECT_EQ(b.options->action, Options::Action::ConfigTest);
    EXPECT_EQ(b.options->config_test_output, "/tmp/out");
    auto c = parse({"--config-test", "-f", "x.conf"});
    ASSERT_TRUE(c.options) << c.error;
    EXPECT_EQ(c.options->config_test_output, "");
    EXPECT_EQ(c.options->config_file, "x.conf");
    EXPECT_FALSE(parse({"--config-test="}).options);
}

// keepalived's spelling `-t FILE` once made FILE the diagnostics file and
// truncated it: -t never takes the next word, and a stray word is an error.
TEST(Options, ConfigTestNeverTakesTheNextWord) {
    for (auto args : {std::vector<const char*>{"-t", "/etc/keepalived/keepalived.conf"},
                      std::vector<const char*>{"-f", "a.conf", "-t", "a.conf"},
                      std::vector<const char*>{"--config-test", "a.conf"},
                      std::vector<const char*>{"-n", "stray"}}) {
        auto r = parse(args);
        EXPECT_FALSE(r.options) << args.back();
        EXPECT_NE(r.error.find("unexpected argument '" + std::string(args.back()) + "'"), std::string::npos)
            << r.error;
        EXPECT_EQ(r.error.find('\n'), std::string::npos);
    }
}

TEST(Options, RelativePathsAreMadeAbsolute) {
    auto r = parse({"-f", "a.conf", "-p", "./run/h.pid", "-g", "/var/log/h.log", "--control-socket", "h.ctl"});
    ASSERT_TRUE(r.options) << r.error;
    Options o = *r.options;
    EXPECT_EQ(make_paths_absolute(o, "/srv/lb"), "");
    EXPECT_EQ(o.config_file, "/srv/lb/a.conf");
    EXPECT_EQ(o.pid_file, "/srv/lb/run/h.pid");
    EXPECT_EQ(o.log_file, "/var/log/h.log");
    EXPECT_EQ(o.control_socket, "/srv/lb/h.ctl");
    Options d = *parse({}).options;
    EXPECT_EQ(make_paths_absolute(d, "/"), "");
    EXPECT_TRUE(d.config_file.empty()) << "the default search is left alone";
    EXPECT_EQ(d.pid_file, kDefaultPidFile);
    Options l = *parse({"--control-socket", "c.ctl"}).options;
    EXPECT_NE(make_paths_absolute(l, "/" + std::string(110, 'd')), "");
}

TEST(Options, BadInputIsOneClearLine) {
    auto u = parse({"--frobnicate"});
    EXPECT_FALSE(u.options);
    EXPECT_EQ(u.error.find('\n'), std::string::npos);
    EXPECT_NE(u.error.find("frobnicate"), std::string::npos);
    auto f = parse({"-S", "9"});
    EXPECT_FALSE(f.options);
    EXPECT_EQ(f.error, "halbd: invalid --log-facility '9': expected 0-7, local0-local7, user or daemon");
    auto m = parse({"-f"});
    EXPECT_FALSE(m.options);
    EXPECT_FALSE(parse({"-P", "-C"}).options);
    EXPECT_FALSE(parse({"-u", "999"}).options);
    EXPECT_FALSE(parse({"--signum=BOGUS"}).options);
    auto ns = parse({"-s", "../blue"});
    EXPECT_FALSE(ns.options);
    EXPECT_NE(ns.error.find("is not a network namespace name"), std::string::npos);
    auto blue = parse({"-s", "blue"});
    ASSERT_TRUE(blue.options) << blue.error;
    EXPECT_EQ(blue.options->net_namespace, "blue");
    EXPECT_FALSE(parse({"-T"}).options);
}

TEST(Options, CompatibilityFlagsAreNoticedNotRejected) {
    auto r = parse({"-R", "-r", "/run/x.pid", "--no-mem-check"});
    ASSERT_TRUE(r.options) << r.error;
    EXPECT_EQ(r.options->notices.size(), 3u);
}

TEST(Options, SignumMatchesKeepalived) {
    EXPECT_EQ(signal_for_name("STOP"), SIGTERM);
    EXPECT_EQ(signal_for_name("RELOAD"), SIGHUP);
    EXPECT_EQ(signal_for_name("DATA"), SIGUSR1);
    EXPECT_FALSE(signal_for_name("nope"));
}

TEST(Options, ConfigFileFallsBackToKeepalivedsAndSaysSo) {
    Options o;
    std::string note;
    auto only_keepalived = [](const std::string& p) { return p == kKeepalivedConfigFile; };
    EXPECT_EQ(resolve_config_file(o, only_keepalived, note), kKeepalivedConfigFile);
    EXPECT_NE(note.find("not found; using /etc/keepalived/keepalived.conf"), std::string::npos);
    auto both = [](const std::string&) { return true; };
    EXPECT_EQ(resolve_config_file(o, both, note), kDefaultConfigFile);
    EXPECT_TRUE(note.empty());
    // The packaged placeholder (defines nothing) gives way to keepalived's file.
    auto placeholder = [](const std::string& p) { return p == kDefaultConfigFile; };
    EXPECT_EQ(resolve_config_file(o, both, note, placeholder), kKeepalivedConfigFile);
    EXPECT_NE(note.find("defines nothing; using /etc/keepalived/keepalived.conf"), std::string::npos);
    auto only_ours = [](const std::string& p) { return p == kDefaultConfigFile; };
    EXPECT_EQ(resolve_config_file(o, only_ours, note, placeholder), kDefaultConfigFile);
    auto real = [](const std::string&) { return false; };
    EXPECT_EQ(resolve_config_file(o, both, note, real), kDefaultConfigFile);
    o.config_file = "/given.conf";
    EXPECT_EQ(resolve_config_file(o, both, note, placeholder), "/given.conf");
}

}  // namespace
}  // namespace halbd
