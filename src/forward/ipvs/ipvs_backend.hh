// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/ipvs/ipvs_backend.hh: the IPVS forwarding backend (DESIGN principles
// 7, 8, 12): programs the kernel's virtual servers over generic netlink;
// a run of writes goes as batches of requests, each batch one datagram. Created once at start by the forward
// subsystem; owns the netlink socket. Encoding/decoding lives in ipvs_codec.
#pragma once

#include <netlink/socket.h>

#include <memory>
#include <string>
#include <vector>

#include "core/result.hh"
#include "forward/backend.hh"
#include "forward/ipvs/ipvs_capabilities.hh"
#include "forward/ipvs/ipvs_codec.hh"
#include "forward/ipvs_extension.hh"

namespace halbd::forward::ipvs {

// The one error open() gives when the kernel has no IPVS at all.
inline constexpr const char* kNoIpvsMessage =
    "the kernel has no IPVS (generic netlink family 'IPVS' not found, modprobe ip_vs failed): "
    "virtual servers cannot be programmed";

class IpvsBackend : public Backend, public IpvsExtension {
public:
    // What a write names: the kernel reuses errnos with a meaning that
    // depends on it (ENOENT: the scheduler for a service, the destination itself).
    enum class Object : uint8_t { service, dest, daemon, config };
    // Connects a generic-netlink socket and resolves the "IPVS" family,
    // loading the ip_vs module once if it is missing. The error for a
    // kernel without IPVS is kNoIpvsMessage with code ENOENT.
    static core::Result<std::unique_ptr<IpvsBackend>> open();
    // IPVS as halbd's forwarding backend: its capabilities and open().
    static BackendChoice choice();

    std::string name() const override { return kBackendName; }
    const config::ForwardCapabilities& capabilities() const override { return ipvs::capabilities(); }
    IpvsExtension* ipvs() override { return this; }
    core::Result<ServiceTable> dump() override;
    core::Status add_service(const ServiceKey& key, const ServiceParams& params) override;
    core::Status update_service(const ServiceKey& key, const ServiceParams& params) override;
    core::Status delete_service(const ServiceKey& key) override;
    core::Status add_dest(const ServiceKey& svc, const DestKey& dest, const DestParams& p) override;
    core::Status update_dest(const ServiceKey& svc, const DestKey& dest, const DestParams& p) override;
    core::Status delete_dest(const ServiceKey& svc, const DestKey& dest) override;
    // Up to kBatchRequests requests per datagram, then their acks.
    std::vector<core::Status> run(std::span<const Op> ops) override;
    // IpvsExtension.
    core::Status flush() override;
    core::Result<Timeouts> get_timeouts() override;
    core::Status set_timeouts(const Timeouts& t) override;
    core::Status start_sync_daemon(const SyncDaemon& d) override;
    core::Status stop_sync_daemon(SyncDaemon::Role role) override;
    uint64_t writes() const override { return writes_; }

    // Not in Backend: the running sync daemons as the kernel reports them
    // (kernel defaults filled in), and the ipvsadm header's numbers.
    core::Result<std::vector<SyncDaemon>> sync_daemons();
    core::Result<Info> info();

private:
    struct SockFree {
        void operator()(nl_sock* s) const noexcept;
    };
    using SockPtr = std::unique_ptr<nl_sock, SockFree>;
    struct Exchange;

    // Requests in one datagram: their acks (under 1 KiB of receive buffer
    // each, NETLINK_CAP_ACK set) must fit in the receive buffer together,
    // which is at least libnl's 32 KiB (doubled by the kernel).
    static constexpr size_t kBatchRequests = 48;

    IpvsBackend(SockPtr sock, int family) : sock_(std::move(sock)), family_(family) {}

    // Sends msg and reads until the ack, the end of a dump, or an error;
    // on_reply (if any) gets every data message. `what` names the request in errors.
    core::Status transact(core::Result<MsgPtr> msg, const std::string& what, Exchange* ex = nullptr);
    // A write request: counted, and a kernel errno becomes words about `label`.
    core::Status write(core::Result<MsgPtr> msg, Object obj, const std::string& label,
                       const std::string& scheduler = {}, const std::string& pe = {});

    core::Status run_single(const Op& op);
    core::Result<MsgPtr> encode(const Op& op) const;
    static std::string label(const Op& op);  // "add destination 10.0.0.2:80 to TCP 10.0.0.1:80"
    // Sends one batch and reads its acks into out (by index into ops).
    void collect_acks(const std::vector<uint8_t>& batch, uint32_t first_seq, const std::vector<size_t>& in_flight,
                      std::span<const Op> ops, std::vector<core::Status>& out);

    SockPtr sock_;
    int family_;
    uint64_t writes_ = 0;
};

}  // namespace halbd::forward::ipvs
