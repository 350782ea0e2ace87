// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// ctl/view_sync.cc: `halbctl sync`, the connection sync's state (the
// SyncStats of sync/subsystem.hh) as text or JSON; the JSON members are
// listed in halbctl(8).
#include <sstream>

#include "ctl/json.hh"
#include "ctl/views.hh"
#include "sync/subsystem.hh"

namespace halbd::ctl {

namespace {

double millis(Duration d) { return seconds(d) * 1000.0; }

}  // namespace

std::string sync_view(const sync::SyncStats& s, Format f) {
    const sync::PeerCounters& p = s.peer;
    if (f == Format::Json) {
        JsonWriter w;
        w.begin_object()
            .member("follows", s.follows)
            .member("master", s.master)
            .member("peer_alive", s.peer_alive)
            .member("bulk", sync::to_string(s.bulk))
            .member("internal_cache", uint64_t{s.internal_size})
            .member("external_cache", uint64_t{s.external_size})
            .member("sent", s.sent)
            .member("received", s.received)
            .member("coalesced", s.coalesced)
            .member("messages_sent", p.msgs_sent)
            .member("messages_received", p.msgs_received)
            .member("bytes_sent", p.bytes_sent)
            .member("bytes_received", p.bytes_received)
            .member("retransmitted", p.retransmitted)
            .member("nacks_sent", p.nacks_sent)
            .member("nacks_received", p.nacks_received)
            .member("resyncs_requested", p.resyncs_requested)
            .member("resyncs_served", p.resyncs_served)
            .member("malformed", p.malformed)
            .member("auth_failures", p.auth_failures)
            .member("send_errors", p.send_errors)
            .member("kernel_events", s.kernel_events)
            .member("kernel_resyncs", s.kernel_resyncs)
            .member("commits", s.commits)
            .member("commits_late", s.commits_late)
            .member("committed", s.committed)
            .member("commit_failed", s.commit_failed)
            .member("last_commit_entries", uint64_t{s.last_commit_entries})
            .member("last_commit_ms", millis(s.last_commit))
            .member("last_commit_error", s.last_commit_error)
            .member("lag_last_ms", millis(s.lag_last))
            .member("lag_max_ms", millis(s.lag_max))
            .member("expectation_sync", s.expectations)
            .member("exp_internal_cache", uint64_t{s.exp.internal})
            .member("exp_external_cache", uint64_t{s.exp.external})
            .member("exp_sent", s.exp.sent)
            .member("exp_received", s.exp.received)
            .member("exp_committed", s.exp.committed)
            .member("exp_commit_failed", s.exp.commit_failed)
            .member("exp_last_commit_error", s.exp.last_commit_error)
            .end_object();
        return w.str() + "\n";
    }
    std::ostringstream os;
    os << "following " << s.follows << " (" << (s.master ? "MASTER" : "not MASTER") << ")\n"
       << "peer: " << (s.peer_alive ? "up" : "down") << ", full table " << sync::to_string(s.bulk)
       << (s.bulk == sync::Bulk::Waiting ? " (preemption held)" : "") << "\n"
       << "caches: internal " << s.internal_size << ", external " << s.external_size << "\n"
       << "connections: sent " << s.sent << ", received " << s.received << ", coalesced " << s.coalesced << "\n"
       << "messages: sent " << p.msgs_sent << " (" << p.bytes_sent << " bytes), received " << p.msgs_received << " ("
       << p.bytes_received << " bytes), retransmitted " << p.retransmitted << ", NACKs sent " << p.nacks_sent
       << ", received " << p.nacks_received << "\n"
       << "resyncs: requested " << p.resyncs_requested << ", served " << p.resyncs_served << ", kernel re-reads "
       << s.kernel_resyncs << "\n"
       << "dropped: malformed " << p.malformed << ", auth failures " << p.auth_failures << ", send errors "
       << p.send_errors << "\n"
       << "commits: " << s.commits << " (late " << s.commits_late << "), committed " << s.committed << ", refused "
       << s.commit_failed << (s.last_commit_error.empty() ? "" : " (" + s.last_commit_error + ")") << "\n"
       << "last commit: " << s.last_commit_entries << " in " << millis(s.last_commit) << " ms\n"
       << "replication lag (kernel event to peer): last " << millis(s.lag_last) << " ms, max " << millis(s.lag_max)
       << " ms\n";
    if (s.expectations)
        os << "expectations: ours " << s.exp.internal << ", peer's " << s.exp.external << ", sent " << s.exp.sent
           << ", received " << s.exp.received << ", committed " << s.exp.committed << ", refused "
           << s.exp.commit_failed << (s.exp.last_commit_error.empty() ? "" : " (" + s.exp.last_commit_error + ")")
           << "\n";
    return os.str();
}

}  // namespace halbd::ctl
