#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/dr_streams.py: many long-lived TCP streams in one process, for
# the multi-node tests (ecmp-dr.sh): stream i comes from 203.0.113.(i+1), so
# a node can tell which streams it carries by source address.
#   dr_streams.py VIP PORT K DIR
# Each stream sends a numbered line every 50 ms and checks every echo (the
# real servers run sync_stream.py serve). DIR/status is rewritten every
# 100 ms: "open K echoing E broken B max_stall_ms S fresh F" (E: streams
# echoed in the last second, F: in the last 100 ms, i.e. not waiting now;
# the stall is the longest time a stream waited for an echo while it had
# lines outstanding, since DIR/mark last appeared, which the
# client removes). When DIR/stop appears it waits up to 5 s for the last
# echoes and writes DIR/result, one line per stream: "SRC ok STALL_MS" or
# "SRC broken WHY".
import os, select, socket, sys, time

vip, port, k, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]


class Stream:
    def __init__(self, i):
        self.src = "203.0.113.%d" % (i + 1)
        self.s = socket.create_connection((vip, port), timeout=5, source_address=(self.src, 0))
        self.s.setblocking(False)
        self.sent = self.echoed = 0
        self.buf = b""
        self.last = time.monotonic()
        self.stall = 0.0
        self.why = None


def write(name, text):
    with open(os.path.join(d, name + ".tmp"), "w") as f:
        f.write(text)
    os.replace(os.path.join(d, name + ".tmp"), os.path.join(d, name))


streams = [Stream(i) for i in range(k)]
by_fd = {st.s.fileno(): st for st in streams}
next_send = time.monotonic()
last_status = 0.0
stop_at = None
while True:
    now = time.monotonic()
    if os.path.exists(os.path.join(d, "mark")):
        os.remove(os.path.join(d, "mark"))
        for st in streams:
            st.stall = 0.0
    if stop_at is None and os.path.exists(os.path.join(d, "stop")):
        stop_at = now
    if stop_at is None and now >= next_send:
        next_send = now + 0.05
        for st in streams:
            if st.why:
                continue
            try:
                st.s.send(b"%d\n" % st.sent)
                st.sent += 1
            except BlockingIOError:
                pass
            except OSError as e:
                st.why = "send: %s" % e.strerror
    live = [st.s for st in streams if not st.why]
    r, _, _ = select.select(live, [], [], 0.01)
    for s in r:
        st = by_fd[s.fileno()]
        try:
            b = s.recv(65536)
        except OSError as e:
            st.why = "recv: %s" % e.strerror
            continue
        if not b:
            st.why = "EOF"
            continue
        st.buf += b
        while b"\n" in st.buf:
            line, st.buf = st.buf.split(b"\n", 1)
            if line != b"%d" % st.echoed:
                st.why = "echo out of order"
                break
            st.echoed += 1
            t = time.monotonic()
            st.stall = max(st.stall, t - st.last)
            st.last = t
    now = time.monotonic()
    for st in streams:
        if st.echoed == st.sent:
            st.last = now
    if now - last_status > 0.1:
        last_status = now
        echoing = sum(1 for st in streams if not st.why and now - st.last < 1.0)
        broken = sum(1 for st in streams if st.why)
        stall = max(st.stall for st in streams)
        fresh = sum(1 for st in streams if not st.why and now - st.last < 0.1)
        write("status", "open %d echoing %d broken %d max_stall_ms %d fresh %d\n" % (k, echoing, broken, stall * 1000, fresh))
    if stop_at is not None and (all(st.why or st.echoed == st.sent for st in streams) or now - stop_at > 5):
        break
lines = []
for st in streams:
    if not st.why and st.echoed != st.sent:
        st.why = "%d lines never echoed" % (st.sent - st.echoed)
    lines.append("%s %s\n" % (st.src, ("broken " + st.why) if st.why else "ok %d" % (st.stall * 1000)))
write("result", "".join(lines))
