#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# bench/sync-bench-report.py: turns one bench/sync-bench.sh run into a line of
# figures, and with --ratios the halbd/conntrackd table. Method: bench/README.md.
#   sync-bench-report.py DAEMON N INSERTS ARRIVALS CAPTURE CPU_M CPU_B TICK EXT COMMIT_MS IN_KERNEL
#   sync-bench-report.py --ratios RESULTS
import sys


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100.0 * len(xs)))] if xs else float("nan")


def one(a):
    d, n, inserts, arrivals, capture, cpu_m, cpu_b, tick, ext, commit_ms, in_kernel = a
    n = int(n)
    done = {}  # connection -> ns its batch was answered (the kernel event happened before)
    t_first = None
    batch_ms = []  # how long each batch took: the bound on how much a lag is understated
    for line in open(inserts):
        lo, hi, t, sent = map(int, line.split())
        t_first = t if t_first is None else t_first
        batch_ms.append((t - sent) / 1e6)
        for i in range(lo, hi + 1):
            done[i] = t
    arr = {}
    for line in open(arrivals):
        i, t = map(int, line.split())
        arr[i] = t
    cap = {}
    words = open(capture).read().split()
    for k in ("seen", "bytes", "datagrams", "fragments"):
        if k in words:
            cap[k] = int(words[words.index(k) + 1])
    lags = [(arr[i] - done[i]) / 1e6 for i in arr if i in done]
    t_start = min(done.values()) if done else 0
    # rate: connections whose state reached b / (last first-arrival - first batch answered)
    span = (max(arr.values()) - t_start) / 1e9 if arr else float("nan")
    rate = len(arr) / span if arr and span > 0 else float("nan")
    tick = int(tick)
    cpu_m_s = int(cpu_m) / tick * 100000 / n
    cpu_b_s = int(cpu_b) / tick * 100000 / n
    bpe = cap.get("bytes", 0) / max(1, len(arr))
    print("RESULT %s n=%d arrived=%d ext=%s rate=%.0f/s lag_p50=%.1fms lag_p99=%.1fms commit=%sms in_kernel=%s "
          "cpu_master=%.2fs cpu_backup=%.2fs (per 100k) wire=%.1fB/entry fragments=%d batch_p99=%.2fms"
          % (d, n, len(arr), ext, rate, pct(lags, 50), pct(lags, 99), commit_ms, in_kernel.strip(), cpu_m_s,
             cpu_b_s, bpe, cap.get("fragments", 0), pct(batch_ms, 99)))


def ratios(path):
    rows = {}
    for line in open(path):
        f = line.split()
        if not f or f[0] != "RESULT":
            continue
        kv = dict(x.split("=", 1) for x in f[2:] if "=" in x)
        rows[(f[1], kv["n"])] = kv
    num = lambda s: float("".join(c for c in s if c in "-0123456789.") or "nan")
    print("%-8s %-28s %12s %12s %8s" % ("N", "figure", "halbd", "conntrackd", "ratio"))
    for n in sorted({k[1] for k in rows}, key=int):
        h, c = rows.get(("halbd", n)), rows.get(("conntrackd", n))
        if not h or not c:
            continue
        for key, what in (("rate", "replication conn/s"), ("lag_p50", "lag p50 ms"), ("lag_p99", "lag p99 ms"),
                          ("commit", "commit ms"), ("cpu_master", "CPU s/100k master"),
                          ("cpu_backup", "CPU s/100k backup"), ("wire", "wire bytes/entry")):
            hv, cv = num(h[key]), num(c[key])
            r = hv / cv if cv else float("nan")
            print("%-8s %-28s %12.2f %12.2f %8.2f" % (n, what, hv, cv, r))


if __name__ == "__main__":
    if sys.argv[1] == "--ratios":
        ratios(sys.argv[2])
    else:
        one(sys.argv[1:])
