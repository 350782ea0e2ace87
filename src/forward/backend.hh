// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/backend.hh: the backend-neutral forwarding interface (DESIGN
// principles 7 and 8): services and destinations (service.hh) and nothing
// else; one implementation per file: IPVS over generic netlink (forward/ipvs/),
// nftables later (forward/nft/), fakes for tests. What only IPVS has is
// behind Backend::ipvs() (ipvs_extension.hh). A backend declares what it can
// program (capabilities()), and validation refuses the rest at load time.
// The reconciler is the only writer; every write is one request, so tests can
// count writes, and a run of writes may go to the kernel as one batch. Errors
// are values carrying the errno and a sentence in words ("scheduler 'mh' not
// available in this kernel").
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "config/forward_capabilities.hh"
#include "core/result.hh"
#include "forward/op.hh"
#include "forward/service.hh"

namespace halbd::forward {

class IpvsExtension;

class Backend {
public:
    virtual ~Backend() = default;
    // Its name, which begins every log line about it ("IPVS").
    virtual std::string name() const = 0;
    // What it can program; the configuration was validated against this.
    virtual const config::ForwardCapabilities& capabilities() const = 0;

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

    // The IPVS-only operations (flush, timeouts, sync daemon), or null for
    // a backend that has none of them (the default).
    virtual IpvsExtension* ipvs() { return nullptr; }

    // Number of write requests sent so far (every change, including the
    // IPVS extension's): reload tests assert exact counts with it.
    virtual uint64_t writes() const = 0;
};

// A backend chosen before the configuration loads (halbd.cc): its
// capabilities (with its name) to validate against, and how to open it once
// a configuration has a virtual server.
struct BackendChoice {
    using Opener = std::function<core::Result<std::unique_ptr<Backend>>()>;
    config::ForwardCapabilities capabilities;
    Opener open;
};

}  // namespace halbd::forward
