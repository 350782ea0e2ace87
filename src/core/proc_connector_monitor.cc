// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// core/proc_connector_monitor.cc: see proc_connector_monitor.hh. Thread
// events are left out: only fork/exec/comm/exit of thread group leaders
// (pid == tgid) change which processes exist or what they are called.
#include "core/proc_connector_monitor.hh"

#include <dirent.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace halbd::core {

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Sends PROC_CN_MCAST_LISTEN / _IGNORE to the connector.
Status send_op(int fd, proc_cn_mcast_op op) {
    alignas(nlmsghdr) uint8_t buf[NLMSG_SPACE(sizeof(cn_msg) + sizeof(proc_cn_mcast_op))] = {};
    auto* h = reinterpret_cast<nlmsghdr*>(buf);
    h->nlmsg_len = NLMSG_LENGTH(sizeof(cn_msg) + sizeof(proc_cn_mcast_op));
    h->nlmsg_type = NLMSG_DONE;
    h->nlmsg_pid = static_cast<uint32_t>(::getpid());
    auto* c = static_cast<cn_msg*>(NLMSG_DATA(h));
    c->id.idx = CN_IDX_PROC;
    c->id.val = CN_VAL_PROC;
    c->len = sizeof(proc_cn_mcast_op);
    std::memcpy(c->data, &op, sizeof op);
    if (::send(fd, buf, h->nlmsg_len, 0) < 0) return system_error("proc connector: subscribe");
    return Ok{};
}

}  // namespace

ProcConnectorMonitor::~ProcConnectorMonitor() { watch_.reset(); }

std::vector<int> ProcConnectorMonitor::list() {
    std::vector<int> out;
    DIR* d = ::opendir("/proc");
    if (!d) return out;
    while (dirent* e = ::readdir(d)) {
        char* end = nullptr;
        const long pid = std::strtol(e->d_name, &end, 10);
        if (pid > 0 && end && *end == '\0') out.push_back(static_cast<int>(pid));
    }
    ::closedir(d);
    return out;
}

std::optional<ProcessInfo> ProcConnectorMonitor::read(int pid, bool cmdline) {
    const std::string dir = "/proc/" + std::to_string(pid);
    // "PID (COMM) S ...": COMM may hold ')' and blanks, so the last ')' ends it.
    const std::string stat = slurp(dir + "/stat");
    const auto open = stat.find('('), close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close < open || close + 2 >= stat.size())
        return std::nullopt;
    const char state = stat[close + 2];
    if (state == 'Z' || state == 'X') return std::nullopt;  // not running any more
    ProcessInfo p;
    p.pid = pid;
    p.comm = stat.substr(open + 1, close - open - 1);
    if (cmdline) {
        const std::string raw = slurp(dir + "/cmdline");
        for (size_t pos = 0; pos < raw.size();) {
            const size_t nul = raw.find('\0', pos);
            const size_t end = nul == std::string::npos ? raw.size() : nul;
            p.cmdline.push_back(raw.substr(pos, end - pos));
            pos = end + 1;
        }
    }
    return p;
}

Status ProcConnectorMonitor::listen(Listener l) {
    listener_ = std::move(l);
    if (!listener_) {
        if (fd_) (void)send_op(fd_.get(), PROC_CN_MCAST_IGNORE);
        watch_.reset();
        fd_ = UniqueFd();
        return Ok{};
    }
    if (fd_) return Ok{};
    UniqueFd fd(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_CONNECTOR));
    if (!fd) return system_error("proc connector: socket");
    sockaddr_nl sa{};
    sa.nl_family = AF_NETLINK;
    sa.nl_groups = CN_IDX_PROC;
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) return system_error("proc connector: bind");
    int rcvbuf = 1 << 20;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    if (auto st = send_op(fd.get(), PROC_CN_MCAST_LISTEN); !st) return st;
    watch_ = loop_.watch_fd(fd.get(), fd_events::readable, [this](uint32_t) { on_readable(); });
    if (!watch_) return system_error("proc connector: watch");
    fd_ = std::move(fd);
    return Ok{};
}

void ProcConnectorMonitor::on_readable() {
    alignas(nlmsghdr) char buf[8192];
    for (int i = 0; i < 64 && fd_; ++i) {  // bounded: the loop gets control back
        sockaddr_nl from{};
        socklen_t from_len = sizeof from;
        ssize_t n = ::recvfrom(fd_.get(), buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &from_len);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == ENOBUFS && listener_) {
                listener_({ProcessEvent::Kind::Lost, 0});
                continue;
            }
            return;  // EAGAIN: drained
        }
        if (from_len != sizeof from || from.nl_pid != 0) continue;  // only the kernel speaks here
        size_t len = static_cast<size_t>(n);
        for (auto* h = reinterpret_cast<const nlmsghdr*>(buf); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
            if (h->nlmsg_len < NLMSG_LENGTH(sizeof(cn_msg) + sizeof(proc_event))) continue;
            const auto* c = static_cast<const cn_msg*>(NLMSG_DATA(h));
            if (c->id.idx != CN_IDX_PROC || c->id.val != CN_VAL_PROC) continue;
            proc_event ev;
            std::memcpy(&ev, c->data, sizeof ev);
            std::optional<ProcessEvent> out;
            switch (ev.what) {
            case proc_event::PROC_EVENT_FORK:
                if (ev.event_data.fork.child_pid == ev.event_data.fork.child_tgid)
                    out = ProcessEvent{ProcessEvent::Kind::Fork, ev.event_data.fork.child_pid,
                                       ev.event_data.fork.parent_tgid};
                break;
            case proc_event::PROC_EVENT_EXEC:
                if (ev.event_data.exec.process_pid == ev.event_data.exec.process_tgid)
                    out = ProcessEvent{ProcessEvent::Kind::Exec, ev.event_data.exec.process_pid};
                break;
            case proc_event::PROC_EVENT_COMM:
                if (ev.event_data.comm.process_pid == ev.event_data.comm.process_tgid)
                    out = ProcessEvent{ProcessEvent::Kind::Comm, ev.event_data.comm.process_pid};
                break;
            case proc_event::PROC_EVENT_EXIT:
                if (ev.event_data.exit.process_pid == ev.event_data.exit.process_tgid)
                    out = ProcessEvent{ProcessEvent::Kind::Exit, ev.event_data.exit.process_pid};
                break;
            default:
                break;
            }
            if (out && listener_) listener_(*out);
        }
    }
}

}  // namespace halbd::core
