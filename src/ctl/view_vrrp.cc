// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// ctl/view_vrrp.cc: `halbctl vrrp`, each VRRP instance as the state machine
// and its I/O adapter see it now: state, effective and base priority, the
// master's address, last transition, interface, VIPs with prefix length,
// drops by reason (the instance's and its socket's), advert lateness. Also
// the sync groups and sockets for `halbctl dump --json`.
#include <chrono>
#include <optional>
#include <sstream>
#include <vector>

#include "core/log.hh"
#include "ctl/json.hh"
#include "ctl/views.hh"
#include "vrrp/subsystem.hh"

namespace halbd::ctl {

namespace {

struct Row {
    const vrrp::Instance* i;
    const vrrp::InstanceIo* io;
    const vrrp::DropCounters* drops;
    std::optional<vrrp::VrrpSubsystem::SocketView> socket;
};

void drops_text(std::ostream& os, const vrrp::DropCounters* d) {
    os << (d ? d->total() : 0);
    if (d)
        for (size_t k = 0; k < vrrp::kDropReasonCount; ++k)
            if (d->counts[k]) os << ' ' << vrrp::to_string(static_cast<vrrp::DropReason>(k)) << '=' << d->counts[k];
}

void drops_json(JsonWriter& w, const vrrp::DropCounters* d) {
    w.begin_object().member("total", d ? d->total() : uint64_t{0});
    w.key("by_reason").begin_object();
    if (d)
        for (size_t k = 0; k < vrrp::kDropReasonCount; ++k)
            if (d->counts[k]) w.member(vrrp::to_string(static_cast<vrrp::DropReason>(k)), d->counts[k]);
    w.end_object().end_object();
}

const char* family_text(net::Family f) { return f == net::Family::V6 ? "inet6" : "inet"; }

void socket_json(JsonWriter& w, const vrrp::VrrpSubsystem::SocketView& s) {
    w.begin_object().member("interface", s.ifname).member("family", family_text(s.family));
    w.member("open", s.open).member("received", s.received);
    w.key("drops");
    drops_json(w, s.drops);
    w.end_object();
}

// The VIPs with prefix length, from the adapter (the model's list has none).
std::vector<std::string> vip_texts(const Row& r) {
    std::vector<std::string> out;
    if (r.io)
        for (const auto& v : r.io->vips()) out.push_back(v.address.to_string());
    else
        for (const auto& v : r.i->config().vips) out.push_back(v.to_string());
    return out;
}

void text_row(std::ostream& os, const Row& r, MonoTime now) {
    const vrrp::Instance& i = *r.i;
    const auto& c = i.config();
    os << i.name() << ": " << vrrp::to_string(i.state()) << ", priority " << int(i.effective_priority()) << " (base "
       << int(c.priority) << "), VRID " << int(c.vrid) << " v" << int(c.version) << ", interface "
       << (r.io ? r.io->ifname() : std::string("?")) << ", master " << i.master_text() << "\n";
    if (const auto& t = i.last_transition())
        os << "  last transition " << vrrp::to_string(t->from) << " -> " << vrrp::to_string(t->to) << ' '
           << log::secs(now - t->at) << " ago (" << t->reason << ")\n";
    os << "  VIPs";
    const auto vips = vip_texts(r);
    if (vips.empty()) os << " none";
    for (const auto& v : vips) os << ' ' << v;
    os << (r.io && r.io->vips_installed() ? " (installed" : " (not installed");
    if (r.io)
        for (const auto& m : r.io->missing_vips()) os << "; " << m.to_string() << " missing";
    os << ")\n";
    for (const auto& f : i.fault_sources()) os << "  fault: " << f << "\n";
    os << "  adverts sent " << i.stats().adverts_sent << " received " << i.stats().adverts_received
       << ", advert lateness p99 " << log::secs(i.lateness().percentile(0.99))
       << " max " << log::secs(i.lateness().max()) << "\n";
    os << "  drops ";
    drops_text(os, r.drops);
    os << "\n";
    if (r.socket) {
        os << "  socket " << r.socket->ifname << ' ' << family_text(r.socket->family) << ' '
           << (r.socket->open ? "open" : "NOT OPEN") << ", received " << r.socket->received << ", dropped ";
        drops_text(os, r.socket->drops);
        os << "\n";
    }
}

void json_row(JsonWriter& w, const Row& r, MonoTime now, std::chrono::system_clock::time_point wall) {
    const vrrp::Instance& i = *r.i;
    const auto& c = i.config();
    const auto& s = i.stats();
    w.begin_object();
    w.member("name", i.name()).member("state", vrrp::to_string(i.state()));
    w.member("priority", unsigned{i.effective_priority()}).member("base_priority", unsigned{c.priority});
    w.member("vrid", unsigned{c.vrid}).member("version", unsigned{c.version});
    w.member("family", family_text(c.family));
    if (r.io) w.member("interface", r.io->ifname());
    else w.key("interface").null();
    if (i.state() == vrrp::State::Master) w.member("master", "self");
    else if (auto m = i.master_address()) w.member("master", m->to_string());
    else w.key("master").null();
    w.key("last_transition");
    if (const auto& t = i.last_transition()) {
        const Duration ago = now - t->at;
        w.begin_object().member("from", vrrp::to_string(t->from)).member("to", vrrp::to_string(t->to));
        w.member("reason", t->reason).member("seconds_ago", seconds(ago));
        // Milliseconds as an integer: a double of seconds since 1970 at
        // the writer's 9 digits is only good to 10 s.
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(wall.time_since_epoch() - ago);
        w.member("unix_ms", static_cast<uint64_t>(ms.count())).end_object();
    } else {
        w.null();
    }
    w.key("vips").begin_array();
    for (const auto& v : vip_texts(r)) w.value(v);
    w.end_array();
    w.member("vips_installed", r.io && r.io->vips_installed());
    w.key("vips_missing").begin_array();
    if (r.io)
        for (const auto& m : r.io->missing_vips()) w.value(m.to_string());
    w.end_array();
    w.key("faults").begin_array();
    for (const auto& f : i.fault_sources()) w.value(f);
    w.end_array();
    w.key("stats").begin_object()
        .member("transitions", s.transitions).member("became_master", s.become_master)
        .member("released_master", s.release_master).member("adverts_sent", s.adverts_sent)
        .member("adverts_received", s.adverts_received).member("priority_zero_sent", s.pri_zero_sent)
        .member("priority_zero_received", s.pri_zero_received)
        .member("lower_priority_received", s.lower_prio_received)
        .end_object();
    w.member("advert_lateness_p99", seconds(i.lateness().percentile(0.99)));
    w.member("advert_lateness_max", seconds(i.lateness().max()));
    w.key("drops");
    drops_json(w, r.drops);
    w.key("socket");
    if (r.socket) socket_json(w, *r.socket);
    else w.null();
    w.end_object();
}

std::vector<Row> rows_of(const config::Model& m, const vrrp::VrrpSubsystem& v) {
    std::vector<Row> rows;
    for (const auto& vi : m.vrrp.vrrp_instance)
        if (const vrrp::Instance* i = v.instance(vi.name))
            rows.push_back(Row{i, v.io(vi.name), v.instance_drops(vi.name), v.socket_of(vi.name)});
    return rows;
}

}  // namespace

std::string vrrp_view(const config::Model& m, const vrrp::VrrpSubsystem& v, MonoTime now, Format f) {
    const std::vector<Row> rows = rows_of(m, v);
    if (f == Format::Json) {
        JsonWriter w;
        vrrp_instances_json(w, m, v, now);
        return w.str() + "\n";
    }
    std::ostringstream os;
    if (rows.empty()) os << "no VRRP instances\n";
    for (const auto& r : rows) text_row(os, r, now);
    return os.str();
}

void vrrp_instances_json(JsonWriter& w, const config::Model& m, const vrrp::VrrpSubsystem& v, MonoTime now) {
    const auto wall = std::chrono::system_clock::now();
    w.begin_array();
    for (const auto& r : rows_of(m, v)) json_row(w, r, now, wall);
    w.end_array();
}

void vrrp_sockets_json(JsonWriter& w, const vrrp::VrrpSubsystem& v) {
    w.begin_array();
    for (const auto& s : v.sockets()) socket_json(w, s);
    w.end_array();
}

void vrrp_sync_groups_json(JsonWriter& w, const vrrp::VrrpSubsystem& v) {
    w.begin_array();
    for (const vrrp::SyncGroup* g : v.sync_groups()) {
        w.begin_object().member("name", g->name()).member("state", vrrp::to_string(g->state()));
        w.key("instances").begin_array();
        for (const vrrp::Instance* i : g->members()) w.value(i->name());
        w.end_array().end_object();
    }
    w.end_array();
}

}  // namespace halbd::ctl
