// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/ipvs/ipvs_backend.cc: IpvsBackend, the socket side of IPVS: opens
// and resolves the generic-netlink family (loading ip_vs once if needed),
// sends writes in batches of many requests per datagram and matches the
// acks by sequence number, reads dumps, and turns kernel errnos into sentences. Messages are built and read by ipvs_codec.
#include "forward/ipvs/ipvs_backend.hh"

#include <linux/ip_vs.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/handlers.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>

#include "core/log.hh"
#include "core/spawn.hh"

namespace halbd::forward::ipvs {

struct IpvsBackend::Exchange {
    std::function<core::Status(std::span<const uint8_t>)> on_reply;
    uint32_t seq = 0;
    int kernel_error = 0;  // positive errno from an NLMSGERR, 0 if none
    bool done = false;
    std::optional<core::Error> reply_error;  // first undecodable reply
};

void IpvsBackend::SockFree::operator()(nl_sock* s) const noexcept { nl_socket_free(s); }

namespace {

struct CbFree {
    void operator()(nl_cb* cb) const noexcept { nl_cb_put(cb); }
};

using Object = IpvsBackend::Object;

std::string words(int code, Object obj, const std::string& scheduler, const std::string& pe) {
    switch (code) {
    case ENOENT:
        if (obj == Object::dest) return "no such destination";
        if (obj == Object::service) {
            // The kernel tries request_module("ip_vs_<name>") and answers ENOENT.
            if (!pe.empty())
                return "scheduler '" + scheduler + "' or persistence engine '" + pe +
                       "' not available in this kernel";
            return "scheduler '" + scheduler + "' not available in this kernel";
        }
        break;
    case EEXIST:
        if (obj == Object::daemon) return "a sync daemon in this role is already running";
        return "already exists";
    case ESRCH:
        if (obj == Object::daemon) return "no sync daemon is running in this role";
        return "no such service";
    case EINVAL:
        if (obj == Object::dest)
            return "invalid destination (the kernel refused its family, forwarding method or "
                   "tunnel settings)";
        if (obj == Object::daemon)
            return "invalid sync daemon settings (interface, maxlen or group), or a service has "
                   "destinations of the other address family (the sync protocol cannot carry them)";
        return "invalid parameters (refused by the kernel)";
    case ERANGE:
        return "weight or thresholds out of range";
    case EAFNOSUPPORT:
        return "address family not supported by IPVS here (IPv6 support missing?)";
    case ENODEV:
        return "no such interface";
    case EPERM:
    case EACCES:
        return "operation not permitted (CAP_NET_ADMIN is needed)";
    case ENOMEM:
        return "out of memory in the kernel";
    default:
        break;
    }
    return std::strerror(code);
}

// Reads the modprobe path the kernel itself uses; "modprobe" (looked up in
// the safe PATH) if unreadable.
std::string modprobe_path() {
    std::ifstream in("/proc/sys/kernel/modprobe");
    std::string path;
    if (in && std::getline(in, path) && !path.empty() && path[0] == '/') return path;
    return "modprobe";
}

// Runs `modprobe ip_vs` and waits for it; modprobe's output goes to
// /dev/null. Synchronous, so at most once per process: the first open runs
// at start, but ForwardSubsystem retries a failed open on every accepted
// reload, on the loop, and a HUP storm on a kernel without IPVS ran modprobe
// each time (up to 0.56 s each, bench/soak.sh). Later opens only look the
// family up again, which finds an ip_vs that the operator loaded by hand.
bool load_ip_vs() {
    static bool tried = false;
    if (tried) return false;
    tried = true;
    core::SpawnOptions opts;
    opts.argv = {modprobe_path(), "ip_vs"};
    auto child = core::spawn(opts);
    if (!child) {
        log::debug("ipvs: cannot run modprobe: ", child.error().message);
        return false;
    }
    int status = 0;
    while (::waitpid(child->pid, &status, 0) < 0) {
        if (errno != EINTR) return false;
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

core::Error nl_error(const std::string& what, int nlerr) {
    return core::Error{EPROTO, what + ": netlink: " + nl_geterror(nlerr)};
}

}  // namespace

BackendChoice IpvsBackend::choice() {
    return BackendChoice{ipvs::capabilities(), []() -> core::Result<std::unique_ptr<Backend>> {
                             auto b = open();
                             if (!b) return b.error();
                             return std::unique_ptr<Backend>(std::move(b.value()));
                         }};
}

core::Result<std::unique_ptr<IpvsBackend>> IpvsBackend::open() {
    SockPtr sock(nl_socket_alloc());
    if (!sock) return core::Error{ENOMEM, "IPVS: cannot allocate a netlink socket"};
    if (int e = genl_connect(sock.get()); e < 0) return nl_error("IPVS: connect generic netlink", e);
    // We set NLM_F_ACK ourselves on the requests that get one (not on dumps)
    // and check sequence numbers in transact().
    nl_socket_disable_auto_ack(sock.get());
    // One recvmsg per read instead of a MSG_PEEK to size it first: IPVS
    // replies (acks, one dump entry per message) always fit in 64 KiB.
    nl_socket_disable_msg_peek(sock.get());
    nl_socket_set_msg_buf_size(sock.get(), 65536);
    // Error acks without a copy of the request: a batch's acks must fit in
    // the receive buffer together (IpvsBackend::run).
    // libnl's default is 32 KiB each way; ask for the system maximum
    // (net.core.rmem_max/wmem_max cap it, usually 208 KiB).
    int one = 1;
    (void)::setsockopt(nl_socket_get_fd(sock.get()), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
    (void)nl_socket_set_buffer_size(sock.get(), 4 << 20, 4 << 20);
    int family = genl_ctrl_resolve(sock.get(), IPVS_GENL_NAME);
    if (family == -NLE_OBJ_NOTFOUND) {
        bool loaded = load_ip_vs();
        family = genl_ctrl_resolve(sock.get(), IPVS_GENL_NAME);
        if (family >= 0) log::info("ipvs: loaded the ip_vs kernel module");
        else if (family == -NLE_OBJ_NOTFOUND || !loaded)
            return core::Error{ENOENT, kNoIpvsMessage};
    }
    if (family < 0) return nl_error("IPVS: resolve generic netlink family 'IPVS'", family);
    return std::unique_ptr<IpvsBackend>(new IpvsBackend(std::move(sock), family));
}

core::Status IpvsBackend::transact(core::Result<MsgPtr> msg, const std::string& what, Exchange* ex) {
    if (!msg) return core::Error{msg.error().code, what + ": " + msg.error().message};
    Exchange local;
    if (!ex) ex = &local;
    std::unique_ptr<nl_cb, CbFree> cb(nl_cb_alloc(NL_CB_DEFAULT));
    if (!cb) return core::Error{ENOMEM, what + ": cannot allocate netlink callbacks"};

    int sent = nl_send_auto(sock_.get(), msg->get());
    if (sent < 0) return nl_error(what, sent);
    ex->seq = nlmsg_hdr(msg->get())->nlmsg_seq;

    // Every message first: drop anything that is not the answer to this request.
    nl_cb_set(cb.get(), NL_CB_MSG_IN, NL_CB_CUSTOM, [](nl_msg* m, void* arg) -> int {
        auto* x = static_cast<Exchange*>(arg);
        return nlmsg_hdr(m)->nlmsg_seq == x->seq ? NL_OK : NL_SKIP;
    }, ex);
    nl_cb_set(cb.get(), NL_CB_VALID, NL_CB_CUSTOM, [](nl_msg* m, void* arg) -> int {
        auto* x = static_cast<Exchange*>(arg);
        if (x->on_reply && !x->reply_error) {
            const nlmsghdr* h = nlmsg_hdr(m);
            auto s = x->on_reply({reinterpret_cast<const uint8_t*>(h), h->nlmsg_len});
            if (!s) x->reply_error = s.error();
        }
        return NL_OK;  // keep reading to the end: a half-read dump would poison the next request
    }, ex);
    nl_cb_set(cb.get(), NL_CB_ACK, NL_CB_CUSTOM, [](nl_msg*, void* arg) -> int {
        static_cast<Exchange*>(arg)->done = true;
        return NL_STOP;
    }, ex);
    nl_cb_set(cb.get(), NL_CB_FINISH, NL_CB_CUSTOM, [](nl_msg*, void* arg) -> int {
        static_cast<Exchange*>(arg)->done = true;
        return NL_STOP;
    }, ex);
    // The raw errno (libnl's own error codes fold ENOENT and ESRCH together).
    nl_cb_err(cb.get(), NL_CB_CUSTOM, [](sockaddr_nl*, nlmsgerr* e, void* arg) -> int {
        auto* x = static_cast<Exchange*>(arg);
        x->kernel_error = -e->error;
        x->done = true;
        return NL_STOP;
    }, ex);

    while (!ex->done) {
        int r = nl_recvmsgs(sock_.get(), cb.get());
        if (ex->kernel_error) break;
        if (r < 0) return nl_error(what, r);
    }
    if (ex->kernel_error)
        return core::Error{ex->kernel_error, what + ": " + std::strerror(ex->kernel_error)};
    if (ex->reply_error) return core::Error{ex->reply_error->code, what + ": " + ex->reply_error->message};
    return core::Ok{};
}

core::Status IpvsBackend::write(core::Result<MsgPtr> msg, Object obj, const std::string& label,
                                const std::string& scheduler, const std::string& pe) {
    if (!msg) return core::Error{msg.error().code, label + ": " + msg.error().message};
    ++writes_;
    Exchange ex;
    auto s = transact(std::move(msg), label, &ex);
    if (!s && ex.kernel_error)
        return core::Error{ex.kernel_error, label + ": " + words(ex.kernel_error, obj, scheduler, pe)};
    return s;
}

core::Result<ServiceTable> IpvsBackend::dump() {
    std::vector<ServiceEntry> services;
    Exchange ex;
    ex.on_reply = [&](std::span<const uint8_t> bytes) -> core::Status {
        auto e = decode_service(bytes);
        if (!e) return e.error();
        services.push_back(std::move(*e));
        return core::Ok{};
    };
    if (auto s = transact(encode_plain(family_, IPVS_CMD_GET_SERVICE, true), "dump IPVS services", &ex); !s)
        return s.error();

    ServiceTable table;
    for (auto& e : services) {
        Service svc{e.key, std::move(e.params), {}};
        Exchange dx;
        dx.on_reply = [&](std::span<const uint8_t> bytes) -> core::Status {
            auto d = decode_dest(bytes, svc.key.family);
            if (!d) return d.error();
            svc.dests.emplace(d->key, d->params);
            return core::Ok{};
        };
        auto s = transact(encode_get_dests(family_, svc.key),
                          "dump destinations of " + svc.key.to_string(), &dx);
        if (!s) return s.error();
        table.emplace(svc.key, std::move(svc));
    }
    return table;
}

core::Status IpvsBackend::add_service(const ServiceKey& key, const ServiceParams& p) {
    return run_single(Op::add_service(key, p));
}

core::Status IpvsBackend::update_service(const ServiceKey& key, const ServiceParams& p) {
    return run_single(Op::update_service(key, p));
}

core::Status IpvsBackend::delete_service(const ServiceKey& key) { return run_single(Op::delete_service(key)); }

core::Status IpvsBackend::add_dest(const ServiceKey& svc, const DestKey& dest, const DestParams& p) {
    return run_single(Op::add_dest(svc, dest, p));
}

core::Status IpvsBackend::update_dest(const ServiceKey& svc, const DestKey& dest, const DestParams& p) {
    return run_single(Op::update_dest(svc, dest, p));
}

core::Status IpvsBackend::delete_dest(const ServiceKey& svc, const DestKey& dest) {
    return run_single(Op::delete_dest(svc, dest));
}

core::Status IpvsBackend::run_single(const Op& op) {
    return std::move(run(std::span<const Op>(&op, 1)).front());
}

std::vector<core::Status> IpvsBackend::run(std::span<const Op> ops) {
    std::vector<core::Status> out(ops.size(), core::Status(core::Ok{}));
    std::vector<uint8_t> batch;
    std::vector<size_t> in_flight;  // indexes into ops, in sequence-number order
    for (size_t next = 0; next < ops.size();) {
        batch.clear();
        in_flight.clear();
        uint32_t first_seq = 0;
        for (; next < ops.size() && in_flight.size() < kBatchRequests; ++next) {
            auto msg = encode(ops[next]);
            if (!msg) {
                out[next] = core::Error{msg.error().code, label(ops[next]) + ": " + msg.error().message};
                continue;
            }
            // Sequence number and port, as nl_send_auto() would set them:
            // consecutive, so an ack's seq says which request it answers.
            nl_complete_msg(sock_.get(), msg->get());
            const nlmsghdr* h = nlmsg_hdr(msg->get());
            if (in_flight.empty()) first_seq = h->nlmsg_seq;
            const auto* bytes = reinterpret_cast<const uint8_t*>(h);
            batch.insert(batch.end(), bytes, bytes + h->nlmsg_len);
            batch.resize(NLMSG_ALIGN(batch.size()));
            in_flight.push_back(next);
            ++writes_;
        }
        if (in_flight.empty()) continue;
        collect_acks(batch, first_seq, in_flight, ops, out);
    }
    return out;
}

void IpvsBackend::collect_acks(const std::vector<uint8_t>& batch, uint32_t first_seq,
                               const std::vector<size_t>& in_flight, std::span<const Op> ops,
                               std::vector<core::Status>& out) {
    auto fail_rest = [&](std::vector<bool>& acked, const core::Error& e) {
        for (size_t k = 0; k < in_flight.size(); ++k)
            if (!acked[k]) out[in_flight[k]] = core::Error{e.code, label(ops[in_flight[k]]) + ": " + e.message};
    };
    std::vector<bool> acked(in_flight.size(), false);
    // The kernel runs every request of the datagram in order (netlink_rcv_skb)
    // and queues one ack each, success or not.
    int sent = nl_sendto(sock_.get(), const_cast<uint8_t*>(batch.data()), batch.size());
    if (sent < 0) {
        fail_rest(acked, nl_error("send", sent));
        return;
    }
    const int fd = nl_socket_get_fd(sock_.get());
    size_t pending = in_flight.size();
    alignas(nlmsghdr) static thread_local uint8_t buf[65536];
    while (pending > 0) {
        // The kernel ran the whole datagram inside sendto() (generic netlink
        // is synchronous), so every ack is queued by now: never wait. A
        // missing one was dropped (receive buffer full), and what became of
        // its request is unknown; the caller re-reads the kernel after a failure.
        ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int code = errno == EAGAIN || errno == EWOULDBLOCK ? ENOBUFS : errno;
            fail_rest(acked, core::system_error("the kernel's answer was lost", code));
            return;
        }
        size_t len = static_cast<size_t>(n);
        for (auto* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
            const uint32_t k = h->nlmsg_seq - first_seq;
            if (k >= in_flight.size() || acked[k]) continue;  // not an answer to this batch
            if (h->nlmsg_type != NLMSG_ERROR || h->nlmsg_len < NLMSG_LENGTH(sizeof(int))) continue;
            acked[k] = true;
            --pending;
            const int code = -*static_cast<const int*>(NLMSG_DATA(h));
            if (code != 0) {
                const Op& op = ops[in_flight[k]];
                const bool dest = op.kind == Op::Kind::AddDest || op.kind == Op::Kind::UpdateDest ||
                                  op.kind == Op::Kind::DeleteDest;
                const bool named = op.kind == Op::Kind::AddService || op.kind == Op::Kind::UpdateService;
                out[in_flight[k]] = core::Error{
                    code, label(op) + ": " + words(code, dest ? Object::dest : Object::service,
                                                   named ? op.params.scheduler : std::string(),
                                                   named ? op.params.pe_name : std::string())};
            }
        }
    }
}

core::Result<MsgPtr> IpvsBackend::encode(const Op& op) const {
    switch (op.kind) {
        case Op::Kind::AddService: return encode_service(family_, IPVS_CMD_NEW_SERVICE, op.service, &op.params);
        case Op::Kind::UpdateService: return encode_service(family_, IPVS_CMD_SET_SERVICE, op.service, &op.params);
        case Op::Kind::DeleteService: return encode_service(family_, IPVS_CMD_DEL_SERVICE, op.service, nullptr);
        case Op::Kind::AddDest:
            return encode_dest(family_, IPVS_CMD_NEW_DEST, op.service, op.dest, &op.dest_params);
        case Op::Kind::UpdateDest:
            return encode_dest(family_, IPVS_CMD_SET_DEST, op.service, op.dest, &op.dest_params);
        case Op::Kind::DeleteDest: return encode_dest(family_, IPVS_CMD_DEL_DEST, op.service, op.dest, nullptr);
    }
    return core::Error{EINVAL, "unknown operation"};
}

std::string IpvsBackend::label(const Op& op) {
    switch (op.kind) {
        case Op::Kind::AddService: return "add service " + op.service.to_string();
        case Op::Kind::UpdateService: return "update service " + op.service.to_string();
        case Op::Kind::DeleteService: return "delete service " + op.service.to_string();
        case Op::Kind::AddDest: return "add destination " + op.dest.to_string() + " to " + op.service.to_string();
        case Op::Kind::UpdateDest:
            return "update destination " + op.dest.to_string() + " of " + op.service.to_string();
        case Op::Kind::DeleteDest:
            return "delete destination " + op.dest.to_string() + " from " + op.service.to_string();
    }
    return "?";
}

core::Status IpvsBackend::flush() {
    return write(encode_plain(family_, IPVS_CMD_FLUSH), Object::config, "flush IPVS services");
}

core::Result<Timeouts> IpvsBackend::get_timeouts() {
    std::optional<Timeouts> got;
    Exchange ex;
    ex.on_reply = [&](std::span<const uint8_t> bytes) -> core::Status {
        auto t = decode_timeouts(bytes);
        if (!t) return t.error();
        got = *t;
        return core::Ok{};
    };
    if (auto s = transact(encode_plain(family_, IPVS_CMD_GET_CONFIG), "get IPVS timeouts", &ex); !s)
        return s.error();
    if (!got) return core::Error{fault::missing, "get IPVS timeouts: the kernel sent no reply"};
    return *got;
}

core::Status IpvsBackend::set_timeouts(const Timeouts& t) {
    return write(encode_timeouts(family_, t), Object::config, "set IPVS timeouts");
}

core::Status IpvsBackend::start_sync_daemon(const SyncDaemon& d) {
    const char* role = d.role == SyncDaemon::Role::Master ? "master" : "backup";
    return write(encode_new_daemon(family_, d), Object::daemon,
                 std::string("start sync daemon ") + role + " on " + d.ifname + " syncid " + std::to_string(d.syncid));
}

core::Status IpvsBackend::stop_sync_daemon(SyncDaemon::Role role) {
    const char* r = role == SyncDaemon::Role::Master ? "master" : "backup";
    return write(encode_del_daemon(family_, role), Object::daemon,
                 std::string("stop sync daemon ") + r);
}

core::Result<std::vector<SyncDaemon>> IpvsBackend::sync_daemons() {
    std::vector<SyncDaemon> out;
    Exchange ex;
    ex.on_reply = [&](std::span<const uint8_t> bytes) -> core::Status {
        auto d = decode_daemon(bytes);
        if (!d) return d.error();
        out.push_back(std::move(*d));
        return core::Ok{};
    };
    if (auto s = transact(encode_plain(family_, IPVS_CMD_GET_DAEMON, true), "list sync daemons", &ex); !s)
        return s.error();
    return out;
}

core::Result<Info> IpvsBackend::info() {
    std::optional<Info> got;
    Exchange ex;
    ex.on_reply = [&](std::span<const uint8_t> bytes) -> core::Status {
        auto i = decode_info(bytes);
        if (!i) return i.error();
        got = *i;
        return core::Ok{};
    };
    if (auto s = transact(encode_plain(family_, IPVS_CMD_GET_INFO), "get IPVS info", &ex); !s)
        return s.error();
    if (!got) return core::Error{fault::missing, "get IPVS info: the kernel sent no reply"};
    return *got;
}

}  // namespace halbd::forward::ipvs
