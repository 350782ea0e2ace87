// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// sync/nfct_backend.cc: see nfct_backend.hh. Batches are plain ctnetlink
// messages back to back in one sendmsg (nfnetlink handles them one after
// another in the sender's context); without NLM_F_ACK only failures are
// answered, so after each batch the socket holds exactly the refusals.
#include "sync/nfct_backend.hh"

#include "sync/ct_key.hh"
#include "sync/ctnetlink_request.hh"

#include <arpa/inet.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace halbd::sync {

namespace {

// Per readiness of the event socket: at most this many reads and this much
// time, then the loop runs its timers (VRRP adverts) and other fds before it
// comes back for the rest, which waits in the socket (an overrun is still
// seen and resynced). 100,000 events read in one go kept the loop busy for
// over 0.3 s, long enough for the VRRP peer to take over at advert_int 0.1.
constexpr size_t kMaxReadsPerWake = 64;
constexpr Duration kEventSlice = std::chrono::milliseconds(2);
// The event socket's receive buffer, as conntrackd's NetlinkBufferSize and
// NetlinkBufferSizeMaxGrowth: it starts large and doubles on each overrun up
// to the maximum. Each event costs about 1 KiB of buffer (skb truesize), so
// the start holds a burst of ~60,000 events the loop has not read yet.
constexpr int kEventRcvBuf = 64 << 20;
constexpr int kEventRcvBufMax = 256 << 20;
constexpr int kRequestRcvBuf = 4 << 20;   // refusals of one batch
constexpr int kRequestSndBuf = 1 << 20;   // one batch of up to 256 KiB

nlmsghdr* put_ct_header(void* buf, uint16_t type, uint16_t flags, uint8_t family, uint32_t seq) {
    return put_nfnl_header(buf, NFNL_SUBSYS_CTNETLINK, type, flags, family, seq);
}

// Sets IPS_CONFIRMED in the message's CTA_STATUS, adding it when absent: the
// kernel refuses (EBUSY) to create an unconfirmed entry from user space.
void set_confirmed(nlmsghdr* nlh) {
    char* const start = static_cast<char*>(mnl_nlmsg_get_payload_offset(nlh, sizeof(nfgenmsg)));
    char* const end = static_cast<char*>(mnl_nlmsg_get_payload_tail(nlh));
    for (auto* attr = reinterpret_cast<nlattr*>(start); mnl_attr_ok(attr, static_cast<int>(end - reinterpret_cast<char*>(attr)));
         attr = mnl_attr_next(attr)) {
        if (mnl_attr_get_type(attr) == CTA_STATUS) {
            uint32_t v;
            std::memcpy(&v, mnl_attr_get_payload(attr), sizeof v);
            v = htonl(ntohl(v) | IPS_CONFIRMED);
            std::memcpy(mnl_attr_get_payload(attr), &v, sizeof v);
            return;
        }
    }
    mnl_attr_put_u32(nlh, CTA_STATUS, htonl(IPS_CONFIRMED));
}

core::Error mnl_error(const char* what) { return core::system_error(std::string("ctnetlink: ") + what); }

void raise_buffer(mnl_socket* s, int force_opt, int opt, int bytes) {
    const int fd = mnl_socket_get_fd(s);
    if (setsockopt(fd, SOL_SOCKET, force_opt, &bytes, sizeof bytes) != 0)
        (void)setsockopt(fd, SOL_SOCKET, opt, &bytes, sizeof bytes);
}

}  // namespace

core::Result<std::unique_ptr<NfctBackend>> NfctBackend::open(core::EventLoop& loop) {
    auto opened = open_nfnl_socket(0, 0, "ctnetlink");
    if (!opened) return opened.error();
    MnlPtr req = std::move(opened.value());
    int one = 1;
    (void)mnl_socket_setsockopt(req.get(), NETLINK_CAP_ACK, &one, sizeof one);
    raise_buffer(req.get(), SO_RCVBUFFORCE, SO_RCVBUF, kRequestRcvBuf);
    auto b = std::unique_ptr<NfctBackend>(new NfctBackend(loop, std::move(req)));
    // A batch must fit the send buffer (netlink refuses a larger message).
    int snd = kRequestSndBuf;
    const int fd = mnl_socket_get_fd(b->requests_.get());
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof snd) == 0) b->batch_limit_ = 256 * 1024;
    return b;
}

NfctBackend::~NfctBackend() {
    unsubscribe();
    cancel_dump();
}

core::Status NfctBackend::dump(const std::function<void(Ct)>& each) {
    std::vector<char> buf(64 * 1024);
    nlmsghdr* nlh = put_ct_header(buf.data(), IPCTNL_MSG_CT_GET, NLM_F_DUMP, AF_UNSPEC, ++seq_);
    auto cb = [](const nlmsghdr* n, void* data) -> int {
        Ct ct(nfct_new());
        if (!ct || nfct_nlmsg_parse(n, ct.get()) < 0) return MNL_CB_OK;  // skip what cannot be read
        (*static_cast<const std::function<void(Ct)>*>(data))(std::move(ct));
        return MNL_CB_OK;
    };
    return run_dump(requests_.get(), nlh, buf, cb, const_cast<std::function<void(Ct)>*>(&each), "ctnetlink");
}

void NfctBackend::dump_sliced(std::function<void(Ct)> each, std::function<void(core::Status)> done) {
    cancel_dump();
    auto opened = open_nfnl_socket(SOCK_NONBLOCK, 0, "ctnetlink dump");
    if (!opened) return done(opened.error());
    MnlPtr sock = std::move(opened.value());
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
    dump_seq_ = ++seq_;
    nlmsghdr* nlh = put_ct_header(buf.data(), IPCTNL_MSG_CT_GET, NLM_F_DUMP, AF_UNSPEC, dump_seq_);
    if (mnl_socket_sendto(sock.get(), nlh, nlh->nlmsg_len) < 0) return done(mnl_error("dump request"));
    dump_watch_ = loop_.watch_fd(mnl_socket_get_fd(sock.get()), core::fd_events::readable,
                                 [this](uint32_t) { on_dump_readable(); });
    if (!dump_watch_) return done(mnl_error("dump watch"));
    dump_sock_ = std::move(sock);
    dump_each_ = std::move(each);
    dump_done_ = std::move(done);
}

void NfctBackend::cancel_dump() {
    dump_watch_.reset();
    dump_sock_.reset();
    dump_each_ = nullptr;
    dump_done_ = nullptr;
}

void NfctBackend::dump_finished(core::Status s) {
    auto done = std::move(dump_done_);
    cancel_dump();
    if (done) done(std::move(s));
}

// As on_readable: at most kMaxReadsPerWake reads and kEventSlice of time per
// loop pass; the kernel fills the socket again as it is read.
void NfctBackend::on_dump_readable() {
    std::vector<char>& buf = event_buf_;
    buf.resize(MNL_SOCKET_BUFFER_SIZE > 65536 ? MNL_SOCKET_BUFFER_SIZE : 65536);
    const MonoTime until = loop_.now() + kEventSlice;
    for (size_t reads = 0; reads < kMaxReadsPerWake && dump_sock_; ++reads) {
        if (reads > 0 && loop_.now() >= until) return;
        const ssize_t n = recv(mnl_socket_get_fd(dump_sock_.get()), buf.data(), buf.size(), MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            return dump_finished(mnl_error("dump"));
        }
        auto cb = [](const nlmsghdr* nlh, void* data) -> int {
            auto* self = static_cast<NfctBackend*>(data);
            Ct ct(nfct_new());
            if (!ct || nfct_nlmsg_parse(nlh, ct.get()) < 0) return MNL_CB_OK;  // skip what cannot be read
            if (self->dump_each_) self->dump_each_(std::move(ct));
            return MNL_CB_OK;
        };
        const int r = mnl_cb_run(buf.data(), static_cast<size_t>(n), dump_seq_,
                                 mnl_socket_get_portid(dump_sock_.get()), cb, this);
        if (r == MNL_CB_STOP) return dump_finished(core::Ok{});
        if (r < 0) return dump_finished(mnl_error("dump"));
    }
}

// Sends one message per entry, built by build(entry, nlh), in batches;
// returns (index, errno) of each refusal. Message i carries sequence number
// base + i, which the kernel's error answer quotes.
std::vector<std::pair<size_t, int>> NfctBackend::send_all(size_t count, uint16_t type, uint16_t flags,
                                                            const std::function<void(size_t, nlmsghdr*)>& build) {
    std::vector<std::pair<size_t, int>> refusals;
    // Kept between calls: 576 KiB allocated per chunk of a commit was an
    // mmap, page faults and munmap each time.
    std::vector<char>& buf = batch_buf_;
    std::vector<char>& rbuf = reply_buf_;
    buf.resize(batch_limit_ * 2);
    rbuf.resize(64 * 1024);
    mnl_nlmsg_batch* b = mnl_nlmsg_batch_start(buf.data(), batch_limit_);
    const int fd = mnl_socket_get_fd(requests_.get());
    const uint32_t base = seq_ + 1;
    seq_ += static_cast<uint32_t>(count);
    // Reads the refusals of the batch just sent (the socket's whole backlog).
    auto drain = [&] {
        for (;;) {
            const ssize_t n = recv(fd, rbuf.data(), rbuf.size(), MSG_DONTWAIT);
            if (n < 0) {
                if (errno == EINTR) continue;
                if (errno == ENOBUFS) {  // refusals lost: counted as one, of no entry
                    refusals.emplace_back(count, ENOBUFS);
                    continue;
                }
                return;
            }
            int len = static_cast<int>(n);
            for (auto* nlh = reinterpret_cast<const nlmsghdr*>(rbuf.data()); mnl_nlmsg_ok(nlh, len);
                 nlh = mnl_nlmsg_next(nlh, &len)) {
                if (nlh->nlmsg_type != NLMSG_ERROR) continue;
                const auto* e = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
                if (e->error == 0) continue;
                const size_t i = e->msg.nlmsg_seq - base;
                refusals.emplace_back(i < count ? i : count, -e->error);
            }
        }
    };
    size_t first = 0, next = 0;  // the batch holds entries [first, next)
    auto flush = [&] {
        if (mnl_socket_sendto(requests_.get(), mnl_nlmsg_batch_head(b), mnl_nlmsg_batch_size(b)) < 0) {
            const int err = errno;
            for (size_t i = first; i < next; ++i) refusals.emplace_back(i, err);
        }
        drain();
    };
    for (size_t i = 0; i < count; ++i) {
        nlmsghdr* nlh = put_ct_header(mnl_nlmsg_batch_current(b), type, flags, AF_UNSPEC, base + static_cast<uint32_t>(i));
        build(i, nlh);
        if (mnl_nlmsg_batch_next(b)) {
            next = i + 1;
            continue;
        }
        // Full without the message just built: send the rest, and the reset
        // carries that message over as the next batch's first.
        flush();
        mnl_nlmsg_batch_reset(b);
        first = i;
        next = i + 1;
    }
    if (!mnl_nlmsg_batch_is_empty(b)) flush();
    mnl_nlmsg_batch_stop(b);
    return refusals;
}

namespace {

void set_family(nlmsghdr* nlh, const nf_conntrack* ct) {
    static_cast<nfgenmsg*>(mnl_nlmsg_get_payload(nlh))->nfgen_family = nfct_get_attr_u8(ct, ATTR_ORIG_L3PROTO);
}

bool has_reply(const nf_conntrack* ct) { return nfct_attr_is_set(ct, ATTR_REPL_L3PROTO) > 0; }

void refused(BatchResult& r, int err) {
    ++r.failed;
    if (r.first_error.empty()) r.first_error = std::strerror(err);
}

// What an update of an existing entry carries: the original tuple and zone
// find it; the kernel refuses a NAT binding or a master tuple on an update
// (EOPNOTSUPP) and some status changes (EBUSY), and the peer's id is not
// the kernel's.
Ct for_update(const nf_conntrack& ct) {
    Ct c(nfct_clone(&ct));
    drop_reply(*c);
    for (auto a : {ATTR_SNAT_IPV4, ATTR_DNAT_IPV4, ATTR_SNAT_IPV6, ATTR_DNAT_IPV6, ATTR_SNAT_PORT, ATTR_DNAT_PORT,
                   ATTR_MASTER_L3PROTO, ATTR_MASTER_L4PROTO, ATTR_MASTER_IPV4_SRC, ATTR_MASTER_IPV4_DST,
                   ATTR_MASTER_IPV6_SRC, ATTR_MASTER_IPV6_DST, ATTR_MASTER_PORT_SRC, ATTR_MASTER_PORT_DST, ATTR_STATUS,
                   ATTR_ID, ATTR_HELPER_NAME, ATTR_SYNPROXY_ISN, ATTR_SYNPROXY_ITS, ATTR_SYNPROXY_TSOFF})
        nfct_attr_unset(c.get(), a);
    return c;
}

}  // namespace

// Exclusive create of each entry, with its reply tuple and confirmed.
std::vector<std::pair<size_t, int>> NfctBackend::create_excl(std::span<const nf_conntrack* const> list) {
    return send_all(list.size(), IPCTNL_MSG_CT_NEW, NLM_F_CREATE | NLM_F_EXCL, [&](size_t i, nlmsghdr* nlh) {
        set_family(nlh, list[i]);
        if (has_reply(list[i])) {
            nfct_nlmsg_build(nlh, list[i]);
        } else {
            Ct c = with_reply(*list[i]);
            nfct_nlmsg_build(nlh, c.get());
        }
        set_confirmed(nlh);
    });
}

BatchResult NfctBackend::create(std::span<const nf_conntrack* const> entries) {
    BatchResult r;
    for (auto [i, err] : create_excl(entries))
        if (err != EEXIST) (void)i, refused(r, err);
    r.done = entries.size() - std::min(r.failed, entries.size());
    return r;
}

BatchResult NfctBackend::commit(std::span<const nf_conntrack* const> entries) {
    // Create (exclusive). An entry that exists already is replaced: deleted,
    // then created again, so that it carries the peer's NAT binding (which
    // the kernel does not let an update change) and starts its TCP window
    // tracking afresh instead of judging packets by a window it saw long ago.
    auto create = [&](std::span<const nf_conntrack* const> list) { return create_excl(list); };
    BatchResult r;
    std::vector<const nf_conntrack*> existing;
    for (auto [i, err] : create(entries)) {
        if (err == EEXIST && i < entries.size()) existing.push_back(entries[i]);
        else refused(r, err);
    }
    if (!existing.empty()) {
        const BatchResult gone = remove(existing);
        if (gone.failed) refused(r, EBUSY);
        for (auto [i, err] : create(existing)) (void)i, refused(r, err);
    }
    r.done = entries.size() - std::min(r.failed, entries.size());
    return r;
}

BatchResult NfctBackend::update(std::span<const nf_conntrack* const> entries) {
    BatchResult r;
    std::vector<const nf_conntrack*> missing;
    for (auto [i, err] : send_all(entries.size(), IPCTNL_MSG_CT_NEW, 0, [&](size_t i, nlmsghdr* nlh) {
             set_family(nlh, entries[i]);
             Ct c = for_update(*entries[i]);
             nfct_nlmsg_build(nlh, c.get());
         })) {
        if (err == ENOENT && i < entries.size()) missing.push_back(entries[i]);
        else refused(r, err);
    }
    for (auto [i, err] : create_excl(missing))
        if (err != EEXIST) (void)i, refused(r, err);  // created meanwhile: done
    r.done = entries.size() - std::min(r.failed, entries.size());
    return r;
}

BatchResult NfctBackend::remove(std::span<const nf_conntrack* const> entries) {
    BatchResult r;
    for (auto [i, err] : send_all(entries.size(), IPCTNL_MSG_CT_DELETE, 0, [&](size_t i, nlmsghdr* nlh) {
             set_family(nlh, entries[i]);
             // The kernel matches a given CTA_ID against its own: the peer's differs.
             Ct c(nfct_clone(entries[i]));
             nfct_attr_unset(c.get(), ATTR_ID);
             nfct_nlmsg_build(nlh, c.get());
         }))
        if (err != ENOENT) (void)i, refused(r, err);  // already gone: done
    r.done = entries.size() - std::min(r.failed, entries.size());
    return r;
}

core::Status NfctBackend::subscribe(EventFn on_event, std::function<void()> on_lost) {
    unsubscribe();
    auto opened = open_nfnl_socket(
        SOCK_NONBLOCK, NF_NETLINK_CONNTRACK_NEW | NF_NETLINK_CONNTRACK_UPDATE | NF_NETLINK_CONNTRACK_DESTROY,
        "ctnetlink events");
    if (!opened) return opened.error();
    MnlPtr ev = std::move(opened.value());
    raise_buffer(ev.get(), SO_RCVBUFFORCE, SO_RCVBUF, kEventRcvBuf);
    event_rcvbuf_ = kEventRcvBuf;
    watch_ = loop_.watch_fd(mnl_socket_get_fd(ev.get()), core::fd_events::readable, [this](uint32_t) { on_readable(); });
    if (!watch_) return mnl_error("event watch");
    events_ = std::move(ev);
    on_event_ = std::move(on_event);
    on_lost_ = std::move(on_lost);
    return core::Ok{};
}

void NfctBackend::grow_event_buffer() {
    if (!events_ || event_rcvbuf_ >= kEventRcvBufMax) return;
    event_rcvbuf_ = std::min(event_rcvbuf_ * 2, kEventRcvBufMax);
    raise_buffer(events_.get(), SO_RCVBUFFORCE, SO_RCVBUF, event_rcvbuf_);
}

void NfctBackend::unsubscribe() {
    watch_.reset();
    events_.reset();
    on_event_ = nullptr;
    on_lost_ = nullptr;
}

void NfctBackend::on_readable() {
    std::vector<char>& buf = event_buf_;
    buf.resize(MNL_SOCKET_BUFFER_SIZE > 65536 ? MNL_SOCKET_BUFFER_SIZE : 65536);
    std::vector<std::pair<CtOp, Ct>>& got = event_batch_;
    const MonoTime until = loop_.now() + kEventSlice;
    for (size_t reads = 0; reads < kMaxReadsPerWake && events_; ++reads) {
        if (reads > 0 && loop_.now() >= until) return;  // the rest on the next pass
        const ssize_t n = recv(mnl_socket_get_fd(events_.get()), buf.data(), buf.size(), MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == ENOBUFS) {
                grow_event_buffer();
                if (on_lost_) on_lost_();
                continue;
            }
            return;
        }
        got.clear();
        auto cb = [](const nlmsghdr* nlh, void* data) -> int {
            const uint16_t type = nlh->nlmsg_type & 0xff;
            CtOp op;
            if (type == IPCTNL_MSG_CT_DELETE) op = CtOp::Delete;
            else if (type == IPCTNL_MSG_CT_NEW) op = nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL) ? CtOp::New : CtOp::Update;
            else return MNL_CB_OK;
            auto* self = static_cast<NfctBackend*>(data);
            // Our own commit or delete (the event carries the requesting
            // socket's port id): not a change to replicate back.
            if (nlh->nlmsg_pid != 0 && nlh->nlmsg_pid == self->own_portid_) return MNL_CB_OK;
            Ct ct(nfct_new());
            if (!ct || nfct_nlmsg_parse(nlh, ct.get()) < 0) return MNL_CB_OK;
            self->event_batch_.emplace_back(op, std::move(ct));
            return MNL_CB_OK;
        };
        own_portid_ = mnl_socket_get_portid(requests_.get());
        (void)mnl_cb_run(buf.data(), static_cast<size_t>(n), 0, 0, cb, this);
        for (auto& [op, ct] : got) {
            if (!on_event_) return;  // unsubscribed by a listener
            on_event_(op, std::move(ct));
        }
    }
}

}  // namespace halbd::sync
