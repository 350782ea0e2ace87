// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/notifier.cc: see notifier.hh. keepalived order: the state's own
// script first, then the generic `notify`; FIFO lines in event order.
#include "vrrp/notifier.hh"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/log.hh"
#include "core/script_user.hh"

namespace halbd::vrrp {

namespace {

// A notify script: what it starts (a daemon) may outlive it, as with keepalived.
ScriptSpec notify_spec(const std::string& what, const config::Script& c, const config::GlobalDefs& g) {
    ScriptSpec s = ScriptSpec::resolve(what, c.command, c.user, g);
    s.leftovers_survive = true;
    return s;
}

}  // namespace

std::string fifo_line(bool group, const std::string& name, std::string_view state, int priority) {
    return log::concat(group ? "GROUP" : "INSTANCE", " \"", name, "\" ", state, ' ', priority, '\n');
}

// keepalived stops its FIFO scripts with the daemon; notify scripts run on.
Notifier::~Notifier() {
    for (Fifo* f : {&fifo_, &vrrp_fifo_})
        if (f->reader) f->reader->terminate();
}

Notifier::Scripts Notifier::resolve(const std::string& who, const std::optional<config::Script>& master,
                                    const std::optional<config::Script>& backup,
                                    const std::optional<config::Script>& fault,
                                    const std::optional<config::Script>& stop,
                                    const std::optional<config::Script>& generic, const config::GlobalDefs& g) {
    Scripts s;
    auto one = [&](const std::optional<config::Script>& c, const char* kw) -> std::optional<ScriptSpec> {
        if (!c) return std::nullopt;
        return notify_spec(who + " " + kw, *c, g);
    };
    s.master = one(master, "notify_master");
    s.backup = one(backup, "notify_backup");
    s.fault = one(fault, "notify_fault");
    s.stop = one(stop, "notify_stop");
    s.generic = one(generic, "notify");
    return s;
}

void Notifier::configure(const config::Model& m) {
    deleting_.clear();
    instances_.clear();
    groups_.clear();
    for (const auto& v : m.vrrp.vrrp_instance) {
        Scripts s = resolve(v.name + ":", v.notify_master, v.notify_backup, v.notify_fault, v.notify_stop, v.notify,
                            m.global);
        if (v.notify_master_rx_lower_pri)
            s.rx_lower = notify_spec(v.name + ": notify_master_rx_lower_pri", *v.notify_master_rx_lower_pri, m.global);
        s.priority_changes = v.notify_priority_changes.value_or(m.global.vrrp_notify_priority_changes);
        s.notify_deleted = v.notify_deleted_set;
        if (v.notify_deleted)
            s.deleted = notify_spec(v.name + ": notify_deleted", *v.notify_deleted, m.global);
        instances_[v.name] = std::move(s);
    }
    for (const auto& g : m.vrrp.vrrp_sync_group)
        groups_[g.name] = resolve(g.name + ":", g.notify_master, g.notify_backup, g.notify_fault, g.notify_stop,
                                  g.notify, m.global);
    open_fifo(fifo_, m.global.notify_fifo, "notify_fifo");
    open_fifo(vrrp_fifo_, m.global.vrrp_notify_fifo, "vrrp_notify_fifo");
    start_reader(fifo_, m.global.notify_fifo_script, m.global, "notify_fifo_script");
    start_reader(vrrp_fifo_, m.global.vrrp_notify_fifo_script, m.global, "vrrp_notify_fifo_script");
}

void Notifier::start_reader(Fifo& f, const std::optional<config::Script>& script, const config::GlobalDefs& g,
                            const char* keyword) {
    const std::string cmd = script && f.fd.get() >= 0 ? script->command : std::string();
    if (cmd == f.script && (cmd.empty() || f.reader)) return;
    if (f.reader) f.reader->terminate();
    f.reader.reset();
    f.script = cmd;
    if (cmd.empty()) return;
    const ScriptSpec spec = ScriptSpec::resolve(keyword, cmd, script->user, g);
    if (!spec.refused.empty()) return;
    auto r = runner_.run(spec, {f.path}, std::nullopt, [fp = &f, keyword](const core::ExitStatus& st) {
        Fifo& ff = *fp;
        log::warning(keyword, " ", ff.script, " ended: ", st.describe(), "; started again on reload");
        ff.script.clear();
        auto keep = std::move(ff.reader);  // this run, destroyed last
    });
    if (!r) {
        log::error(keyword, " ", cmd, ": ", r.error().message);
        return;
    }
    log::info(keyword, " ", cmd, " started on ", f.path);
    f.reader = std::move(r.value());
}

void Notifier::open_fifo(Fifo& f, const std::optional<config::NotifyFifo>& cfg, const char* keyword) {
    const std::string path = cfg ? cfg->name : std::string();
    if (path == f.path && (path.empty() || f.fd.get() >= 0)) return;
    f.fd.reset();
    f.path = path;
    if (path.empty()) return;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        if (::mkfifo(path.c_str(), 0600) != 0) {
            log::error(keyword, " ", path, ": cannot create: ", std::strerror(errno), "; no FIFO notifications");
            return;
        }
        if (cfg->user) {
            auto cred = core::resolve_script_user(cfg->user->user, cfg->user->group);
            if (cred && ::chown(path.c_str(), cred->uid, cred->gid) != 0)
                log::warning(keyword, " ", path, ": cannot give it to ", cred->user, ": ", std::strerror(errno));
        }
    } else if (!S_ISFIFO(st.st_mode)) {
        log::error(keyword, " ", path, ": exists and is not a FIFO; no FIFO notifications");
        return;
    }
    // Read-write: the open never blocks nor fails for want of a reader, and
    // lines written before a reader comes wait in the pipe.
    f.fd = core::UniqueFd(::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC));
    if (f.fd.get() < 0) log::error(keyword, " ", path, ": cannot open: ", std::strerror(errno));
}

void Notifier::write_fifos(const std::string& line) {
    for (Fifo* f : {&fifo_, &vrrp_fifo_}) {
        if (f->fd.get() < 0) continue;
        const ssize_t n = ::write(f->fd.get(), line.data(), line.size());
        if (n == static_cast<ssize_t>(line.size())) {
            ++stats_.fifo_lines;
        } else {
            ++stats_.fifo_dropped;
            log::warning("notify FIFO ", f->path, ": line dropped (", n < 0 ? std::strerror(errno) : "short write",
                         ")");
        }
    }
}

void Notifier::run(const ScriptSpec& spec, std::vector<std::string> args) {
    if (!spec.refused.empty()) return;  // logged once at load
    const uint64_t id = next_run_++;
    const std::string cmd = spec.command;
    auto r = runner_.run(spec, args, kScriptTimeout, [this, id, cmd](const core::ExitStatus& st) {
        if (!st.success()) {
            ++stats_.script_errors;
            if (st.timed_out)
                log::warning("notify script ", cmd, ": killed after ", log::secs(kScriptTimeout), " (", st.describe(), ")");
            else log::warning("notify script ", cmd, ": ", st.describe());
        }
        running_.erase(id);
    });
    if (!r) {
        ++stats_.script_errors;
        log::error("notify script ", cmd, ": ", r.error().message);
        return;
    }
    ++stats_.scripts_started;
    running_[id] = std::move(r.value());
}

void Notifier::notify(const Scripts* s, bool group, const std::string& name, State to, int priority) {
    const std::optional<ScriptSpec>* own = !s                    ? nullptr
                                           : to == State::Master  ? &s->master
                                           : to == State::Backup  ? &s->backup
                                           : to == State::Fault   ? &s->fault
                                           : to == State::Stopped ? &s->stop
                                                                  : nullptr;
    notify_as(own, s, group, name, to_string(to), priority);
}

void Notifier::notify_as(const std::optional<ScriptSpec>* own, const Scripts* s, bool group, const std::string& name,
                         std::string_view state, int priority) {
    if (own && *own) run(**own, {});
    if (s && s->generic) run(*s->generic, {group ? "GROUP" : "INSTANCE", name, std::string(state), std::to_string(priority)});
    write_fifos(fifo_line(group, name, state, priority));
}

// keepalived: an instance deleted by a reload is notified FAULT (its
// notify_fault runs), unless notify_deleted: DELETED, and its script if any.
void Notifier::notify_deleted(const Scripts* s, const std::string& name, int priority) {
    log::info(name, ": removed by reload; notified ", s && s->notify_deleted ? "DELETED" : "FAULT");
    if (s && s->notify_deleted)
        notify_as(&s->deleted, s, false, name, "DELETED", priority);
    else
        notify(s, false, name, State::Fault, priority);
}

void Notifier::on_instance(Instance& i, const InstanceEvent& e) {
    auto it = instances_.find(i.name());
    const Scripts* s = it == instances_.end() ? nullptr : &it->second;
    switch (e.kind) {
        case InstanceEvent::Kind::StateChange:
            if (e.to == State::Initialize || e.from == e.to) return;
            if (e.to == State::Stopped && deleting_.erase(i.name()))
                notify_deleted(s, i.name(), i.effective_priority());
            else
                notify(s, false, i.name(), e.to, i.effective_priority());
            return;
        case InstanceEvent::Kind::MasterRxLowerPriority:
            if (s && s->rx_lower) run(*s->rx_lower, {});
            write_fifos(fifo_line(false, i.name(), "MASTER_RX_LOWER_PRI", i.effective_priority()));
            return;
        case InstanceEvent::Kind::PriorityChanged:
            if (!s || !s->priority_changes) return;
            if (i.state() == State::Master || i.state() == State::Backup)
                write_fifos(fifo_line(false, i.name(), i.state() == State::Master ? "MASTER_PRIORITY" : "BACKUP_PRIORITY",
                                      e.priority));
            return;
        case InstanceEvent::Kind::FaultSourcesChanged: return;
    }
}

void Notifier::on_group(const std::string& group, State to) {
    auto it = groups_.find(group);
    notify(it == groups_.end() ? nullptr : &it->second, true, group, to, 0);
}

}  // namespace halbd::vrrp
