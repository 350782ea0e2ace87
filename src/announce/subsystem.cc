// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// announce/subsystem.cc: see subsystem.hh.
#include "announce/subsystem.hh"

#include <map>
#include <ostream>

#include "announce/frr_vtysh.hh"
#include "core/log.hh"

namespace halbd::announce {

namespace {

// What makes another announcer necessary when it changes on a reload.
std::string identity(const config::RouteAnnounce& r) {
    if (r.daemon == config::AnnounceDaemon::Bird) return "bird " + r.bird_socket;
    return "frr " + r.vtysh + " " + r.frr_vty_socket + " " + (r.frr_asn ? std::to_string(*r.frr_asn) : "-") + " " +
           r.frr_route_map;
}

}  // namespace

AnnounceSubsystem::AnnounceSubsystem(core::EventLoop& loop, AnnouncerFactory factory, NotServing not_serving)
    : loop_(loop), factory_(std::move(factory)), not_serving_(std::move(not_serving)) {}

AnnounceSubsystem::~AnnounceSubsystem() = default;

void AnnounceSubsystem::apply(const config::Model* /*previous*/, const config::Model& current) {
    model_ = &current;
    if (!current.route_announce) {
        if (announcer_) {
            log::notice("route_announce removed: withdrawing every announcement");
            announcer_->withdraw_now(std::chrono::seconds(1));
            announcer_.reset();
        }
        routes_.clear();
        socket_.clear();
        return;
    }
    if (announcer_ && socket_ != identity(*current.route_announce)) {
        announcer_->withdraw_now(std::chrono::seconds(1));
        announcer_.reset();
    }
    if (!announcer_) {
        announcer_ = factory_(*current.route_announce);
        socket_ = identity(*current.route_announce);
    }
    decide("configuration");
}

void AnnounceSubsystem::refresh(std::string_view reason) {
    if (model_ && announcer_ && !stopped_) decide(reason);
}

void AnnounceSubsystem::set_drained(bool drained) {
    if (drained == drained_) return;
    drained_ = drained;
    log::notice(drained ? "drain: withdrawing every announcement (halbctl drain)"
                        : "undrain: announcing again what serves (halbctl undrain)");
    refresh(drained ? "halbctl drain" : "halbctl undrain");
}

void AnnounceSubsystem::decide(std::string_view reason) {
    std::vector<Route> next;
    std::map<std::string, bool> wanted;
    for (const config::AnnounceRoute& ar : model_->route_announce->routes) {
        Route r;
        r.address = ar.address.to_string();
        // BIRD: the named protocols; FRR: the address's network statement.
        r.protocols = ar.protocols.empty() ? std::vector<std::string>{host_prefix(r.address)} : ar.protocols;
        if (drained_) r.why_not = "drained (halbctl drain)";
        for (const config::VirtualServer& vs : model_->lvs.virtual_servers) {
            if (!r.why_not.empty()) break;
            if (vs.kind != config::VsKind::Address || !(vs.address == ar.address)) continue;
            if (auto why = not_serving_(vs)) r.why_not = *why;
        }
        r.announced = r.why_not.empty();
        const Route* old = nullptr;
        for (const Route& o : routes_)
            if (o.address == r.address) old = &o;
        r.since = old && old->announced == r.announced ? old->since : loop_.now();
        if (!old || old->announced != r.announced || (!r.announced && old->why_not != r.why_not)) {
            if (r.announced) log::notice("announce ", r.address, ": announced (", reason, ")");
            else log::notice("announce ", r.address, ": withdrawn: ", r.why_not, " (", reason, ")");
        }
        for (const std::string& p : r.protocols) wanted[p] = r.announced;
        next.push_back(std::move(r));
    }
    routes_ = std::move(next);
    announcer_->want(wanted);
}

bool AnnounceSubsystem::forget_routes() {
    stopped_ = true;
    bool announced = false;
    for (Route& r : routes_) {
        announced = announced || r.announced;
        r.announced = false;
        r.why_not = "halbd stopping";
    }
    return announced;
}

void AnnounceSubsystem::drain_before_stop(const config::StopOptions& /*opts*/, std::function<void()> done) {
    const bool announced = forget_routes();
    if (!announcer_) return done();
    log::info("stopping: withdrawing every announcement first");
    const Duration grace = model_ && model_->route_announce ? model_->route_announce->withdraw_grace : Duration{};
    // The loop runs on while the routing daemon confirms (FRR: a vtysh run).
    announcer_->withdraw(std::chrono::seconds(1), [this, announced, grace, done = std::move(done)]() mutable {
        if (!announced || grace <= Duration{}) return done();
        // The router drops the path some time after the withdrawal: until
        // then its flows still come here, and without forwarding this node's
        // stack, which holds the address, would reset them. The loop runs on
        // meanwhile (VRRP keeps advertising: a peer must not take over by its timer).
        log::info("stopping: forwarding for ", log::secs(grace),
                  " more (withdraw_grace) while the router drops this node's path");
        grace_done_ = std::move(done);
        grace_ = loop_.create_timer([this] {
            log::info("stopping: withdraw_grace over");
            auto d = std::move(grace_done_);
            grace_done_ = nullptr;
            if (d) d();
        });
        grace_->arm(grace);
    });
}

void AnnounceSubsystem::stop(const config::StopOptions& /*opts*/) {
    if (!stopped_) {
        forget_routes();
        if (announcer_) announcer_->withdraw_now(std::chrono::seconds(1));
    }
    if (grace_) grace_->cancel();
    for (Route& r : routes_) {
        r.announced = false;
        r.why_not = "halbd stopped";
    }
}

void AnnounceSubsystem::dump_state(std::ostream& os) const {
    if (!announcer_) return;
    os << "------< Route announcements >------\n";
    write_text(os, loop_.now());
}

void AnnounceSubsystem::write_text(std::ostream& os, MonoTime now) const {
    const AnnouncerStatus st = announcer_->status();
    os << st.daemon << " at " << st.endpoint << ": "
       << (st.connected ? std::string("connected") : "not connected (" + st.last_error + ")")
       << (drained_ ? "; drained (halbctl undrain announces again)" : "") << "\n";
    for (const Route& r : routes_) {
        os << r.address << ": " << (r.announced ? "announced" : "withdrawn: " + r.why_not) << ", for "
           << log::secs(now - r.since) << "\n";
        for (const std::string& p : r.protocols) {
            auto it = st.protocols.find(p);
            os << "  " << st.unit << " " << p << ": " << protocol_state(st, p);
            if (it != st.protocols.end() && !it->second.refused.empty()) os << " (refused: " << it->second.refused << ")";
            os << "\n";
        }
    }
    os << "commands " << st.commands << ", refused " << st.refusals << ", connections " << st.connects
       << ", connection failures " << st.failures << "\n";
}

std::string protocol_state(const AnnouncerStatus& st, const std::string& name) {
    auto it = st.protocols.find(name);
    if (it == st.protocols.end() || !it->second.enabled) return "unknown";
    return *it->second.enabled ? "enabled" : "disabled";
}

}  // namespace halbd::announce
