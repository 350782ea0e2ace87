// forward/backend.hh: the forwarding-backend interface (DESIGN principles 7
// and 8): one implementation per file — IPVS over generic netlink
// (forward/ipvs/), nftables later (forward/nft/), and a fake for tests. The
// reconciler is the only caller; every write is one kernel request, so tests
// can count writes, and a run of writes may go to the kernel as one batch. Errors are values carrying the errno and a sentence in
// words ("scheduler 'mh' not available in this kernel").
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/result.hh"
#include "forward/op.hh"
#include "forward/service.hh"

namespace halbd::forward {

class Backend {
public:
    virtual ~Backend() = default;
    virtual std::string name() const = 0;  // "ipvs"

    // Everything the kernel has now (every service, with its destinations).
    virtual core::Result<ServiceTable> dump() = 0;

    virtual core::Status add_service(const ServiceKey& key, const ServiceParams& params) = 0;
    virtual core::Status update_service(const ServiceKey& key, const ServiceParams& params) = 0;
    virtual core::Status delete_service(const ServiceKey& key) = 0;
    virtual core::Status add_dest(const ServiceKey& svc, const DestKey& dest, const DestParams& p) = 0;
    virtual core::Status update_dest(const ServiceKey& svc, const DestKey& dest, const DestParams& p) = 0;
    virtual core::Status delete_dest(const ServiceKey& svc, const DestKey& dest) = 0;
    // Runs the operations in order and returns one Status per operation.
    // Each is the request its single call above would send, and a failure
    // does not stop the others; a backend may hand them to the kernel
    // together (IPVS: many requests per netlink datagram). The default
    // makes the single calls one after the other.
    virtual std::vector<core::Status> run(std::span<const Op> ops);

    // Removes every service (lvs_flush).
    virtual core::Status flush() = 0;

    virtual core::Result<Timeouts> get_timeouts() = 0;
    virtual core::Status set_timeouts(const Timeouts& t) = 0;
    virtual core::Status start_sync_daemon(const SyncDaemon& d) = 0;
    virtual core::Status stop_sync_daemon(SyncDaemon::Role role) = 0;

    // Number of write requests sent so far (adds, updates, deletes, flush,
    // timeouts, daemon): reload tests assert exact counts with it.
    virtual uint64_t writes() const = 0;
};

}  // namespace halbd::forward
