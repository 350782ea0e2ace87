// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// announce/frr_vtysh.cc: see frr_vtysh.hh.
#include "announce/frr_vtysh.hh"

#include "net/address.hh"

namespace halbd::announce {

namespace {

std::vector<std::string> base(const FrrTarget& t) {
    std::vector<std::string> argv{t.vtysh};
    if (!t.vty_socket.empty()) {
        argv.push_back("--vty_socket");
        argv.push_back(t.vty_socket);
    }
    argv.push_back("-d");
    argv.push_back("bgpd");
    return argv;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> words(std::string_view s) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && s[i] == ' ') ++i;
        size_t j = i;
        while (j < s.size() && s[j] != ' ') ++j;
        if (j > i) out.push_back(s.substr(i, j - i));
        i = j;
    }
    return out;
}

std::string canonical_prefix(std::string_view p) {
    auto parsed = net::Prefix::parse(p);
    return parsed ? parsed->to_string() : std::string(p);
}

// The first line that says what went wrong ("% Unknown command: ...").
std::string first_complaint(std::string_view output) {
    std::string_view fallback;
    while (!output.empty()) {
        const size_t nl = output.find('\n');
        const std::string_view line = trim(output.substr(0, nl));
        output = nl == std::string_view::npos ? std::string_view() : output.substr(nl + 1);
        if (line.empty()) continue;
        if (line.front() == '%') return std::string(line);
        if (fallback.empty()) fallback = line;
    }
    return std::string(fallback);
}

}  // namespace

std::vector<std::string> vtysh_show_argv(const FrrTarget& t) {
    std::vector<std::string> argv = base(t);
    argv.insert(argv.end(), {"-c", "show running-config"});
    return argv;
}

std::vector<std::string> vtysh_network_argv(const FrrTarget& t, const std::string& prefix, bool present) {
    std::vector<std::string> argv = base(t);
    const bool v6 = prefix.find(':') != std::string::npos;
    std::string network = (present ? "network " : "no network ") + prefix;
    if (present && !t.route_map.empty()) network += " route-map " + t.route_map;
    argv.insert(argv.end(), {"-c", "configure terminal", "-c",
                             t.asn ? "router bgp " + std::to_string(*t.asn) : std::string("router bgp"), "-c",
                             v6 ? "address-family ipv6 unicast" : "address-family ipv4 unicast", "-c", network});
    return argv;
}

std::vector<std::string> vtysh_remove_all_argv(const FrrTarget& t, const std::vector<std::string>& prefixes) {
    std::vector<std::string> argv = base(t);
    argv.insert(argv.end(), {"-c", "configure terminal", "-c",
                             t.asn ? "router bgp " + std::to_string(*t.asn) : std::string("router bgp")});
    bool in_family = false;
    for (const bool v6 : {false, true}) {
        bool entered = false;
        for (const std::string& p : prefixes) {
            if ((p.find(':') != std::string::npos) != v6) continue;
            if (!entered) {
                if (in_family) argv.insert(argv.end(), {"-c", "exit-address-family"});
                argv.insert(argv.end(), {"-c", v6 ? "address-family ipv6 unicast" : "address-family ipv4 unicast"});
                entered = in_family = true;
            }
            argv.insert(argv.end(), {"-c", "no network " + p});
        }
    }
    return argv;
}

std::string host_prefix(std::string_view address) {
    auto a = net::IpAddress::parse(address);
    if (!a) return std::string(address);
    return a->to_string() + (a->is_v4() ? "/32" : "/128");
}

RunningNetworks parse_running_networks(std::string_view text, std::optional<uint32_t> asn) {
    RunningNetworks out;
    bool in_instance = false, found = false, done = false, in_unicast = false;
    while (!text.empty() && !done) {
        const size_t nl = text.find('\n');
        const std::string_view raw = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        const std::vector<std::string_view> w = words(trim(raw));
        if (w.empty()) continue;
        const bool top = raw.front() != ' ';
        if (top) {
            if (in_instance) done = true;  // the instance ended ("exit" or the next block)
            if (!found && w.size() >= 3 && w[0] == "router" && w[1] == "bgp") {
                const bool plain = w.size() == 3;  // no "vrf NAME" / "view NAME"
                const bool ours = asn ? w[2] == std::to_string(*asn) && plain : plain;
                if (ours) in_instance = found = true;
                done = false;
            }
            continue;
        }
        if (!in_instance) continue;
        if (w[0] == "address-family") in_unicast = w.size() == 3 && (w[1] == "ipv4" || w[1] == "ipv6") && w[2] == "unicast";
        else if (w[0] == "exit-address-family") in_unicast = false;
        else if (in_unicast && w[0] == "network" && w.size() >= 2) out.prefixes.insert(canonical_prefix(w[1]));
    }
    if (!found)
        out.error = asn ? "bgpd has no 'router bgp " + std::to_string(*asn) + "' in its running configuration"
                        : "bgpd has no 'router bgp' instance in its running configuration";
    return out;
}

VtyshJudgement judge_vtysh(std::optional<int> exit_code, std::string_view output, std::string_view why) {
    if (!exit_code) return {VtyshVerdict::Unreachable, "vtysh " + std::string(why)};
    const std::string complaint = first_complaint(output);
    // vtysh's words when no daemon socket answers (FRR 7 to 10).
    if (*exit_code != 0 && (output.find("failed to connect to any daemons") != std::string_view::npos ||
                            output.find("is not running") != std::string_view::npos))
        return {VtyshVerdict::Unreachable, complaint.empty() ? "bgpd is not reachable" : complaint};
    if (*exit_code == 126 || *exit_code == 127)
        return {VtyshVerdict::Unreachable, "vtysh could not be run (exit status " + std::to_string(*exit_code) + ")"};
    if (*exit_code != 0)
        return {VtyshVerdict::Refused,
                complaint.empty() ? "vtysh exit status " + std::to_string(*exit_code) : complaint};
    // vtysh -c exits 0 for some refusals; a '%' line is one.
    if (!complaint.empty() && complaint.front() == '%') return {VtyshVerdict::Refused, complaint};
    return {};
}

bool vtysh_says_absent(std::string_view output) {
    return output.find("Can't find static route specified") != std::string_view::npos ||
           output.find("Can't find specified static route configuration") != std::string_view::npos;
}

}  // namespace halbd::announce
