// core/process_monitor.hh: ProcessMonitor, the kernel's processes as
// vrrp_track_process sees them: a list of the running ones, the name and
// command line of one, and events (fork, exec, comm change, exit) while a
// listener is set. ProcConnectorMonitor (the netlink proc connector plus
// /proc) is the real one, FakeProcessMonitor the one of tests. The VRRP
// TrackerSet is the only listener; it fans events out to its trackers.
#pragma once

#include <cerrno>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hh"

namespace halbd::core {

struct ProcessInfo {
    int pid = 0;
    std::string comm;                  // /proc/PID/comm (at most 15 characters)
    std::vector<std::string> cmdline;  // argv, read only when asked for
};

struct ProcessEvent {
    // Lost: events were dropped (socket overrun); the listener scans again.
    enum class Kind : uint8_t { Fork, Exec, Comm, Exit, Lost };
    Kind kind;
    int pid;         // the new child for Fork
    int parent = 0;  // Fork only
};

class ProcessMonitor {
public:
    using Listener = std::function<void(const ProcessEvent&)>;
    virtual ~ProcessMonitor() = default;
    // The pids in /proc (zombies included: read() leaves them out), in no order.
    virtual std::vector<int> list() = 0;
    // One process (cmdline filled when `cmdline`); nullopt when gone or a zombie.
    virtual std::optional<ProcessInfo> read(int pid, bool cmdline) = 0;
    // Starts event delivery to `l` (null: stops it). An error means no events
    // will come: the caller polls list() instead.
    virtual Status listen(Listener l) = 0;
};

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
