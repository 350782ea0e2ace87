// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/support/fake_conntrack.cc: see fake_conntrack.hh.
#include "support/fake_conntrack.hh"

#include <arpa/inet.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <netinet/in.h>

namespace halbd::test {

sync::Ct make_tcp_ct(uint32_t i, uint32_t timeout) {
    sync::Ct ct(nfct_new());
    const uint32_t client = htonl(0xC0000200u + 1 + (i / 60000) % 250);  // 192.0.2.x
    const uint32_t vip = htonl(0xC6336401u);                               // 198.51.100.1
    const uint32_t real = htonl(0xCB007101u + i % 2);                      // 203.0.113.1/2
    const uint16_t cport = htons(static_cast<uint16_t>(1024 + i % 60000));
    nfct_set_attr_u8(ct.get(), ATTR_L3PROTO, AF_INET);
    nfct_set_attr_u8(ct.get(), ATTR_L4PROTO, IPPROTO_TCP);
    nfct_set_attr_u32(ct.get(), ATTR_IPV4_SRC, client);
    nfct_set_attr_u32(ct.get(), ATTR_IPV4_DST, vip);
    nfct_set_attr_u16(ct.get(), ATTR_PORT_SRC, cport);
    nfct_set_attr_u16(ct.get(), ATTR_PORT_DST, htons(80));
    nfct_set_attr_u8(ct.get(), ATTR_REPL_L3PROTO, AF_INET);
    nfct_set_attr_u8(ct.get(), ATTR_REPL_L4PROTO, IPPROTO_TCP);
    nfct_set_attr_u32(ct.get(), ATTR_REPL_IPV4_SRC, real);
    nfct_set_attr_u32(ct.get(), ATTR_REPL_IPV4_DST, client);
    nfct_set_attr_u16(ct.get(), ATTR_REPL_PORT_SRC, htons(8080));
    nfct_set_attr_u16(ct.get(), ATTR_REPL_PORT_DST, cport);
    nfct_set_attr_u32(ct.get(), ATTR_DNAT_IPV4, real);
    nfct_set_attr_u16(ct.get(), ATTR_DNAT_PORT, htons(8080));
    nfct_set_attr_u8(ct.get(), ATTR_TCP_STATE, TCP_CONNTRACK_ESTABLISHED);
    nfct_set_attr_u32(ct.get(), ATTR_TIMEOUT, timeout);
    nfct_set_attr_u32(ct.get(), ATTR_STATUS, IPS_SEEN_REPLY | IPS_ASSURED);
    return ct;
}

core::Status FakeConntrack::dump(const std::function<void(sync::Ct)>& each) {
    ++dumps;
    std::vector<sync::Ct> copies;
    copies.reserve(table_.size());
    for (const auto& [k, ct] : table_) copies.push_back(sync::ct_clone(*ct));
    for (auto& c : copies) each(std::move(c));
    return core::Ok{};
}

void FakeConntrack::dump_sliced(std::function<void(sync::Ct)> each, std::function<void(core::Status)> done) {
    cancel_dump();
    if (!hold_dumps) {
        (void)dump(each);
        return done(core::Ok{});
    }
    ++dumps;
    for (const auto& [k, ct] : table_) held_.push_back(sync::ct_clone(*ct));
    dump_each_ = std::move(each);
    dump_done_ = std::move(done);
}

void FakeConntrack::cancel_dump() {
    held_.clear();
    dump_each_ = nullptr;
    dump_done_ = nullptr;
}

size_t FakeConntrack::dump_step(size_t n) {
    size_t given = 0;
    for (; given < n && !held_.empty() && dump_each_; ++given) {
        sync::Ct ct = std::move(held_.back());
        held_.pop_back();
        dump_each_(std::move(ct));
    }
    if (held_.empty() && dump_done_) {
        auto done = std::move(dump_done_);
        cancel_dump();
        done(core::Ok{});
    }
    return given;
}

core::Status FakeConntrack::subscribe(EventFn on_event, std::function<void()> on_lost) {
    on_event_ = std::move(on_event);
    on_lost_ = std::move(on_lost);
    return core::Ok{};
}

void FakeConntrack::unsubscribe() {
    on_event_ = nullptr;
    on_lost_ = nullptr;
}

sync::BatchResult FakeConntrack::commit(std::span<const nf_conntrack* const> entries) {
    ++commit_calls;
    sync::BatchResult r;
    for (const nf_conntrack* ct : entries) {
        if (!nfct_attr_is_set(ct, ATTR_REPL_L3PROTO)) ++committed_without_reply;
        const uint32_t status = nfct_attr_is_set(ct, ATTR_STATUS) ? nfct_get_attr_u32(ct, ATTR_STATUS) : 0;
        sync::Ct copy = sync::ct_clone(*ct);
        nfct_set_attr_u32(copy.get(), ATTR_STATUS, status | IPS_CONFIRMED);
        const sync::CtKey k = sync::ct_key(*copy);
        const bool existed = table_.count(k) != 0;
        if (echo_events && on_event_) on_event_(existed ? sync::CtOp::Update : sync::CtOp::New, sync::ct_clone(*copy));
        table_[k] = std::move(copy);
        ++r.done;
        ++committed;
    }
    return r;
}

sync::BatchResult FakeConntrack::update(std::span<const nf_conntrack* const> entries) {
    sync::BatchResult r;
    for (const nf_conntrack* ct : entries) {
        auto it = table_.find(sync::ct_key(*ct));
        if (it == table_.end()) {
            r.done += commit(std::span(&ct, 1)).done;
            continue;
        }
        if (nfct_attr_is_set(ct, ATTR_TCP_STATE))
            nfct_set_attr_u8(it->second.get(), ATTR_TCP_STATE, nfct_get_attr_u8(ct, ATTR_TCP_STATE));
        if (nfct_attr_is_set(ct, ATTR_TIMEOUT))
            nfct_set_attr_u32(it->second.get(), ATTR_TIMEOUT, nfct_get_attr_u32(ct, ATTR_TIMEOUT));
        if (echo_events && on_event_) on_event_(sync::CtOp::Update, sync::ct_clone(*it->second));
        ++r.done;
        ++updated;
    }
    return r;
}

sync::BatchResult FakeConntrack::remove(std::span<const nf_conntrack* const> entries) {
    sync::BatchResult r;
    for (const nf_conntrack* ct : entries) {
        auto it = table_.find(sync::ct_key(*ct));
        if (it == table_.end()) continue;
        if (echo_events && on_event_) on_event_(sync::CtOp::Delete, sync::ct_clone(*it->second));
        table_.erase(it);
        ++r.done;
        ++removed;
    }
    return r;
}

void FakeConntrack::emit(sync::CtOp op, const nf_conntrack& ct) {
    const sync::CtKey k = sync::ct_key(ct);
    if (op == sync::CtOp::Delete) table_.erase(k);
    else table_[k] = sync::ct_clone(ct);
    if (on_event_ && !muted) on_event_(op, sync::ct_clone(ct));
}

void FakeConntrack::lose_events() {
    if (on_lost_) on_lost_();
}

}  // namespace halbd::test
