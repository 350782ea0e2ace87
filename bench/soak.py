#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
"""bench/soak.py: the python parts of bench/soak.sh (see bench/README.md).

  soak.py hup PID DIR PERIOD END OUT           every PERIOD s: DIR/halbd.conf := v1, bad, v2,
                                               bad, ... (renamed into place), then SIGHUP
  soak.py forge SRC VRID PASS PPS END OUT       forged VRRPv2 adverts to 224.0.0.18 (run in
                                               the attacker's namespace; nothing leaves it
                                               but its one test link)
  soak.py garbage SOCKET RATE END OUT          malformed and valid requests on a control socket
  soak.py sample OUT SECS NODE:NS:PIDFILE...   one line per second: procs, fds, RSS, VIP
  soak.py report DIR                           the figure table; exit 1 if a bound fails

END is a time.time() deadline, so that drivers started late still stop
together. Counters go to OUT as `name value` lines; the report sums them."""
import json, os, random, socket, struct, subprocess, sys, time


def put(out, counts):
    with open(out, "w") as f:
        for k, v in counts.items():
            f.write("%s %s\n" % (k, v))


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def advert(vrid, prio, auth, vip, adver_int=1, bad_sum=False):
    """RFC 3768 section 5.1: version 2, type 1, one address, auth type 1 (PASS)."""
    body = struct.pack("!BBBBBBH", 0x21, vrid, prio, 1, 1, adver_int, 0)
    body += socket.inet_aton(vip) + auth.encode()[:8].ljust(8, b"\0")
    s = checksum(body)
    if bad_sum:
        s ^= 0x5A5A
    return body[:6] + struct.pack("!H", s) + body[8:]


def hup(pid, d, period, end, out):
    pid, period, end = int(pid), float(period), float(end)
    confs = [open(os.path.join(d, v + ".conf")).read() for v in ("v1", "bad", "v2", "bad")]
    n, nxt = 0, time.time()
    while time.time() < end:
        with open(os.path.join(d, "new.conf"), "w") as f:
            f.write(confs[n % 4])
        os.rename(os.path.join(d, "new.conf"), os.path.join(d, "halbd.conf"))
        os.kill(pid, 1)
        n += 1
        nxt += period
        time.sleep(max(0.0, nxt - time.time()))
    put(out, {"hup_sent": n})


def forge(src, vrid, pw, pps, end, out):
    vrid, pps, end = int(vrid), float(pps), float(end)
    vip = "192.0.2.100"
    kinds = [  # name, TTL, packet: each must be dropped, none may take the VIP
        ("lower_priority", 255, advert(vrid, 50, pw, vip)),
        ("wrong_auth", 255, advert(vrid, 254, "forged!", vip)),
        ("bad_checksum", 255, advert(vrid, 254, pw, vip, bad_sum=True)),
        ("wrong_vrid", 255, advert(vrid + 1, 254, pw, vip)),
        ("ttl_64", 64, advert(vrid, 254, pw, vip)),
        ("wrong_interval", 255, advert(vrid, 254, pw, vip, adver_int=7)),
    ]
    socks = {}
    for ttl in (255, 64):
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, ttl)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(src))
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
        s.bind((src, 0))
        socks[ttl] = s
    counts = {"forged_" + k: 0 for k, _, _ in kinds}
    counts["forged_errors"] = 0
    start = time.monotonic()
    secs = end - time.time()
    sent = 0
    while True:
        now = time.monotonic()
        if now - start >= secs:
            break
        due = int((now - start) * pps)
        while sent < due:  # catch up in a burst after a descheduling, never above PPS on average
            name, ttl, pkt = kinds[sent % len(kinds)]
            try:
                socks[ttl].sendto(pkt, ("224.0.0.18", 0))
                counts["forged_" + name] += 1
            except OSError:
                counts["forged_errors"] += 1
            sent += 1
        time.sleep(0.005)
    counts["forge_ms"] = int((time.monotonic() - start) * 1000)
    put(out, counts)


def garbage(path, rate, end, out):
    rate, end = float(rate), float(end)
    rnd = random.Random(11)
    kinds = ["binary", "overlong", "unknown", "json_junk", "no_newline_close", "slow_trickle",
             "connect_close", "many_args", "nul_bytes", "valid"]
    valid = [b"status\n", b"vrrp --json\n", b"checks\n", b"dump\n", b"ipvs\n"]
    counts = {"garbage_" + k: 0 for k in kinds if k != "valid"}
    counts.update(garbage_refused=0, raw_ok=0, raw_other=0)
    held = []  # slow clients: (sock, deadline), at most 4 at once
    n = 0
    while time.time() < end:
        now = time.monotonic()
        for s, dl in held[:]:
            if now >= dl:
                s.close()
                held.remove((s, dl))
            else:
                try:
                    s.send(b"s")
                except OSError:
                    s.close()
                    held.remove((s, dl))
        kind = kinds[n % len(kinds)]
        n += 1
        if kind == "slow_trickle" and len(held) >= 4:
            kind = "connect_close"
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(2)
            s.connect(path)
            if kind == "binary":
                s.sendall(bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 300))) + b"\n")
            elif kind == "overlong":
                s.sendall(b"status " + b"A" * rnd.randrange(1024, 70000) + b"\n")
            elif kind == "unknown":
                s.sendall(b"rm -rf /\n")
            elif kind == "json_junk":
                s.sendall(b'{"command": "status", "x": [1, 2, {\n')
            elif kind == "no_newline_close":
                s.sendall(b"stat")
            elif kind == "many_args":
                s.sendall(b"status" + b" --json" * 140 + b"\n")
            elif kind == "nul_bytes":
                s.sendall(b"status\0\0vrrp\n")
            elif kind == "valid":  # a request as halbctl sends it, its reply read whole
                s.sendall(valid[n // len(kinds) % len(valid)])
                reply = b""
                while True:
                    b = s.recv(65536)
                    if not b:
                        break
                    reply += b
                s.close()
                ok = reply.startswith((b"ok\n", b"unavailable\n"))
                counts["raw_ok" if ok else "raw_other"] += 1
                time.sleep(1.0 / rate)
                continue
            if kind == "slow_trickle":
                s.setblocking(False)
                held.append((s, now + rnd.uniform(1, 7)))
            else:
                if kind != "connect_close":
                    try:
                        s.shutdown(socket.SHUT_WR)
                        s.recv(4096)
                    except OSError:
                        pass
                s.close()
            counts["garbage_" + kind] += 1
        except OSError:
            counts["garbage_refused"] += 1
        time.sleep(1.0 / rate)
    for s, _ in held:
        s.close()
    put(out, counts)


def netns_inode(name):
    return os.stat("/run/netns/" + name).st_ino


def sample(out, secs, nodes):
    nodes = [n.split(":", 2) for n in nodes]
    inodes = {name: netns_inode(ns) for name, ns, _ in nodes}
    end = time.monotonic() + float(secs)
    nxt = time.monotonic()
    with open(out, "w", buffering=1) as f:
        f.write("t node pid tree ns_procs orphans fds rss_kib vip runq_ms\n")
        while time.monotonic() < end:
            ppid, netns = {}, {}
            for d in os.listdir("/proc"):
                if not d.isdigit():
                    continue
                try:
                    st = open("/proc/%s/stat" % d).read()
                    ppid[int(d)] = int(st[st.rindex(")") + 2:].split()[1])
                    netns[int(d)] = os.stat("/proc/%s/ns/net" % d).st_ino
                except (OSError, ValueError, KeyError, TypeError):
                    pass
            kids = {}
            for p, pp in ppid.items():
                kids.setdefault(pp, []).append(p)
            t = time.time()
            for name, ns, pidfile in nodes:
                try:
                    pid = int(open(pidfile).read().split()[0])
                    os.kill(pid, 0)
                except (OSError, ValueError, IndexError):
                    f.write("%.3f %s - - - - - - - -\n" % (t, name))
                    continue
                tree, todo = set(), [pid]
                while todo:
                    p = todo.pop()
                    tree.add(p)
                    todo += kids.get(p, [])
                in_ns = {p for p, i in netns.items() if i == inodes[name]}
                try:
                    fds = len(os.listdir("/proc/%d/fd" % pid))
                    rss = next(int(l.split()[1]) for l in open("/proc/%d/status" % pid)
                               if l.startswith("VmRSS:"))
                    runq = int(open("/proc/%d/schedstat" % pid).read().split()[1]) // 1000000
                except (OSError, StopIteration, IndexError, ValueError):
                    fds, rss, runq = -1, -1, -1
                r = subprocess.run(["ip", "-n", ns, "-o", "addr", "show", "dev", "eth0"],
                                   capture_output=True, text=True)
                vip = int(" 192.0.2.100/" in r.stdout)
                f.write("%.3f %s %d %d %d %d %d %d %d %d\n" % (
                    t, name, pid, len(tree), len(in_ns), len(in_ns - tree), fds, rss, vip, runq))
            nxt += 1.0
            time.sleep(max(0.0, nxt - time.monotonic()))


def pcap_times(path):
    """(time, source address, priority) of each VRRP packet in a classic pcap."""
    data = open(path, "rb").read()
    if len(data) < 24:
        return []
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    nano = struct.unpack(end + "I", data[:4])[0] == 0xA1B23C4D
    link = struct.unpack(end + "I", data[20:24])[0]
    off, res = 24, []
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(end + "IIII", data[off:off + 16])
        pkt = data[off + 16:off + 16 + incl]
        off += 16 + incl
        ip = pkt[14:] if link == 1 else pkt[16:] if link == 113 else pkt
        if len(ip) < 28 or ip[9] != 112:
            continue
        ihl = (ip[0] & 15) * 4
        res.append((sec + frac / (1e9 if nano else 1e6), socket.inet_ntoa(ip[12:16]), ip[ihl + 2]))
    return res


def pct(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(q * len(v)))] if v else 0


def report(d):
    env = dict(l.split("=", 1) for l in open(d + "/params").read().split())
    advert, dur = float(env["ADVERT"]), float(env["DURATION"])
    t0, t1, t2 = float(env["T_FLOOD"]), float(env["T_SETTLE"]), float(env["T_END"])
    counts = {}
    for fn in os.listdir(d):
        if fn.endswith(".count"):
            for l in open(os.path.join(d, fn)):
                k, v = l.split()
                counts[k] = counts.get(k, 0) + int(v)
    rows = [l.split() for l in open(d + "/samples")][1:]
    fails, lines = [], []

    def row(name, value, bound="", bad=False):
        lines.append("%-48s %-24s %s" % (name, value, ("FAIL " if bad else "") + bound))
        if bad:
            fails.append(name)

    st = {}
    for node in env["NODES"].split(","):
        for what in ("status", "vrrp"):
            try:
                st[node, what] = json.load(open("%s/%s/%s.json" % (d, node, what)))["data"]  # the halbctl envelope
            except (OSError, ValueError, KeyError, TypeError):
                st[node, what] = None
    applied = sum(st[n, "status"]["generation"] - 1 for n in env["NODES"].split(",") if st[n, "status"])
    refused = sum(st[n, "status"]["reloads_refused"] for n in env["NODES"].split(",") if st[n, "status"])
    row("duration (flood s / settle s)", "%.0f / %.0f" % (t1 - t0, t2 - t1), "DURATION=%g" % dur)
    row("HUPs sent / applied / refused", "%d / %d / %d" % (counts.get("hup_sent", 0), applied, refused),
        "both nodes; HUPs during a reload coalesce")
    row("ctl requests halbctl ok / failed", "%d / %d" % (counts.get("ctl_ok", 0), counts.get("ctl_failed", 0)))
    row("ctl requests raw ok / other", "%d / %d" % (counts.get("raw_ok", 0), counts.get("raw_other", 0)))
    g = sum(v for k, v in counts.items() if k.startswith("garbage_") and k != "garbage_refused")
    row("ctl garbage connections (refused)", "%d (%d)" % (g, counts.get("garbage_refused", 0)))
    fk = sorted((k, v) for k, v in counts.items() if k.startswith("forged_") and k != "forged_errors")
    fsum = sum(v for _, v in fk)
    row("forged adverts (%.0f pps)" % (fsum / max(1, counts.get("forge_ms", 0) / 1000)), "%d" % fsum,
        " ".join("%s=%d" % (k[7:], v) for k, v in fk))
    sr = {}
    for fn in os.listdir(d + "/res"):
        sr[fn] = os.path.getsize(os.path.join(d, "res", fn))
    row("script runs", "%d" % sum(sr.values()), " ".join("%s=%d" % kv for kv in sorted(sr.items())))

    for node in env["NODES"].split(","):
        r = [x for x in rows if x[1] == node and x[2] != "-"]
        base = [x for x in r if float(x[0]) < t0]
        flood = [x for x in r if t0 <= float(x[0]) < t1]
        quiet = [x for x in r if float(x[0]) >= t2 - float(env["QUIET"])]
        col = lambda xs, i: [int(x[i]) for x in xs]
        if not base or not flood or not quiet:
            row("node %s samples" % node, "%d/%d/%d" % (len(base), len(flood), len(quiet)),
                "halbd missing for a whole phase", True)
            continue
        for label, i, slack in (("fds", 6, int(env["FD_SLACK"])), ("tree procs", 3, int(env["PROC_SLACK"]))):
            # A leak raises the floor: the quiet end's minimum against the
            # base's maximum (scripts come and go in both).
            b, e = max(col(base, i)), min(col(quiet, i))
            row("%s %s flood min/max, base max -> end min" % (node, label),
                "%d/%d, %d -> %d" % (min(col(flood, i)), max(col(flood, i)), b, e),
                "leak = end - base <= %d" % slack, e - b > slack)
        orph = max(col(quiet, 5))
        row("%s leaked processes (outside the tree)" % node,
            "max %d flood, %d quiet" % (max(col(flood, 5)), orph), "quiet must be 0", orph > 0)
        rs, rm, re_ = col(base, 7)[-1], max(col(r, 7)), col(quiet, 7)[-1]
        half = [x for x in flood if float(x[0]) >= (t0 + t1) / 2]
        first = [x for x in flood if float(x[0]) < (t0 + t1) / 2]
        grow = max(col(half, 7)) - max(col(first, 7)) if half and first else 0
        lim = 2 * rs + 16384
        row("%s RSS MiB start/max/end" % node, "%.1f/%.1f/%.1f" % (rs / 1024, rm / 1024, re_ / 1024),
            "max <= 2 x start + 16; 2nd half grew %.1f <= 4" % (grow / 1024),
            rm > lim or grow > 4096)
    for node in env["NODES"].split(","):
        r = [(float(x[0]), int(x[9])) for x in rows if x[1] == node and x[2] != "-" and t0 <= float(x[0]) < t1]
        w = [(b[1] - a[1]) / (b[0] - a[0]) for a, b in zip(r, r[1:]) if b[0] > a[0]]
        if w:
            row("%s waiting for a CPU (ms/s) mean / max" % node, "%.0f / %.0f" % (sum(w) / len(w), max(w)),
                "run-queue wait of halbd's loop thread (the host's load)")
    both = sum(1 for t in {x[0] for x in rows if float(x[0]) >= float(env["T_CONVERGED"])}
               if sum(int(x[8]) for x in rows if x[0] == t and x[8] != "-") >= 2)
    none = sum(1 for t in {x[0] for x in rows if t0 <= float(x[0]) < t1}
               if sum(int(x[8]) for x in rows if x[0] == t and x[8] != "-") == 0)
    row("samples with two VIP holders", "%d" % both, "must be 0", both > 0)
    row("flood samples with no VIP holder", "%d" % none, "(information)")

    pk = [p for p in pcap_times(d + "/vrrp.pcap") if p[2] > 0]
    pk = [p for p in pk if t0 <= p[0] < t1]
    gaps = [b[0] - a[0] for a, b in zip(pk, pk[1:])]
    srcs = {}
    for p in pk:
        srcs[p[1]] = srcs.get(p[1], 0) + 1
    late = [max(0.0, g - advert) for g in gaps]
    bound = 0.1 * advert
    mx = max(late) if late else float("inf")
    row("adverts seen (by source)", "%d" % len(pk), " ".join("%s=%d" % kv for kv in sorted(srcs.items())))
    row("advert lateness max / p99 (ms)", "%.1f / %.1f" % (mx * 1e3, pct(late, 0.99) * 1e3),
        "max <= %.0f ms (10%% of advert_int); largest gap %.1f ms" % (bound * 1e3, (mx + advert) * 1e3),
        mx > bound)
    for node in env["NODES"].split(","):
        for i in st[node, "vrrp"] or []:
            row("%s %s Adver_Timer late p99 / max (ms)" % (node, i["name"]),
                "%.1f / %.1f" % (i["advert_lateness_p99"] * 1e3, i["advert_lateness_max"] * 1e3),
                "halbd's own; sent %d, drops %s" % (i["stats"]["adverts_sent"], " ".join(
                    "%s=%d" % kv for kv in sorted(i["drops"]["by_reason"].items())) or "0"))
        try:  # the shared socket's drops (checksum, other VRIDs) are in the dump only
            dump = open("%s/%s/dump" % (d, node)).read().splitlines()
        except OSError:
            dump = []
        for k, l in enumerate(dump):
            if l.startswith("# VRRP socket"):
                more = " ".join(x.strip("# ") for x in dump[k + 1:k + 3] if x.startswith("#   "))
                row("%s socket drops" % node, l.split(": ", 1)[-1].split(", groups")[0], more)
    if env.get("PCAP_DROPPED", "0") not in ("0", ""):
        row("capture drops", env["PCAP_DROPPED"], "gaps may be the capture's", False)
    for k in ("HALBD_A_EXIT", "HALBD_B_EXIT"):
        if k in env:
            node = k[6].lower()
            left = [l.strip() for l in open("%s/%s/left" % (d, node)) if l.strip()]
            row("%s after TERM" % node, "status %s, %s procs left" % (env[k], env[k + "_LEFT"]),
                "0 and 0" + ("; left: " + ", ".join(left[:4]) if left else ""),
                env[k] != "0" or env[k + "_LEFT"] != "0")
    print("soak figures (%s)" % env.get("LABEL", ""))
    print("\n".join(lines))
    if fails:
        print("FAILED bounds: %s" % ", ".join(fails))
    return 1 if fails else 0


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "hup":
        hup(*args)
    elif cmd == "forge":
        forge(*args)
    elif cmd == "garbage":
        garbage(*args)
    elif cmd == "sample":
        sample(args[0], args[1], args[2:])
    elif cmd == "report":
        sys.exit(report(args[0]))
    else:
        sys.exit("usage: see the head of " + sys.argv[0])
