// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/nft/nl_objects.hh: building blocks of the NlOps that are not a
// plain service's (tables, maps with their typeof udata, base chains, the
// persistence, fwmark and DR rules), as the values nft 1.0.6 sends for
// ruleset.cc's and dr_ruleset.cc's text (`nft --debug=netlink,mnl`), so that
// a change set of any kind is one libnftnl batch and `nft list` reads as the
// text. Pure: nftnl_sink.cc encodes them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "forward/nft/nl_batch.hh"
#include "forward/service.hh"

namespace halbd::forward::nft::nlx {

// Expressions; `slot` is a 32-bit register slot (nftnl_sink.cc's reg()).
ExprSpec meta(uint32_t key, uint32_t slot);
ExprSpec payload(uint32_t base, uint32_t offset, uint32_t len, uint32_t slot);
ExprSpec cmp(uint32_t op, uint32_t slot, std::string data);
ExprSpec mask(uint32_t slot, std::string bits);  // reg = (reg & bits) ^ 0
ExprSpec ct(uint32_t key, uint32_t slot, bool original);
// `dreg`: a slot, kVerdict (vmap) or kNone (a set).
inline constexpr int kVerdict = -1, kNone = -2;
ExprSpec lookup(uint32_t slot, const std::string& set, int dreg);
ExprSpec dnat(bool v6, uint32_t addr_slot, int port_slot, uint32_t flags = 0);  // port_slot < 0: none
ExprSpec numgen(uint32_t slot, uint32_t modulus);
ExprSpec jhash(uint32_t in, uint32_t out, uint32_t len, uint32_t modulus, uint32_t seed);
ExprSpec immediate(uint32_t slot, std::string data);
ExprSpec drop();
ExprSpec ifindex(uint32_t slot, const std::string& device);
ExprSpec dynset_update(const std::string& set, uint32_t key_slot, uint32_t data_slot, uint64_t timeout_ms);
ExprSpec fwd(uint32_t dev_slot, uint32_t addr_slot, bool v6);
std::string be16(uint16_t v);
std::string u32(uint32_t v);
// Element bytes as nf_tables stores them: nft's address and port types in
// network order, integers (mark, slot) in host order, each field padded to 4.
std::string raw_u32(uint32_t v);
std::string raw_addr(const net::IpAddress& a);
std::string raw_port(uint16_t p);
std::string raw_proto(Protocol p);

// nft's datatypes (datatype.h) and how a concatenation's type is made.
enum Type : uint32_t { kInteger = 4, kIpv4 = 7, kIpv6 = 8, kInetProto = 12, kInetService = 13, kMark = 19 };
uint32_t concat(std::initializer_list<uint32_t> types);
// A typeof field as nft's udata describes it.
std::string typeof_payload(uint32_t desc, uint32_t field);
std::string typeof_meta(uint32_t key);
std::string typeof_numgen_mod2();
std::string typeof_concat(const std::vector<std::string>& fields);
// nft's proto_desc ids and header fields (proto.h) the maps name.
enum Desc : uint32_t { kDescUdp = 6, kDescTcp = 8, kDescSctp = 10, kDescTh = 11, kDescIp = 12, kDescIp6 = 13 };
uint32_t ip_saddr_field(bool v6);
uint32_t ip_daddr_field(bool v6);
inline constexpr uint32_t kDportField = 2;
// nft's byte orders in udata.
enum Order : uint32_t { kNoOrder = 0, kHost = 1, kBig = 2 };
// The udata of a map (`map`: with data byte order and interval) or set;
// an empty typeof is left out.
std::string set_udata(uint32_t key_order, const std::string& key_typeof, bool map, uint32_t data_order = 0,
                      const std::string& data_typeof = {});

// Ops of table `halbd` of `family` (or `netdev halbd`), with their text.
NlOp table_op(NlOp::Kind kind, net::Family family, bool netdev, std::string text);
NlOp set_op(net::Family family, bool netdev, std::string name, SetSpec spec, std::string text);
NlOp named_op(NlOp::Kind kind, net::Family family, bool netdev, std::string name, std::string text);
NlOp rule_op(net::Family family, bool netdev, std::string chain, std::vector<ExprSpec> exprs, std::string text);
NlOp base_chain(net::Family family, bool netdev, std::string name, HookSpec hook, std::string text);
// A verdict map: key inet_proto . address [. inet_service] (`port`), or a
// mark (`mark`).
NlOp verdict_map(net::Family f, bool netdev, const std::string& name, bool mark, bool port, std::string text);
// The anonymous set `{ tcp, udp, sctp }` a following rule's
// lookup(slot, "__set%d", kNone) names.
NlOp l4protos_set(net::Family family);

}  // namespace halbd::forward::nft::nlx
