#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/sync_stream.py: the long-lived TCP stream of sync-failover.sh
# and the seed scenarios (seed-*.sh), and the web servers they balance.
#   sync_stream.py serve PORT [NAME]      echo every byte back (one thread per connection);
#                                         with NAME, a connection opening with "GET " is
#                                         answered as HTTP/1.0 with NAME as the body
#   sync_stream.py client HOST PORT DIR [SRC]  send a numbered line every 10 ms, check every
#                                         echo (from source address SRC when given)
#   sync_stream.py get HOST PORT N TIMEOUT SRC...  N HTTP GETs, the i-th from SRC[i % len];
#                                         prints "SRC NAME" per request (NAME ERROR on failure)
# The client writes DIR/status each 100 ms ("sent N echoed M max_stall_ms S
# phase_stall_ms P": P is the longest stall since DIR/mark last appeared; the
# client removes DIR/mark when it starts a new phase)
# and stops when DIR/stop appears: it then waits up to 5 s for the last echoes
# and writes DIR/result: "ok ..." or "broken: WHY ..." (reset, EOF, an echo
# out of order). The stall is the longest time without an echo while lines
# were outstanding.
import os, select, socket, sys, threading, time


def serve(port, name=None):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", port))
    srv.listen(256)

    def echo(c):
        first = True
        with c:
            while True:
                try:
                    b = c.recv(65536)
                except OSError:
                    return
                if not b:
                    return
                if first and name and b.startswith(b"GET "):
                    body = name.encode() + b"\n"
                    c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
                    return
                first = False
                c.sendall(b)

    while True:
        c, _ = srv.accept()
        threading.Thread(target=echo, args=(c,), daemon=True).start()


def client(host, port, d, src=None):
    s = socket.create_connection((host, port), timeout=5, source_address=(src, 0) if src else None)
    s.setblocking(False)
    sent = echoed = 0
    buf = b""
    last_echo = time.monotonic()
    max_stall = phase_stall = 0.0
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
        if os.path.exists(os.path.join(d, "mark")):
            phase_stall = 0.0
            os.remove(os.path.join(d, "mark"))
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
                phase_stall = max(phase_stall, t - last_echo)
                last_echo = t
            if why:
                break
        elif echoed == sent:
            last_echo = time.monotonic()
        if now - last_status > 0.1:
            status("status", "sent %d echoed %d max_stall_ms %d phase_stall_ms %d"
                   % (sent, echoed, max_stall * 1000, phase_stall * 1000))
            last_status = now
        if stopping_since is not None and (echoed == sent or now - stopping_since > 5):
            if echoed != sent:
                why = "%d lines never echoed" % (sent - echoed)
            break
    text = "sent %d echoed %d max_stall_ms %d" % (sent, echoed, max_stall * 1000)
    status("status", text)
    status("result", ("broken: %s; " % why if why else "ok ") + text)


def get(host, port, n, timeout, srcs):
    for i in range(n):
        src = srcs[i % len(srcs)]
        who = "ERROR"
        try:
            with socket.create_connection((host, port), timeout=timeout, source_address=(src, 0)) as c:
                c.sendall(b"GET / HTTP/1.0\r\nHost: %s\r\n\r\n" % host.encode())
                reply = b""
                while True:
                    b = c.recv(4096)
                    if not b:
                        break
                    reply += b
            if reply.startswith(b"HTTP/1.0 200") and b"\r\n\r\n" in reply:
                who = reply.split(b"\r\n\r\n", 1)[1].decode().strip() or "ERROR"
        except OSError:
            pass
        print(src, who)
    sys.stdout.flush()


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else None)
    elif sys.argv[1] == "get":
        get(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), sys.argv[6:])
    else:
        client(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5] if len(sys.argv) > 5 else None)
