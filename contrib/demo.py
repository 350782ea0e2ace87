#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# contrib/demo.py: the Python half of contrib/demo.sh, which runs each mode in
# the right network namespace: the real servers, the client load generator,
# the long-lived session, the throughput measurement and the live view.
#   demo.py serve NAME PORT            greet each connection with NAME, then echo lines
#   demo.py load HOST PORT DIR RATE    requests (connect, read the greeting, close)
#                                      at about RATE/s (0: as fast as it can),
#                                      counted per server; DIR/load every 250 ms
#   demo.py session HOST PORT DIR      one connection, a numbered line every 10 ms,
#                                      every echo checked; DIR/session every 100 ms,
#                                      DIR/result when DIR/stop appears or it breaks
#   demo.py bench HOST PORT SECS       requests as fast as possible: prints "RATE/s"
#   demo.py view DIR HALBCTL           the live screen (redrawn 4 times a second)
import json, os, re, shutil, signal, select, selectors, socket, subprocess, sys, textwrap, threading, time


def write_atomic(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def serve(name, port):
    """One thread, non-blocking: greet each connection, echo what it sends."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", port))
    srv.listen(1024)
    srv.setblocking(False)
    greeting = (name + "\n").encode()
    sel = selectors.DefaultSelector()
    sel.register(srv, selectors.EVENT_READ)
    while True:
        for key, _ in sel.select():
            c = key.fileobj
            try:
                if c is srv:
                    conn, _ = srv.accept()
                    conn.setblocking(False)
                    conn.send(greeting)  # a few bytes into an empty buffer
                    sel.register(conn, selectors.EVENT_READ)
                    continue
                b = c.recv(65536)
                if b:
                    c.send(b)  # the session's short lines: the buffer has room
                    continue
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                pass
            if c is not srv:
                sel.unregister(c)
                c.close()


def request(host, port):
    """One request: connect, read the server's name, close. Name or None."""
    try:
        with socket.create_connection((host, port), timeout=1) as c:
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
            data = b""
            while not data.endswith(b"\n"):
                b = c.recv(64)
                if not b:
                    return None
                data += b
            return data.decode().strip()
    except OSError:
        return None


def load(host, port, d, rate, threads=4):
    lock = threading.Lock()
    totals = {}
    interval = threads / rate if rate > 0 else 0

    def worker():
        nxt = time.monotonic()
        while True:
            who = request(host, port) or "error"
            with lock:
                totals[who] = totals.get(who, 0) + 1
            if interval:
                nxt += interval
                delay = nxt - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                else:
                    nxt = time.monotonic()

    for _ in range(threads):
        threading.Thread(target=worker, daemon=True).start()
    history = []  # (time, totals) over the last second: the rate
    while True:
        time.sleep(0.25)
        now = time.monotonic()
        with lock:
            snap = dict(totals)
        history.append((now, snap))
        while len(history) > 1 and now - history[0][0] > 1.01:
            history.pop(0)
        t0, old = history[0]
        span = max(now - t0, 0.25)
        rates = {k: (v - old.get(k, 0)) / span for k, v in snap.items()}
        write_atomic(os.path.join(d, "load"), json.dumps({"total": snap, "rate": rates}))
        write_atomic(os.path.join(d, "load.txt"), " ".join(  # for the shell: "r1 99 r2 101 ..."
            "%s %d" % (k, rates.get(k, 0)) for k in ("r1", "r2", "r3", "error")) + "\n")


def session(host, port, d):
    def status(name, obj):
        write_atomic(os.path.join(d, name), json.dumps(obj))
        write_atomic(os.path.join(d, name + ".txt"), " ".join(  # for the shell
            "%s %s" % (k, obj.get(k)) for k in ("server", "sent", "echoed", "max_stall_ms", "act_stall_ms", "ok"))
            + "\n")

    def act():
        try:
            with open(os.path.join(d, "act")) as f:
                return f.read().strip()
        except OSError:
            return "0"

    try:
        s = socket.create_connection((host, port), timeout=5)
        f = s.makefile("rb")
        server = f.readline().decode().strip()
        f.close()
    except OSError as e:
        status("result", {"ok": False, "why": "connect: %s" % e, "sent": 0, "echoed": 0})
        return
    s.setblocking(False)
    st = {"server": server, "sent": 0, "echoed": 0, "max_stall_ms": 0, "stall_ms": 0, "stalls": {}}
    buf = b""
    last_echo = next_send = last_status = time.monotonic()
    stopping = None
    why = None
    while True:
        now = time.monotonic()
        if stopping is None and os.path.exists(os.path.join(d, "stop")):
            stopping = now
        if stopping is None and now >= next_send:
            try:
                s.send(b"%d\n" % st["sent"])
                st["sent"] += 1
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
                if line != b"%d" % st["echoed"]:
                    why = "echo %r where %d was expected" % (line, st["echoed"])
                    break
                st["echoed"] += 1
                t = time.monotonic()
                stall = int((t - last_echo) * 1000)
                a = act()
                st["stalls"][a] = max(st["stalls"].get(a, 0), stall)
                st["max_stall_ms"] = max(st["max_stall_ms"], stall)
                last_echo = t
            if why:
                break
        elif st["echoed"] == st["sent"]:
            last_echo = time.monotonic()
        st["stall_ms"] = int((time.monotonic() - last_echo) * 1000)
        if now - last_status > 0.1:
            st["act_stall_ms"] = max(st["stalls"].get(act(), 0), st["stall_ms"])
            status("session", st)
            last_status = now
        if stopping is not None and (st["echoed"] == st["sent"] or now - stopping > 5):
            if st["echoed"] != st["sent"]:
                why = "%d lines never echoed" % (st["sent"] - st["echoed"])
            break
    st["ok"] = why is None
    st["why"] = why
    st["act_stall_ms"] = st["stalls"].get(act(), 0)
    status("session", st)
    status("result", st)


def bench(host, port, secs, threads=4):
    count = [0] * threads
    errors = [0] * threads
    end = time.monotonic() + secs

    def worker(i):
        while time.monotonic() < end:
            if request(host, port):
                count[i] += 1
            else:
                errors[i] += 1

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print("%d requests/s (%d errors)" % (sum(count) / secs, sum(errors)))


# ---- the live view -----------------------------------------------------------
def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def halbctl(exe, sock, cmd):
    try:
        out = subprocess.run([exe, "-s", sock, "-t", "1", "--json", cmd], capture_output=True,
                             timeout=2).stdout
        reply = json.loads(out)
        return reply.get("data") if reply.get("ok") else None
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return None


def node_view(exe, d, node):
    sock = os.path.join(d, node + ".ctl")
    v = {"vrrp": halbctl(exe, sock, "vrrp")}
    if v["vrrp"] is not None:
        v["checks"] = halbctl(exe, sock, "checks")
        v["sync"] = halbctl(exe, sock, "sync")
    return v


BOLD, DIM, RED, GREEN, YELLOW, OFF = "\033[1m", "\033[2m", "\033[31m", "\033[32m", "\033[33m", "\033[0m"


def paint(state):
    colour = {"MASTER": GREEN, "BACKUP": YELLOW, "up": GREEN}.get(state, RED)
    return colour + state + OFF


def frame(d, exe, started):
    out = []
    now = time.monotonic()
    out.append(BOLD + "halbd live demo" + OFF + DIM + "  %3d s   two load balancers (nftables NAT, rr,"
               " TCP_CHECK, conntrack_sync), Ctrl-C ends" % (now - started) + OFF)
    out.append("")
    nodes = {n: node_view(exe, d, n) for n in ("lb1", "lb2")}
    out.append(BOLD + "  node   VI_OUT 192.0.2.100  VI_IN 198.51.100.100  connection sync" + OFF)
    master = None
    for n, v in nodes.items():
        if v["vrrp"] is None:
            out.append("  %-5s  %s" % (n, RED + "halbd not running (killed)" + OFF))
            continue
        st = {i["name"]: i["state"] for i in v["vrrp"]}
        if st.get("VI_OUT") == "MASTER":
            master = n
        s = v.get("sync") or {}
        sync = ("%s, peer %s, %d local / %d from peer" % (
            "sending" if s.get("master") else "receiving", "alive" if s.get("peer_alive") else "silent",
            s.get("internal_cache", 0), s.get("external_cache", 0))) if s else "off"
        out.append("  %-5s  %-28s %-31s %s" % (n, paint(st.get("VI_OUT", "?")), paint(st.get("VI_IN", "?")), sync))
    out.append("")
    load = read_json(os.path.join(d, "load")) or {"rate": {}, "total": {}}
    pool_from = master or next((n for n, v in nodes.items() if v.get("checks")), None)
    out.append(BOLD + "  pool 192.0.2.100:8000 rr%s" % (" (as %s sees it)" % pool_from if pool_from else "") + OFF)
    out.append(DIM + "  real server         health  weight  answers/s  answered" + OFF)
    checks = (nodes[pool_from].get("checks") or []) if pool_from else []
    reals = [r for vs in checks for r in vs.get("real_servers", [])]
    if not reals:
        reals = [{"address": "198.51.100.1%d" % i, "port": 8000} for i in (1, 2, 3)]
    for r in reals:
        name = "r" + r["address"][-1]
        health = ("up" if r["up"] else "DOWN") if "up" in r else "?"
        rate = load["rate"].get(name, 0)
        bar = "#" * min(40, int(rate / 10 + 0.5))
        out.append("  %-3s %-15s %-17s %6s  %9.0f  %8d  %s" % (
            name, r["address"], paint(health), r.get("weight", "?"), rate, load["total"].get(name, 0), bar))
    out.append("  %-19s %-8s %6s  %9.0f  %8d" % ("no answer", "", "", load["rate"].get("error", 0),
                                                load["total"].get("error", 0)))
    out.append("")
    s = read_json(os.path.join(d, "session"))
    res = read_json(os.path.join(d, "result"))
    out.append(BOLD + "  session 192.0.2.20 -> 192.0.2.100:8000, a line every 10 ms" + OFF)
    if s:
        line = "  via %s: sent %d, echoed %d, stall now %d ms, longest %d ms" % (
            s["server"], s["sent"], s["echoed"], s["stall_ms"], s["max_stall_ms"])
        if res and not res.get("ok"):
            line += "  " + RED + "BROKEN: " + res["why"] + OFF
        out.append(line)
        out.append(DIM + "  longest stall per act: " + ", ".join(
            "act %s %d ms" % (a, ms) for a, ms in sorted(s["stalls"].items()) if a.isdigit()) + OFF)
    else:
        out.append("  (starting)")
    out.append("")
    try:
        with open(os.path.join(d, "narration")) as f:
            story = f.read().splitlines()
    except OSError:
        story = []
    return out, story


ANSI = re.compile(r"\033\[[0-9;?]*[A-Za-z]")


def clip(line, width):
    """LINE cut to WIDTH visible characters, its colour codes kept."""
    out, seen, pos = [], 0, 0
    for m in ANSI.finditer(line):
        text = line[pos:m.start()][:max(0, width - seen)]
        out.append(text)
        seen += len(text)
        out.append(m.group())
        pos = m.end()
    out.append(line[pos:][:max(0, width - seen)])
    return "".join(out)


def fit(top, story, width, height):
    """The screen: TOP clipped to the terminal, then as much of the end of
    the narration as fits, wrapped (a line that wraps would scroll the screen)."""
    lines = [clip(line, width) for line in top][:height - 1]
    wrapped = []
    for line in story:
        wrapped += textwrap.wrap(line, max(20, width - 2), initial_indent="  ",
                                 subsequent_indent="      ") or [""]
    room = height - 1 - len(lines)
    return lines + (wrapped[-room:] if room > 0 else [])


def view(d, exe):
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C: the script cleans up, no traceback
    started = time.monotonic()
    sys.stdout.write("\033[?25l\033[2J")
    while True:
        t = time.monotonic()
        width, height = shutil.get_terminal_size((132, 40))
        lines = fit(*frame(d, exe, started), width, height)
        text = "\033[H" + "".join(line + "\033[K\n" for line in lines) + "\033[J"
        sys.stdout.write(text)
        sys.stdout.flush()
        if os.environ.get("DEMO_FRAME"):  # one frame, for the README's screenshot
            with open(os.environ["DEMO_FRAME"], "w") as f:
                f.write(ANSI.sub("", text))
        time.sleep(max(0.05, 0.25 - (time.monotonic() - t)))


if __name__ == "__main__":
    cmd, a = sys.argv[1], sys.argv[2:]
    if cmd == "serve":
        serve(a[0], int(a[1]))
    elif cmd == "load":
        load(a[0], int(a[1]), a[2], float(a[3]))
    elif cmd == "session":
        session(a[0], int(a[1]), a[2])
    elif cmd == "bench":
        bench(a[0], int(a[1]), float(a[2]))
    elif cmd == "view":
        view(a[0], a[1])
    else:
        sys.exit("demo.py: unknown mode %s" % cmd)
