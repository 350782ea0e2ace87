// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/nft/nl_objects.cc: see nl_objects.hh. The numbers are nft 1.0.6's
// (its datatype, proto_desc and udata enums as its messages carry them);
// tests/netns/nft-*.sh read the tables back with nft(8).
#include "forward/nft/nl_objects.hh"

#include <libnftnl/expr.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

namespace halbd::forward::nft::nlx {

namespace {

uint32_t reg(uint32_t slot) { return slot % 4 == 0 ? NFT_REG_1 + slot / 4 : NFT_REG32_00 + slot; }
ExprSpec make(const char* name, std::vector<std::pair<uint16_t, std::string>> attrs) {
    ExprSpec e;
    e.name = name;
    e.attrs = std::move(attrs);
    return e;
}
std::string str(const std::string& s) { return std::string(s.c_str(), s.size() + 1); }
std::string u64(uint64_t v) { return std::string(reinterpret_cast<const char*>(&v), 8); }

// One udata TLV: type, length, value (nftnl_udata's layout).
std::string tlv(uint8_t type, const std::string& value) {
    return std::string{char(type), char(uint8_t(value.size()))} + value;
}
std::string typeof_expr(uint32_t expr, const std::string& data) {
    return tlv(NFTNL_UDATA_SET_TYPEOF_EXPR, u32(expr)) + tlv(NFTNL_UDATA_SET_TYPEOF_DATA, data);
}
// nft's expression type numbers (expression.h).
constexpr uint32_t kExprPayload = 7, kExprMeta = 9, kExprConcat = 13, kExprNumgen = 23;

}  // namespace

std::string u32(uint32_t v) { return std::string(reinterpret_cast<const char*>(&v), 4); }
std::string be16(uint16_t v) { return std::string{char(v >> 8), char(v & 0xff)}; }
std::string raw_u32(uint32_t v) { return u32(v); }
std::string raw_addr(const net::IpAddress& a) {
    return std::string(reinterpret_cast<const char*>(a.bytes()), a.family() == net::Family::V6 ? 16 : 4);
}
std::string raw_port(uint16_t p) { return be16(p) + std::string(2, '\0'); }
std::string raw_proto(Protocol p) {
    return std::string{char(p == Protocol::TCP ? 6 : p == Protocol::UDP ? 17 : 132), 0, 0, 0};
}

ExprSpec meta(uint32_t key, uint32_t slot) {
    return make("meta", {{NFTNL_EXPR_META_KEY, u32(key)}, {NFTNL_EXPR_META_DREG, u32(reg(slot))}});
}
ExprSpec payload(uint32_t base, uint32_t offset, uint32_t len, uint32_t slot) {
    return make("payload", {{NFTNL_EXPR_PAYLOAD_DREG, u32(reg(slot))},
                            {NFTNL_EXPR_PAYLOAD_BASE, u32(base)},
                            {NFTNL_EXPR_PAYLOAD_OFFSET, u32(offset)},
                            {NFTNL_EXPR_PAYLOAD_LEN, u32(len)}});
}
ExprSpec cmp(uint32_t op, uint32_t slot, std::string data) {
    return make("cmp", {{NFTNL_EXPR_CMP_SREG, u32(reg(slot))}, {NFTNL_EXPR_CMP_OP, u32(op)},
                        {NFTNL_EXPR_CMP_DATA, std::move(data)}});
}
ExprSpec mask(uint32_t slot, std::string bits) {
    const uint32_t len = uint32_t(bits.size());
    return make("bitwise", {{NFTNL_EXPR_BITWISE_SREG, u32(reg(slot))},
                            {NFTNL_EXPR_BITWISE_DREG, u32(reg(slot))},
                            {NFTNL_EXPR_BITWISE_LEN, u32(len)},
                            {NFTNL_EXPR_BITWISE_MASK, std::move(bits)},
                            {NFTNL_EXPR_BITWISE_XOR, std::string(len, '\0')}});
}
ExprSpec ct(uint32_t key, uint32_t slot, bool original) {
    ExprSpec e = make("ct", {{NFTNL_EXPR_CT_KEY, u32(key)}, {NFTNL_EXPR_CT_DREG, u32(reg(slot))}});
    if (original) e.attrs.push_back({NFTNL_EXPR_CT_DIR, std::string(1, char(0))});  // IP_CT_DIR_ORIGINAL
    return e;
}
ExprSpec lookup(uint32_t slot, const std::string& set, int dreg) {
    ExprSpec e = make("lookup", {{NFTNL_EXPR_LOOKUP_SREG, u32(reg(slot))}, {NFTNL_EXPR_LOOKUP_SET, str(set)}});
    if (dreg != kNone)
        e.attrs.push_back({NFTNL_EXPR_LOOKUP_DREG, u32(dreg == kVerdict ? uint32_t(NFT_REG_VERDICT) : reg(uint32_t(dreg)))});
    return e;
}
ExprSpec dnat(bool v6, uint32_t addr_slot, int port_slot, uint32_t flags) {
    ExprSpec e = make("nat", {{NFTNL_EXPR_NAT_TYPE, u32(NFT_NAT_DNAT)},
                              {NFTNL_EXPR_NAT_FAMILY, u32(v6 ? NFPROTO_IPV6 : NFPROTO_IPV4)},
                              {NFTNL_EXPR_NAT_REG_ADDR_MIN, u32(reg(addr_slot))}});
    if (port_slot >= 0) e.attrs.push_back({NFTNL_EXPR_NAT_REG_PROTO_MIN, u32(reg(uint32_t(port_slot)))});
    if (flags) e.attrs.push_back({NFTNL_EXPR_NAT_FLAGS, u32(flags)});
    return e;
}
ExprSpec numgen(uint32_t slot, uint32_t modulus) {
    return make("numgen", {{NFTNL_EXPR_NG_DREG, u32(reg(slot))}, {NFTNL_EXPR_NG_MODULUS, u32(modulus)},
                           {NFTNL_EXPR_NG_TYPE, u32(NFT_NG_INCREMENTAL)}, {NFTNL_EXPR_NG_OFFSET, u32(0)}});
}
ExprSpec jhash(uint32_t in, uint32_t out, uint32_t len, uint32_t modulus, uint32_t seed) {
    return make("hash", {{NFTNL_EXPR_HASH_SREG, u32(reg(in))}, {NFTNL_EXPR_HASH_DREG, u32(reg(out))},
                         {NFTNL_EXPR_HASH_LEN, u32(len)}, {NFTNL_EXPR_HASH_MODULUS, u32(modulus)},
                         {NFTNL_EXPR_HASH_SEED, u32(seed)}, {NFTNL_EXPR_HASH_TYPE, u32(NFT_HASH_JENKINS)}});
}
ExprSpec immediate(uint32_t slot, std::string data) {
    return make("immediate", {{NFTNL_EXPR_IMM_DREG, u32(reg(slot))}, {NFTNL_EXPR_IMM_DATA, std::move(data)}});
}
ExprSpec drop() {
    return make("immediate", {{NFTNL_EXPR_IMM_DREG, u32(NFT_REG_VERDICT)}, {NFTNL_EXPR_IMM_VERDICT, u32(NF_DROP)}});
}
ExprSpec ifindex(uint32_t slot, const std::string& device) {
    ExprSpec e = immediate(slot, u32(0));
    e.device = device;
    return e;
}
ExprSpec dynset_update(const std::string& set, uint32_t key_slot, uint32_t data_slot, uint64_t timeout_ms) {
    return make("dynset", {{NFTNL_EXPR_DYNSET_SREG_KEY, u32(reg(key_slot))},
                           {NFTNL_EXPR_DYNSET_SREG_DATA, u32(reg(data_slot))},
                           {NFTNL_EXPR_DYNSET_OP, u32(NFT_DYNSET_OP_UPDATE)},
                           {NFTNL_EXPR_DYNSET_TIMEOUT, u64(timeout_ms)},
                           {NFTNL_EXPR_DYNSET_SET_NAME, str(set)}});
}
ExprSpec fwd(uint32_t dev_slot, uint32_t addr_slot, bool v6) {
    return make("fwd", {{NFTNL_EXPR_FWD_SREG_DEV, u32(reg(dev_slot))},
                        {NFTNL_EXPR_FWD_SREG_ADDR, u32(reg(addr_slot))},
                        {NFTNL_EXPR_FWD_NFPROTO, u32(v6 ? NFPROTO_IPV6 : NFPROTO_IPV4)}});
}

uint32_t concat(std::initializer_list<uint32_t> types) {
    uint32_t t = 0;
    for (uint32_t x : types) t = t << 6 | x;  // nft's TYPE_BITS
    return t;
}
std::string typeof_payload(uint32_t desc, uint32_t field) {
    return typeof_expr(kExprPayload, tlv(0, u32(desc)) + tlv(1, u32(field)));
}
std::string typeof_meta(uint32_t key) { return typeof_expr(kExprMeta, tlv(0, u32(key))); }
std::string typeof_numgen_mod2() {
    return typeof_expr(kExprNumgen, tlv(0, u32(NFT_NG_INCREMENTAL)) + tlv(1, u32(2)) + tlv(2, u32(0)));
}
std::string typeof_concat(const std::vector<std::string>& fields) {
    std::string data;
    for (size_t i = 0; i < fields.size(); ++i) data += tlv(uint8_t(i), fields[i]);
    return typeof_expr(kExprConcat, data);
}
uint32_t ip_saddr_field(bool v6) { return v6 ? 8 : 11; }
uint32_t ip_daddr_field(bool v6) { return v6 ? 9 : 12; }

std::string set_udata(uint32_t key_order, const std::string& key_typeof, bool map, uint32_t data_order,
                      const std::string& data_typeof) {
    std::string u = tlv(NFTNL_UDATA_SET_KEYBYTEORDER, u32(key_order));
    if (map) u += tlv(NFTNL_UDATA_SET_DATABYTEORDER, u32(data_order));
    if (!key_typeof.empty()) u += tlv(NFTNL_UDATA_SET_KEY_TYPEOF, key_typeof);
    if (!data_typeof.empty()) u += tlv(NFTNL_UDATA_SET_DATA_TYPEOF, data_typeof);
    if (map) u += tlv(NFTNL_UDATA_SET_DATA_INTERVAL, u32(0));
    return u;
}

NlOp table_op(NlOp::Kind kind, net::Family family, bool netdev, std::string text) {
    NlOp op{kind};
    op.family = family;
    op.netdev = netdev;
    op.text = std::move(text);
    return op;
}
NlOp named_op(NlOp::Kind kind, net::Family family, bool netdev, std::string name, std::string text) {
    NlOp op = table_op(kind, family, netdev, std::move(text));
    op.name = std::move(name);
    return op;
}
NlOp set_op(net::Family family, bool netdev, std::string name, SetSpec spec, std::string text) {
    NlOp op = named_op(NlOp::Kind::AddSet, family, netdev, std::move(name), std::move(text));
    op.object = std::make_shared<const NlObject>(NlObject{{}, std::move(spec), {}});
    return op;
}
NlOp rule_op(net::Family family, bool netdev, std::string chain, std::vector<ExprSpec> exprs, std::string text) {
    NlOp op = named_op(NlOp::Kind::AddRule, family, netdev, std::move(chain), std::move(text));
    op.object = std::make_shared<const NlObject>(NlObject{{}, {}, std::move(exprs)});
    return op;
}
NlOp verdict_map(net::Family f, bool netdev, const std::string& name, bool mark, bool port, std::string text) {
    SetSpec spec;
    spec.flags = NFT_SET_MAP;
    const uint32_t ip = f == net::Family::V6 ? kIpv6 : kIpv4, len = f == net::Family::V6 ? 16 : 4;
    spec.key_type = mark ? uint32_t(kMark) : port ? concat({kInetProto, ip, kInetService}) : concat({kInetProto, ip});
    spec.key_len = mark ? 4 : len + (port ? 8 : 4);
    spec.data_type = NFT_DATA_VERDICT;
    spec.udata = mark ? set_udata(kHost, "", true) : set_udata(kNoOrder, typeof_concat({}), true);
    return set_op(f, netdev, name, std::move(spec), std::move(text));
}

NlOp base_chain(net::Family family, bool netdev, std::string name, HookSpec hook, std::string text) {
    NlOp op = named_op(NlOp::Kind::AddChain, family, netdev, std::move(name), std::move(text));
    op.object = std::make_shared<const NlObject>(NlObject{std::move(hook), {}, {}});
    return op;
}
NlOp l4protos_set(net::Family family) {
    SetSpec s;
    s.flags = NFT_SET_ANONYMOUS | NFT_SET_CONSTANT;
    s.key_type = kInetProto;
    s.key_len = 1;
    s.udata = set_udata(kHost, typeof_meta(NFT_META_L4PROTO), false);
    NlOp op = set_op(family, false, "__set%d", std::move(s), "");
    for (char p : {char(6), char(17), char(132)}) op.items.push_back(ElementItem{std::string(1, p), "", ""});
    op.key_fields = "P";
    return op;
}

}  // namespace halbd::forward::nft::nlx
