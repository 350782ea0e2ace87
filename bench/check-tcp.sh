#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# check-tcp.sh: does halbd keep its health-check schedule with tens of
# thousands of real servers? In a network namespace made here, one listener
# (check-listener.c, else .py: one socket on 0.0.0.0:80 answering for all of
# 127.0.0.0/8) stands for N real servers at 127.1.x.y:80; halbd -C runs N
# TCP_CHECKs (or HTTP_GETs) at the given delay_loop for DURATION seconds and
# the figures come from its USR1 dump (the per-probe attempt counter and
# the schedule lateness histogram of CheckSubsystem) and /proc/PID:
#   checks/s     attempts started per second over the window (expected N/delay_loop)
#   CPU s/10k    halbd's utime+stime per 10,000 checks
#   runq %       share of the window halbd was runnable but waiting for a CPU
#                (/proc/PID/schedstat): lateness on a busy host comes from here
#   RSS          VmHWM (peak resident set)
#   late p50/p99/<max  how late the attempts of the window started vs their
#                planned time (histogram bucket upper bounds, within 1/16)
#   start p99/max the same since halbd started (includes the start-up burst
#                and the USR1 dumps themselves, which block the loop)
#   down         real servers down at the end (0 expected: the listener answers all)
# No IPVS is needed (forwarding is absent; the checks still run). keepalived
# cannot run its checkers on a host without IPVS, so it is not compared
# here: that comparison belongs in a VM (tests/vm).
#
# Usage: bench/check-tcp.sh [RUN ...]   RUN = N:DELAY[:tcp|http]
#        (default: 10000:1:tcp 50000:5:tcp 10000:1:http)
# Environment: HALBD (default ../src/halbd), DURATION (window, s; default 20),
#   KEEP=1 keeps the work directory, NICE=N runs halbd at nice N (e.g. -5
#   on a busy shared host, to tell its own lateness from the host's).
#   Needs root (ip netns) and python3.
set -u

here=$(cd "$(dirname "$0")" && pwd)
HALBD=${HALBD:-$here/../src/halbd}
DURATION=${DURATION:-20}
KEEP=${KEEP:-0}
NICE=${NICE:-0}

die() { echo "check-tcp.sh: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "needs root (network namespace)"
[ -x "$HALBD" ] || die "no halbd at $HALBD (set HALBD)"
command -v python3 > /dev/null || die "python3 is needed"
[ $# -gt 0 ] || set -- 10000:1:tcp 50000:5:tcp 10000:1:http

work=$(mktemp -d /tmp/halbd-bench-check.XXXXXX)
ns=halbd-bench-$$
. "$here/check-lib.sh"

# dump_stats PID LOG -> "attempts lateness_max_ms p99_ms when" from a fresh
# USR1 dump; `when` is the time halbd logged it wrote the dump (the moment
# the counters were read, to the millisecond), as seconds since midnight.
dump_stats() {
	before=$(grep -c 'state dump written' "$2")
	date +%H:%M:%S.%N | awk '{split($1, t, ":"); print t[1] * 3600 + t[2] * 60 + t[3]}' > "$work/sent.$3"
	kill -USR1 "$1"
	i=0
	while [ "$(grep -c 'state dump written' "$2")" -le "$before" ] && [ $i -lt 300 ]; do
		sleep 0.05; i=$((i + 1))
	done
	when=$(grep 'state dump written' "$2" | tail -1 | awk '{split($2, t, ":"); print t[1] * 3600 + t[2] * 60 + t[3]}')
	sed -n 's/^# check lateness histogram (us:count): //p' "$work/halbd.data" > "$work/hist.$3"
	echo "$(sed -n 's/^# check attempts: \([0-9]*\), lateness max \([0-9.]*\)ms p99 \([0-9.]*\)ms.*/\1 \2 \3/p' "$work/halbd.data") $when"
}
# schedstat: time on the CPU and time waiting for one (run queue), in ns.
runq_wait() { awk '{print $2}' "/proc/$1/schedstat"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

hz=$(getconf CLK_TCK)
printf '%-14s %8s %8s %9s %6s %6s %7s %10s %10s %10s %11s %11s %5s\n' run expected checks/s "CPU s/10k" "CPU %" "runq %" "RSS MB" "late p50" "late p99" "late <max" "start p99" "start max" down > "$work/table"
for run in "$@"; do
	n=${run%%:*}; rest=${run#*:}; delay=${rest%%:*}; kind=tcp
	case $rest in *:*) kind=${rest#*:} ;; esac
	port=80
	python3 "$here/gen-check-config.py" "$n" "$delay" "$kind" > "$work/halbd.conf"
	start_listener "$kind" "$port"
	log=$work/halbd-$run.log
	ip netns exec "$ns" nice -n "$NICE" "$HALBD" -n -C -G -f "$work/halbd.conf" -p "$work/halbd.pid" -g "$log" &
	hpid=$!
	# Warm-up: the first attempts spread over delay_loop (warmup), then a loop more.
	sleep $((delay * 2 + 2))
	set -- $(dump_stats "$hpid" "$log" 1); a1=${1:-0}; t1=${4:-0}
	c1=$(cpu_ticks "$hpid"); w1=$(runq_wait "$hpid")
	sleep "$DURATION"
	c2=$(cpu_ticks "$hpid"); w2=$(runq_wait "$hpid")
	set -- $(dump_stats "$hpid" "$log" 2); a2=${1:-0}; lmax=${2:-?}; lp99=${3:-?}; t2=${4:-0}
	down=$(grep -c ': down, ' "$work/halbd.data")
	rss=$(awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$hpid/status")
	kill "$hpid"; wait "$hpid" 2> /dev/null; hpid=
	stop_listener
	python3 - "$run" "$n" "$delay" "$a1" "$a2" "$c1" "$c2" "$t1" "$t2" "$hz" "$rss" "$lp99" "$lmax" "$down" "$w1" "$w2" "$DURATION" "$work/hist.1" "$work/hist.2" >> "$work/table" <<'PY'
import sys
run, n, delay, a1, a2, c1, c2, t1, t2, hz, rss, p99, lmax, down, w1, w2, dur, h1, h2 = sys.argv[1:]
def hist(path):
    try:
        return {int(u): int(c) for u, c in (x.split(":") for x in open(path).read().split())}
    except (OSError, ValueError):
        return {}
# The window's lateness: the second histogram minus the first.
a, b = hist(h1), hist(h2)
win = sorted((u, b[u] - a.get(u, 0)) for u in b if b[u] - a.get(u, 0) > 0)
total = sum(c for _, c in win)
def pct(q):
    want, seen = int(q * (total - 1)) + 1, 0
    for u, c in win:
        seen += c
        if seen >= want:
            return "%.3fms" % (u / 1000.0)
    return "?"
sent = float(open(h1.replace("hist.", "sent.")).read())
dump_ms = (float(t1) - sent) * 1000
wp50, wp99, wmax = (pct(0.5), pct(0.99), "%.3fms" % (win[-1][0] / 1000.0)) if total else ("?", "?", "?")
secs = float(t2) - float(t1)
checks = int(a2) - int(a1)
cpu = (int(c2) - int(c1)) / float(hz)
rate = checks / secs if secs > 0 else 0
per10k = cpu / checks * 10000 if checks else float("nan")
runq = (int(w2) - int(w1)) / 1e9 / float(dur)
print("%-14s %8.0f %8.0f %9.3f %6.1f %6.1f %7s %10s %10s %10s %11s %11s %5s" % (
    run, int(n) / float(delay), rate, per10k, 100 * cpu / float(dur), 100 * runq, rss,
    wp50, wp99, wmax, p99 + "ms", lmax + "ms", down))
print("  (%s: the USR1 dump at the window's start was written ~%.0f ms after the signal; it is formatted off the loop)" % (run, dump_ms), file=sys.stderr)
PY
	sleep 1
done
echo "halbd $("$HALBD" --version 2>/dev/null | head -1), window ${DURATION}s per run, $(nproc) CPU(s)"
cat "$work/table"
echo "keepalived: not run (its checkers need IPVS, absent on this host); compare in a VM."
