// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/support/fake_process_monitor.hh: FakeProcessMonitor, the
// ProcessMonitor of unit tests: processes live in a map; the test starts,
// forks, renames and ends them, and each step is an event to the listener.
#pragma once

#include <cerrno>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/process_monitor.hh"

namespace halbd::core {

// In-memory processes; tests start, fork, rename and end them.
class FakeProcessMonitor final : public ProcessMonitor {
public:
    std::vector<int> list() override {
        std::vector<int> out;
        for (const auto& [pid, p] : procs_) out.push_back(pid);
        return out;
    }
    std::optional<ProcessInfo> read(int pid, bool cmdline) override {
        ++reads_;
        auto it = procs_.find(pid);
        if (it == procs_.end()) return std::nullopt;
        ProcessInfo p = it->second;
        if (!cmdline) p.cmdline.clear();
        return p;
    }
    Status listen(Listener l) override {
        if (l && fail_listen_) return Error{ECONNREFUSED, "proc connector: Connection refused"};
        listener_ = std::move(l);
        return Ok{};
    }
    bool listening() const { return static_cast<bool>(listener_); }
    void fail_listen(bool f) { fail_listen_ = f; }
    int reads() const { return reads_; }

    // Without an event: what a /proc scan finds before the listener is set.
    void add(int pid, std::string comm, std::vector<std::string> cmdline = {}) {
        procs_[pid] = ProcessInfo{pid, std::move(comm), std::move(cmdline)};
    }
    void exec(int pid, std::string comm, std::vector<std::string> cmdline = {}) {
        add(pid, std::move(comm), std::move(cmdline));
        emit({ProcessEvent::Kind::Exec, pid});
    }
    void fork(int parent, int child) {
        auto p = procs_.at(parent);
        p.pid = child;
        procs_[child] = p;
        emit({ProcessEvent::Kind::Fork, child, parent});
    }
    void rename(int pid, std::string comm) {
        procs_.at(pid).comm = std::move(comm);
        emit({ProcessEvent::Kind::Comm, pid});
    }
    void exit(int pid) {
        procs_.erase(pid);
        emit({ProcessEvent::Kind::Exit, pid});
    }

private:
    void emit(const ProcessEvent& e) {
        if (listener_) listener_(e);
    }
    std::map<int, ProcessInfo> procs_;
    Listener listener_;
    bool fail_listen_ = false;
    int reads_ = 0;
};

}  // namespace halbd::core
