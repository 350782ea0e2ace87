// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/nft/nftnl_sink.cc: see nftnl_sink.hh. The expressions and register
// numbers are those `nft --debug=netlink` shows for ruleset.cc's rules (nft
// 1.0.6): the slot key's fields from register slot 0 on (a 32-bit slot each
// 4 bytes), the scheduler's result after them, a jhash's input 5 slots after
// that.
#include "forward/nft/nftnl_sink.hh"

#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <net/if.h>

#include <algorithm>

#include "forward/nft/ruleset.hh"

namespace halbd::forward::nft {

namespace {

template <typename T, auto Free>
struct Freer {
    void operator()(T* p) const { Free(p); }
};
using Chain = std::unique_ptr<nftnl_chain, Freer<nftnl_chain, nftnl_chain_free>>;
using Rule = std::unique_ptr<nftnl_rule, Freer<nftnl_rule, nftnl_rule_free>>;
using Set = std::unique_ptr<nftnl_set, Freer<nftnl_set, nftnl_set_free>>;
using Table = std::unique_ptr<nftnl_table, Freer<nftnl_table, nftnl_table_free>>;
using Udata = std::unique_ptr<nftnl_udata_buf, Freer<nftnl_udata_buf, nftnl_udata_buf_free>>;

// A 32-bit register slot as nft numbers it: the 128-bit name when aligned.
uint32_t reg(uint32_t slot) { return slot % 4 == 0 ? NFT_REG_1 + slot / 4 : NFT_REG32_00 + slot; }

nftnl_expr* expr(Rule& r, const char* name) {
    nftnl_expr* e = nftnl_expr_alloc(name);
    nftnl_rule_add_expr(r.get(), e);
    return e;
}
void payload(Rule& r, uint32_t base, uint32_t offset, uint32_t len, uint32_t slot) {
    nftnl_expr* e = expr(r, "payload");
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, reg(slot));
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
}
void meta(Rule& r, uint32_t key, uint32_t slot) {
    nftnl_expr* e = expr(r, "meta");
    nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
    nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, reg(slot));
}

void rule_exprs(Rule& r, const RuleSpec& s) {
    if (s.drop) {
        nftnl_expr* e = expr(r, "immediate");
        nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
        nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NF_DROP);
        return;
    }
    const uint32_t addr_len = s.v6 ? 16 : 4, addr_slots = addr_len / 4;
    if (s.l4proto) {
        meta(r, NFT_META_L4PROTO, 0);
        nftnl_expr* e = expr(r, "cmp");
        nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
        nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, &s.l4proto, 1);
    }
    uint32_t out;  // the scheduler's result slot
    if (s.mark_key) {
        meta(r, NFT_META_MARK, 0);
        out = 1;
    } else {
        payload(r, NFT_PAYLOAD_NETWORK_HEADER, s.v6 ? 24 : 16, addr_len, 0);
        payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, addr_slots);
        out = addr_slots + 1;
    }
    if (s.sched == RuleSpec::Sched::Numgen) {
        nftnl_expr* e = expr(r, "numgen");
        nftnl_expr_set_u32(e, NFTNL_EXPR_NG_DREG, reg(out));
        nftnl_expr_set_u32(e, NFTNL_EXPR_NG_MODULUS, s.modulus);
        nftnl_expr_set_u32(e, NFTNL_EXPR_NG_TYPE, NFT_NG_INCREMENTAL);
        nftnl_expr_set_u32(e, NFTNL_EXPR_NG_OFFSET, 0);
    } else {
        const uint32_t in = out + 5;
        const bool src = s.sched == RuleSpec::Sched::JhashSaddr;
        payload(r, NFT_PAYLOAD_NETWORK_HEADER, s.v6 ? (src ? 8 : 24) : (src ? 12 : 16), addr_len, in);
        if (s.hash_sport) payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2, in + addr_slots);
        nftnl_expr* e = expr(r, "hash");
        nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_SREG, reg(in));
        nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_DREG, reg(out));
        nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_LEN, addr_len + (s.hash_sport ? 4 : 0));
        nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_MODULUS, s.modulus);
        nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_SEED, s.seed);
        nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_TYPE, NFT_HASH_JENKINS);
    }
    nftnl_expr* l = expr(r, "lookup");
    nftnl_expr_set_u32(l, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
    nftnl_expr_set_u32(l, NFTNL_EXPR_LOOKUP_DREG, NFT_REG_1);
    nftnl_expr_set_str(l, NFTNL_EXPR_LOOKUP_SET, s.map.c_str());
    nftnl_expr* n = expr(r, "nat");
    nftnl_expr_set_u32(n, NFTNL_EXPR_NAT_TYPE, NFT_NAT_DNAT);
    nftnl_expr_set_u32(n, NFTNL_EXPR_NAT_FAMILY, s.v6 ? NFPROTO_IPV6 : NFPROTO_IPV4);
    nftnl_expr_set_u32(n, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG_1);
    if (s.port_data) nftnl_expr_set_u32(n, NFTNL_EXPR_NAT_REG_PROTO_MIN, reg(addr_slots));
}

// Appends one message, built by `build` in a scratch buffer (it may write up
// to kRoom bytes: chains and rules are small, element messages are bounded
// by kElementsPerMessage).
constexpr size_t kRoom = 128 * 1024;
template <typename F>
void message(std::string& out, std::vector<char>& scratch, F&& build) {
    const nlmsghdr* h = build(scratch.data());
    out.append(scratch.data(), NLMSG_ALIGN(h->nlmsg_len));
}

uint16_t family(const NlOp& op) {
    return op.netdev ? NFPROTO_NETDEV : op.family == net::Family::V6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
}

// An ExprSpec's attributes as they are (see nl_batch.hh); a lookup of an
// anonymous set names it by the id it was given in this batch.
void spec_exprs(Rule& r, const std::vector<ExprSpec>& specs, uint32_t anon_id) {
    for (const ExprSpec& s : specs) {
        nftnl_expr* e = expr(r, s.name);
        for (const auto& [attr, value] : s.attrs) nftnl_expr_set(e, attr, value.data(), uint32_t(value.size()));
        if (!s.device.empty()) {
            const uint32_t index = if_nametoindex(s.device.c_str());
            nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, &index, sizeof index);
        }
        if (std::string_view(s.name) == "lookup" && nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET) == std::string_view("__set%d"))
            nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, anon_id);
    }
}

void set_attrs(nftnl_set* s, const SetSpec& spec) {
    nftnl_set_set_u32(s, NFTNL_SET_FLAGS, spec.flags);
    nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, spec.key_type);
    nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, spec.key_len);
    if (spec.flags & NFT_SET_MAP) {
        nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE, spec.data_type);
        nftnl_set_set_u32(s, NFTNL_SET_DATA_LEN, spec.data_len);
    }
    if (spec.timeout_ms) nftnl_set_set_u64(s, NFTNL_SET_TIMEOUT, spec.timeout_ms);
    if (!spec.udata.empty()) nftnl_set_set_data(s, NFTNL_SET_USERDATA, spec.udata.data(), uint32_t(spec.udata.size()));
}

}  // namespace

EncodedBatch encode(const NlBatch& batch, uint32_t first_seq) {
    EncodedBatch out;
    out.first_seq = first_seq;
    std::vector<char> scratch(kRoom);
    size_t estimate = 64;
    for (const NlOp& op : batch) estimate += 256 + op.items.size() * 96;
    out.bytes.reserve(estimate);
    uint32_t seq = first_seq;
    uint32_t set_id = 0, anon_id = 0;  // NFTA_SET_ID: unique in the batch
    auto next = [&](size_t op) {
        out.op_of_seq.push_back(op);
        return seq++;
    };
    message(out.bytes, scratch, [&](char* b) { return nftnl_batch_begin(b, next(size_t(-1))); });
    for (size_t i = 0; i < batch.size(); ++i) {
        const NlOp& op = batch[i];
        const uint16_t fam = family(op);
        switch (op.kind) {
            case NlOp::Kind::AddChain:
            case NlOp::Kind::DeleteChain: {
                Chain c(nftnl_chain_alloc());
                nftnl_chain_set_str(c.get(), NFTNL_CHAIN_TABLE, kTable);
                nftnl_chain_set_str(c.get(), NFTNL_CHAIN_NAME, op.name.c_str());
                const bool add = op.kind == NlOp::Kind::AddChain;
                if (add && !op.obj().hook.type.empty()) {
                    nftnl_chain_set_str(c.get(), NFTNL_CHAIN_TYPE, op.obj().hook.type.c_str());
                    nftnl_chain_set_u32(c.get(), NFTNL_CHAIN_HOOKNUM, op.obj().hook.hooknum);
                    nftnl_chain_set_s32(c.get(), NFTNL_CHAIN_PRIO, op.obj().hook.prio);
                    nftnl_chain_set_u32(c.get(), NFTNL_CHAIN_POLICY, NF_ACCEPT);
                    if (!op.obj().hook.device.empty()) nftnl_chain_set_str(c.get(), NFTNL_CHAIN_DEV, op.obj().hook.device.c_str());
                }
                if (add && !op.comment.empty()) {
                    Udata u(nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN));
                    nftnl_udata_put_strz(u.get(), NFTNL_UDATA_CHAIN_COMMENT, op.comment.c_str());
                    nftnl_chain_set_data(c.get(), NFTNL_CHAIN_USERDATA, nftnl_udata_buf_data(u.get()),
                                         nftnl_udata_buf_len(u.get()));
                }
                message(out.bytes, scratch, [&](char* b) {
                    nlmsghdr* h = nftnl_nlmsg_build_hdr(b, add ? NFT_MSG_NEWCHAIN : NFT_MSG_DELCHAIN, fam,
                                                        add ? NLM_F_CREATE : 0, next(i));
                    nftnl_chain_nlmsg_build_payload(h, c.get());
                    return h;
                });
                break;
            }
            case NlOp::Kind::FlushChain:
            case NlOp::Kind::AddRule: {
                Rule r(nftnl_rule_alloc());
                nftnl_rule_set_str(r.get(), NFTNL_RULE_TABLE, kTable);
                nftnl_rule_set_str(r.get(), NFTNL_RULE_CHAIN, op.name.c_str());
                const bool add = op.kind == NlOp::Kind::AddRule;
                if (add) {
                    nftnl_rule_set_u32(r.get(), NFTNL_RULE_FAMILY, fam);
                    if (op.obj().exprs.empty()) rule_exprs(r, op.rule);
                    else spec_exprs(r, op.obj().exprs, anon_id);
                }
                message(out.bytes, scratch, [&](char* b) {
                    nlmsghdr* h = nftnl_nlmsg_build_hdr(b, add ? NFT_MSG_NEWRULE : NFT_MSG_DELRULE, fam,
                                                        add ? NLM_F_CREATE | NLM_F_APPEND : 0, next(i));
                    nftnl_rule_nlmsg_build_payload(h, r.get());
                    return h;
                });
                break;
            }
            case NlOp::Kind::AddTable:
            case NlOp::Kind::DeleteTable: {
                Table t(nftnl_table_alloc());
                nftnl_table_set_str(t.get(), NFTNL_TABLE_NAME, kTable);
                const bool add = op.kind == NlOp::Kind::AddTable;
                message(out.bytes, scratch, [&](char* b) {
                    nlmsghdr* h = nftnl_nlmsg_build_hdr(b, add ? NFT_MSG_NEWTABLE : NFT_MSG_DELTABLE, fam,
                                                        add ? NLM_F_CREATE : 0, next(i));
                    nftnl_table_nlmsg_build_payload(h, t.get());
                    return h;
                });
                break;
            }
            case NlOp::Kind::AddSet:
            case NlOp::Kind::DeleteSet:
            case NlOp::Kind::FlushSet: {
                Set s(nftnl_set_alloc());
                nftnl_set_set_str(s.get(), NFTNL_SET_TABLE, kTable);
                nftnl_set_set_str(s.get(), NFTNL_SET_NAME, op.name.c_str());
                const bool add = op.kind == NlOp::Kind::AddSet;
                if (add) {
                    set_attrs(s.get(), op.obj().set);
                    nftnl_set_set_u32(s.get(), NFTNL_SET_ID, ++set_id);
                    if (op.obj().set.flags & NFT_SET_ANONYMOUS) {
                        anon_id = set_id;
                        nftnl_set_set_u32(s.get(), NFTNL_SET_DESC_SIZE, uint32_t(op.items.size()));
                    }
                }
                const uint16_t type = add ? NFT_MSG_NEWSET : op.kind == NlOp::Kind::DeleteSet ? NFT_MSG_DELSET : NFT_MSG_DELSETELEM;
                message(out.bytes, scratch, [&](char* b) {
                    nlmsghdr* h = nftnl_nlmsg_build_hdr(b, type, fam, add ? NLM_F_CREATE : 0, next(i));
                    if (type == NFT_MSG_DELSETELEM) nftnl_set_elems_nlmsg_build_payload(h, s.get());
                    else nftnl_set_nlmsg_build_payload(h, s.get());
                    return h;
                });
                if (!add || op.items.empty()) break;
                [[fallthrough]];  // the anonymous set's elements
            }
            case NlOp::Kind::AddElements:
            case NlOp::Kind::DeleteElements: {
                const bool add = op.kind != NlOp::Kind::DeleteElements;
                const bool anon = op.kind == NlOp::Kind::AddSet;
                for (size_t from = 0; from < op.items.size(); from += kElementsPerMessage) {
                    Set s(nftnl_set_alloc());
                    nftnl_set_set_str(s.get(), NFTNL_SET_TABLE, kTable);
                    nftnl_set_set_str(s.get(), NFTNL_SET_NAME, op.name.c_str());
                    if (anon) nftnl_set_set_u32(s.get(), NFTNL_SET_ID, anon_id);
                    for (size_t j = from; j < std::min(op.items.size(), from + kElementsPerMessage); ++j) {
                        const ElementItem& it = op.items[j];
                        nftnl_set_elem* e = nftnl_set_elem_alloc();
                        nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, it.key.data(), uint32_t(it.key.size()));
                        if (!it.goto_chain.empty()) {
                            nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_VERDICT, uint32_t(NFT_GOTO));
                            nftnl_set_elem_set_str(e, NFTNL_SET_ELEM_CHAIN, it.goto_chain.c_str());
                        } else if (!it.data.empty()) {
                            nftnl_set_elem_set(e, NFTNL_SET_ELEM_DATA, it.data.data(), uint32_t(it.data.size()));
                        }
                        nftnl_set_elem_add(s.get(), e);
                    }
                    message(out.bytes, scratch, [&](char* b) {
                        nlmsghdr* h = nftnl_nlmsg_build_hdr(b, add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM, fam,
                                                            add ? NLM_F_CREATE : 0, next(i));
                        nftnl_set_elems_nlmsg_build_payload(h, s.get());
                        return h;
                    });
                }
                break;
            }
        }
    }
    message(out.bytes, scratch, [&](char* b) { return nftnl_batch_end(b, next(size_t(-1))); });
    return out;
}

core::Result<std::unique_ptr<NftnlSink>> NftnlSink::open() {
    auto s = net::NfnlBatchSocket::open();
    if (!s) return s.error();
    return std::unique_ptr<NftnlSink>(new NftnlSink(std::move(s.value())));
}

core::Status NftnlSink::send(const NlBatch& batch) {
    const EncodedBatch b = encode(batch, seq_);
    seq_ += uint32_t(b.op_of_seq.size());
    net::NfnlBatchSocket::Refused refused;
    auto r = socket_->send(b.bytes, &refused);
    if (r) return core::Ok{};
    std::string what = r.error().message;
    const uint32_t at = refused.seq - b.first_seq;
    if (refused.seq >= b.first_seq && at < b.op_of_seq.size() && b.op_of_seq[at] < batch.size()) {
        std::string cmd = op_text(batch[b.op_of_seq[at]]);
        if (cmd.size() > 200) cmd = cmd.substr(0, 200) + "...";
        while (!cmd.empty() && cmd.back() == '\n') cmd.pop_back();
        what += " (at: " + cmd + ")";
    }
    return core::Error{r.error().code, what};
}

}  // namespace halbd::forward::nft
