// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/nft/nl_batch.hh: an nftables change set (tables, chains, rules,
// maps and their elements) as plain values, each with the nft(8) command
// line it equals. ruleset.cc and dr_ruleset.cc make them (pure, unit-tested);
// an NlSink sends them: NftnlSink encodes them with libnftnl into one netlink
// batch, one kernel transaction (no text for libnftables to parse: 10,000
// services took 7 s as text); without a sink (tests) the backend joins the
// command lines for libnftables. Why: nft_backend.hh.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hh"
#include "net/address.hh"

namespace halbd::forward::nft {

// A service's DNAT rule as nf_tables expressions (what nft(8) generates for
// ruleset.cc's text; see nftnl_sink.cc), or the closing `drop`.
struct RuleSpec {
    bool drop = false;       // the rule is `drop`; nothing below applies
    bool v6 = false;
    uint8_t l4proto = 0;     // `meta l4proto P` first (0: none)
    bool mark_key = false;   // slot key `meta mark . SLOT`, else `daddr . dport . SLOT`
    bool port_data = false;  // the map's data has a port (dnat to address . port)
    enum class Sched { Numgen, JhashSaddr, JhashDaddr } sched = Sched::Numgen;
    bool hash_sport = false;  // jhash of `saddr . th sport`
    uint32_t modulus = 0, seed = 0;
    std::string map;
};

// A map element: key and data as nf_tables stores them (fields in network
// order where nft's types are, each padded to 4 bytes); `goto_chain` for a
// verdict map; neither for a deletion. No text: 200,000 of them are made in
// one run, and the text is needed only for tests and errors (op_text).
struct ElementItem {
    std::string key, data, goto_chain;
};

// A rule's expression RuleSpec does not describe (nl_objects.hh builds
// them): its libnftnl name and attributes (NFTNL_EXPR_*, the value's bytes;
// strings with their NUL). `device`: an immediate whose data is that
// interface's index, looked up when the batch is encoded.
struct ExprSpec {
    const char* name = "";
    std::vector<std::pair<uint16_t, std::string>> attrs;
    std::string device;
};
// A map or set as nf_tables declares it (nl_objects.hh): NFT_SET_* flags,
// nft's datatype numbers and lengths, and nft's udata (byte order, typeof)
// so that `nft list` prints it as its text declares it.
struct SetSpec {
    uint32_t flags = 0, key_type = 0, key_len = 0, data_type = 0, data_len = 0;
    uint64_t timeout_ms = 0;
    std::string udata;
};
// A base chain's hook ("nat", NF_INET_PRE_ROUTING, -100; `device` for
// netdev ingress); policy accept.
struct HookSpec {
    std::string type;
    uint32_t hooknum = 0;
    int32_t prio = 0;
    std::string device;
};

// AddChain of a base chain: `hook` (hook.type not empty). AddRule: `exprs`.
// AddSet: `set`; an anonymous set ("__set%d", constant) holds the op's
// items and is the one the next rule's lookup of "__set%d" names.
struct NlObject {
    HookSpec hook;
    SetSpec set;
    std::vector<ExprSpec> exprs;
};

struct NlOp {
    enum class Kind {
        AddChain, FlushChain, DeleteChain, AddRule, AddElements, DeleteElements,
        AddTable, DeleteTable, AddSet, DeleteSet, FlushSet
    };
    explicit NlOp(Kind k) : kind(k) {}
    Kind kind;
    net::Family family = net::Family::V4;
    bool netdev = false;  // table `netdev halbd` (DR), else ip/ip6 by family
    std::string name;     // the chain (chain and rule ops) or the map; empty for tables
    std::string comment;  // AddChain
    RuleSpec rule;        // AddRule, unless obj().exprs is not empty
    // What only tables' own objects need (NlObject), shared by copies: an op
    // stays small (a first load makes 50,000 of them).
    std::shared_ptr<const NlObject> object;
    const NlObject& obj() const {
        static const NlObject none;
        return object ? *object : none;
    }
    std::vector<ElementItem> items;
    // Elements: the fields of key and data, one letter each: a(ddress),
    // p(ort), P(rotocol), n(umber) (how op_text prints the bytes).
    std::string key_fields, data_fields;
    // The same operation as one nft(8) command line; for elements only its
    // start ("add element ip halbd tcp_slots_7"): see op_text. Empty for an
    // anonymous set (its rule's text holds it).
    std::string text;
};
using NlBatch = std::vector<NlOp>;

// The operation as one nft(8) command line.
std::string op_text(const NlOp& op);
// The batch as nft(8) input (op_text of each, in order).
std::string batch_text(const NlBatch& b);

// Where NftBackend sends a batch: one kernel transaction, all or nothing.
class NlSink {
public:
    virtual ~NlSink() = default;
    virtual core::Status send(const NlBatch& batch) = 0;
};

}  // namespace halbd::forward::nft
