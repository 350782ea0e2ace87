#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# systemd's notify protocol, with a test double of the notify socket (systemd
# itself does not run in the test environment): a unix datagram socket the
# test binds and hands to halbd as NOTIFY_SOCKET, with WATCHDOG_USEC. Proves
# READY=1 with STATUS=, RELOADING=1 + MONOTONIC_USEC then READY=1 around an
# accepted and a refused `halbctl reload` (the refused one fails, as
# ExecReload= must), WATCHDOG=1 at half the interval, a SIGSTOPped halbd
# missing the watchdog deadline (what makes systemd restart it) and pinging
# again once it runs on time, STOPPING=1 last, every message in order.
# Root: the control socket answers root only.
. "$top_srcdir/tests/lib.sh"
require_root
command -v python3 >/dev/null || skip "needs python3 for the notify socket double"

conf=$TMP/halbd.conf
log=$TMP/halbd.log
sock=$TMP/halbd.ctl
nsock=$TMP/notify.sock
nlog=$TMP/notify.log
wd_usec=400000
ctl() { "$HALBCTL" --socket "$sock" "$@"; }

# The double: one line per datagram, "<CLOCK_MONOTONIC usec> <msg, \n as |>".
python3 - "$nsock" "$nlog" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as out:
    while True:
        m = s.recv(4096).decode()
        out.write("%d %s\n" % (time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000, m.replace("\n", "|")))
PY
double=$!
on_exit "kill $double 2>/dev/null || true"
timeout 10 sh -c 'until [ -S "$1" ]; do sleep 0.01; done' _ "$nsock" || { fail "notify double did not start"; finish; exit 1; }

vs='virtual_server 192.0.2.1 80 {
    protocol TCP
    real_server 192.0.2.2 80 {
    }
}'
printf 'global_defs {\n    router_id notify_test\n}\n%s\n' "$vs" >"$conf"

NOTIFY_SOCKET=$nsock WATCHDOG_USEC=$wd_usec \
    "$HALBD" -n -G -P -g "$log" -p "$TMP/halbd.pid" --control-socket "$sock" -f "$conf" &
daemon=$!
on_exit "kill -9 $daemon 2>/dev/null || true"

# wait_notify N TEXT: waits (max 20 s) until the double logged N lines containing TEXT.
wait_notify() {
    if timeout 20 sh -c 'until [ "$(grep -c -F -- "$2" "$1" 2>/dev/null)" -ge "$3" ]; do sleep 0.02; done' _ "$nlog" "$2" "$1"; then
        ok
    else
        fail "notify socket never got $1 x '$2'"
        sed 's/^/    | /' "$nlog" >&2 || true
        sed 's/^/    log| /' "$log" >&2 || true
    fi
}

wait_notify 1 "READY=1|STATUS="
head -n1 "$nlog" | grep -q " READY=1|STATUS=.*generation 1$" && ok || fail "first message is not READY=1 with STATUS=...generation 1: $(head -n1 "$nlog")"
wait_notify 4 "WATCHDOG=1"

# An accepted reload: RELOADING=1 + MONOTONIC_USEC, then READY=1, generation 2.
printf 'global_defs {\n    router_id notify_test_2\n}\n%s\n' "$vs" >"$conf"
expect_status 0 "halbctl reload of a valid file" -- ctl reload
wait_notify 1 "generation 2"
# A refused reload makes halbctl (so ExecReload=, so systemctl reload) fail.
printf 'global_defs {\n    bogus_keyword 1\n}\n' >"$conf"
expect_status 1 "halbctl reload of a broken file" -- ctl reload
expect_output_has "$conf:2:5: error: unknown keyword 'bogus_keyword'" "refusal names file:line:col"
wait_notify 2 "RELOADING=1|MONOTONIC_USEC="
wait_notify 3 "READY=1|STATUS="

# Stall the loop (SIGSTOP) for 3 watchdog intervals: no ping reaches the
# socket meanwhile; once running again, the late tick withholds its ping and
# the next tick on time pings.
# The stall (the stimulus, not a synchronisation) timed by the process that makes it.
cat >"$TMP/stall.py" <<'PY'
import os, signal, sys, time
now = lambda: time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
pid = int(sys.argv[1])
os.kill(pid, signal.SIGSTOP); a = now()
time.sleep(1.2)
b = now(); os.kill(pid, signal.SIGCONT)
print(a, b)
PY
set -- $(python3 "$TMP/stall.py" "$daemon")
stop_at=$1 cont_at=$2
# Pings resume once the loop runs on time again.
before=$(grep -c "WATCHDOG=1" "$nlog")
wait_notify $((before + 2)) "WATCHDOG=1"
grep -q "systemd watchdog: event loop .* late; not pinging" "$log" && ok || fail "the late tick was not logged as withheld"

kill -TERM "$daemon"
wait "$daemon" && ok || fail "halbd did not exit 0 on TERM"
wait_notify 1 "STOPPING=1"

# The whole conversation, checked in order.
python3 - "$nlog" "$wd_usec" "$stop_at" "$cont_at" <<'PY' >"$TMP/out" 2>&1 && ok || { fail "notify conversation: $(cat "$TMP/out")"; sed 's/^/    | /' "$nlog" >&2; }
import sys
lines = [l.rstrip("\n").split(" ", 1) for l in open(sys.argv[1])]
wd, stop_at, cont_at = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
msgs = [(int(t), m) for t, m in lines]
kinds = []
for t, m in msgs:
    first = m.split("|")[0]
    kinds.append(first)
assert kinds[0] == "READY=1", kinds
assert kinds[-1] == "STOPPING=1", kinds[-1]
assert "WATCHDOG=1" not in kinds[kinds.index("STOPPING=1"):], "ping after STOPPING"
# Each RELOADING=1 is followed by READY=1 before the next RELOADING=1.
seq = [k for k in kinds if k in ("RELOADING=1", "READY=1")]
assert seq == ["READY=1", "RELOADING=1", "READY=1", "RELOADING=1", "READY=1"], seq
for t, m in msgs:
    if m.startswith("RELOADING=1"):
        mono = int(m.split("MONOTONIC_USEC=")[1].split("|")[0])
        assert abs(mono - t) < 2_000_000, ("MONOTONIC_USEC not CLOCK_MONOTONIC", mono, t)
pings = [t for t, m in msgs if "WATCHDOG=1" in m.split("|")]
gaps = [(b - a, a, b) for a, b in zip(pings, pings[1:])]
missed = [g for g in gaps if g[0] > wd]
assert len(missed) == 1, ("expected exactly one missed deadline", missed)
g, a, b = missed[0]
assert a <= stop_at + wd and b >= cont_at, ("the missed deadline is not the stall", missed[0], stop_at, cont_at)
assert g >= cont_at - stop_at, (g, cont_at - stop_at)
print("pings", len(pings), "max gap outside the stall", max(x[0] for x in gaps if x is not missed[0]), "us; stall gap", g, "us")
PY
cat "$TMP/out"
finish
