// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/ipvs/ipvs_codec.hh: IPVS generic-netlink messages ⇄ forward/ values
// (DESIGN principle 1): builds request messages with libnl and decodes kernel
// replies, validating every attribute. No I/O, no logging. Called only by
// IpvsBackend and the unit tests; owns nothing but the messages it returns.
#pragma once

#include <netlink/msg.h>

#include <cerrno>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>

#include "core/result.hh"
#include "forward/ipvs_extension.hh"
#include "forward/service.hh"

namespace halbd::forward::ipvs {

struct MsgFree {
    void operator()(nl_msg* m) const noexcept { nlmsg_free(m); }
};
using MsgPtr = std::unique_ptr<nl_msg, MsgFree>;

// The kinds of codec failure, as the errno carried by core::Error::code.
namespace fault {
inline constexpr int malformed = EBADMSG;       // truncated header/attribute, wrong length
inline constexpr int missing = ENODATA;         // a required attribute is absent
inline constexpr int bad_family = EAFNOSUPPORT; // an address family other than IPv4/IPv6
inline constexpr int bad_value = ERANGE;        // a value the kernel cannot take or give
inline constexpr int no_memory = ENOMEM;        // libnl could not grow the message
}  // namespace fault

// What IPVS_CMD_GET_INFO returns: the ipvsadm header line's numbers.
struct Info {
    uint32_t version = 0;        // 0x010201 = 1.2.1
    uint32_t conn_tab_size = 0;
    std::string to_string() const;  // "IP Virtual Server version 1.2.1 (size=4096)"
};

// A service as a dump reply describes it (no destinations).
struct ServiceEntry {
    ServiceKey key;
    ServiceParams params;
};

struct DestEntry {
    DestKey key;
    DestParams params;
};

// ---- requests -------------------------------------------------------------
// `family` is the resolved generic-netlink id of "IPVS". Every request gets
// NLM_F_REQUEST; seq and pid are left to the socket (zero here).

// A request with no attributes: FLUSH, GET_INFO, GET_CONFIG; with dump=true
// (NLM_F_DUMP): GET_SERVICE (all services), GET_DAEMON.
core::Result<MsgPtr> encode_plain(int family, uint8_t cmd, bool dump = false);

// NEW_SERVICE / SET_SERVICE (params given: full entry) or DEL_SERVICE
// (params null: the key only).
core::Result<MsgPtr> encode_service(int family, uint8_t cmd, const ServiceKey& key,
                                    const ServiceParams* params);

// NEW_DEST / SET_DEST (params given) or DEL_DEST (params null). The service
// is sent by its key only. IPVS_DEST_ATTR_ADDR_FAMILY is sent only when the
// destination's family differs from the service's (kernels before 3.18 do not
// know it), TUN_TYPE/TUN_PORT only for a non-IPIP tunnel and TUN_FLAGS only
// when non-zero (kernels before 5.2/5.3 do not know them).
core::Result<MsgPtr> encode_dest(int family, uint8_t cmd, const ServiceKey& svc,
                                 const DestKey& dest, const DestParams* params);

// GET_DEST with NLM_F_DUMP: every destination of one service.
core::Result<MsgPtr> encode_get_dests(int family, const ServiceKey& svc);

// SET_CONFIG: only the non-zero timeouts are sent (0 = leave unchanged).
core::Result<MsgPtr> encode_timeouts(int family, const Timeouts& t);

// NEW_DAEMON: state, interface and syncid, plus maxlen/group/port/ttl only
// when set (kernels before 4.3 know only the first three).
core::Result<MsgPtr> encode_new_daemon(int family, const SyncDaemon& d);
core::Result<MsgPtr> encode_del_daemon(int family, SyncDaemon::Role role);

// ---- replies --------------------------------------------------------------
// `msg` is one whole netlink message (nlmsghdr + genlmsghdr + attributes).
// Any truncation, wrong attribute length, unknown family or missing required
// attribute gives an Error whose code is one of fault::*, and whose message
// names the attribute.

core::Result<ServiceEntry> decode_service(std::span<const uint8_t> msg);
// `svc_family`: used when the reply has no IPVS_DEST_ATTR_ADDR_FAMILY (old kernels).
core::Result<DestEntry> decode_dest(std::span<const uint8_t> msg, net::Family svc_family);
core::Result<Timeouts> decode_timeouts(std::span<const uint8_t> msg);
core::Result<SyncDaemon> decode_daemon(std::span<const uint8_t> msg);
core::Result<Info> decode_info(std::span<const uint8_t> msg);

// The bytes of a built message (nlmsghdr included), for tests and debugging.
std::span<const uint8_t> message_bytes(const nl_msg* msg);

}  // namespace halbd::forward::ipvs
