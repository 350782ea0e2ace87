// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// ctl/view_checks.cc: `halbctl checks`, each real server of each virtual
// server: up or down, how many checkers fail, and for each checker its state
// and its last failure (reason and detail), as the check subsystem keeps them.
#include <sstream>

#include "check/subsystem.hh"
#include "core/log.hh"
#include "ctl/json.hh"
#include "ctl/views.hh"

namespace halbd::ctl {

namespace {

using Failure = check::ScheduledCheck::Failure;

// The most recent failure among the checkers of a real server.
const Failure* latest_failure(const config::RealServer& rs, const check::CheckSubsystem& c) {
    const Failure* best = nullptr;
    for (const auto& ck : rs.checkers)
        if (const auto* p = c.probe_of(ck); p && p->last_failure())
            if (!best || p->last_failure()->at > best->at) best = &*p->last_failure();
    return best;
}

std::string failure_text(const Failure& f, MonoTime now) {
    const std::string reason = check::fail_reason_name(f.reason);
    if (f.detail == reason) return log::concat(f.detail, " (", log::secs(now - f.at), " ago)");
    return log::concat(f.detail, " (", reason, ", ", log::secs(now - f.at), " ago)");
}

void failure_json(JsonWriter& w, const Failure* f, MonoTime now) {
    if (!f) {
        w.null();
        return;
    }
    w.begin_object()
        .member("reason", check::fail_reason_name(f->reason))
        .member("detail", f->detail)
        .member("seconds_ago", seconds(now - f->at))
        .end_object();
}

void text_vs(std::ostream& os, const config::VirtualServer& vs, const check::CheckSubsystem& c, MonoTime now) {
    os << check::vs_text(vs);
    if (vs.protocol) os << ' ' << config::lvs_protocol_name(*vs.protocol);
    if (auto q = c.quorum_was_up(vs)) os << ", quorum " << (*q ? "up" : "down");
    os << "\n";
    if (vs.real_servers.empty()) os << "  no real servers\n";
    for (const auto& rs : vs.real_servers) {
        const uint32_t failing = c.failing(vs, rs).value_or(0);
        os << "  " << check::rs_text(rs) << ' ' << (c.is_up(vs, rs) ? "up" : "down") << ", weight "
           << c.effective_weight(vs, rs);
        if (failing) os << ", " << failing << " of " << rs.checkers.size() << " checker(s) failing";
        if (rs.checkers.empty()) os << ", no checkers";
        os << "\n";
        for (const auto& ck : rs.checkers) {
            const check::ScheduledCheck* p = c.probe_of(ck);
            if (!p) {
                if (auto why = c.disabled(ck))
                    os << "    " << config::checker_kind_name(ck.kind()) << " at line " << ck.loc.line << ": " << *why
                       << ", counted as up\n";
                else
                    os << "    checker at " << ck.loc.line << ": not implemented, counted as up\n";
                continue;
            }
            os << "    " << p->checker().describe() << ": " << (p->up() ? "up" : "down") << ", " << p->attempts()
               << " attempt(s)";
            if (const auto& f = p->last_failure()) os << ", last failure: " << failure_text(*f, now);
            os << "\n";
        }
    }
}

void json_vs(JsonWriter& w, const config::VirtualServer& vs, const check::CheckSubsystem& c, MonoTime now) {
    w.begin_object().member("virtual_server", check::vs_text(vs));
    if (vs.protocol) w.member("protocol", config::lvs_protocol_name(*vs.protocol));
    else w.key("protocol").null();
    if (auto q = c.quorum_was_up(vs)) w.member("quorum_up", *q);
    else w.key("quorum_up").null();
    w.key("real_servers").begin_array();
    for (const auto& rs : vs.real_servers) {
        w.begin_object()
            .member("address", rs.address.to_string())
            .member("port", unsigned{rs.port})
            .member("up", c.is_up(vs, rs))
            .member("weight", c.effective_weight(vs, rs))
            .member("failing", c.failing(vs, rs).value_or(0));
        w.key("last_failure");
        failure_json(w, latest_failure(rs, c), now);
        w.key("checkers").begin_array();
        for (const auto& ck : rs.checkers) {
            const check::ScheduledCheck* p = c.probe_of(ck);
            w.begin_object();
            if (!p) {
                auto why = c.disabled(ck);
                w.member("check", why ? *why : std::string("not implemented")).member("up", true).key("attempts").null();
                w.key("last_failure").null();
            } else {
                w.member("check", p->checker().describe()).member("up", p->up()).member("attempts", p->attempts());
                w.key("last_failure");
                failure_json(w, p->last_failure() ? &*p->last_failure() : nullptr, now);
            }
            w.end_object();
        }
        w.end_array().end_object();
    }
    w.end_array().end_object();
}

}  // namespace

std::string checks_view(const config::Model& m, const check::CheckSubsystem& c, MonoTime now, Format f) {
    if (f == Format::Json) {
        JsonWriter w;
        w.begin_array();
        for (const auto& vs : m.lvs.virtual_servers) json_vs(w, vs, c, now);
        w.end_array();
        return w.str() + "\n";
    }
    std::ostringstream os;
    if (m.lvs.virtual_servers.empty()) os << "no virtual servers\n";
    for (const auto& vs : m.lvs.virtual_servers) text_vs(os, vs, c, now);
    return os.str();
}

}  // namespace halbd::ctl
