// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// ctl/view_ipvs.cc: `halbctl ipvs`, what halbd believes it programmed: the
// text is forward::format_ipvsadm (byte for byte `ipvsadm -Ln --sort` for the
// same table); the JSON holds the same services and destinations, same order.
#include <algorithm>
#include <vector>

#include "ctl/json.hh"
#include "ctl/views.hh"
#include "forward/ipvsadm_format.hh"

namespace halbd::ctl {

double seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

namespace {

void service_json(JsonWriter& w, const forward::Service& s) {
    const forward::ServiceKey& k = s.key;
    const forward::ServiceParams& p = s.params;
    const bool v6 = k.family == net::Family::V6;
    w.begin_object();
    w.member("family", v6 ? "inet6" : "inet");
    if (k.fwmark) {
        w.key("protocol").null().key("address").null().key("port").null();
    } else {
        w.member("protocol", forward::protocol_name(k.protocol));
        w.member("address", k.address.to_string()).member("port", unsigned{k.port});
    }
    w.member("fwmark", k.fwmark);
    w.member("scheduler", p.scheduler).member("flags", p.flags);
    w.key("scheduler_flags").begin_array();
    const std::string flags = forward::sched_flags_text(p);
    for (size_t i = 0; i < flags.size();) {
        size_t j = flags.find(',', i);
        if (j == std::string::npos) j = flags.size();
        w.value(std::string_view(flags).substr(i, j - i));
        i = j + 1;
    }
    w.end_array();
    const bool persistent = p.flags & forward::svc_flags::persistent;
    w.member("persistent", persistent);
    if (persistent) {
        w.member("timeout", p.timeout);
        if (v6)
            w.member("prefix_length", p.netmask);
        else
            w.member("netmask", net::IpAddress::from_bytes(net::Family::V4,
                                                            reinterpret_cast<const uint8_t*>(&p.netmask))
                                    .to_string());
        if (!p.pe_name.empty()) w.member("pe", p.pe_name);
    }
    w.member("one_packet", (p.flags & forward::svc_flags::onepacket) != 0);
    w.key("dests").begin_array();
    for (const auto& [dk, dp] : s.dests) {
        w.begin_object()
            .member("address", dk.address.to_string())
            .member("port", unsigned{dk.port})
            .member("method", forward::method_name(dp.method))
            .member("weight", int64_t{dp.weight})
            .member("u_threshold", dp.u_threshold)
            .member("l_threshold", dp.l_threshold)
            .end_object();
    }
    w.end_array();
    w.end_object();
}

}  // namespace

std::string ipvs_view(const forward::ServiceTable& table, Format f) {
    if (f == Format::Text) return forward::format_ipvsadm(table);
    std::vector<const forward::Service*> services;
    for (const auto& [k, s] : table) services.push_back(&s);
    std::sort(services.begin(), services.end(),
              [](const auto* a, const auto* b) { return forward::ipvsadm_less(a->key, b->key); });
    JsonWriter w;
    w.begin_array();
    for (const auto* s : services) service_json(w, *s);
    w.end_array();
    return w.str() + "\n";
}

}  // namespace halbd::ctl
