// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// ctl/commands.cc: see commands.hh. ipvs/vrrp/checks are ctl/views.hh;
// status, reload and dump are here.
#include "ctl/commands.hh"

#include <unistd.h>

#include <map>
#include <sstream>

#include "announce/subsystem.hh"
#include "check/subsystem.hh"
#include "core/log.hh"
#include "ctl/json.hh"
#include "ctl/metrics.hh"
#include "ctl/views.hh"
#include "forward/subsystem.hh"
#include "sync/subsystem.hh"
#include "vrrp/subsystem.hh"

namespace halbd::ctl {

namespace {

Reply unavailable(const char* what, const std::string& why, Format f) {
    return error_reply(Status::Unavailable, std::string(what) + " is not running: " + why, f);
}

struct Summary {
    size_t services = 0, dests = 0;
    std::map<std::string, size_t> vrrp_states;  // "MASTER" -> count
    size_t vrrp_instances = 0;
    size_t rs_up = 0, rs_down = 0;
};

Summary summarize(const Sources& s) {
    Summary sum;
    const config::Model& m = s.daemon->model();
    if (s.forwarding && s.forwarding->running()) {
        sum.services = s.forwarding->programmed().size();
        for (const auto& [k, svc] : s.forwarding->programmed()) sum.dests += svc.dests.size();
    }
    if (s.vrrp)
        for (const auto& vi : m.vrrp.vrrp_instance)
            if (const auto* i = s.vrrp->instance(vi.name)) {
                ++sum.vrrp_states[vrrp::to_string(i->state())];
                ++sum.vrrp_instances;
            }
    if (s.checks)
        for (const auto& vs : m.lvs.virtual_servers)
            for (const auto& rs : vs.real_servers) ++(s.checks->is_up(vs, rs) ? sum.rs_up : sum.rs_down);
    return sum;
}

}  // namespace

bool Commands::forwarding_running() const { return s_.forwarding && s_.forwarding->running(); }

const std::string& Commands::forwarding_absent() const {
    return s_.forwarding ? s_.forwarding->absent_reason() : s_.forwarding_absent;
}

Reply Commands::answer_now(const Request& r) {
    const Format f = r.format;
    const MonoTime now = s_.daemon->loop_now();
    switch (r.command) {
        case Command::Ipvs:
            if (!forwarding_running()) return unavailable("forwarding", forwarding_absent(), f);
            return Reply{Status::Ok, ipvs_view(s_.forwarding->programmed(), f)};
        case Command::Vrrp:
            if (!s_.vrrp) return unavailable("VRRP", s_.vrrp_absent, f);
            return Reply{Status::Ok, vrrp_view(s_.daemon->model(), *s_.vrrp, now, f)};
        case Command::Checks:
            if (!s_.checks) return unavailable("the health-check subsystem", s_.checks_absent, f);
            return Reply{Status::Ok, checks_view(s_.daemon->model(), *s_.checks, now, f)};
        case Command::Sync: {
            if (!s_.sync) return unavailable("connection sync", s_.sync_absent, f);
            const sync::SyncStats st = s_.sync->stats();
            if (!st.running) return unavailable("connection sync", s_.sync->absent_reason(), f);
            return Reply{Status::Ok, sync_view(st, f)};
        }
        case Command::Announce:
        case Command::Drain:
        case Command::Undrain:
            if (!s_.announce) return unavailable("route announcement", s_.announce_absent, f);
            if (!s_.announce->announcer())
                return unavailable("route announcement", "the configuration has no route_announce block", f);
            if (r.command != Command::Announce) s_.announce->set_drained(r.command == Command::Drain);
            return Reply{Status::Ok, announce_view(*s_.announce, now, f)};
        case Command::Status: return status(f);
        case Command::Metrics:  // text; as a JSON string inside the envelope with --json
            return Reply{Status::Ok, f == Format::Json ? json_quote(metrics()) : metrics()};
        case Command::Reload: break;  // answered by handle(), once the file is read
        case Command::Dump: break;  // answered by handle(), once the text is written
    }
    return error_reply(Status::Error, "unknown command", f);
}

Reply Commands::status(Format f) const {
    const Daemon& d = *s_.daemon;
    const MonoTime now = d.loop_now();
    const Summary sum = summarize(s_);
    const auto timers = d.timer_stats();
    if (f == Format::Json) {
        JsonWriter w;
        w.begin_object()
            .member("version", PACKAGE_VERSION)
            .member("pid", int64_t{::getpid()})
            .member("uptime", seconds(now - d.started_at()))
            .member("config_file", d.config_file())
            .member("generation", d.generation())
            .member("since_reload", seconds(now - d.reloaded_at()))
            .member("reloads_refused", d.reloads_refused())
            .member("control_socket", s_.control_socket);
        w.key("forwarding").begin_object().member("running", forwarding_running());
        if (s_.forwarding)
            w.member("backend", s_.forwarding->backend_name()).member("backend_reason", s_.forwarding->choice_reason());
        if (forwarding_running()) w.member("services", uint64_t{sum.services}).member("destinations", uint64_t{sum.dests});
        else w.member("reason", forwarding_absent());
        w.end_object();
        w.key("vrrp").begin_object().member("running", s_.vrrp != nullptr);
        if (s_.vrrp) {
            w.member("instances", uint64_t{sum.vrrp_instances}).key("states").begin_object();
            for (const auto& [st, n] : sum.vrrp_states) w.member(st, uint64_t{n});
            w.end_object();
        } else {
            w.member("reason", s_.vrrp_absent);
        }
        w.end_object();
        w.key("checks").begin_object().member("running", s_.checks != nullptr);
        if (s_.checks)
            w.member("probes", uint64_t{s_.checks->probe_count()})
                .member("real_servers_up", uint64_t{sum.rs_up})
                .member("real_servers_down", uint64_t{sum.rs_down});
        else
            w.member("reason", s_.checks_absent);
        w.end_object();
        w.key("timers").begin_object()
            .member("fired", timers.fired).member("late", timers.late)
            .member("max_lateness", seconds(timers.max_lateness))
            .end_object();
        w.end_object();
        return Reply{Status::Ok, w.str() + "\n"};
    }
    std::ostringstream os;
    os << "halbd " PACKAGE_VERSION ", pid " << ::getpid() << ", up " << log::secs(now - d.started_at()) << "\n";
    os << "configuration " << d.config_file() << ", generation " << d.generation() << " (in force for "
       << log::secs(now - d.reloaded_at()) << "), " << d.reloads_refused() << " reload(s) refused\n";
    if (forwarding_running())
        os << "forwarding: " << s_.forwarding->backend_name() << " (" << s_.forwarding->choice_reason() << "), "
           << sum.services << " service(s), " << sum.dests << " destination(s)\n";
    else os << "forwarding: not running: " << forwarding_absent() << "\n";
    if (s_.vrrp) {
        os << "vrrp: " << sum.vrrp_instances << " instance(s)";
        const char* sep = ": ";
        for (const auto& [st, n] : sum.vrrp_states) os << std::exchange(sep, ", ") << n << ' ' << st;
        os << "\n";
    } else {
        os << "vrrp: not running: " << s_.vrrp_absent << "\n";
    }
    if (s_.checks)
        os << "checks: " << s_.checks->probe_count() << " probe(s), real servers " << sum.rs_up << " up, " << sum.rs_down
           << " down\n";
    else
        os << "checks: not running: " << s_.checks_absent << "\n";
    os << "timers: " << timers.fired << " fired, " << timers.late << " late, max lateness "
       << log::secs(timers.max_lateness) << "\n";
    return Reply{Status::Ok, os.str()};
}

std::string Commands::metrics() const { return metrics_text(s_, std::chrono::system_clock::now()); }

std::string Commands::status_line() const {
    const Summary sum = summarize(s_);
    std::ostringstream os;
    if (s_.vrrp) {
        os << sum.vrrp_instances << " VRRP instance(s)";
        const char* sep = ": ";
        for (const auto& [st, n] : sum.vrrp_states) os << std::exchange(sep, ", ") << n << ' ' << st;
        os << "; ";
    }
    if (s_.checks) os << "real servers " << sum.rs_up << " up, " << sum.rs_down << " down; ";
    os << "generation " << s_.daemon->generation();
    return os.str();
}

// JSON replies get their envelope here, once, whatever answered them (error
// replies are built enveloped by error_reply()).
void Commands::handle(const Request& r, const std::function<void(Reply)>& respond) {
    auto send = [respond, f = r.format](Reply rep) {
        if (f == Format::Json && (rep.status == Status::Ok || rep.status == Status::Failed))
            rep.body = json_envelope(rep.status, rep.body, rep.status == Status::Failed ? "reload refused" : "");
        respond(std::move(rep));
    };
    // The text dump is written on a worker; the JSON one is built from the
    // views, on the loop, as `halbctl vrrp --json` and the others are.
    if (r.command == Command::Dump && r.format == Format::Json) return send(Reply{Status::Ok, dump_json()});
    if (r.command == Command::Dump)
        return s_.daemon->state_dump([send](std::string text) { send(dump_reply(std::move(text))); });
    if (r.command != Command::Reload) return send(answer_now(r));
    s_.daemon->reload([send, file = s_.daemon->config_file(), f = r.format](const ReloadReport& rep) {
        send(reload_reply(rep, file, f));
    });
}

std::string Commands::json_state() {
    std::string out = "{";
    const char* sep = "";
    for (Command c : {Command::Status, Command::Vrrp, Command::Checks, Command::Ipvs}) {
        std::string body = answer_now(Request{c, Format::Json}).body;
        while (!body.empty() && body.back() == '\n') body.pop_back();
        out += std::exchange(sep, ",") + json_quote(command_name(c)) + ":" + body;
    }
    return out + "}\n";
}

std::string Commands::stats(bool clear) {
    const Daemon& d = *s_.daemon;
    std::vector<Counter> now;
    const auto timers = d.timer_stats();
    now.push_back({"daemon", "reloads_refused", d.reloads_refused()});
    now.push_back({"daemon", "timers_fired", timers.fired});
    now.push_back({"daemon", "timers_late", timers.late});
    if (s_.vrrp)
        for (const auto& vi : d.model().vrrp.vrrp_instance) {
            const vrrp::Instance* i = s_.vrrp->instance(vi.name);
            if (!i) continue;
            const std::string sec = "VRRP instance " + vi.name;
            const auto& st = i->stats();
            const std::pair<const char*, uint64_t> fields[] = {{"adverts_sent", st.adverts_sent},
                                                               {"adverts_received", st.adverts_received},
                                                               {"became_master", st.become_master},
                                                               {"released_master", st.release_master},
                                                               {"transitions", st.transitions},
                                                               {"priority_zero_sent", st.pri_zero_sent},
                                                               {"priority_zero_received", st.pri_zero_received},
                                                               {"lower_priority_received", st.lower_prio_received}};
            for (const auto& [name, v] : fields) now.push_back({sec, name, v});
            const vrrp::DropCounters* drops = s_.vrrp->instance_drops(vi.name);
            now.push_back({sec, "drops", drops ? drops->total() : 0});
            for (size_t k = 0; k < vrrp::kDropReasonCount; ++k)
                now.push_back({sec, std::string("drops_") + vrrp::to_string(static_cast<vrrp::DropReason>(k)),
                               drops ? drops->counts[k] : 0});
        }
    return statistics_.report(now, "halbd " PACKAGE_VERSION " statistics", clear);
}

Reply Commands::reload_reply(const ReloadReport& rep, const std::string& config_file, Format f) {
    const Status st = rep.accepted ? Status::Ok : Status::Failed;
    if (f == Format::Json) {
        JsonWriter w;
        w.begin_object()
            .member("accepted", rep.accepted)
            .member("generation", rep.generation)
            .member("config_file", config_file)
            .member("errors", uint64_t{rep.errors})
            .member("warnings", uint64_t{rep.warnings});
        w.key("messages").begin_array();
        for (const auto& m : rep.messages) w.value(m);
        w.end_array().end_object();
        return Reply{st, w.str() + "\n"};
    }
    std::ostringstream os;
    for (const auto& m : rep.messages) os << m << "\n";
    if (rep.accepted)
        os << "configuration reloaded from " << config_file << ": generation " << rep.generation << ", "
           << rep.warnings << " warning(s)\n";
    else
        os << "reload refused: " << rep.errors << " error(s) in " << config_file << "; generation "
           << rep.generation << " stays in force\n";
    return Reply{st, os.str()};
}

Reply Commands::dump_reply(std::string text) { return Reply{Status::Ok, std::move(text)}; }

}  // namespace halbd::ctl
