// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/support/fake_backend.cc: see fake_backend.hh. Errors mirror what the IPVS
// netlink interface returns for the same request, in words.
#include "support/fake_backend.hh"

#include <cerrno>
#include <cstring>

#include "forward/ipvs/ipvs_capabilities.hh"

namespace halbd::forward {

namespace {
core::Error err(int code, std::string msg) { return core::Error{code, std::move(msg)}; }
}  // namespace

std::string FakeBackend::name() const { return ipvs::kBackendName; }
const config::ForwardCapabilities& FakeBackend::capabilities() const { return ipvs::capabilities(); }

void FakeBackend::fail_on(Call call, int e, std::optional<ServiceKey> service, std::optional<DestKey> dest,
                          std::string message) {
    if (service) service = service->canonical();
    failures_.push_back(Failure{call, e, std::move(service), std::move(dest), std::move(message)});
}

std::optional<core::Error> FakeBackend::injected(Call c, const ServiceKey* s, const DestKey* d) const {
    for (const auto& f : failures_) {
        if (f.call != c) continue;
        if (f.service && (!s || !(*f.service == s->canonical()))) continue;
        if (f.dest && (!d || !(*f.dest == *d))) continue;
        return err(f.err, f.message.empty() ? std::strerror(f.err) : f.message);
    }
    return std::nullopt;
}

void FakeBackend::record(std::string line) {
    ++writes_;
    journal_.push_back(std::move(line));
}

core::Result<ServiceTable> FakeBackend::dump() {
    ++dumps_;
    if (auto e = injected(Call::Dump, nullptr, nullptr)) return *e;
    ServiceTable t = table_;
    for (auto& [k, s] : t) s.params.flags |= svc_flags::hashed;  // as the kernel reports them
    return t;
}

core::Status FakeBackend::add_service(const ServiceKey& key0, const ServiceParams& p) {
    const ServiceKey key = key0.canonical();
    record("add_service " + key.to_string());
    if (auto e = injected(Call::AddService, &key, nullptr)) return *e;
    if (table_.count(key)) return err(EEXIST, "service " + key.to_string() + " already exists");
    if (!schedulers_.empty() && !schedulers_.count(p.scheduler))
        return err(ENOENT, "scheduler '" + p.scheduler + "' not available in this kernel");
    Service s;
    s.key = key;
    s.params = p;
    s.params.flags &= ~svc_flags::hashed;
    table_[key] = std::move(s);
    return core::Ok{};
}

core::Status FakeBackend::update_service(const ServiceKey& key0, const ServiceParams& p) {
    const ServiceKey key = key0.canonical();
    record("update_service " + key.to_string());
    if (auto e = injected(Call::UpdateService, &key, nullptr)) return *e;
    auto it = table_.find(key);
    if (it == table_.end()) return err(ESRCH, "service " + key.to_string() + " does not exist");
    if (!schedulers_.empty() && !schedulers_.count(p.scheduler))
        return err(ENOENT, "scheduler '" + p.scheduler + "' not available in this kernel");
    it->second.params = p;
    it->second.params.flags &= ~svc_flags::hashed;
    return core::Ok{};
}

core::Status FakeBackend::delete_service(const ServiceKey& key0) {
    const ServiceKey key = key0.canonical();
    record("delete_service " + key.to_string());
    if (auto e = injected(Call::DeleteService, &key, nullptr)) return *e;
    if (!table_.erase(key)) return err(ESRCH, "service " + key.to_string() + " does not exist");
    return core::Ok{};
}

core::Status FakeBackend::add_dest(const ServiceKey& key0, const DestKey& d, const DestParams& p) {
    const ServiceKey key = key0.canonical();
    record("add_dest " + key.to_string() + " " + d.to_string());
    if (auto e = injected(Call::AddDest, &key, &d)) return *e;
    auto it = table_.find(key);
    if (it == table_.end()) return err(ESRCH, "service " + key.to_string() + " does not exist");
    if (it->second.dests.count(d))
        return err(EEXIST, "real server " + d.to_string() + " already in " + key.to_string());
    it->second.dests[d] = p;
    return core::Ok{};
}

core::Status FakeBackend::update_dest(const ServiceKey& key0, const DestKey& d, const DestParams& p) {
    const ServiceKey key = key0.canonical();
    record("update_dest " + key.to_string() + " " + d.to_string());
    if (auto e = injected(Call::UpdateDest, &key, &d)) return *e;
    auto it = table_.find(key);
    if (it == table_.end()) return err(ESRCH, "service " + key.to_string() + " does not exist");
    auto dt = it->second.dests.find(d);
    if (dt == it->second.dests.end())
        return err(ENOENT, "real server " + d.to_string() + " not in " + key.to_string());
    dt->second = p;
    return core::Ok{};
}

core::Status FakeBackend::delete_dest(const ServiceKey& key0, const DestKey& d) {
    const ServiceKey key = key0.canonical();
    record("delete_dest " + key.to_string() + " " + d.to_string());
    if (auto e = injected(Call::DeleteDest, &key, &d)) return *e;
    auto it = table_.find(key);
    if (it == table_.end()) return err(ESRCH, "service " + key.to_string() + " does not exist");
    if (!it->second.dests.erase(d))
        return err(ENOENT, "real server " + d.to_string() + " not in " + key.to_string());
    return core::Ok{};
}

core::Status FakeBackend::flush() {
    record("flush");
    if (auto e = injected(Call::Flush, nullptr, nullptr)) return *e;
    table_.clear();
    return core::Ok{};
}

core::Result<Timeouts> FakeBackend::get_timeouts() {
    if (auto e = injected(Call::GetTimeouts, nullptr, nullptr)) return *e;
    return timeouts_;
}

core::Status FakeBackend::set_timeouts(const Timeouts& t) {
    record("set_timeouts " + std::to_string(t.tcp) + " " + std::to_string(t.tcp_fin) + " " + std::to_string(t.udp));
    if (auto e = injected(Call::SetTimeouts, nullptr, nullptr)) return *e;
    if (t.tcp) timeouts_.tcp = t.tcp;  // 0 = unchanged, as in the kernel
    if (t.tcp_fin) timeouts_.tcp_fin = t.tcp_fin;
    if (t.udp) timeouts_.udp = t.udp;
    return core::Ok{};
}

core::Status FakeBackend::start_sync_daemon(const SyncDaemon& d) {
    const bool master = d.role == SyncDaemon::Role::Master;
    record(std::string("start_sync_daemon ") + (master ? "master " : "backup ") + d.ifname);
    if (auto e = injected(Call::StartDaemon, nullptr, nullptr)) return *e;
    auto& slot = master ? master_ : backup_;
    if (slot) return err(EEXIST, std::string(master ? "master" : "backup") + " sync daemon already running");
    slot = d;
    return core::Ok{};
}

core::Status FakeBackend::stop_sync_daemon(SyncDaemon::Role role) {
    const bool master = role == SyncDaemon::Role::Master;
    record(std::string("stop_sync_daemon ") + (master ? "master" : "backup"));
    if (auto e = injected(Call::StopDaemon, nullptr, nullptr)) return *e;
    auto& slot = master ? master_ : backup_;
    if (!slot) return err(ESRCH, std::string(master ? "master" : "backup") + " sync daemon not running");
    slot.reset();
    return core::Ok{};
}

}  // namespace halbd::forward
