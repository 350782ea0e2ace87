// ctl/view_vrrp.cc: `halbctl vrrp`, each VRRP instance as the state machine
// and its I/O adapter see it now: state, effective and base priority, the
// master's address, interface, VIPs, drops by reason, advert lateness.
#include <sstream>

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
};

std::string master_text(const vrrp::Instance& i) {
    if (i.state() == vrrp::State::Master) return "this node";
    if (auto m = i.master_address()) return m->to_string();
    return "unknown";
}

void text_row(std::ostream& os, const Row& r) {
    const vrrp::Instance& i = *r.i;
    const auto& c = i.config();
    os << i.name() << ": " << vrrp::to_string(i.state()) << ", priority " << int(i.effective_priority()) << " (base "
       << int(c.priority) << "), VRID " << int(c.vrid) << " v" << int(c.version) << ", interface "
       << (r.io ? r.io->ifname() : std::string("?")) << ", master " << master_text(i) << "\n";
    os << "  VIPs";
    if (c.vips.empty()) os << " none";
    for (const auto& v : c.vips) os << ' ' << v.to_string();
    os << (r.io && r.io->vips_installed() ? " (installed" : " (not installed");
    if (r.io)
        for (const auto& m : r.io->missing_vips()) os << "; " << m.to_string() << " missing";
    os << ")\n";
    for (const auto& f : i.fault_sources()) os << "  fault: " << f << "\n";
    os << "  adverts sent " << i.stats().adverts_sent << " received " << i.stats().adverts_received
       << ", advert lateness p99 " << log::secs(i.lateness().percentile(0.99))
       << " max " << log::secs(i.lateness().max()) << "\n";
    os << "  drops " << (r.drops ? r.drops->total() : 0);
    if (r.drops)
        for (size_t k = 0; k < vrrp::kDropReasonCount; ++k)
            if (r.drops->counts[k]) os << ' ' << vrrp::to_string(static_cast<vrrp::DropReason>(k)) << '=' << r.drops->counts[k];
    os << "\n";
}

void json_row(JsonWriter& w, const Row& r) {
    const vrrp::Instance& i = *r.i;
    const auto& c = i.config();
    const auto& s = i.stats();
    w.begin_object();
    w.member("name", i.name()).member("state", vrrp::to_string(i.state()));
    w.member("priority", unsigned{i.effective_priority()}).member("base_priority", unsigned{c.priority});
    w.member("vrid", unsigned{c.vrid}).member("version", unsigned{c.version});
    w.member("family", c.family == net::Family::V6 ? "inet6" : "inet");
    if (r.io) w.member("interface", r.io->ifname());
    else w.key("interface").null();
    if (i.state() == vrrp::State::Master) w.member("master", "self");
    else if (auto m = i.master_address()) w.member("master", m->to_string());
    else w.key("master").null();
    w.key("vips").begin_array();
    for (const auto& v : c.vips) w.value(v.to_string());
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
    w.key("drops").begin_object().member("total", r.drops ? r.drops->total() : uint64_t{0});
    w.key("by_reason").begin_object();
    if (r.drops)
        for (size_t k = 0; k < vrrp::kDropReasonCount; ++k)
            if (r.drops->counts[k]) w.member(vrrp::to_string(static_cast<vrrp::DropReason>(k)), r.drops->counts[k]);
    w.end_object().end_object();
    w.end_object();
}

}  // namespace

std::string vrrp_view(const config::Model& m, const vrrp::VrrpSubsystem& v, Format f) {
    std::vector<Row> rows;
    for (const auto& vi : m.vrrp.vrrp_instance)
        if (const vrrp::Instance* i = v.instance(vi.name)) rows.push_back(Row{i, v.io(vi.name), v.instance_drops(vi.name)});
    if (f == Format::Json) {
        JsonWriter w;
        w.begin_array();
        for (const auto& r : rows) json_row(w, r);
        w.end_array();
        return w.str() + "\n";
    }
    std::ostringstream os;
    if (rows.empty()) os << "no VRRP instances\n";
    for (const auto& r : rows) text_row(os, r);
    return os.str();
}

}  // namespace halbd::ctl
