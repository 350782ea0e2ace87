// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/accept_filter.cc: see accept_filter.hh. Every change is one nft
// transaction computed from desired state (model + instance states) against
// what the last committed one installed: tables appear and disappear with the
// families that need them, elements by difference. A refused transaction
// leaves the kernel as it was; the tables are then rebuilt whole on retry.
#include "vrrp/accept_filter.hh"

#include <algorithm>
#include <chrono>
#include <ostream>
#include <utility>
#include <vector>

#include "core/log.hh"

namespace halbd::vrrp {

namespace {

std::string list(const DropSet& s) {
    std::string out;
    for (const auto& a : s) out += (out.empty() ? "" : ", ") + a.to_string();
    return out;
}

DropSet minus(const DropSet& a, const DropSet& b) {
    DropSet out;
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.end()));
    return out;
}

DropSet of_family(const DropSet& s, net::Family f) {
    DropSet out;
    for (const auto& a : s)
        if (a.address.family() == f) out.insert(a);
    return out;
}

}  // namespace

bool drops_vip_traffic(const config::VrrpInstance& v) {
    return !v.accept.value_or(true) && v.priority.value_or(100) != 255;
}

AcceptFilter::AcceptFilter(core::EventLoop& loop, StateEvents& vrrp, net::Nftables& nft, net::Iptables* ipt)
    : loop_(loop), nft_(nft), ipt_(ipt) {
    events_ = vrrp.subscribe([this](const StateEvent& e) { on_state(e); });
    retry_ = loop_.create_timer([this] { sync("retry"); });
}

AcceptFilter::~AcceptFilter() = default;

void AcceptFilter::apply(const config::Model* previous, const config::Model& current) {
    const auto& g = current.global;
    settings_ = AcceptTableSettings{};
    if (g.nftables) settings_.table = *g.nftables;
    settings_.priority = g.nftables_priority;
    settings_.counters = g.nftables_counters;
    if (g.vrrp_iptables) {
        settings_.iptables = true;
        settings_.in_chain = g.vrrp_iptables->in_chain;
        settings_.out_chain = g.vrrp_iptables->out_chain;
        settings_.set4 = g.vrrp_ipsets.address;
        settings_.set6 = g.vrrp_ipsets.address6;
        settings_.set_if6 = g.vrrp_ipsets.address_iface6;
    }
    specs_.clear();
    for (const auto& v : current.vrrp.vrrp_instance) {
        Spec s;
        s.drops = drops_vip_traffic(v);
        // keepalived keys link-local sets by interface name only for an
        // instance that does not track its interface, unless nftables_ifindex.
        if (s.drops && v.dont_track_primary && !g.nftables_ifindex) settings_.ifname_sets = true;
        for (const auto* lines : {&v.virtual_ipaddress, &v.virtual_ipaddress_excluded})
            for (const auto& l : *lines) s.addresses.insert({l.address.address, l.dev.empty() ? v.interface : l.dev});
        specs_[v.name] = std::move(s);
    }
    sync(previous ? "reload" : "start");
}

void AcceptFilter::stop(const config::StopOptions&) {
    retry_->cancel();
    std::string batch;
    for (auto f : tables_) batch += delete_table(installed_settings_, f);
    if (batch.empty()) return;
    const bool ipt = installed_settings_.iptables;
    if (auto r = run(ipt ? "" : batch, ipt ? batch : ""); !r) {
        log::error("VRRP no_accept: cannot delete the ", ipt ? "ipsets" : "nftables tables", ": ", r.error().message);
        return;
    }
    for (auto f : tables_) log::info("VRRP no_accept: deleted ", table_text(installed_settings_, f));
    tables_.clear();
    installed_.clear();
}

void AcceptFilter::on_state(const StateEvent& e) {
    if (e.of != StateEvent::Of::Instance) return;
    states_[e.name] = e.to;
    auto it = specs_.find(e.name);
    if (it == specs_.end() || !it->second.drops) return;
    if (e.from != State::Master && e.to != State::Master) return;
    sync(log::concat(e.name, ' ', to_string(e.from), " -> ", to_string(e.to)));
}

DropSet AcceptFilter::desired() const {
    DropSet out;
    for (const auto& [name, s] : specs_) {
        auto st = states_.find(name);
        if (s.drops && st != states_.end() && st->second == State::Master)
            out.insert(s.addresses.begin(), s.addresses.end());
    }
    return out;
}

// A family's table exists while some dropping instance has an address of it.
std::set<net::Family> AcceptFilter::families() const {
    std::set<net::Family> out;
    for (const auto& [name, s] : specs_)
        if (s.drops)
            for (const auto& a : s.addresses) out.insert(a.address.family());
    return out;
}

void AcceptFilter::sync(const std::string& why) {
    const std::set<net::Family> want_tables = families();
    const DropSet want = desired();
    const bool rebuild = in_doubt_ || settings_ != installed_settings_;
    // nft commands and iptables lines (vrrp_iptables, or leaving it on reload).
    std::string nft_batch, ipt_batch;
    auto batch = [&](const AcceptTableSettings& s) -> std::string& { return s.iptables ? ipt_batch : nft_batch; };
    const bool same_place = settings_.iptables == installed_settings_.iptables &&
                            (settings_.iptables ? settings_.in_chain == installed_settings_.in_chain &&
                                                      settings_.out_chain == installed_settings_.out_chain &&
                                                      settings_.set4 == installed_settings_.set4 &&
                                                      settings_.set6 == installed_settings_.set6 &&
                                                      settings_.set_if6 == installed_settings_.set_if6
                                                : settings_.table == installed_settings_.table);
    std::vector<std::string> notes;
    for (auto f : tables_) {
        if (want_tables.count(f) && !(rebuild && !same_place)) continue;
        batch(installed_settings_) += delete_table(installed_settings_, f);
        notes.push_back("deleted " + table_text(installed_settings_, f));
    }
    for (auto f : want_tables) {
        const DropSet w = of_family(want, f);
        if (rebuild || !tables_.count(f)) {
            batch(settings_) += create_table(settings_, f, want);
            if (settings_.iptables) notes.push_back("created " + table_text(settings_, f));
            else
                notes.push_back(log::concat("created nftables table ", table_id(settings_, f),
                                            " (input/output priority ", settings_.priority,
                                            settings_.counters ? ", counters" : "", ")"));
            continue;
        }
        const DropSet have = of_family(installed_, f);
        batch(settings_) += delete_elements(settings_, minus(have, w)) + add_elements(settings_, minus(w, have));
    }
    if (nft_batch.empty() && ipt_batch.empty()) return;

    const auto t0 = std::chrono::steady_clock::now();
    auto r = run(nft_batch, ipt_batch);
    const Duration took = std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - t0);
    stats_.slowest = std::max(stats_.slowest, took);
    log::debug("VRRP no_accept: update (", why, ") took ",
               std::chrono::duration_cast<std::chrono::microseconds>(took).count(), " us");
    if (!r) {
        ++stats_.errors;
        stats_.last_error = r.error().message;
        retry_->arm(kRetry);
        // One error line per outage, not one per retry.
        if (!std::exchange(in_doubt_, true))
            log::error("VRRP no_accept: ", ipt_batch.empty() ? "nftables" : "iptables/ipset",
                       " refused the update (", why, "): ", r.error().message,
                       "; retrying every ", log::secs(kRetry));
        else
            log::debug("VRRP no_accept: the update is still refused (", why, "): ", r.error().message);
        return;
    }
    if (in_doubt_)
        log::info("VRRP no_accept: ", settings_.iptables ? "iptables/ipset" : "nftables", " took the update after ",
                  stats_.errors, " refusal(s) in all");
    ++stats_.batches;
    retry_->cancel();
    // What packets are dropped now compared to before (a rebuild replaced all).
    const DropSet before = installed_;
    in_doubt_ = false;
    installed_settings_ = settings_;
    tables_ = want_tables;
    installed_ = want;
    for (const auto& n : notes) log::info("VRRP no_accept: ", n, " (", why, ")");
    if (const DropSet on = minus(want, before); !on.empty())
        log::info("VRRP no_accept: dropping packets to and from ", list(on), " (", why, ")");
    if (const DropSet off = minus(before, want); !off.empty())
        log::info("VRRP no_accept: no longer dropping packets to and from ", list(off), " (", why, ")");
}

core::Status AcceptFilter::run(const std::string& nft_batch, const std::string& ipt_batch) {
    if (!nft_batch.empty())
        if (auto r = nft_.run(nft_batch); !r) return r.error();
    if (ipt_batch.empty()) return core::Ok{};
    if (!ipt_) return core::Error{0, "no iptables/ipset adapter"};
    return ipt_->run(ipt_batch);
}

void AcceptFilter::dump_state(std::ostream& os) const {
    os << "# VRRP no_accept: " << (installed_settings_.iptables ? "ipsets" : "nftables tables");
    if (tables_.empty()) os << " none";
    for (auto f : tables_) os << ' ' << table_id(installed_settings_, f);
    os << ", dropping " << installed_.size() << " address(es)";
    if (!installed_.empty()) os << ' ' << list(installed_);
    os << ", transactions " << stats_.batches << ", refused " << stats_.errors << ", slowest "
       << std::chrono::duration_cast<std::chrono::microseconds>(stats_.slowest).count() << " us";
    if (in_doubt_) os << ", retrying after: " << stats_.last_error;
    os << '\n';
}

}  // namespace halbd::vrrp
