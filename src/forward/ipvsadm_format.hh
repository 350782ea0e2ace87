// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/ipvsadm_format.hh: prints a ServiceTable exactly as `ipvsadm -Ln`
// lays it out (sorted as --sort does), so operators compare halbd's view with
// the kernel's by eye or diff. Used by the USR1 state dump and later halbctl.
#pragma once

#include <string>

#include "forward/service.hh"

namespace halbd::forward {

struct IpvsadmHeader {
    std::string version = "1.2.1";  // the kernel's IPVS version
    uint32_t size = 4096;           // connection hash table size
};

// ActiveConn/InActConn print 0: the table holds configuration, not counters.
std::string format_ipvsadm(const ServiceTable& table, const IpvsadmHeader& header = {});

// The scheduler flags as ipvsadm names them ("sh-fallback,sh-port"), or ""
// (flag-3 of sh or mh has no name there).
std::string sched_flags_text(const ServiceParams& p);

// ipvsadm's sort order (libipvs ipvs_cmp_services): fwmark, family, protocol,
// address, port. True when a sorts before b.
bool ipvsadm_less(const ServiceKey& a, const ServiceKey& b);

}  // namespace halbd::forward
