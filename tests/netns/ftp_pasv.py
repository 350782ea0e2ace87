#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/ftp_pasv.py: the two ends of an FTP-style passive transfer for
# tests/netns/sync-expect.sh. The kernel's ftp helper only parses the
# control stream, so this speaks just enough of it:
#   serve PORT         answer "220", then each "PASV" with a fresh data
#                      listener and "227 Entering Passive Mode (h,h,h,h,p,p)";
#                      a data connection gets "DATA-OK <its source>".
#   client HOST PORT DIR
#                      opens the control connection, sends PASV, writes the
#                      address of the (NAT-rewritten) 227 to DIR/pasv, then
#                      waits for a line on DIR/go (a FIFO) before it opens the
#                      data connection; writes "ok DATA-OK ..." or
#                      "broken <why>" to DIR/result.
import os
import re
import socket
import sys
import threading


def serve(port):
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("0.0.0.0", port))
    lsock.listen(16)

    def data(ls):
        conn, peer = ls.accept()
        conn.sendall(("DATA-OK %s\n" % peer[0]).encode())
        conn.close()
        ls.close()

    def control(conn):
        conn.sendall(b"220 halbd test ftp\r\n")
        buf = b""
        while True:
            chunk = conn.recv(4096)
            if not chunk:
                return
            buf += chunk
            while b"\r\n" in buf:
                line, buf = buf.split(b"\r\n", 1)
                if line.upper().startswith(b"PASV"):
                    ds = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                    ds.bind((conn.getsockname()[0], 0))
                    ds.listen(1)
                    h, p = ds.getsockname()
                    threading.Thread(target=data, args=(ds,), daemon=True).start()
                    msg = "227 Entering Passive Mode (%s,%d,%d)\r\n" % (h.replace(".", ","), p >> 8, p & 255)
                    conn.sendall(msg.encode())
                else:
                    conn.sendall(b"200 ok\r\n")

    while True:
        c, _ = lsock.accept()
        threading.Thread(target=control, args=(c,), daemon=True).start()


def client(host, port, d):
    def result(s):
        with open(os.path.join(d, "result.tmp"), "w") as f:
            f.write(s + "\n")
        os.rename(os.path.join(d, "result.tmp"), os.path.join(d, "result"))

    ctl = socket.create_connection((host, port), timeout=10)
    f = ctl.makefile("rb")
    f.readline()  # 220
    ctl.sendall(b"PASV\r\n")
    line = f.readline().decode(errors="replace")
    m = re.search(r"\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)", line)
    if not m:
        return result("broken no 227: %r" % line)
    addr = ".".join(m.group(i) for i in range(1, 5))
    dport = int(m.group(5)) * 256 + int(m.group(6))
    with open(os.path.join(d, "pasv.tmp"), "w") as p:
        p.write("%s %d\n" % (addr, dport))
    os.rename(os.path.join(d, "pasv.tmp"), os.path.join(d, "pasv"))
    with open(os.path.join(d, "go")) as g:  # a FIFO: blocks until the test says go
        g.readline()
    try:
        ds = socket.create_connection((addr, dport), timeout=5)
        ds.settimeout(5)
        got = ds.recv(256).decode(errors="replace").strip()
        result("ok " + got if got.startswith("DATA-OK") else "broken data: %r" % got)
    except OSError as e:
        result("broken data connection: %s" % e)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(int(sys.argv[2]))
    else:
        client(sys.argv[2], int(sys.argv[3]), sys.argv[4])
