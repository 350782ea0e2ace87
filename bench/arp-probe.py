#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# bench/arp-probe.py: the stopwatch of vrrp-failover.sh, run in the client
# namespace. Sends the signals that end the master, then asks "who-has VIP"
# every millisecond on a raw AF_PACKET socket and prints how long after the
# kill (CLOCK_MONOTONIC, the same clock in every namespace) the backup's MAC
# first (a) sent a gratuitous ARP for the VIP and (b) answered our request.
import argparse
import os
import select
import socket
import struct
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("--ifname", default="eth0")
ap.add_argument("--vip", required=True)
ap.add_argument("--src", required=True)           # our IPv4 address
ap.add_argument("--backup-mac", required=True)
ap.add_argument("--pre", action="append", default=[])   # SIG:PID sent before the clock starts
ap.add_argument("--kill", required=True)                 # SIG:PID: the clock starts here
ap.add_argument("--post", action="append", default=[])  # SIG:PID right after
ap.add_argument("--interval-ms", type=float, default=1.0)
ap.add_argument("--timeout", type=float, default=10.0)
a = ap.parse_args()


def send_sig(spec):
    sig, pid = spec.split(":")
    os.kill(int(pid), getattr(__import__("signal"), "SIG" + sig))


s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806))
s.bind((a.ifname, 0))
s.setblocking(False)
mymac = s.getsockname()[4][:6]
bmac = bytes.fromhex(a.backup_mac.replace(":", ""))
vip = socket.inet_aton(a.vip)
req = (b"\xff" * 6 + mymac + b"\x08\x06" +
       struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + mymac + socket.inet_aton(a.src) + b"\x00" * 6 + vip)

for p in a.pre:
    send_sig(p)
t0 = time.monotonic_ns()
send_sig(a.kill)
for p in a.post:
    send_sig(p)

garp = reply = None
next_send = t0
deadline = t0 + int(a.timeout * 1e9)
step = int(a.interval_ms * 1e6)
while reply is None and time.monotonic_ns() < deadline:
    now = time.monotonic_ns()
    if now >= next_send:
        s.send(req)
        next_send += step
        if next_send < now:
            next_send = now + step
    r, _, _ = select.select([s], [], [], max(0, (next_send - time.monotonic_ns()) / 1e9))
    if not r:
        continue
    while True:
        try:
            f = s.recv(128)
        except BlockingIOError:
            break
        t = time.monotonic_ns()
        if len(f) < 42 or f[12:14] != b"\x08\x06":
            continue
        op = struct.unpack("!H", f[20:22])[0]
        sha, spa = f[22:28], f[28:32]
        if sha != bmac or spa != vip:
            continue
        if op == 2 and f[32:38] == mymac and reply is None:
            reply = t
        elif op in (1, 2) and f[0:6] == b"\xff" * 6 and garp is None:
            garp = t

fmt = lambda t: "%.3f" % ((t - t0) / 1e6) if t is not None else "timeout"
print(fmt(reply), fmt(garp))
sys.exit(0 if reply is not None else 1)
