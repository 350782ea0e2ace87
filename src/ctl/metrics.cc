// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// ctl/metrics.cc: see metrics.hh. One block per metric family, each walking
// the model's objects in configuration order.
#include "ctl/metrics.hh"

#include <array>

#include "announce/subsystem.hh"
#include "check/subsystem.hh"
#include "ctl/prometheus.hh"
#include "ctl/views.hh"
#include "forward/subsystem.hh"
#include "vrrp/subsystem.hh"

namespace halbd::ctl {

namespace {

constexpr std::array<vrrp::State, 4> kStates{vrrp::State::Initialize, vrrp::State::Backup, vrrp::State::Master,
                                             vrrp::State::Fault};

void daemon_metrics(PromText& p, const Sources& s, std::chrono::system_clock::time_point wall_now) {
    const Daemon& d = *s.daemon;
    const MonoTime now = d.loop_now();
    p.family("halbd_build_info", "gauge", "halbd's version (always 1)").sample({{"version", PACKAGE_VERSION}}, uint64_t{1});
    const double wall = std::chrono::duration<double>(wall_now.time_since_epoch()).count();
    p.family("halbd_start_time_seconds", "gauge", "When halbd started, seconds since the Unix epoch")
        .sample(wall - seconds(now - d.started_at()));
    p.family("halbd_config_generation", "gauge", "Configuration generation in force (1 at start, +1 per accepted reload)")
        .sample(d.generation());
    p.family("halbd_config_last_reload_seconds", "gauge", "Seconds since the configuration in force was loaded")
        .sample(seconds(now - d.reloaded_at()));
    p.family("halbd_reloads_total", "counter", "Configuration reloads by outcome")
        .sample({{"result", "accepted"}}, d.generation() - 1)
        .sample({{"result", "refused"}}, d.reloads_refused());
    const auto t = d.timer_stats();
    p.family("halbd_timers_fired_total", "counter", "Event-loop timers fired").sample(t.fired);
    p.family("halbd_timers_late_total", "counter", "Event-loop timers fired later than the lateness threshold")
        .sample(t.late);
    p.family("halbd_timer_max_lateness_seconds", "gauge", "Largest event-loop timer lateness since start")
        .sample(seconds(t.max_lateness));
    p.family("halbd_subsystem_running", "gauge", "Whether a subsystem runs (0: -P, -C or unavailable)")
        .sample({{"subsystem", "vrrp"}}, uint64_t{s.vrrp != nullptr})
        .sample({{"subsystem", "checks"}}, uint64_t{s.checks != nullptr})
        .sample({{"subsystem", "forwarding"}}, uint64_t{s.forwarding && s.forwarding->running()});
}

void vrrp_metrics(PromText& p, const Sources& s) {
    const config::Model& m = s.daemon->model();
    struct Row {
        const std::string& name;
        const vrrp::Instance& i;
        const vrrp::DropCounters* drops;
    };
    std::vector<Row> rows;
    for (const auto& vi : m.vrrp.vrrp_instance)
        if (const vrrp::Instance* i = s.vrrp->instance(vi.name)) rows.push_back({vi.name, *i, s.vrrp->instance_drops(vi.name)});

    p.family("halbd_vrrp_instance_state", "gauge", "VRRP instance state: 1 for the state it is in, 0 for the others");
    for (const auto& r : rows)
        for (vrrp::State st : kStates)
            p.sample({{"instance", r.name}, {"state", vrrp::to_string(st)}}, uint64_t{r.i.state() == st});
    p.family("halbd_vrrp_instance_priority", "gauge", "Effective priority (base plus tracking adjustments)");
    for (const auto& r : rows) p.sample({{"instance", r.name}}, uint64_t{r.i.effective_priority()});
    p.family("halbd_vrrp_instance_base_priority", "gauge", "Configured priority");
    for (const auto& r : rows) p.sample({{"instance", r.name}}, uint64_t{r.i.config().priority});
    p.family("halbd_vrrp_instance_vrid", "gauge", "Virtual router id");
    for (const auto& r : rows) p.sample({{"instance", r.name}}, uint64_t{r.i.config().vrid});
    using Field = uint64_t vrrp::InstanceStats::*;
    const std::pair<const char*, Field> counters[] = {
        {"transitions", &vrrp::InstanceStats::transitions},
        {"became_master", &vrrp::InstanceStats::become_master},
        {"released_master", &vrrp::InstanceStats::release_master},
        {"adverts_sent", &vrrp::InstanceStats::adverts_sent},
        {"adverts_received", &vrrp::InstanceStats::adverts_received},
        {"priority_zero_sent", &vrrp::InstanceStats::pri_zero_sent},
        {"priority_zero_received", &vrrp::InstanceStats::pri_zero_received},
        {"lower_priority_received", &vrrp::InstanceStats::lower_prio_received},
    };
    for (const auto& [name, field] : counters) {
        const std::string fam = std::string("halbd_vrrp_") + name + "_total";
        p.family(fam, "counter", std::string("VRRP instance counter: ") + name);
        for (const auto& r : rows) p.sample({{"instance", r.name}}, r.i.stats().*field);
    }
    p.family("halbd_vrrp_adverts_dropped_total", "counter", "Received adverts dropped, by reason");
    for (const auto& r : rows)
        for (size_t k = 0; k < vrrp::kDropReasonCount; ++k)
            p.sample({{"instance", r.name}, {"reason", vrrp::to_string(static_cast<vrrp::DropReason>(k))}},
                     r.drops ? r.drops->counts[k] : uint64_t{0});
    p.family("halbd_vrrp_adverts_timed_total", "counter", "Adverts whose sending lateness was measured");
    for (const auto& r : rows) p.sample({{"instance", r.name}}, r.i.lateness().count());
    p.family("halbd_vrrp_advert_lateness_seconds", "gauge",
             "How late adverts were sent after Adver_Timer's deadline: p99 and max since start");
    for (const auto& r : rows) {
        p.sample({{"instance", r.name}, {"quantile", "0.99"}}, seconds(r.i.lateness().percentile(0.99)));
        p.sample({{"instance", r.name}, {"quantile", "1"}}, seconds(r.i.lateness().max()));
    }
    p.family("halbd_vrrp_sync_group_state", "gauge", "VRRP sync group state: 1 for the state it is in");
    for (const auto& g : m.vrrp.vrrp_sync_group)
        if (const vrrp::SyncGroup* sg = s.vrrp->sync_group(g.name))
            for (vrrp::State st : kStates)
                p.sample({{"group", g.name}, {"state", vrrp::to_string(st)}}, uint64_t{sg->state() == st});
}

void check_metrics(PromText& p, const Sources& s) {
    const config::Model& m = s.daemon->model();
    const check::CheckSubsystem& c = *s.checks;
    struct Vs {
        std::string name, protocol;
        const config::VirtualServer& vs;
    };
    std::vector<Vs> vss;
    for (const auto& vs : m.lvs.virtual_servers)
        vss.push_back({check::vs_text(vs), vs.protocol ? config::lvs_protocol_name(*vs.protocol) : "", vs});
    auto each_rs = [&](auto fn) {
        for (const auto& v : vss)
            for (const auto& rs : v.vs.real_servers) fn(v, rs, check::rs_text(rs));
    };
    p.family("halbd_real_server_up", "gauge", "Real server health: 1 up, 0 down");
    each_rs([&](const Vs& v, const config::RealServer& rs, const std::string& n) {
        p.sample({{"virtual_server", v.name}, {"protocol", v.protocol}, {"real_server", n}}, uint64_t{c.is_up(v.vs, rs)});
    });
    p.family("halbd_real_server_weight", "gauge", "Real server weight in force (0 while down)");
    each_rs([&](const Vs& v, const config::RealServer& rs, const std::string& n) {
        p.sample({{"virtual_server", v.name}, {"protocol", v.protocol}, {"real_server", n}}, c.effective_weight(v.vs, rs));
    });
    p.family("halbd_real_server_checks_failing", "gauge", "Checkers of the real server failing now");
    each_rs([&](const Vs& v, const config::RealServer& rs, const std::string& n) {
        p.sample({{"virtual_server", v.name}, {"protocol", v.protocol}, {"real_server", n}},
                 uint64_t{c.failing(v.vs, rs).value_or(0)});
    });
    p.family("halbd_real_server_check_attempts_total", "counter", "Health-check attempts of the real server's checkers");
    each_rs([&](const Vs& v, const config::RealServer& rs, const std::string& n) {
        uint64_t sum = 0;
        for (const auto& ck : rs.checkers)
            if (const auto* pr = c.probe_of(ck)) sum += pr->attempts();
        p.sample({{"virtual_server", v.name}, {"protocol", v.protocol}, {"real_server", n}}, sum);
    });
    p.family("halbd_real_server_check_failures_total", "counter", "Failed health-check attempts, by reason");
    each_rs([&](const Vs& v, const config::RealServer& rs, const std::string& n) {
        for (size_t k = 0; k < check::kFailReasonCount; ++k) {
            const auto reason = static_cast<check::FailReason>(k);
            uint64_t sum = 0;
            for (const auto& ck : rs.checkers)
                if (const auto* pr = c.probe_of(ck)) sum += pr->failures(reason);
            p.sample({{"virtual_server", v.name}, {"protocol", v.protocol}, {"real_server", n},
                      {"reason", check::fail_reason_name(reason)}},
                     sum);
        }
    });
    p.family("halbd_virtual_server_real_servers_up", "gauge", "Real servers up in the virtual server");
    for (const auto& v : vss) {
        uint64_t up = 0;
        for (const auto& rs : v.vs.real_servers) up += c.is_up(v.vs, rs);
        p.sample({{"virtual_server", v.name}, {"protocol", v.protocol}}, up);
    }
    p.family("halbd_virtual_server_real_servers", "gauge", "Real servers configured in the virtual server");
    for (const auto& v : vss) p.sample({{"virtual_server", v.name}, {"protocol", v.protocol}}, uint64_t{v.vs.real_servers.size()});
    p.family("halbd_virtual_server_quorum_up", "gauge", "Quorum state: 1 up, 0 down (absent before the first decision)");
    for (const auto& v : vss)
        if (auto q = c.quorum_was_up(v.vs)) p.sample({{"virtual_server", v.name}, {"protocol", v.protocol}}, uint64_t{*q});
}

// route_announce: one sample per address, and the routing daemon's counters.
void announce_metrics(PromText& p, const announce::AnnounceSubsystem& a) {
    const announce::AnnouncerStatus st = a.announcer()->status();
    p.family("halbd_announce_route_announced", "gauge", "route_announce address: 1 announced, 0 withdrawn");
    for (const auto& r : a.routes()) p.sample({{"address", r.address}}, uint64_t{r.announced});
    p.family("halbd_announce_drained", "gauge", "1 while halbctl drain holds every announcement back");
    p.sample(uint64_t{a.drained()});
    p.family("halbd_announce_daemon_connected", "gauge", "1 while connected to the routing daemon's control socket");
    p.sample({{"daemon", st.daemon}}, uint64_t{st.connected});
    p.family("halbd_announce_commands_total", "counter", "Commands the routing daemon answered");
    p.sample({{"daemon", st.daemon}}, st.commands);
    p.family("halbd_announce_refusals_total", "counter", "Commands the routing daemon refused");
    p.sample({{"daemon", st.daemon}}, st.refusals);
    p.family("halbd_announce_connection_failures_total", "counter",
             "Connections to the routing daemon that failed or were lost");
    p.sample({{"daemon", st.daemon}}, st.failures);
}

}  // namespace

std::string metrics_text(const Sources& s, std::chrono::system_clock::time_point wall_now) {
    PromText p;
    daemon_metrics(p, s, wall_now);
    if (s.vrrp) vrrp_metrics(p, s);
    if (s.checks) check_metrics(p, s);
    if (s.announce && s.announce->announcer()) announce_metrics(p, *s.announce);
    return p.str();
}

}  // namespace halbd::ctl
