#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
"""check-listener.py: the far end of bench/check-tcp.sh. One listening socket
on 0.0.0.0:PORT inside the bench's network namespace answers for every
127.0.0.0/8 address (loopback routes the whole /8 locally), so N real
servers cost one socket, not N. Mode tcp: accept and close. Mode http: read
the request, answer "200 OK" with a short body, close."""
import os, selectors, socket, sys

mode, port = sys.argv[1], int(sys.argv[2])
ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("0.0.0.0", port))
ls.listen(65535)
ls.setblocking(False)
sel = selectors.DefaultSelector()
sel.register(ls, selectors.EVENT_READ, None)
reply = b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
sys.stdout.write("ready\n")
sys.stdout.flush()
while True:
    for key, _ in sel.select():
        if key.data is None:
            for _ in range(256):
                try:
                    c, _a = ls.accept()
                except BlockingIOError:
                    break
                if mode == "tcp":
                    c.close()
                else:
                    c.setblocking(False)
                    sel.register(c, selectors.EVENT_READ, b"")
        else:
            c = key.fileobj
            try:
                data = c.recv(4096)
            except (BlockingIOError, ConnectionError):
                data = b""
            if not data or b"\r\n\r\n" in key.data + data:
                sel.unregister(c)
                if data:
                    try:
                        c.send(reply)
                    except OSError:
                        pass
                c.close()
            else:
                sel.modify(c, selectors.EVENT_READ, key.data + data)
