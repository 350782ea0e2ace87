#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# vrrp-lateness.sh: does a busy loop delay VRRP adverts? One halbd runs a
# VRRP master (VI_1 on a veth in that namespace, priority 255, the given
# advert_int) and N health checks in the same process and loop, in a network
# namespace made here; one listener (check-listener.c, else .py) on
# 0.0.0.0:80 answers for the N real servers at 127.x.y.z:80, as in
# bench/check-tcp.sh. After DURATION seconds, halbctl reads (since start):
#   adverts      adverts VI_1 sent in the window (expected DURATION / advert_int)
#   p99 / max    how late Adver_Timer fired compared to its deadline, since
#                halbd started (the checks' start-up included)
#   of interval  max as a share of advert_int: a backup declares the master
#                dead after 3 intervals plus Skew_Time, so this must stay
#                well below 300%
#   loop max     the largest lateness of any urgent timer (everything but the
#                health checks' attempt timers)
#   checks/s     TCP active opens per second in the namespace (one per attempt)
#   up / down    real servers at the end (the listener answers all: 0 down)
# A run with `:reload` asks halbd to reload the same file (halbctl reload)
# in the middle of the window, one with `:dump` asks for the USR1 state dump
# there: whatever of them runs on the loop shows up as advert lateness.
#
# No IPVS is needed: without it forwarding is absent and the checks still
# run (on a kernel with IPVS, halbd programs it inside the namespace made
# here, which is removed at the end). keepalived is not compared: its VRRP
# and its checkers are separate processes, so its adverts do not share a
# loop with its checks.
#
# Usage: bench/vrrp-lateness.sh [RUN ...]   RUN = N:DELAY:ADVERT_INT[:reload|:dump]
#        (default: 0:1:0.01 10000:1:0.01 10000:1:0.01:reload 50000:5:0.01
#         50000:5:0.01:dump 10000:1:1)
# Environment: HALBD (default ../src/halbd), HALBCTL (default ../src/halbctl),
#   DURATION (s, default 20). Needs root (ip netns) and python3.
set -u

here=$(cd "$(dirname "$0")" && pwd)
HALBD=${HALBD:-$here/../src/halbd}
HALBCTL=${HALBCTL:-$(dirname "$HALBD")/halbctl}
DURATION=${DURATION:-20}

die() { echo "vrrp-lateness.sh: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "needs root (network namespace)"
[ -x "$HALBD" ] || die "no halbd at $HALBD (set HALBD)"
[ -x "$HALBCTL" ] || die "no halbctl at $HALBCTL (set HALBCTL)"
command -v python3 > /dev/null || die "python3 is needed"
[ $# -gt 0 ] || set -- 0:1:0.01 10000:1:0.01 10000:1:0.01:reload 50000:5:0.01 50000:5:0.01:dump 10000:1:1

work=$(mktemp -d /tmp/halbd-bench-lateness.XXXXXX)
ns=halbd-bench-lat-$$
. "$here/check-lib.sh"
ip netns exec "$ns" ip link add vrrp0 type veth peer name vrrp0p
ip netns exec "$ns" ip addr add 192.0.2.1/24 dev vrrp0
ip netns exec "$ns" ip link set vrrp0p up
ip netns exec "$ns" ip link set vrrp0 up

ctl() { ip netns exec "$ns" "$HALBCTL" --socket "$work/ctl.sock" "$@"; }
opens() { ip netns exec "$ns" awk '$1 == "Tcp:" && $2 ~ /^[0-9]+$/ { print $6 }' /proc/net/snmp; }

printf '%-22s %8s %8s %10s %10s %12s %10s %9s %6s %5s\n' run adverts expected "p99" "max" "of interval" "loop max" checks/s up down > "$work/table"
for run in "$@"; do
	IFS=: read -r n delay advert mode <<- EOF
		$run
	EOF
	python3 "$here/gen-check-config.py" "$n" "$delay" tcp "$advert" > "$work/halbd.conf"
	start_listener tcp 80
	log=$work/halbd.log
	: > "$log"
	ip netns exec "$ns" "$HALBD" -n -G -f "$work/halbd.conf" -p "$work/halbd.pid" -g "$log" \
		--control-socket "$work/ctl.sock" &
	hpid=$!
	i=0; while ! ctl vrrp 2> /dev/null | grep -q '^VI_1: MASTER' && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
	o1=$(opens)
	ctl --json vrrp > "$work/vrrp-start.json"
	if [ "${mode:-}" = reload ] || [ "${mode:-}" = dump ]; then
		sleep $((DURATION / 2))
		if [ "$mode" = reload ]; then
			ctl reload > /dev/null || echo "vrrp-lateness.sh: $run: reload refused" >&2
		else
			kill -USR1 "$hpid"
			i=0; while ! grep -q 'state dump written' "$log" && [ $i -lt 300 ]; do sleep 0.05; i=$((i + 1)); done
		fi
		sleep $((DURATION - DURATION / 2))
	else
		sleep "$DURATION"
	fi
	o2=$(opens)
	ctl --json vrrp > "$work/vrrp.json"
	ctl --json status > "$work/status.json"
	kill "$hpid"; wait "$hpid" 2> /dev/null; hpid=
	stop_listener
	python3 - "$run" "$advert" "$DURATION" "$o1" "$o2" "$work" >> "$work/table" <<- 'PY'
		import json, sys
		run, advert, dur, o1, o2, work = sys.argv[1:]
		vi0 = json.load(open(work + "/vrrp-start.json"))["data"][0]
		vi = json.load(open(work + "/vrrp.json"))["data"][0]
		status = json.load(open(work + "/status.json"))["data"]
		checks = status["checks"]
		up, down = checks.get("real_servers_up", 0), checks.get("real_servers_down", 0)
		interval = float(advert)
		# (halbd before 0.1.0's advert histogram had no p99: shown as nan)
		p99, mx = vi.get("advert_lateness_p99", float("nan")), vi["advert_lateness_max"]
		print("%-22s %8d %8.0f %8.2fms %8.2fms %11.1f%% %8.2fms %9.0f %6d %5d" % (
		    run, vi["stats"]["adverts_sent"] - vi0["stats"]["adverts_sent"], float(dur) / interval, p99 * 1e3, mx * 1e3,
		    100 * mx / interval, status["timers"]["max_lateness"] * 1e3,
		    (int(o2) - int(o1)) / float(dur), up, down))
	PY
done
echo "halbd $("$HALBD" --version 2> /dev/null | head -1), window ${DURATION}s per run, $(nproc) CPU(s), load $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$work/table"
