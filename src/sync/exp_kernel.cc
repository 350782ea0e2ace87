// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// sync/exp_kernel.cc: see exp_kernel.hh. A table holds few expectations (one
// per helper-tracked control connection with a transfer pending, living
// seconds), so each commit is one acknowledged request: no batching.
#include "sync/exp_kernel.hh"

#include "sync/ctnetlink_request.hh"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace halbd::sync {

namespace {

nlmsghdr* put_exp_header(void* buf, uint16_t type, uint16_t flags, uint8_t family, uint32_t seq) {
    return put_nfnl_header(buf, NFNL_SUBSYS_CTNETLINK_EXP, type, flags, family, seq);
}

core::Error mnl_error(const char* what) { return core::system_error(std::string("ctnetlink expectations: ") + what); }

uint8_t family_of(const nf_expect* e) {
    const auto* m = static_cast<const nf_conntrack*>(nfexp_get_attr(e, ATTR_EXP_MASTER));
    return m ? nfct_get_attr_u8(m, ATTR_L3PROTO) : static_cast<uint8_t>(AF_INET);
}

void put_tuple(nlmsghdr* nlh, uint16_t type, const nf_conntrack* t) {
    nlattr* tuple = mnl_attr_nest_start(nlh, type);
    nlattr* ip = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
    if (nfct_get_attr_u8(t, ATTR_L3PROTO) == AF_INET6) {
        mnl_attr_put(nlh, CTA_IP_V6_SRC, 16, nfct_get_attr(t, ATTR_IPV6_SRC));
        mnl_attr_put(nlh, CTA_IP_V6_DST, 16, nfct_get_attr(t, ATTR_IPV6_DST));
    } else {
        mnl_attr_put_u32(nlh, CTA_IP_V4_SRC, nfct_get_attr_u32(t, ATTR_IPV4_SRC));
        mnl_attr_put_u32(nlh, CTA_IP_V4_DST, nfct_get_attr_u32(t, ATTR_IPV4_DST));
    }
    mnl_attr_nest_end(nlh, ip);
    nlattr* proto = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
    mnl_attr_put_u8(nlh, CTA_PROTO_NUM, nfct_get_attr_u8(t, ATTR_L4PROTO));
    mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, nfct_get_attr_u16(t, ATTR_PORT_SRC));
    mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, nfct_get_attr_u16(t, ATTR_PORT_DST));
    mnl_attr_nest_end(nlh, proto);
    mnl_attr_nest_end(nlh, tuple);
}

// libnetfilter_conntrack 1.0.9's nfexp_nlmsg_build leaves out the class,
// the NAT binding and the expect function (seen: only master, tuple, mask,
// flags, helper): without the last two an expectation behind NAT matches
// but is not NATed (nf_nat_follow_master never runs). Added here.
void put_missing(nlmsghdr* nlh, const nf_expect* e) {
    if (nfexp_attr_is_set(e, ATTR_EXP_CLASS) > 0)
        mnl_attr_put_u32(nlh, CTA_EXPECT_CLASS, htonl(nfexp_get_attr_u32(e, ATTR_EXP_CLASS)));
    const auto* nat = static_cast<const nf_conntrack*>(nfexp_get_attr(e, ATTR_EXP_NAT_TUPLE));
    if (nat && nfexp_attr_is_set(e, ATTR_EXP_NAT_DIR) > 0) {
        nlattr* nest = mnl_attr_nest_start(nlh, CTA_EXPECT_NAT);
        mnl_attr_put_u32(nlh, CTA_EXPECT_NAT_DIR, htonl(nfexp_get_attr_u32(e, ATTR_EXP_NAT_DIR)));
        put_tuple(nlh, CTA_EXPECT_NAT_TUPLE, nat);
        mnl_attr_nest_end(nlh, nest);
    }
    if (nfexp_attr_is_set(e, ATTR_EXP_FN) > 0)
        mnl_attr_put_strz(nlh, CTA_EXPECT_FN, static_cast<const char*>(nfexp_get_attr(e, ATTR_EXP_FN)));
}

}  // namespace

core::Result<std::unique_ptr<NfexpBackend>> NfexpBackend::open(core::EventLoop& loop) {
    auto req = open_nfnl_socket(0, 0, "ctnetlink expectations");
    if (!req) return req.error();
    return std::unique_ptr<NfexpBackend>(new NfexpBackend(loop, std::move(req.value())));
}

NfexpBackend::~NfexpBackend() { unsubscribe(); }

core::Status NfexpBackend::dump(const std::function<void(Exp)>& each) {
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE > 65536 ? MNL_SOCKET_BUFFER_SIZE : 65536);
    nlmsghdr* nlh = put_exp_header(buf.data(), IPCTNL_MSG_EXP_GET, NLM_F_DUMP, AF_UNSPEC, ++seq_);
    auto cb = [](const nlmsghdr* n, void* data) -> int {
        Exp e(nfexp_new());
        if (!e || nfexp_nlmsg_parse(n, e.get()) < 0) return MNL_CB_OK;  // skip what cannot be read
        (*static_cast<const std::function<void(Exp)>*>(data))(std::move(e));
        return MNL_CB_OK;
    };
    return run_dump(requests_.get(), nlh, buf, cb, const_cast<std::function<void(Exp)>*>(&each),
                    "ctnetlink expectations");
}

BatchResult NfexpBackend::commit(std::span<const nf_expect* const> entries) {
    BatchResult r;
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE > 65536 ? MNL_SOCKET_BUFFER_SIZE : 65536);
    const uint32_t portid = mnl_socket_get_portid(requests_.get());
    for (const nf_expect* e : entries) {
        const uint32_t seq = ++seq_;
        nlmsghdr* nlh = put_exp_header(buf.data(), IPCTNL_MSG_EXP_NEW, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK,
                                       family_of(e), seq);
        nfexp_nlmsg_build(nlh, e);
        put_missing(nlh, e);
        int err = 0;
        if (mnl_socket_sendto(requests_.get(), nlh, nlh->nlmsg_len) < 0) {
            err = errno;
        } else {
            const ssize_t n = mnl_socket_recvfrom(requests_.get(), buf.data(), buf.size());
            if (n < 0) err = errno;
            else if (mnl_cb_run(buf.data(), static_cast<size_t>(n), seq, portid, nullptr, nullptr) < 0) err = errno;
        }
        if (err == 0 || err == EEXIST) {
            ++r.done;
        } else {
            ++r.failed;
            if (r.first_error.empty()) r.first_error = std::strerror(err);
        }
    }
    return r;
}

core::Status NfexpBackend::subscribe(EventFn on_event, std::function<void()> on_lost) {
    unsubscribe();
    auto opened = open_nfnl_socket(SOCK_NONBLOCK, NF_NETLINK_CONNTRACK_EXP_NEW | NF_NETLINK_CONNTRACK_EXP_DESTROY,
                                   "ctnetlink expectation events");
    if (!opened) return opened.error();
    MnlPtr ev = std::move(opened.value());
    watch_ = loop_.watch_fd(mnl_socket_get_fd(ev.get()), core::fd_events::readable, [this](uint32_t) { on_readable(); });
    if (!watch_) return mnl_error("event watch");
    events_ = std::move(ev);
    on_event_ = std::move(on_event);
    on_lost_ = std::move(on_lost);
    return core::Ok{};
}

void NfexpBackend::unsubscribe() {
    watch_.reset();
    events_.reset();
    on_event_ = nullptr;
    on_lost_ = nullptr;
}

void NfexpBackend::on_readable() {
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE > 65536 ? MNL_SOCKET_BUFFER_SIZE : 65536);
    std::vector<std::pair<CtOp, Exp>> got;
    for (int reads = 0; reads < 16 && events_; ++reads) {
        const ssize_t n = recv(mnl_socket_get_fd(events_.get()), buf.data(), buf.size(), MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == ENOBUFS && on_lost_) {
                on_lost_();
                continue;
            }
            return;
        }
        got.clear();
        auto cb = [](const nlmsghdr* nlh, void* data) -> int {
            const uint16_t type = nlh->nlmsg_type & 0xff;
            CtOp op;
            if (type == IPCTNL_MSG_EXP_DELETE) op = CtOp::Delete;
            else if (type == IPCTNL_MSG_EXP_NEW) op = CtOp::New;
            else return MNL_CB_OK;
            Exp e(nfexp_new());
            if (!e || nfexp_nlmsg_parse(nlh, e.get()) < 0) return MNL_CB_OK;
            static_cast<std::vector<std::pair<CtOp, Exp>>*>(data)->emplace_back(op, std::move(e));
            return MNL_CB_OK;
        };
        (void)mnl_cb_run(buf.data(), static_cast<size_t>(n), 0, 0, cb, &got);
        for (auto& [op, e] : got) {
            if (!on_event_) return;
            on_event_(op, std::move(e));
        }
    }
}

}  // namespace halbd::sync
