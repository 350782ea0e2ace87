// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/vm/ipvs_probe.cc: drives IpvsBackend against a real kernel (inside the
// qemu VM of tests/vm/ipvs-backend.sh): programs services and destinations of
// every kind, reads them back, and writes what `ipvsadm -Ln --sort`,
// `--timeout` and `--daemon` must print. Not part of halbd; a check_PROGRAM.
//
//   ipvs_probe program DIR   program everything, check the dump, write DIR/expect-*.txt
//   ipvs_probe cleanup       stop the sync daemons, flush, check the kernel is empty
//   ipvs_probe --expect-no-ipvs   on a kernel without IPVS: print the error, exit 3
// Exit: 0 all checks held, 1 a check failed, 2 usage, 3 the kernel has no IPVS.
#include <linux/ip_vs.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "forward/ipvs/ipvs_backend.hh"
#include "forward/ipvsadm_format.hh"

using namespace halbd;
using namespace halbd::forward;
using ipvs::IpvsBackend;

namespace {

constexpr int kExitNoIpvs = 3;
int g_failed = 0, g_passed = 0;

void check(bool ok, const std::string& what, const std::string& detail = {}) {
    (ok ? g_passed : g_failed)++;
    std::cout << (ok ? "ok   " : "FAIL ") << what << (detail.empty() ? "" : ": " + detail) << "\n";
}

void check_ok(const core::Status& s, const std::string& what) {
    check(s.ok(), what, s.ok() ? "" : s.error().message);
}

// A failing call whose errno and sentence are both checked.
void check_err(const core::Status& s, int code, const std::string& words, const std::string& what) {
    bool ok = !s.ok() && s.error().code == code && s.error().message.find(words) != std::string::npos;
    check(ok, what, s.ok() ? "unexpectedly succeeded" : s.error().message);
}

net::IpAddress ip(const char* s) { return *net::IpAddress::parse(s); }

ServiceKey vip(Protocol p, const char* a, uint16_t port) {
    ServiceKey k;
    k.address = ip(a);
    k.family = k.address.family();
    k.protocol = p;
    k.port = port;
    return k;
}

ServiceKey fwm(net::Family f, uint32_t mark) {
    ServiceKey k;
    k.family = f;
    k.fwmark = mark;
    return k;
}

ServiceParams sched(const std::string& name, uint32_t flags = 0, uint32_t timeout = 0,
                    uint32_t netmask = 0xffffffff, const std::string& pe = {}) {
    return ServiceParams{name, flags, timeout, netmask, pe};
}

DestParams dest(Method m, int32_t weight, uint32_t u = 0, uint32_t l = 0, uint8_t tun_type = 0,
                uint16_t tun_port = 0, uint16_t tun_flags = 0) {
    return DestParams{m, weight, u, l, tun_type, tun_port, tun_flags};
}

uint32_t mask4(const char* m) {
    uint32_t v;
    std::memcpy(&v, ip(m).bytes(), 4);  // network order, as the kernel keeps it
    return v;
}

std::string describe(const Service& s) {
    std::string out = s.key.to_string() + " " + s.params.scheduler + " flags=" +
                      std::to_string(s.params.flags) + " timeout=" + std::to_string(s.params.timeout) +
                      " netmask=" + std::to_string(s.params.netmask) + " pe=" + s.params.pe_name;
    for (const auto& [k, d] : s.dests)
        out += "\n      " + k.to_string() + " method=" + std::to_string(int(d.method)) + " w=" +
               std::to_string(d.weight) + " u=" + std::to_string(d.u_threshold) + " l=" +
               std::to_string(d.l_threshold) + " tun=" + std::to_string(d.tun_type) + "/" +
               std::to_string(d.tun_port) + "/" + std::to_string(d.tun_flags);
    return out;
}

// The kernel's table must be exactly `want`.
void check_dump(IpvsBackend& b, const ServiceTable& want, const std::string& what) {
    auto got = b.dump();
    if (!got) return check(false, what, got.error().message);
    bool same = got->size() == want.size();
    for (const auto& [k, s] : want) {
        auto it = got->find(k);
        bool eq = it != got->end() && it->second.params == s.params && it->second.dests == s.dests;
        if (!eq) {
            std::cout << "  want: " << describe(s) << "\n  got:  "
                      << (it == got->end() ? std::string("(absent)") : describe(it->second)) << "\n";
            same = false;
        }
    }
    for (const auto& [k, s] : *got)
        if (!want.count(k)) std::cout << "  unexpected: " << describe(s) << "\n", same = false;
    check(same, what, std::to_string(got->size()) + " services");
}

std::string daemon_line(const SyncDaemon& d) {
    // ipvsadm.c print_daemon()
    std::string s = std::string(d.role == SyncDaemon::Role::Master ? "master" : "backup") +
                    " sync daemon (mcast=" + d.ifname + ", syncid=" + std::to_string(d.syncid);
    if (d.maxlen) s += ", maxlen=" + std::to_string(d.maxlen);
    if (d.has_group) s += ", group=" + d.group.to_string();
    if (d.port) s += ", port=" + std::to_string(d.port);
    if (d.ttl) s += ", ttl=" + std::to_string(d.ttl);
    return s + ")";
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
    std::cout << "--- " << path << "\n" << text;
}

int program(IpvsBackend& b, const std::string& dir) {
    auto info = b.info();
    check(info.ok(), "GET_INFO", info.ok() ? info->to_string() : info.error().message);
    check_ok(b.flush(), "flush");
    ServiceTable want;
    auto add = [&](const ServiceKey& k, const ServiceParams& p) {
        auto s = b.add_service(k, p);
        check_ok(s, "add service " + k.to_string() + " " + p.scheduler);
        if (s) want[k] = Service{k, p, {}};
        return s.ok();
    };
    auto add_dest = [&](const ServiceKey& k, const char* a, uint16_t port, const DestParams& p) {
        DestKey d{ip(a), port};
        auto s = b.add_dest(k, d, p);
        check_ok(s, "add destination " + d.to_string() + " to " + k.to_string());
        if (s) want[k].dests[d] = p;
    };

    // Every scheduler, one TCP IPv4 service each; schedulers this kernel lacks
    // must fail with the ENOENT sentence.
    const std::vector<std::string> scheds = {"rr", "wrr", "lc",  "wlc", "lblc", "lblcr", "dh",
                                             "sh", "sed", "nq",  "fo",  "ovf",  "mh",    "twos"};
    uint16_t port = 8000;
    for (const auto& s : scheds) {
        ServiceKey k = vip(Protocol::TCP, "10.0.0.1", port++);
        auto st = b.add_service(k, sched(s));
        if (st.ok()) {
            check(true, "add service " + k.to_string() + " " + s);
            want[k] = Service{k, sched(s), {}};
        } else {
            check_err(st, ENOENT, "scheduler '" + s + "' not available in this kernel",
                      "scheduler " + s + " missing from this kernel gives its sentence");
        }
    }
    check_err(b.add_service(vip(Protocol::TCP, "10.0.0.1", 7999), sched("nosuch")), ENOENT,
              "scheduler 'nosuch' not available in this kernel", "unknown scheduler");

    // Forwarding methods on 10.0.0.1:8000 (rr): NAT, DR, IPIP, GUE, GRE.
    ServiceKey web = vip(Protocol::TCP, "10.0.0.1", 8000);
    add_dest(web, "192.168.10.1", 80, dest(Method::Masq, 1));
    add_dest(web, "192.168.10.2", 8000, dest(Method::Route, 2));
    add_dest(web, "192.168.10.3", 8000, dest(Method::Tunnel, 3, 1000, 100));
    add_dest(web, "192.168.10.4", 8000, dest(Method::Tunnel, 4, 0, 0, IP_VS_CONN_F_TUNNEL_TYPE_GUE, 6080,
                                             IP_VS_TUNNEL_ENCAP_FLAG_CSUM));
    add_dest(web, "192.168.10.5", 8000, dest(Method::Tunnel, 5, 0, 0, IP_VS_CONN_F_TUNNEL_TYPE_GRE, 0,
                                             IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM));
    add_dest(web, "192.168.10.6", 80, dest(Method::Masq, 0));  // weight 0: quiesced

    // UDP IPv6 with sh flags; an IPv6 NAT dest and an IPv4 tunnel dest (mixed family).
    ServiceKey dns6 = vip(Protocol::UDP, "2001:db8::1", 53);
    add(dns6, sched("sh", svc_flags::sched1 | svc_flags::sched2, 0, 128));
    add_dest(dns6, "2001:db8::10", 53, dest(Method::Masq, 5));
    add_dest(dns6, "192.168.20.1", 53, dest(Method::Tunnel, 1));

    // SCTP, one-packet UDP, fwmark IPv4/IPv6 with persistence and netmask, pe sip.
    ServiceKey sctp = vip(Protocol::SCTP, "10.0.0.2", 3868);
    add(sctp, sched("rr"));
    add_dest(sctp, "192.168.30.1", 3868, dest(Method::Route, 1));
    ServiceKey ops = vip(Protocol::UDP, "10.0.0.4", 514);
    add(ops, sched("rr", svc_flags::onepacket));
    add_dest(ops, "192.168.31.1", 514, dest(Method::Masq, 1));
    ServiceKey mark1 = fwm(net::Family::V4, 1);
    add(mark1, sched("wlc", svc_flags::persistent, 300, mask4("255.255.255.0")));
    add_dest(mark1, "192.168.40.1", 0, dest(Method::Route, 1));
    ServiceKey mark2 = fwm(net::Family::V6, 2);
    add(mark2, sched("rr", svc_flags::persistent, 60, 64));
    add_dest(mark2, "2001:db8::40", 0, dest(Method::Route, 2));
    ServiceKey sip = vip(Protocol::UDP, "10.0.0.3", 5060);
    auto st = b.add_service(sip, sched("rr", svc_flags::persistent, 120, 0xffffffff, "sip"));
    if (st.ok()) {
        check(true, "add service with pe sip");
        want[sip] = Service{sip, sched("rr", svc_flags::persistent, 120, 0xffffffff, "sip"), {}};
        add_dest(sip, "192.168.50.1", 5060, dest(Method::Masq, 1));
    } else {
        check_err(st, ENOENT, "persistence engine 'sip' not available", "pe sip missing gives its sentence");
    }
    check_dump(b, want, "dump after adding everything");

    // Updates.
    ServiceKey upd = vip(Protocol::TCP, "10.0.0.9", 80);
    add(upd, sched("rr"));
    add_dest(upd, "192.168.60.1", 80, dest(Method::Masq, 1));
    ServiceParams p2 = sched("wrr", svc_flags::persistent, 100, mask4("255.255.0.0"));
    check_ok(b.update_service(upd, p2), "update service " + upd.to_string() + " rr -> wrr persistent");
    want[upd].params = p2;
    DestParams d2 = dest(Method::Route, 7, 50, 5);
    check_ok(b.update_dest(upd, DestKey{ip("192.168.60.1"), 80}, d2), "update destination: NAT w1 -> DR w7");
    want[upd].dests[DestKey{ip("192.168.60.1"), 80}] = d2;
    DestParams gue2 = dest(Method::Tunnel, 9, 0, 0, IP_VS_CONN_F_TUNNEL_TYPE_GUE, 7070, 0);
    check_ok(b.update_dest(web, DestKey{ip("192.168.10.4"), 8000}, gue2), "update GUE destination port/flags");
    want[web].dests[DestKey{ip("192.168.10.4"), 8000}] = gue2;
    check_dump(b, want, "dump after updates");

    // Deletes.
    ServiceKey gone = vip(Protocol::TCP, "10.0.0.10", 80);
    add(gone, sched("lc"));
    add_dest(gone, "192.168.70.1", 80, dest(Method::Masq, 1));
    check_ok(b.delete_service(gone), "delete service " + gone.to_string());
    want.erase(gone);
    check_ok(b.delete_dest(web, DestKey{ip("192.168.10.6"), 80}), "delete destination 192.168.10.6:80");
    want[web].dests.erase(DestKey{ip("192.168.10.6"), 80});
    check_dump(b, want, "dump after deletes");

    // Errors in words.
    check_err(b.add_service(web, sched("rr")), EEXIST, "already exists", "add an existing service");
    check_err(b.update_service(gone, sched("rr")), ESRCH, "no such service", "update a missing service");
    check_err(b.delete_service(gone), ESRCH, "no such service", "delete a missing service");
    check_err(b.add_dest(gone, DestKey{ip("192.168.70.1"), 80}, dest(Method::Masq, 1)), ESRCH,
              "no such service", "add a destination to a missing service");
    check_err(b.delete_dest(web, DestKey{ip("192.168.99.9"), 80}), ENOENT, "no such destination",
              "delete a missing destination");
    check_err(b.add_dest(web, DestKey{ip("192.168.10.1"), 80}, dest(Method::Masq, 1)), EEXIST,
              "already exists", "add an existing destination");
    check_err(b.add_dest(web, DestKey{ip("192.168.10.7"), 80}, dest(Method::Masq, -1)), ERANGE,
              "out of range", "negative weight");
    check_err(b.add_dest(web, DestKey{ip("2001:db8::77"), 80}, dest(Method::Masq, 1)), EINVAL,
              "invalid destination", "IPv6 NAT destination under an IPv4 service");
    check_dump(b, want, "failed calls changed nothing");

    // A batch spanning several datagrams (IpvsBackend sends 48 requests per
    // datagram): 3 services x 99 destinations, with two requests in the
    // middle the kernel must refuse. Every status belongs to its own request.
    {
        std::vector<Op> ops;
        std::vector<ServiceKey> batch_svcs;
        for (int v = 0; v < 3; ++v) {
            ServiceKey k = vip(Protocol::TCP, "10.0.3.1", static_cast<uint16_t>(8000 + v));
            batch_svcs.push_back(k);
            Op a = Op::add_service(k, sched("wlc"));
            ops.push_back(a);
            want[k] = Service{k, a.params, {}};
            for (int d = 1; d <= 99; ++d) {
                Op o = Op::add_dest(k, DestKey{ip(("192.168.3" + std::to_string(v) + "." + std::to_string(d)).c_str()), 80},
                                    dest(Method::Masq, d % 7));
                ops.push_back(o);
                want[k].dests.emplace(o.dest, o.dest_params);
            }
        }
        // At index 150: a destination of a service that does not exist.
        Op bad_svc = Op::add_dest(gone, DestKey{ip("192.168.70.2"), 80}, dest(Method::Masq, 1));
        ops.insert(ops.begin() + 150, bad_svc);
        Op bad_weight = ops[260];  // a copy of a good one, with a weight the kernel refuses
        bad_weight.dest = DestKey{ip("192.168.39.9"), 80};
        bad_weight.dest_params.weight = -1;
        ops.insert(ops.begin() + 261, bad_weight);
        const uint64_t writes_before = b.writes();
        std::vector<core::Status> st = b.run(ops);
        size_t good = 0, wrong = 0;
        for (size_t i = 0; i < ops.size(); ++i) {
            if (i == 150 || i == 261) continue;
            if (st[i].ok()) ++good;
            else {
                ++wrong;
                std::cout << "  op " << i << " (" << to_string(ops[i]) << "): " << st[i].error().message << "\n";
            }
        }
        check(st.size() == ops.size() && wrong == 0, "batch of " + std::to_string(ops.size()) + " requests",
              std::to_string(good) + " accepted");
        check_err(st[150], ESRCH, "no such service", "batch: the refused request in the middle has its own error");
        check_err(st[261], ERANGE, "out of range", "batch: the second refused request has its own error");
        check(b.writes() - writes_before == ops.size(), "batch: one write per request",
              std::to_string(b.writes() - writes_before));
        check_dump(b, want, "dump after the batch");
        std::vector<Op> dels;
        for (const auto& k : batch_svcs) {
            dels.push_back(Op::delete_service(k));
            want.erase(k);
        }
        st = b.run(dels);
        check(st.size() == 3 && st[0].ok() && st[1].ok() && st[2].ok(), "batch: delete the 3 services");
        check_dump(b, want, "dump after the batch delete");
    }

    // Timeouts.
    auto t0 = b.get_timeouts();
    check(t0.ok(), "get timeouts", t0.ok() ? std::to_string(t0->tcp) + " " + std::to_string(t0->tcp_fin) +
                                                 " " + std::to_string(t0->udp)
                                           : t0.error().message);
    check_ok(b.set_timeouts(Timeouts{900, 120, 300}), "set timeouts 900 120 300");
    check_ok(b.set_timeouts(Timeouts{0, 0, 301}), "set only the UDP timeout");
    auto t1 = b.get_timeouts();
    check(t1.ok() && *t1 == (Timeouts{900, 120, 301}), "timeouts read back 900 120 301");

    // Sync daemons on dummy0 (made by the shell test): master with defaults,
    // backup with every option.
    SyncDaemon m;
    m.role = SyncDaemon::Role::Master;
    m.ifname = "dummy0";
    m.syncid = 5;
    check_err(b.start_sync_daemon(m), EINVAL, "other address family",
              "no sync daemon while a service mixes address families");
    DestKey mixed{ip("192.168.20.1"), 53};
    check_ok(b.delete_dest(dns6, mixed), "delete the IPv4 tunnel destination of the IPv6 service");
    want[dns6].dests.erase(mixed);
    check_ok(b.start_sync_daemon(m), "start master sync daemon");
    check_err(b.start_sync_daemon(m), EEXIST, "already running", "start the master twice");
    SyncDaemon bk;
    bk.role = SyncDaemon::Role::Backup;
    bk.ifname = "dummy0";
    bk.syncid = 6;
    bk.maxlen = 1400;
    bk.group = ip("239.1.2.3");
    bk.has_group = true;
    bk.port = 8849;
    bk.ttl = 2;
    check_ok(b.start_sync_daemon(bk), "start backup sync daemon with group/port/ttl/maxlen");
    auto ds = b.sync_daemons();
    std::string daemons;
    if (ds) for (const auto& d : *ds) daemons += daemon_line(d) + "\n";
    check(ds.ok() && ds->size() == 2, "two sync daemons listed", ds.ok() ? "" : ds.error().message);
    if (ds && ds->size() == 2) {
        const SyncDaemon& gb = (*ds)[1].role == SyncDaemon::Role::Backup ? (*ds)[1] : (*ds)[0];
        check(gb == bk, "backup daemon reads back as sent", daemon_line(gb));
    }

    IpvsadmHeader hdr;
    if (info) {
        hdr.version = std::to_string(info->version >> 16) + "." + std::to_string((info->version >> 8) & 0xff) +
                      "." + std::to_string(info->version & 0xff);
        hdr.size = info->conn_tab_size;
    }
    check_dump(b, want, "final dump");
    auto final_table = b.dump();
    if (final_table) write_file(dir + "/expect-Ln.txt", format_ipvsadm(*final_table, hdr));
    if (t1) write_file(dir + "/expect-timeout.txt", "Timeout (tcp tcpfin udp): " + std::to_string(t1->tcp) + " " +
                                                        std::to_string(t1->tcp_fin) + " " +
                                                        std::to_string(t1->udp) + "\n");
    write_file(dir + "/expect-daemon.txt", daemons);
    std::cout << "writes: " << b.writes() << "\n";
    return 0;
}

int cleanup(IpvsBackend& b) {
    check_ok(b.stop_sync_daemon(SyncDaemon::Role::Master), "stop master sync daemon");
    check_ok(b.stop_sync_daemon(SyncDaemon::Role::Backup), "stop backup sync daemon");
    check_err(b.stop_sync_daemon(SyncDaemon::Role::Backup), ESRCH, "no sync daemon",
              "stop a stopped daemon");
    auto ds = b.sync_daemons();
    check(ds.ok() && ds->empty(), "no sync daemon left");
    uint64_t before = b.writes();
    check_ok(b.flush(), "flush");
    check(b.writes() == before + 1, "flush counts one write");
    check_dump(b, {}, "kernel table empty after flush");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    bool expect_none = !args.empty() && args[0] == "--expect-no-ipvs";
    if (!expect_none && !(args.size() == 2 && args[0] == "program") &&
        !(args.size() == 1 && args[0] == "cleanup")) {
        std::cerr << "usage: ipvs_probe program DIR | cleanup | --expect-no-ipvs\n";
        return 2;
    }
    auto b = IpvsBackend::open();
    if (!b) {
        std::cerr << "ipvs_probe: " << b.error().message << "\n";
        return b.error().message == ipvs::kNoIpvsMessage ? kExitNoIpvs : 1;
    }
    if (expect_none) {
        std::cerr << "ipvs_probe: IPVS is present on this kernel\n";
        return 1;
    }
    int rc = args[0] == "program" ? program(**b, args[1]) : cleanup(**b);
    std::cout << "ipvs_probe " << args[0] << ": " << g_passed << " passed, " << g_failed << " failed\n";
    return rc != 0 || g_failed ? 1 : 0;
}
