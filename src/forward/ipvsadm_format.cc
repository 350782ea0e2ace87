// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/ipvsadm_format.cc: see ipvsadm_format.hh. Field widths follow
// ipvsadm.c print_title()/print_service_entry() (non-numeric, non-stats form).
#include "forward/ipvsadm_format.hh"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace halbd::forward {

namespace {

std::string addr_port(const net::IpAddress& a, uint16_t port) {
    return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" + std::to_string(port);
}

}  // namespace

std::string sched_flags_text(const ServiceParams& p) {
    std::vector<const char*> names;
    const bool sh = p.scheduler == "sh", mh = p.scheduler == "mh";
    if (p.flags & svc_flags::sched1) names.push_back(sh ? "sh-fallback" : mh ? "mh-fallback" : "flag-1");
    if (p.flags & svc_flags::sched2) names.push_back(sh ? "sh-port" : mh ? "mh-port" : "flag-2");
    // ipvsadm names flag-3 only for schedulers other than sh and mh.
    if ((p.flags & svc_flags::sched3) && !sh && !mh) names.push_back("flag-3");
    std::string s;
    for (const char* n : names) s += (s.empty() ? "" : ",") + std::string(n);
    return s;
}

bool ipvsadm_less(const ServiceKey& a, const ServiceKey& b) {
    // ipvsadm compares with int subtraction, which misorders IPv4 addresses more
    // than 2^31 apart; halbd uses the plain numeric order.
    if (a.fwmark != b.fwmark) return a.fwmark < b.fwmark;
    if (a.family != b.family) return a.family == net::Family::V4;  // AF_INET < AF_INET6
    if (a.protocol != b.protocol) return static_cast<int>(a.protocol) < static_cast<int>(b.protocol);
    if (a.address != b.address) return a.address < b.address;
    return a.port < b.port;
}

std::string format_ipvsadm(const ServiceTable& table, const IpvsadmHeader& header) {
    std::string out = "IP Virtual Server version " + header.version + " (size=" + std::to_string(header.size) + ")\n";
    out += "Prot LocalAddress:Port Scheduler Flags\n";
    out += "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";

    std::vector<const Service*> services;
    services.reserve(table.size());
    for (const auto& [k, s] : table) services.push_back(&s);
    std::sort(services.begin(), services.end(),
              [](const Service* a, const Service* b) { return ipvsadm_less(a->key, b->key); });

    for (const Service* s : services) {
        const ServiceKey& k = s->key;
        const bool v6 = k.family == net::Family::V6;
        std::string name;
        if (k.fwmark) {
            name = "FWM  " + std::to_string(k.fwmark) + (v6 ? " IPv6" : "");  // "%-4s %u"
        } else {
            // ipvsadm: "%-4s %s", so TCP and UDP get two spaces, SCTP one.
            std::string prot = protocol_name(k.protocol);
            prot.resize(std::max<size_t>(prot.size(), 4), ' ');
            name = prot + " " + addr_port(k.address, k.port);
            if (!v6 && name.size() > 33) name.resize(33);
        }
        const ServiceParams& p = s->params;
        out += name + " " + p.scheduler;
        // Parentheses whenever a scheduler flag is set, even one ipvsadm does
        // not name for this scheduler: "sh ()" (ipvsadm.c print_service_entry).
        if (p.flags & (svc_flags::sched1 | svc_flags::sched2 | svc_flags::sched3))
            out += " (" + sched_flags_text(p) + ")";
        if (p.flags & svc_flags::persistent) {
            out += " persistent " + std::to_string(p.timeout);
            if (!v6 && p.netmask != 0xffffffff)
                out += " mask " + net::IpAddress::from_bytes(net::Family::V4,
                                                             reinterpret_cast<const uint8_t*>(&p.netmask))
                                      .to_string();
            if (v6 && p.netmask != 128) out += " mask " + std::to_string(p.netmask);
            if (!p.pe_name.empty()) out += " pe " + p.pe_name;
        }
        // ipvsadm prints one-packet scheduling whether or not the service is persistent.
        if (p.flags & svc_flags::onepacket) out += " ops";
        out += "\n";
        // std::map order of DestKey is ipvs_cmp_dests' order: address, then port.
        for (const auto& [dk, dp] : s->dests) {
            std::string dname = addr_port(dk.address, dk.port);
            if (!v6 && dname.size() > 28) dname.resize(28);
            char line[160];
            std::snprintf(line, sizeof line, "  -> %-28s %-7s %-6d %-10u %-10u\n", dname.c_str(),
                          dp.method == Method::Bypass ? "Unknown" : method_name(dp.method), dp.weight, 0u, 0u);
            out += line;
        }
    }
    return out;
}

}  // namespace halbd::forward
