// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/ipvs/ipvs_codec.cc: builds IPVS generic-netlink requests and decodes
// replies, following the attribute layout of <linux/ip_vs.h> and the kernel's
// ip_vs_ctl.c parsers. Pure: no socket, no log; every malformed reply becomes
// an Error (codes in fault::*), never a crash.
#include "forward/ipvs/ipvs_codec.hh"

#include <arpa/inet.h>
#include <linux/ip_vs.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>

namespace halbd::forward::ipvs {
namespace {

constexpr size_t kMaxName = IP_VS_SCHEDNAME_MAXLEN;  // == PENAME == IFNAME maxlen (16, NUL included)

core::Error err(int code, std::string message) { return core::Error{code, std::move(message)}; }

const core::Error kNoMemory{fault::no_memory, "IPVS request: netlink message too large"};

// --- encoding --------------------------------------------------------------

core::Result<MsgPtr> start(int family, uint8_t cmd, int flags) {
    MsgPtr msg(nlmsg_alloc());
    if (!msg) return kNoMemory;
    // seq and port 0: the socket fills them in when sending (nl_send_auto).
    if (!genlmsg_put(msg.get(), 0, 0, family, 0, NLM_F_REQUEST | flags, cmd, IPVS_GENL_VERSION))
        return kNoMemory;
    return msg;
}

int af_of(net::Family f) { return f == net::Family::V4 ? AF_INET : AF_INET6; }

// Addresses go out as a 16-byte union nf_inet_addr, IPv4 in the first four
// bytes, as ipvsadm and keepalived have always sent them (the kernel copies at
// most 16 bytes into a zeroed union, and dumps them back in the same form).
bool put_addr(nl_msg* m, int type, const net::IpAddress& a) {
    std::array<uint8_t, 16> buf{};
    std::memcpy(buf.data(), a.bytes(), a.size());
    return nla_put(m, type, buf.size(), buf.data()) == 0;
}

bool name_fits(const std::string& s) { return s.size() < kMaxName && s.find('\0') == s.npos; }

core::Status check_key(const ServiceKey& key) {
    if (key.fwmark == 0 && key.address.family() != key.family)
        return err(fault::bad_value, "service " + key.to_string() +
                                         ": address family differs from the service's");
    return core::Ok{};
}

// IPVS_CMD_ATTR_SERVICE: the key, then (full entry) the parameters.
core::Status put_service(nl_msg* m, const ServiceKey& key, const ServiceParams* p) {
    if (auto s = check_key(key); !s) return s;
    if (p) {
        if (!name_fits(p->scheduler) || p->scheduler.empty())
            return err(fault::bad_value, "scheduler name '" + p->scheduler +
                                             "' must be 1 to 15 characters");
        if (!name_fits(p->pe_name))
            return err(fault::bad_value, "persistence engine name '" + p->pe_name +
                                             "' is longer than 15 characters");
        if (key.family == net::Family::V6 && (p->netmask < 1 || p->netmask > 128))
            return err(fault::bad_value,
                       "service " + key.to_string() +
                           ": the persistence netmask of an IPv6 service is a prefix length "
                           "1..128, got " + std::to_string(p->netmask));
    }
    nlattr* nest = nla_nest_start(m, IPVS_CMD_ATTR_SERVICE);
    if (!nest) return kNoMemory;
    bool ok = nla_put_u16(m, IPVS_SVC_ATTR_AF, af_of(key.family)) == 0;
    if (key.fwmark) {
        ok = ok && nla_put_u32(m, IPVS_SVC_ATTR_FWMARK, key.fwmark) == 0;
    } else {
        ok = ok && nla_put_u16(m, IPVS_SVC_ATTR_PROTOCOL, static_cast<uint16_t>(key.protocol)) == 0;
        ok = ok && put_addr(m, IPVS_SVC_ATTR_ADDR, key.address);
        ok = ok && nla_put_u16(m, IPVS_SVC_ATTR_PORT, htons(key.port)) == 0;
    }
    if (p) {
        ok = ok && nla_put_string(m, IPVS_SVC_ATTR_SCHED_NAME, p->scheduler.c_str()) == 0;
        if (!p->pe_name.empty())  // PE_NAME appeared in 2.6.37: sent only when used
            ok = ok && nla_put_string(m, IPVS_SVC_ATTR_PE_NAME, p->pe_name.c_str()) == 0;
        // The kernel keeps its own `hashed` bit; mask ~0 replaces every other flag.
        ip_vs_flags flags{p->flags & ~svc_flags::hashed, ~0U};
        ok = ok && nla_put(m, IPVS_SVC_ATTR_FLAGS, sizeof flags, &flags) == 0;
        ok = ok && nla_put_u32(m, IPVS_SVC_ATTR_TIMEOUT, p->timeout) == 0;
        // Raw: network-order IPv4 mask bytes, or the IPv6 prefix length.
        ok = ok && nla_put_u32(m, IPVS_SVC_ATTR_NETMASK, p->netmask) == 0;
    }
    if (!ok) return kNoMemory;
    nla_nest_end(m, nest);
    return core::Ok{};
}

core::Status put_dest(nl_msg* m, const ServiceKey& svc, const DestKey& d, const DestParams* p) {
    if (p) {
        if (static_cast<uint8_t>(p->method) > static_cast<uint8_t>(Method::Bypass))
            return err(fault::bad_value, "destination " + d.to_string() + ": unknown forwarding method");
        if (p->tun_type >= IP_VS_CONN_F_TUNNEL_TYPE_MAX)
            return err(fault::bad_value, "destination " + d.to_string() + ": unknown tunnel type " +
                                             std::to_string(p->tun_type));
    }
    nlattr* nest = nla_nest_start(m, IPVS_CMD_ATTR_DEST);
    if (!nest) return kNoMemory;
    bool ok = put_addr(m, IPVS_DEST_ATTR_ADDR, d.address);
    ok = ok && nla_put_u16(m, IPVS_DEST_ATTR_PORT, htons(d.port)) == 0;
    // ADDR_FAMILY (3.18) only for a destination of the other family (IPv4
    // real behind an IPv6 service, tunnel only); else the kernel uses the
    // service's family, as it did before.
    if (d.address.family() != svc.family)
        ok = ok && nla_put_u16(m, IPVS_DEST_ATTR_ADDR_FAMILY, af_of(d.address.family())) == 0;
    if (p) {
        ok = ok && nla_put_u32(m, IPVS_DEST_ATTR_FWD_METHOD, static_cast<uint32_t>(p->method)) == 0;
        ok = ok && nla_put_u32(m, IPVS_DEST_ATTR_WEIGHT, static_cast<uint32_t>(p->weight)) == 0;
        ok = ok && nla_put_u32(m, IPVS_DEST_ATTR_U_THRESH, p->u_threshold) == 0;
        ok = ok && nla_put_u32(m, IPVS_DEST_ATTR_L_THRESH, p->l_threshold) == 0;
        if (p->method == Method::Tunnel) {
            // TUN_TYPE/TUN_PORT (5.2) only for GUE/GRE, TUN_FLAGS (5.3) only when set:
            // a plain IPIP tunnel stays acceptable to older kernels.
            if (p->tun_type != IP_VS_CONN_F_TUNNEL_TYPE_IPIP) {
                ok = ok && nla_put_u8(m, IPVS_DEST_ATTR_TUN_TYPE, p->tun_type) == 0;
                ok = ok && nla_put_u16(m, IPVS_DEST_ATTR_TUN_PORT, htons(p->tun_port)) == 0;
            }
            if (p->tun_flags)
                ok = ok && nla_put_u16(m, IPVS_DEST_ATTR_TUN_FLAGS, p->tun_flags) == 0;
        }
    }
    if (!ok) return kNoMemory;
    nla_nest_end(m, nest);
    return core::Ok{};
}

// --- decoding --------------------------------------------------------------

constexpr int kMaxAttr = 16;  // above every IPVS_*_ATTR_MAX in use
static_assert(IPVS_CMD_ATTR_MAX < kMaxAttr && IPVS_SVC_ATTR_MAX < kMaxAttr &&
              IPVS_DEST_ATTR_MAX < kMaxAttr && IPVS_DAEMON_ATTR_MAX < kMaxAttr &&
              IPVS_INFO_ATTR_MAX < kMaxAttr);
using Table = std::array<nlattr*, kMaxAttr + 1>;

// Walks the attribute stream first (libnl's nla_parse silently stops at a
// truncated attribute), then lets libnl index it with the policy.
core::Result<Table> parse(const char* where, nlattr* head, int len, int maxtype,
                          const nla_policy* policy) {
    int rem = len;
    const uint8_t* p = reinterpret_cast<const uint8_t*>(head);
    while (rem >= static_cast<int>(NLA_HDRLEN)) {
        nlattr a;
        std::memcpy(&a, p, sizeof a);
        if (a.nla_len < NLA_HDRLEN || a.nla_len > rem)
            return err(fault::malformed, std::string(where) + ": truncated attribute (type " +
                                             std::to_string(a.nla_type & NLA_TYPE_MASK) +
                                             ", length " + std::to_string(a.nla_len) + ", " +
                                             std::to_string(rem) + " bytes left)");
        int step = std::min<int>(NLA_ALIGN(a.nla_len), rem);
        p += step;
        rem -= step;
    }
    if (rem != 0)
        return err(fault::malformed, std::string(where) + ": " + std::to_string(rem) +
                                         " stray bytes after the attributes");
    Table tb{};
    if (int e = nla_parse(tb.data(), maxtype, head, len, policy); e < 0)
        return err(fault::malformed, std::string(where) + ": " + nl_geterror(e));
    return tb;
}

core::Result<Table> parse_nested(const char* where, nlattr* nest, int maxtype,
                                 const nla_policy* policy) {
    return parse(where, static_cast<nlattr*>(nla_data(nest)), nla_len(nest), maxtype, policy);
}

// The genl message's top-level attributes, after checking both headers.
// `cmd_attrs`: the attributes are IPVS_CMD_ATTR_* (else IPVS_INFO_ATTR_*).
core::Result<Table> parse_top(std::span<const uint8_t> msg, const char* where, bool cmd_attrs) {
    constexpr size_t hdrs = NLMSG_HDRLEN + GENL_HDRLEN;
    if (msg.size() < hdrs)
        return err(fault::malformed, std::string(where) + ": truncated header (" +
                                         std::to_string(msg.size()) + " bytes)");
    nlmsghdr h;
    std::memcpy(&h, msg.data(), sizeof h);
    if (h.nlmsg_len < hdrs || h.nlmsg_len > msg.size())
        return err(fault::malformed, std::string(where) + ": message length " +
                                         std::to_string(h.nlmsg_len) + " does not fit " +
                                         std::to_string(msg.size()) + " bytes");
    // libnl takes non-const pointers but only reads through them.
    auto* head = reinterpret_cast<nlattr*>(const_cast<uint8_t*>(msg.data()) + hdrs);
    nla_policy policy[kMaxAttr + 1] = {};
    if (cmd_attrs) {
        policy[IPVS_CMD_ATTR_SERVICE].type = NLA_NESTED;
        policy[IPVS_CMD_ATTR_DEST].type = NLA_NESTED;
        policy[IPVS_CMD_ATTR_DAEMON].type = NLA_NESTED;
    }
    return parse(where, head, static_cast<int>(h.nlmsg_len - hdrs), kMaxAttr, policy);
}

// Attribute readers: exact lengths, named in the error.
class Reader {
public:
    Reader(const char* where, const Table& tb) : where_(where), tb_(tb) {}
    bool has(int type) const { return tb_[type] != nullptr; }
    std::optional<core::Error> error;

    template <class T>
    T get(int type, const char* name, T fallback = T{}, bool required = true) {
        const nlattr* a = tb_[type];
        if (!a) {
            if (required) fail(fault::missing, std::string("no ") + name);
            return fallback;
        }
        if (nla_len(a) != sizeof(T)) {
            fail(fault::malformed, std::string(name) + ": length " + std::to_string(nla_len(a)) +
                                       ", expected " + std::to_string(sizeof(T)));
            return fallback;
        }
        T v;
        std::memcpy(&v, nla_data(a), sizeof v);
        return v;
    }
    template <class T>
    T opt(int type, const char* name, T fallback = T{}) { return get<T>(type, name, fallback, false); }

    std::string str(int type, const char* name, bool required) {
        const nlattr* a = tb_[type];
        if (!a) {
            if (required) fail(fault::missing, std::string("no ") + name);
            return {};
        }
        const char* d = static_cast<const char*>(nla_data(a));
        size_t n = static_cast<size_t>(nla_len(a));
        size_t len = strnlen(d, n);
        if (len == n || n > kMaxName) {
            fail(fault::malformed, std::string(name) + ": not a string of at most 15 characters");
            return {};
        }
        return std::string(d, len);
    }

    // ADDR of `family`: 16 bytes (the kernel's union), or exactly 4 for IPv4.
    net::IpAddress addr(int type, const char* name, net::Family family) {
        const nlattr* a = tb_[type];
        if (!a) {
            fail(fault::missing, std::string("no ") + name);
            return {};
        }
        int n = nla_len(a);
        if (n != 16 && !(family == net::Family::V4 && n == 4)) {
            fail(fault::malformed, std::string(name) + ": length " + std::to_string(n) +
                                       " for an " + (family == net::Family::V4 ? "IPv4" : "IPv6") +
                                       " address");
            return {};
        }
        return net::IpAddress::from_bytes(family, static_cast<const uint8_t*>(nla_data(a)));
    }

    std::optional<net::Family> family(int type, const char* name, bool required) {
        if (!has(type)) {
            if (required) fail(fault::missing, std::string("no ") + name);
            return std::nullopt;
        }
        uint16_t af = get<uint16_t>(type, name);
        if (error) return std::nullopt;
        if (af == AF_INET) return net::Family::V4;
        if (af == AF_INET6) return net::Family::V6;
        fail(fault::bad_family, std::string(name) + ": unknown address family " + std::to_string(af));
        return std::nullopt;
    }

    void fail(int code, std::string what) {
        if (!error) error = err(code, std::string(where_) + ": " + what);
    }

private:
    const char* where_;
    const Table& tb_;
};

// The nested table of one top-level attribute.
core::Result<Table> nested(std::span<const uint8_t> msg, const char* where, int top, int maxtype,
                           const char* top_name) {
    auto tb = parse_top(msg, where, true);
    if (!tb) return tb.error();
    nlattr* nest = (*tb)[top];
    if (!nest) return err(fault::missing, std::string(where) + ": no " + top_name);
    nla_policy none[kMaxAttr + 1] = {};  // lengths are checked by Reader
    return parse_nested(where, nest, maxtype, none);
}

}  // namespace

std::string Info::to_string() const {
    return "IP Virtual Server version " + std::to_string((version >> 16) & 0xff) + "." +
           std::to_string((version >> 8) & 0xff) + "." + std::to_string(version & 0xff) +
           " (size=" + std::to_string(conn_tab_size) + ")";
}

std::span<const uint8_t> message_bytes(const nl_msg* msg) {
    const nlmsghdr* h = nlmsg_hdr(const_cast<nl_msg*>(msg));
    return {reinterpret_cast<const uint8_t*>(h), h->nlmsg_len};
}

core::Result<MsgPtr> encode_plain(int family, uint8_t cmd, bool dump) {
    return start(family, cmd, dump ? NLM_F_DUMP : NLM_F_ACK);
}

core::Result<MsgPtr> encode_service(int family, uint8_t cmd, const ServiceKey& key,
                                    const ServiceParams* params) {
    auto m = start(family, cmd, NLM_F_ACK);
    if (!m) return m;
    if (auto s = put_service(m->get(), key, params); !s) return s.error();
    return m;
}

core::Result<MsgPtr> encode_dest(int family, uint8_t cmd, const ServiceKey& svc,
                                 const DestKey& dest, const DestParams* params) {
    auto m = start(family, cmd, NLM_F_ACK);
    if (!m) return m;
    if (auto s = put_service(m->get(), svc, nullptr); !s) return s.error();
    if (auto s = put_dest(m->get(), svc, dest, params); !s) return s.error();
    return m;
}

core::Result<MsgPtr> encode_get_dests(int family, const ServiceKey& svc) {
    auto m = start(family, IPVS_CMD_GET_DEST, NLM_F_DUMP);
    if (!m) return m;
    if (auto s = put_service(m->get(), svc, nullptr); !s) return s.error();
    return m;
}

core::Result<MsgPtr> encode_timeouts(int family, const Timeouts& t) {
    auto m = start(family, IPVS_CMD_SET_CONFIG, NLM_F_ACK);
    if (!m) return m;
    bool ok = true;
    if (t.tcp) ok = ok && nla_put_u32(m->get(), IPVS_CMD_ATTR_TIMEOUT_TCP, t.tcp) == 0;
    if (t.tcp_fin) ok = ok && nla_put_u32(m->get(), IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, t.tcp_fin) == 0;
    if (t.udp) ok = ok && nla_put_u32(m->get(), IPVS_CMD_ATTR_TIMEOUT_UDP, t.udp) == 0;
    if (!ok) return kNoMemory;
    return m;
}

core::Result<MsgPtr> encode_new_daemon(int family, const SyncDaemon& d) {
    if (d.ifname.empty() || !name_fits(d.ifname))
        return err(fault::bad_value, "sync daemon interface '" + d.ifname + "' must be 1 to 15 characters");
    if (d.has_group && !d.group.is_multicast())
        return err(fault::bad_value, "sync daemon group " + d.group.to_string() + " is not multicast");
    auto m = start(family, IPVS_CMD_NEW_DAEMON, NLM_F_ACK);
    if (!m) return m;
    nl_msg* msg = m->get();
    nlattr* nest = nla_nest_start(msg, IPVS_CMD_ATTR_DAEMON);
    bool ok = nest != nullptr;
    ok = ok && nla_put_u32(msg, IPVS_DAEMON_ATTR_STATE, static_cast<uint32_t>(d.role)) == 0;
    ok = ok && nla_put_string(msg, IPVS_DAEMON_ATTR_MCAST_IFN, d.ifname.c_str()) == 0;
    ok = ok && nla_put_u32(msg, IPVS_DAEMON_ATTR_SYNC_ID, d.syncid) == 0;
    // The rest appeared in 4.3 and is sent only when set.
    if (d.maxlen) ok = ok && nla_put_u16(msg, IPVS_DAEMON_ATTR_SYNC_MAXLEN, d.maxlen) == 0;
    if (d.has_group) {
        if (d.group.is_v4())
            ok = ok && nla_put(msg, IPVS_DAEMON_ATTR_MCAST_GROUP, 4, d.group.bytes()) == 0;
        else
            ok = ok && nla_put(msg, IPVS_DAEMON_ATTR_MCAST_GROUP6, 16, d.group.bytes()) == 0;
    }
    // Host order, unlike every other port in IPVS (ip_vs_ctl.c uses
    // nla_get_u16/nla_put_u16 here); the VM test checks it against ipvsadm.
    if (d.port) ok = ok && nla_put_u16(msg, IPVS_DAEMON_ATTR_MCAST_PORT, d.port) == 0;
    if (d.ttl) ok = ok && nla_put_u8(msg, IPVS_DAEMON_ATTR_MCAST_TTL, d.ttl) == 0;
    if (!ok) return kNoMemory;
    nla_nest_end(msg, nest);
    return m;
}

core::Result<MsgPtr> encode_del_daemon(int family, SyncDaemon::Role role) {
    auto m = start(family, IPVS_CMD_DEL_DAEMON, NLM_F_ACK);
    if (!m) return m;
    nlattr* nest = nla_nest_start(m->get(), IPVS_CMD_ATTR_DAEMON);
    if (!nest || nla_put_u32(m->get(), IPVS_DAEMON_ATTR_STATE, static_cast<uint32_t>(role)) != 0)
        return kNoMemory;
    nla_nest_end(m->get(), nest);
    return m;
}

core::Result<ServiceEntry> decode_service(std::span<const uint8_t> msg) {
    const char* where = "IPVS service reply";
    auto tb = nested(msg, where, IPVS_CMD_ATTR_SERVICE, IPVS_SVC_ATTR_MAX, "IPVS_CMD_ATTR_SERVICE");
    if (!tb) return tb.error();
    Reader r(where, *tb);
    ServiceEntry e;
    auto fam = r.family(IPVS_SVC_ATTR_AF, "IPVS_SVC_ATTR_AF", true);
    if (!fam) return *r.error;
    e.key.family = *fam;
    if (r.has(IPVS_SVC_ATTR_FWMARK)) {
        e.key.fwmark = r.get<uint32_t>(IPVS_SVC_ATTR_FWMARK, "IPVS_SVC_ATTR_FWMARK");
        if (!r.error && e.key.fwmark == 0) r.fail(fault::bad_value, "IPVS_SVC_ATTR_FWMARK is 0");
    } else {
        uint16_t proto = r.get<uint16_t>(IPVS_SVC_ATTR_PROTOCOL, "IPVS_SVC_ATTR_PROTOCOL");
        if (!r.error && proto != IPPROTO_TCP && proto != IPPROTO_UDP && proto != IPPROTO_SCTP)
            r.fail(fault::bad_value, "IPVS_SVC_ATTR_PROTOCOL: unknown protocol " + std::to_string(proto));
        e.key.protocol = static_cast<Protocol>(proto);
        e.key.address = r.addr(IPVS_SVC_ATTR_ADDR, "IPVS_SVC_ATTR_ADDR", *fam);
        e.key.port = ntohs(r.get<uint16_t>(IPVS_SVC_ATTR_PORT, "IPVS_SVC_ATTR_PORT"));
    }
    e.params.scheduler = r.str(IPVS_SVC_ATTR_SCHED_NAME, "IPVS_SVC_ATTR_SCHED_NAME", true);
    e.params.pe_name = r.str(IPVS_SVC_ATTR_PE_NAME, "IPVS_SVC_ATTR_PE_NAME", false);
    auto flags = r.get<ip_vs_flags>(IPVS_SVC_ATTR_FLAGS, "IPVS_SVC_ATTR_FLAGS");
    e.params.flags = flags.flags & ~svc_flags::hashed;
    e.params.timeout = r.get<uint32_t>(IPVS_SVC_ATTR_TIMEOUT, "IPVS_SVC_ATTR_TIMEOUT");
    e.params.netmask = r.get<uint32_t>(IPVS_SVC_ATTR_NETMASK, "IPVS_SVC_ATTR_NETMASK");
    if (r.error) return *r.error;
    return e;
}

core::Result<DestEntry> decode_dest(std::span<const uint8_t> msg, net::Family svc_family) {
    const char* where = "IPVS destination reply";
    auto tb = nested(msg, where, IPVS_CMD_ATTR_DEST, IPVS_DEST_ATTR_MAX, "IPVS_CMD_ATTR_DEST");
    if (!tb) return tb.error();
    Reader r(where, *tb);
    DestEntry e;
    auto fam = r.family(IPVS_DEST_ATTR_ADDR_FAMILY, "IPVS_DEST_ATTR_ADDR_FAMILY", false);
    if (r.error) return *r.error;
    e.key.address = r.addr(IPVS_DEST_ATTR_ADDR, "IPVS_DEST_ATTR_ADDR", fam.value_or(svc_family));
    e.key.port = ntohs(r.get<uint16_t>(IPVS_DEST_ATTR_PORT, "IPVS_DEST_ATTR_PORT"));
    uint32_t fwd = r.get<uint32_t>(IPVS_DEST_ATTR_FWD_METHOD, "IPVS_DEST_ATTR_FWD_METHOD");
    fwd &= IP_VS_CONN_F_FWD_MASK;
    if (!r.error && fwd > static_cast<uint32_t>(Method::Bypass))
        r.fail(fault::bad_value, "IPVS_DEST_ATTR_FWD_METHOD: unknown method " + std::to_string(fwd));
    e.params.method = static_cast<Method>(fwd);
    e.params.weight = static_cast<int32_t>(r.get<uint32_t>(IPVS_DEST_ATTR_WEIGHT, "IPVS_DEST_ATTR_WEIGHT"));
    e.params.u_threshold = r.get<uint32_t>(IPVS_DEST_ATTR_U_THRESH, "IPVS_DEST_ATTR_U_THRESH");
    e.params.l_threshold = r.get<uint32_t>(IPVS_DEST_ATTR_L_THRESH, "IPVS_DEST_ATTR_L_THRESH");
    // Tunnel attributes: absent before 5.2/5.3.
    e.params.tun_type = r.opt<uint8_t>(IPVS_DEST_ATTR_TUN_TYPE, "IPVS_DEST_ATTR_TUN_TYPE");
    e.params.tun_port = ntohs(r.opt<uint16_t>(IPVS_DEST_ATTR_TUN_PORT, "IPVS_DEST_ATTR_TUN_PORT"));
    e.params.tun_flags = r.opt<uint16_t>(IPVS_DEST_ATTR_TUN_FLAGS, "IPVS_DEST_ATTR_TUN_FLAGS");
    if (r.error) return *r.error;
    return e;
}

core::Result<Timeouts> decode_timeouts(std::span<const uint8_t> msg) {
    const char* where = "IPVS config reply";
    auto tb = parse_top(msg, where, true);
    if (!tb) return tb.error();
    Reader r(where, *tb);
    Timeouts t;
    t.tcp = r.opt<uint32_t>(IPVS_CMD_ATTR_TIMEOUT_TCP, "IPVS_CMD_ATTR_TIMEOUT_TCP");
    t.tcp_fin = r.opt<uint32_t>(IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, "IPVS_CMD_ATTR_TIMEOUT_TCP_FIN");
    t.udp = r.opt<uint32_t>(IPVS_CMD_ATTR_TIMEOUT_UDP, "IPVS_CMD_ATTR_TIMEOUT_UDP");
    if (r.error) return *r.error;
    return t;
}

core::Result<SyncDaemon> decode_daemon(std::span<const uint8_t> msg) {
    const char* where = "IPVS daemon reply";
    auto tb = nested(msg, where, IPVS_CMD_ATTR_DAEMON, IPVS_DAEMON_ATTR_MAX, "IPVS_CMD_ATTR_DAEMON");
    if (!tb) return tb.error();
    Reader r(where, *tb);
    SyncDaemon d;
    uint32_t state = r.get<uint32_t>(IPVS_DAEMON_ATTR_STATE, "IPVS_DAEMON_ATTR_STATE");
    if (!r.error && state != IP_VS_STATE_MASTER && state != IP_VS_STATE_BACKUP)
        r.fail(fault::bad_value, "IPVS_DAEMON_ATTR_STATE: unknown state " + std::to_string(state));
    d.role = static_cast<SyncDaemon::Role>(state);
    d.ifname = r.str(IPVS_DAEMON_ATTR_MCAST_IFN, "IPVS_DAEMON_ATTR_MCAST_IFN", true);
    d.syncid = r.get<uint32_t>(IPVS_DAEMON_ATTR_SYNC_ID, "IPVS_DAEMON_ATTR_SYNC_ID");
    // 4.3 and later report the effective values (kernel defaults included).
    d.maxlen = r.opt<uint16_t>(IPVS_DAEMON_ATTR_SYNC_MAXLEN, "IPVS_DAEMON_ATTR_SYNC_MAXLEN");
    d.port = r.opt<uint16_t>(IPVS_DAEMON_ATTR_MCAST_PORT, "IPVS_DAEMON_ATTR_MCAST_PORT");  // host order
    d.ttl = r.opt<uint8_t>(IPVS_DAEMON_ATTR_MCAST_TTL, "IPVS_DAEMON_ATTR_MCAST_TTL");
    if (r.has(IPVS_DAEMON_ATTR_MCAST_GROUP)) {
        d.group = r.addr(IPVS_DAEMON_ATTR_MCAST_GROUP, "IPVS_DAEMON_ATTR_MCAST_GROUP", net::Family::V4);
        if (!r.error && nla_len((*tb)[IPVS_DAEMON_ATTR_MCAST_GROUP]) != 4)
            r.fail(fault::malformed, "IPVS_DAEMON_ATTR_MCAST_GROUP: length is not 4");
        d.has_group = true;
    } else if (r.has(IPVS_DAEMON_ATTR_MCAST_GROUP6)) {
        d.group = r.addr(IPVS_DAEMON_ATTR_MCAST_GROUP6, "IPVS_DAEMON_ATTR_MCAST_GROUP6", net::Family::V6);
        d.has_group = true;
    }
    if (r.error) return *r.error;
    return d;
}

core::Result<Info> decode_info(std::span<const uint8_t> msg) {
    const char* where = "IPVS info reply";
    auto tb = parse_top(msg, where, false);
    if (!tb) return tb.error();
    Reader r(where, *tb);
    Info i;
    i.version = r.get<uint32_t>(IPVS_INFO_ATTR_VERSION, "IPVS_INFO_ATTR_VERSION");
    i.conn_tab_size = r.get<uint32_t>(IPVS_INFO_ATTR_CONN_TAB_SIZE, "IPVS_INFO_ATTR_CONN_TAB_SIZE");
    if (r.error) return *r.error;
    return i;
}

}  // namespace halbd::forward::ipvs
