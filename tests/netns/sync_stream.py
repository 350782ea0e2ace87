#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/sync_stream.py: the long-lived TCP stream of sync-failover.sh.
#   sync_stream.py serve PORT             echo every byte back (one thread per connection)
#   sync_stream.py client HOST PORT DIR   send a numbered line every 10 ms, check every echo
# The client writes DIR/status each 100 ms ("sent N echoed M max_stall_ms S")
# and stops when DIR/stop appears: it then waits up to 5 s for the last echoes
# and writes DIR/result: "ok ..." or "broken: WHY ..." (reset, EOF, an echo
# out of order). The stall is the longest time without an echo while lines
# were outstanding.
import os, select, socket, sys, threading, time


def serve(port):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", port))
    srv.listen(16)

    def echo(c):
        with c:
            while True:
                try:
                    b = c.recv(65536)
                except OSError:
                    return
                if not b:
                    return
                c.sendall(b)

    while True:
        c, _ = srv.accept()
        threading.Thread(target=echo, args=(c,), daemon=True).start()


def client(host, port, d):
    s = socket.create_connection((host, port), timeout=5)
    s.setblocking(False)
    sent = echoed = 0
    buf = b""
    last_echo = time.monotonic()
    max_stall = 0.0
    next_send = time.monotonic()
    last_status = 0.0
    stopping_since = None
    why = None

    def status(name, text):
        with open(os.path.join(d, name + ".tmp"), "w") as f:
            f.write(text + "\n")
        os.replace(os.path.join(d, name + ".tmp"), os.path.join(d, name))

    while True:
        now = time.monotonic()
        if stopping_since is None and os.path.exists(os.path.join(d, "stop")):
            stopping_since = now
        if stopping_since is None and now >= next_send:
            try:
                s.send(b"%d\n" % sent)
                sent += 1
            except BlockingIOError:
                pass
            except OSError as e:
                why = "send: %s" % e
                break
            next_send += 0.01
        r, _, _ = select.select([s], [], [], 0.002)
        if r:
            try:
                b = s.recv(65536)
            except OSError as e:
                why = "recv: %s" % e
                break
            if not b:
                why = "EOF from the server"
                break
            buf += b
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                if line != b"%d" % echoed:
                    why = "echo %r where %d was expected" % (line, echoed)
                    break
                echoed += 1
                t = time.monotonic()
                max_stall = max(max_stall, t - last_echo)
                last_echo = t
            if why:
                break
        elif echoed == sent:
            last_echo = time.monotonic()
        if now - last_status > 0.1:
            status("status", "sent %d echoed %d max_stall_ms %d" % (sent, echoed, max_stall * 1000))
            last_status = now
        if stopping_since is not None and (echoed == sent or now - stopping_since > 5):
            if echoed != sent:
                why = "%d lines never echoed" % (sent - echoed)
            break
    text = "sent %d echoed %d max_stall_ms %d" % (sent, echoed, max_stall * 1000)
    status("status", text)
    status("result", ("broken: %s; " % why if why else "ok ") + text)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(int(sys.argv[2]))
    else:
        client(sys.argv[2], int(sys.argv[3]), sys.argv[4])
