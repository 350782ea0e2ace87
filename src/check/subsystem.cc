// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/subsystem.cc: see subsystem.hh. Probes are keyed by probe_key(); a
// real server's state is the number of its checkers that are down, changed
// only by on_transition() (and rebuilt from the probes on apply()).
#include "check/subsystem.hh"

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <ostream>
#include <set>
#include <sstream>

#include "check/checker_factory.hh"
#include "core/log.hh"

namespace halbd::check {

namespace {

// "12.345ms": lateness needs finer than log::secs' hundredths.
std::string ms_text(Duration d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3fms", static_cast<double>(d.count()) / 1e6);
    return buf;
}

std::string bracketed(const net::IpAddress& a, uint16_t port) {
    return "[" + a.to_string() + "]:" + std::to_string(port);
}

std::string vs_key(const config::VirtualServer& vs) {
    std::string k = vs_text(vs);
    if (vs.protocol) k += std::string("/") + config::lvs_protocol_name(*vs.protocol);
    if (vs.ip_family) k += vs.ip_family == net::Family::V4 ? "/4" : "/6";
    return k;
}

// keepalived set_checker_max_fds: every probe may hold a socket at once (a
// pool of slow servers), so the soft open-files limit is raised to cover
// them, up to the hard limit (said once when that is too low).
void raise_fd_limit(size_t probes) {
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) < 0) return;
    const rlim_t want = static_cast<rlim_t>(probes) + 1024;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
        rlimit raised = rl;
        raised.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ? want : rl.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) rl = raised;
    }
    static rlim_t warned = 0;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want && warned != rl.rlim_cur) {
        warned = rl.rlim_cur;
        log::warning("health checks: ", probes, " probe(s) may need up to ", want,
                     " open files at once; the hard limit is ", rl.rlim_cur,
                     " (probes failing with 'Too many open files' take their servers out)");
    }
}

}  // namespace

std::string vs_text(const config::VirtualServer& vs) {
    switch (vs.kind) {
        case config::VsKind::Address: return bracketed(vs.address, vs.port);
        case config::VsKind::Fwmark: return "FWM " + std::to_string(vs.fwmark);
        case config::VsKind::Group: return "group " + vs.group;
    }
    return {};
}

std::string rs_text(const config::RealServer& rs) { return bracketed(rs.address, rs.port); }

CheckSubsystem::CheckSubsystem(core::EventLoop& loop, Factory factory, Jitter jitter)
    : loop_(loop), factory_(std::move(factory)), jitter_(std::move(jitter)), runner_(loop) {
    if (!factory_)
        factory_ = [this](const config::Checker& c) {
            CheckContext ctx;
            if (applying_) {
                ctx.global = &applying_->global;
                ctx.model = applying_;
            }
            if (c.kind() == config::CheckerKind::SSL_GET) ctx.tls = tls_.get();
            return make_checker(loop_, c, ctx);
        };
    if (!jitter_) jitter_ = random_jitter();
}

CheckSubsystem::~CheckSubsystem() = default;

std::unique_ptr<CheckSubsystem::Probe> CheckSubsystem::new_probe(const std::string& key, const config::Checker& c,
                                                                 std::string& why_not) {
    auto made = factory_(c);
    if (!made) {
        why_not = made.error().message;
        return nullptr;
    }
    auto p = std::make_unique<Probe>();
    p->check = std::make_unique<ScheduledCheck>(
        loop_, std::move(made.value()), Schedule::from_config(c),
        [this, key](const ScheduledCheck::Transition& t) { on_transition(key, t); }, &stats_);
    return p;
}

void CheckSubsystem::apply(const config::Model* previous, const config::Model& current) {
    // The outgoing model's objects are still alive: record the quorums
    // forwarding decided with them, then carry them over by virtual server.
    if (previous && quorum_unsettled_) settle_all_quorums();
    std::unordered_map<std::string, forward::Quorum> old_quorum;
    for (const auto& st : vss_) old_quorum.emplace(st.key, st.quorum);

    const bool tls_changed = tls_.update(current.lvs.ssl);  // SSL_GET probes restart with the new block
    auto old = std::move(probes_);
    probes_.clear();
    vss_.clear();
    vs_index_.clear();
    std::vector<Probe*> fresh;
    std::set<std::string> unimplemented_keys;
    disabled_.clear();
    std::set<config::CheckerKind> warned;
    size_t checkers = 0, kept = 0;

    const auto& servers = current.lvs.virtual_servers;
    vss_.resize(servers.size());
    for (uint32_t i = 0; i < servers.size(); ++i) {
        const auto& vs = servers[i];
        VsState& st = vss_[i];
        st.vs = &vs;
        st.key = vs_key(vs);
        st.failing.assign(vs.real_servers.size(), 0);
        st.checks.assign(vs.real_servers.size(), {});
        if (auto q = old_quorum.find(st.key); q != old_quorum.end()) st.quorum = q->second;
        vs_index_.emplace(&vs, i);
        for (uint32_t j = 0; j < vs.real_servers.size(); ++j) {
            for (const auto& c : vs.real_servers[j].checkers) {
                ++checkers;
                std::string key = probe_key(c, &current);
                auto it = probes_.find(key);
                if (it == probes_.end()) {
                    if (unimplemented_keys.count(key)) continue;
                    std::unique_ptr<Probe> p;
                    if (auto o = old.find(key);
                        o != old.end() && !(tls_changed && c.kind() == config::CheckerKind::SSL_GET)) {
                        p = std::move(o->second);
                        old.erase(o);
                        p->users.clear();
                        ++kept;
                    } else {
                        std::string why_not;
                        applying_ = &current;
                        p = new_probe(key, c, why_not);
                        applying_ = nullptr;
                        if (!p && why_not.rfind(kCheckerDisabled, 0) == 0) {
                            // keepalived removes such a checker at start: loud, once per checker.
                            log::error(config::checker_kind_name(c.kind()), " of real server ",
                                       rs_text(vs.real_servers[j]), " of VS ", vs_text(vs), ": ", why_not,
                                       "; the real server stays in its pool unchecked, as in keepalived");
                            disabled_[key] = why_not;
                            unimplemented_keys.insert(std::move(key));
                            continue;
                        }
                        if (!p) {
                            if (warned.insert(c.kind()).second)
                                log::warning(config::checker_kind_name(c.kind()),
                                             " is not implemented yet: such checkers count as always up (first at ",
                                             "real server ", rs_text(vs.real_servers[j]), " of VS ", vs_text(vs), ")");
                            unimplemented_keys.insert(std::move(key));
                            continue;
                        }
                        fresh.push_back(p.get());
                    }
                    it = probes_.emplace(std::move(key), std::move(p)).first;
                }
                it->second->users.push_back(Use{i, j});
                st.checks[j].push_back(it->second->check.get());
            }
        }
    }
    for (const auto& [key, p] : probes_)
        if (!p->check->up())
            for (const Use& u : p->users) ++vss_[u.vs].failing[u.rs];
    const size_t stopped = old.size();
    old.clear();  // cancels the removed probes
    model_ = &current;
    prepare_scripts(current);
    // keepalived init_service_rs: with rs_init_notifies, notify_up of the
    // real servers up at start.
    if (!previous && current.global.rs_init_notifies)
        for (const auto& st : vss_)
            for (uint32_t j = 0; j < st.vs->real_servers.size(); ++j)
                if (st.failing[j] == 0) notify(st.vs->real_servers[j].notify_up, *st.vs, &st.vs->real_servers[j], true);
    raise_fd_limit(probes_.size());
    for (Probe* p : fresh) p->check->start(jitter_);
    quorum_unsettled_ = true;  // forwarding's apply() decides next
    log::info("health checks: ", probes_.size(), " probe(s) for ", checkers, " checker(s) (", fresh.size(),
              " started, ", kept, " kept, ", stopped, " stopped)");
}

void CheckSubsystem::prepare_scripts(const config::Model& m) {
    std::unordered_map<const config::Script*, std::shared_ptr<const ScriptCommand>> prepared;
    ScriptUserCache users;
    auto add = [&](const config::Box<config::Script>& s, const std::string& head) {
        if (!s) return;
        const config::ScriptUser* own = s->user ? &*s->user : nullptr;
        prepared.emplace(s.get(), std::make_shared<const ScriptCommand>(
                                      prepare_script(head, s->command, own, &m.global, users)));
    };
    for (const auto& vs : m.lvs.virtual_servers) {
        add(vs.quorum_up, "quorum_up of VS " + vs_text(vs));
        add(vs.quorum_down, "quorum_down of VS " + vs_text(vs));
        for (const auto& rs : vs.real_servers) {
            if (!rs.notify_up && !rs.notify_down) continue;
            add(rs.notify_up, "notify_up of " + rs_text(rs) + " in VS " + vs_text(vs));
            add(rs.notify_down, "notify_down of " + rs_text(rs) + " in VS " + vs_text(vs));
        }
    }
    scripts_ = std::move(prepared);
}

void CheckSubsystem::notify(const config::Box<config::Script>& script, const config::VirtualServer& vs,
                            const config::RealServer* rs, bool up, Duration timeout) {
    if (!script) return;
    if (notify_) return notify_(*script, vs, rs, up);
    auto it = scripts_.find(script.get());
    if (it == scripts_.end()) return;  // not of the current model
    std::string what = rs ? std::string(up ? "notify_up of " : "notify_down of ") + rs_text(*rs) + " in VS " + vs_text(vs)
                          : std::string(up ? "quorum_up of VS " : "quorum_down of VS ") + vs_text(vs);
    runner_.run(it->second, std::move(what), timeout);
}

void CheckSubsystem::stop(const config::StopOptions&) {
    // keepalived clear_service_rs/update_vs_notifies with omega: the down
    // notifiers "where appropriate": servers that were up, quorums that
    // were up. (keepalived 2.2 runs quorum_down even when the quorum was
    // already down; a second "down" tells a script nothing.)
    if (quorum_unsettled_) settle_all_quorums();
    for (uint32_t i = 0; i < vss_.size(); ++i) {
        VsState& st = vss_[i];
        const auto& vs = *st.vs;
        if (!vs.omega) continue;
        for (uint32_t j = 0; j < vs.real_servers.size(); ++j) {
            const auto& rs = vs.real_servers[j];
            if (st.failing[j] != 0 || !rs.notify_down) continue;
            log::info("shutting down: ", rs_text(rs), " leaves VS ", vs_text(vs), " (omega)");
            notify(rs.notify_down, vs, &rs, false, kShutdownScriptTimeout);
        }
        if (st.quorum.last().value_or(false) && vs.quorum_down) {
            log::info("shutting down: VS ", vs_text(vs), " loses its quorum (omega)");
            notify(vs.quorum_down, vs, nullptr, false, kShutdownScriptTimeout);
        }
    }
    probes_.clear();
}

void CheckSubsystem::on_transition(const std::string& key, const ScheduledCheck::Transition& t) {
    auto it = probes_.find(key);
    if (it == probes_.end()) return;
    if (quorum_unsettled_) settle_all_quorums();
    const ScheduledCheck& check = *it->second->check;
    if (!t.up_changed) {
        if (t.weight_changed) on_weight_change(check, it->second->users, t);
        return;
    }
    const uint32_t retry = check.schedule().retry;
    std::string head = check.checker().describe();
    if (t.up) head += " succeeded";
    else {
        head += " " + t.result->detail;
        if (retry) head += log::concat(" (retry ", t.retries, "/", retry, ")");
    }

    std::vector<uint32_t> changed_vs;
    std::vector<Use> due;  // notify scripts to run
    std::string reason;
    size_t changes = 0;
    for (const Use& u : it->second->users) {
        VsState& st = vss_[u.vs];
        const auto& rs = st.vs->real_servers[u.rs];
        uint32_t& failing = st.failing[u.rs];
        const bool was_up = failing == 0;
        if (t.up) {
            if (failing) --failing;
        } else {
            ++failing;
        }
        const bool now_up = failing == 0;
        const bool inhibit = rs.inhibit_on_failure.value_or(st.vs->inhibit_on_failure);
        const std::string where = rs_text(rs) + (inhibit ? " in VS " : (now_up ? " to VS " : " from VS ")) + vs_text(*st.vs);
        if (was_up == now_up) {
            if (now_up) log::info(head, "; ", rs_text(rs), " stays in VS ", vs_text(*st.vs));
            else if (t.up)
                log::info(head, "; ", rs_text(rs), " stays out of VS ", vs_text(*st.vs), ": ", failing,
                          " other checker(s) failing");
            else log::info(head, "; ", rs_text(rs), " already out of VS ", vs_text(*st.vs));
            continue;
        }
        if (inhibit)
            log::info(head, now_up ? "; restoring the weight of " : "; setting weight 0 of ", where,
                      " (inhibit_on_failure)");
        else
            log::info(head, now_up ? "; adding " : "; removing ", where);
        if (changed_vs.empty() || changed_vs.back() != u.vs) changed_vs.push_back(u.vs);
        if (now_up ? rs.notify_up : rs.notify_down) due.push_back(u);
        if (++changes == 1)
            reason = "real server " + rs_text(rs) + (now_up ? " up" : " down") + " (" +
                     check.checker().describe() + (t.up ? " succeeded" : " " + t.result->detail) + ")";
    }
    if (changes == 0) return;
    if (changes > 1) reason = std::to_string(changes) + " real servers " + (t.up ? "up" : "down") + " (" +
                              check.checker().describe() + (t.up ? " succeeded" : " " + t.result->detail) + ")";
    if (on_change_) on_change_(reason);
    // keepalived perform_svr_state: the server's notifier, then the quorum's.
    for (const Use& u : due) {
        const auto& vs = *vss_[u.vs].vs;
        const auto& rs = vs.real_servers[u.rs];
        notify(t.up ? rs.notify_up : rs.notify_down, vs, &rs, t.up);
    }
    std::sort(changed_vs.begin(), changed_vs.end());
    changed_vs.erase(std::unique(changed_vs.begin(), changed_vs.end()), changed_vs.end());
    for (uint32_t i : changed_vs) settle_quorum(i, true);
}

// An up checker asked for another weight: its real servers stay in, with
// a new effective weight (keepalived update_svr_wgt: "Changing weight ...").
void CheckSubsystem::on_weight_change(const ScheduledCheck& check, const std::vector<Use>& users,
                                      const ScheduledCheck::Transition& t) {
    const std::string head = check.checker().describe() + " " +
                             (t.result->detail.empty() ? std::string("succeeded") : t.result->detail);
    std::vector<uint32_t> changed_vs;
    std::string reason;
    size_t changes = 0;
    for (const Use& u : users) {
        const VsState& st = vss_[u.vs];
        const auto& rs = st.vs->real_servers[u.rs];
        const int64_t now = effective_weight(*st.vs, rs);
        const int64_t iweight = rs.weight ? *rs.weight : 1;
        const int64_t before = now - (check.weight() ? check.weight()->offset(iweight) : 0) +
                               (t.old_weight ? t.old_weight->offset(iweight) : 0);
        if (now == before) continue;
        const bool live = st.failing[u.rs] == 0;
        log::info(head, "; weight of ", rs_text(rs), " in VS ", vs_text(*st.vs), ": ", before, " -> ", now,
                  live ? "" : " (out of the VS: other checker(s) failing)");
        if (!live) continue;
        if (changed_vs.empty() || changed_vs.back() != u.vs) changed_vs.push_back(u.vs);
        if (++changes == 1)
            reason = "weight of real server " + rs_text(rs) + " " + std::to_string(before) + " -> " +
                     std::to_string(now) + " (" + head + ")";
    }
    if (changes == 0) return;
    if (changes > 1) reason = std::to_string(changes) + " real server weights changed (" + head + ")";
    if (on_change_) on_change_(reason);
    std::sort(changed_vs.begin(), changed_vs.end());
    changed_vs.erase(std::unique(changed_vs.begin(), changed_vs.end()), changed_vs.end());
    for (uint32_t i : changed_vs) settle_quorum(i, true);
}

void CheckSubsystem::settle_quorum(uint32_t i, bool log_change) {
    VsState& st = vss_[i];
    const config::VirtualServer& vs = *st.vs;
    const forward::Quorum::Settled q = st.quorum.settle(vs, *this);
    if (!log_change || !q.changed) return;
    log::info("VS ", vs_text(vs), ": quorum ", q.up ? "gained" : "lost", " (live weight ", q.live, ", quorum ",
              vs.quorum, ", hysteresis ", vs.hysteresis, ")");
    // keepalived do_vs_notifies: quorum_up / quorum_down on a change.
    notify(q.up ? vs.quorum_up : vs.quorum_down, vs, nullptr, q.up);
}

void CheckSubsystem::settle_all_quorums() {
    for (uint32_t i = 0; i < vss_.size(); ++i) settle_quorum(i, true);
    quorum_unsettled_ = false;
}

const CheckSubsystem::VsState* CheckSubsystem::vs_state(const config::VirtualServer& vs) const {
    auto it = vs_index_.find(&vs);
    return it == vs_index_.end() ? nullptr : &vss_[it->second];
}

std::optional<uint32_t> CheckSubsystem::failing(const config::VirtualServer& vs, const config::RealServer& rs) const {
    const VsState* st = vs_state(vs);
    if (!st || vs.real_servers.empty()) return std::nullopt;
    const config::RealServer* first = vs.real_servers.data();
    if (&rs < first || &rs >= first + vs.real_servers.size()) return std::nullopt;
    return st->failing[static_cast<size_t>(&rs - first)];
}

bool CheckSubsystem::is_up(const config::VirtualServer& vs, const config::RealServer& rs) const {
    if (auto f = failing(vs, rs)) return *f == 0;
    return forward::InitialPool().is_up(vs, rs);
}

int64_t CheckSubsystem::effective_weight(const config::VirtualServer& vs, const config::RealServer& rs) const {
    const int64_t iweight = rs.weight ? *rs.weight : 1;
    const VsState* st = vs_state(vs);
    if (!st || vs.real_servers.empty()) return iweight;
    const config::RealServer* first = vs.real_servers.data();
    if (&rs < first || &rs >= first + vs.real_servers.size()) return iweight;
    int64_t w = iweight;
    for (const ScheduledCheck* c : st->checks[static_cast<size_t>(&rs - first)])
        if (c->weight()) w += c->weight()->offset(iweight);
    return w;
}

std::optional<bool> CheckSubsystem::quorum_was_up(const config::VirtualServer& vs) const {
    const VsState* st = vs_state(vs);
    return st ? st->quorum.last() : std::nullopt;
}

std::optional<std::string> CheckSubsystem::disabled(const config::Checker& c) const {
    auto it = disabled_.find(probe_key(c, model_));
    if (it == disabled_.end()) return std::nullopt;
    return it->second;
}

const ScheduledCheck* CheckSubsystem::probe_of(const config::Checker& c) const {
    auto it = probes_.find(probe_key(c, model_));
    return it == probes_.end() ? nullptr : it->second->check.get();
}

void CheckSubsystem::dump_state(std::ostream& os) const { dump_state_later()(os); }

std::function<void(std::ostream&)> CheckSubsystem::dump_state_later() const {
    std::ostringstream head;
    head << "# health checks: " << probes_.size() << " probe(s)\n";
    // Whether the scheduler keeps up (bench/check-tcp.sh reads these lines).
    head << "# check attempts: " << stats_.count() << ", lateness max " << ms_text(stats_.max()) << " p99 "
         << ms_text(stats_.percentile(0.99)) << " p50 " << ms_text(stats_.percentile(0.5)) << "\n";
    if (stats_.count()) {
        head << "# check lateness histogram (us:count): ";
        stats_.write_histogram(head);
        head << "\n";
    }
    head << "# notify scripts: " << runner_.started() << " started, " << runner_.failed() << " failed, "
         << runner_.dropped() << " dropped, " << runner_.running() << " running, " << runner_.queued()
         << " queued\n";
    struct Row {
        std::shared_ptr<const std::string> description;
        bool up;
        uint64_t attempts;
        size_t users;
        std::optional<Duration> next;  // nullopt: an attempt in progress
    };
    std::vector<Row> rows;
    rows.reserve(probes_.size());
    const MonoTime now = loop_.now();
    for (const auto& [key, probe] : probes_) {
        const ScheduledCheck& c = *probe->check;
        const auto next = c.next_attempt();
        rows.push_back(Row{c.description(), c.up(), c.attempts(), probe->users.size(),
                           next ? std::optional<Duration>(*next - now) : std::nullopt});
    }
    return [head = head.str(), rows = std::move(rows)](std::ostream& os) mutable {
        os << head;
        std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return *a.description < *b.description; });
        for (const Row& r : rows) {
            os << "# " << *r.description << ": " << (r.up ? "up" : "down") << ", " << r.attempts
               << " attempt(s), used by " << r.users << " real server(s)";
            if (r.next) os << ", next in " << log::secs(*r.next);
            else os << ", attempt in progress";
            os << "\n";
        }
    };
}

}  // namespace halbd::check
