// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// halbctl_genhash.cc: see halbctl_genhash.hh. Flags mirror keepalived's
// genhash (-s -p -u -S -I -V -P -t -m -v) with long forms of halbd's own
// (--ssl, --sni NAME, --virtualhost, --http-1.1). One fetch on a private
// EpollLoop, bounded by --timeout.
#include "halbctl_genhash.hh"

#include <boost/program_options.hpp>
#include <chrono>
#include <optional>
#include <ostream>
#include <sstream>

#include "check/http_check.hh"
#include "core/epoll_loop.hh"

namespace po = boost::program_options;

namespace halbd {

namespace {

po::options_description genhash_options() {
    po::options_description d("genhash options");
    // clang-format off
    d.add_options()
        ("server,s", po::value<std::string>()->value_name("IP"), "the web server's address (required)")
        ("port,p", po::value<std::string>()->value_name("PORT"), "its port (required)")
        ("url,u", po::value<std::string>()->value_name("PATH"), "the path to fetch, as in `path` (required)")
        ("ssl", "use TLS (SSL_GET)")
        ("use-ssl,S", "same as --ssl (keepalived's genhash)")
        ("sni", po::value<std::string>()->value_name("NAME"), "send NAME as TLS server name (implies --ssl)")
        ("use-sni,I", "send the virtualhost as TLS server name (enable_sni)")
        ("virtualhost", po::value<std::string>()->value_name("HOST"), "Host header (default: IP:PORT)")
        ("use-virtualhost,V", po::value<std::string>()->value_name("HOST"), "same as --virtualhost")
        ("http-1.1", "same as --protocol 1.1")
        ("protocol,P", po::value<std::string>()->value_name("1.0|1.0C|1.1"), "HTTP protocol (default 1.0), as http_protocol")
        ("timeout,t", po::value<std::string>()->value_name("SECONDS"), "give up after SECONDS (default 10)")
        ("fwmark,m", po::value<std::string>()->value_name("MARK"), "mark the probe's packets (SO_MARK)")
        ("verbose,v", "also print the status code and body size (on stderr)")
        ("help,h", "print this help");
    // clang-format on
    return d;
}

std::optional<unsigned long> number(const std::string& s, unsigned long max) {
    if (s.empty() || s.size() > 10) return std::nullopt;
    unsigned long v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<unsigned long>(c - '0');
    }
    if (v > max) return std::nullopt;
    return v;
}

}  // namespace

std::string genhash_usage() {
    std::ostringstream os;
    os << "Usage: halbctl genhash [--ssl] [--sni NAME] [--virtualhost HOST] [--http-1.1] --server IP --port PORT --url PATH\n"
          "Print the MD5 digest of a page's body, for the `digest` keyword of HTTP_GET/SSL_GET.\n"
       << genhash_options();
    return os.str();
}

int genhash_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    using namespace std::chrono_literals;
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(genhash_options()).style(po::command_line_style::unix_style).run(),
                  vm);
        po::notify(vm);
    } catch (const po::error& e) {
        err << "halbctl genhash: " << e.what() << " (see halbctl genhash --help)\n";
        return 2;
    }
    if (vm.count("help")) {
        out << genhash_usage();
        return 0;
    }
    auto usage_error = [&](const std::string& what) {
        err << "halbctl genhash: " << what << " (see halbctl genhash --help)\n";
        return 2;
    };
    for (const char* required : {"server", "port", "url"})
        if (!vm.count(required)) return usage_error(std::string("--") + required + " is required");

    check::TcpTarget target;
    const auto addr = net::IpAddress::parse(vm["server"].as<std::string>());
    if (!addr) return usage_error("--server expects an IP address, not '" + vm["server"].as<std::string>() + "'");
    target.address = *addr;
    const auto port = number(vm["port"].as<std::string>(), 65535);
    if (!port || *port == 0) return usage_error("invalid port '" + vm["port"].as<std::string>() + "'");
    target.port = static_cast<uint16_t>(*port);
    target.connect_timeout = 10s;
    if (vm.count("timeout")) {
        const auto t = number(vm["timeout"].as<std::string>(), 86400);
        if (!t || *t == 0) return usage_error("invalid timeout '" + vm["timeout"].as<std::string>() + "'");
        target.connect_timeout = std::chrono::seconds(*t);
    }
    if (vm.count("fwmark")) {
        const auto m = number(vm["fwmark"].as<std::string>(), UINT32_MAX);
        if (!m) return usage_error("invalid fwmark '" + vm["fwmark"].as<std::string>() + "'");
        target.fwmark = static_cast<uint32_t>(*m);
    }

    check::HttpSpec spec;
    spec.always_digest = true;
    spec.tls = vm.count("ssl") || vm.count("use-ssl") || vm.count("sni");
    spec.sni = vm.count("use-sni") > 0;
    if (vm.count("sni")) spec.sni_name = vm["sni"].as<std::string>();
    if (vm.count("http-1.1")) spec.protocol = config::HttpProtocol::V1_1;
    if (vm.count("protocol")) {
        const std::string& p = vm["protocol"].as<std::string>();
        if (p == "1.0") spec.protocol = config::HttpProtocol::V1_0;
        else if (p == "1.0C" || p == "1.0c") spec.protocol = config::HttpProtocol::V1_0C;
        else if (p == "1.1") spec.protocol = config::HttpProtocol::V1_1;
        else return usage_error("invalid protocol '" + p + "' (1.0, 1.0C or 1.1)");
    }
    check::HttpUrlSpec url;
    url.path = vm["url"].as<std::string>();
    if (vm.count("virtualhost")) url.virtualhost = vm["virtualhost"].as<std::string>();
    if (vm.count("use-virtualhost")) url.virtualhost = vm["use-virtualhost"].as<std::string>();
    spec.urls.push_back(std::move(url));  // status empty: any status, as keepalived's genhash

    auto loop = core::EpollLoop::create();
    if (!loop) {
        err << "halbctl genhash: " << loop.error().message << "\n";
        return 1;
    }
    check::HttpChecker checker(**loop, target, std::move(spec));
    std::optional<check::CheckResult> result;
    checker.start([&](const check::CheckResult& r) {
        result = r;
        (*loop)->stop();
    });
    (*loop)->run();  // the checker's own timer bounds the wait
    if (!result || !result->ok) {
        err << "halbctl genhash: " << checker.describe() << " " << (result ? result->detail : "did not complete")
            << "\n";
        return 1;
    }
    const auto& resp = checker.response();
    if (vm.count("verbose"))
        err << "status " << resp.status() << ", " << resp.body_bytes() << " body bytes"
            << (resp.content_length() ? ", Content-Length " + std::to_string(*resp.content_length()) : std::string())
            << "\n";
    else if (resp.status() < 200 || resp.status() > 299)
        err << "halbctl genhash: note: status " << resp.status() << " (the digest is of that page)\n";
    out << resp.digest() << "\n";
    return 0;
}

}  // namespace halbd
