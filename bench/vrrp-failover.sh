#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# bench/vrrp-failover.sh: VRRP failover time of halbd and of keepalived with
# the same configuration, on a real kernel in network namespaces (root).
# Master a (priority 150) and backup b (100) on a bridge, client c measures:
# bench/arp-probe.py sends the signal that ends the master, then an ARP
# request for the VIP every millisecond, and records when the backup's MAC
# first answers it (and first sends a gratuitous ARP). SIGKILL (a crash: the
# backup waits Master_Down_Interval) and SIGTERM (priority 0: Skew_Time).
# Uses 192.0.2.0/24 inside its own namespaces only.
#
#   RUNS=20 ADVERT=0.01 bench/vrrp-failover.sh     # defaults
#   HALBD=/path/to/src/halbd DAEMONS="halbd keepalived" SIGNALS="KILL TERM"
set -u
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$here/..}
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
netns_require
: "${RUNS:=20}" "${ADVERT:=0.01}" "${HALBD:=$here/../src/halbd}" "${DAEMONS:=halbd keepalived}"
: "${SIGNALS:=KILL TERM}"
command -v python3 >/dev/null 2>&1 || skip "needs python3"
PROBE="$here/arp-probe.py"
VIP=192.0.2.100

ns_bridge sw
for n in a b c; do ns_new $n; ns_port sw $n eth0; done
ip -n "$NS_PREFIX-a" addr add 192.0.2.1/24 dev eth0
ip -n "$NS_PREFIX-b" addr add 192.0.2.2/24 dev eth0
ip -n "$NS_PREFIX-c" addr add 192.0.2.10/24 dev eth0
MAC_B=$(ns b cat /sys/class/net/eth0/address)

conf() {  # FILE PRIORITY
    cat >"$1" <<CONF
global_defs {
    router_id $(basename "$1" .conf)
    vrrp_version 3
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 61
    priority $2
    advert_int $ADVERT
    virtual_ipaddress {
        $VIP/24
    }
}
CONF
}
conf "$TMP/master.conf" 150
conf "$TMP/backup.conf" 100

has_vip() { ip -n "$NS_PREFIX-$1" -o addr show dev eth0 | grep -qF " $VIP/"; }
lacks_vip() { ! has_vip "$1"; }

# start DAEMON NODE CONF: sets PID (the process to TERM) and VPID (the one doing VRRP).
start() {
    rm -f "$TMP/$2".*pid
    if [ "$1" = halbd ]; then
        ns_bg "$2" "$TMP/$2.log" "$HALBD" -n -l -P -f "$3" -p "$TMP/$2.pid"
        PID=$BG_PID; VPID=$BG_PID
        wait_log "$TMP/$2.log" "started with configuration" 5 >/dev/null
    else
        ns_bg "$2" "$TMP/$2.log" keepalived -n -l -P -f "$3" -p "$TMP/$2.pid" -r "$TMP/$2.vpid" -i "k$2"
        PID=$BG_PID
        wait_until 5 "keepalived writes its VRRP pid" test -s "$TMP/$2.vpid"
        VPID=$(cat "$TMP/$2.vpid")
    fi
}
stop() { kill -TERM "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

: >"$TMP/results"
for d in $DAEMONS; do
    if [ "$d" = keepalived ] && ! command -v keepalived >/dev/null 2>&1; then
        echo "keepalived not found: skipped" >&2
        continue
    fi
    if [ "$d" = halbd ] && [ ! -x "$HALBD" ]; then
        echo "$HALBD not found: skipped" >&2
        continue
    fi
    start "$d" b "$TMP/backup.conf"; BPID=$PID
    for sig in $SIGNALS; do
        i=0
        while [ $i -lt "$RUNS" ]; do
            i=$((i + 1))
            start "$d" a "$TMP/master.conf"
            if ! wait_until 10 "$d master takes $VIP" has_vip a >/dev/null ||
               ! wait_until 10 "$d backup releases $VIP" lacks_vip b >/dev/null; then
                echo "$d $sig error error" >>"$TMP/results"
                echo "$d $sig run $i: the master did not take over; run not measured" >&2
                stop "$PID"
                [ "$d" = keepalived ] && kill -KILL "$VPID" 2>/dev/null
                continue
            fi
            # A few adverts as an established master before the kill, then a
            # random part of one interval: the kill must fall at a uniform
            # point of the advert cycle. (Without it the phase was set by
            # how soon each daemon's VIP appears to the 10 ms polling above,
            # which biased the KILL medians by several ms between daemons.)
            python3 -c 'import random, sys, time; time.sleep(0.2 + random.random() * float(sys.argv[1]))' "$ADVERT"
            if [ "$sig" = KILL ] && [ "$d" = keepalived ]; then
                # A crash: the parent is stopped so it neither restarts the
                # VRRP child nor shuts down cleanly.
                args="--pre STOP:$PID --kill KILL:$VPID --post KILL:$PID"
            else
                args="--kill $sig:$PID"
            fi
            # shellcheck disable=SC2086
            out=$(ns c python3 "$PROBE" --vip $VIP --src 192.0.2.10 --backup-mac "$MAC_B" $args)
            [ -n "$out" ] || out="error error"
            echo "$d $sig $out" >>"$TMP/results"
            printf '%s %s run %d: %s ms (reply, GARP)\n' "$d" "$sig" "$i" "$out" >&2
            wait "$PID" 2>/dev/null
            ip -n "$NS_PREFIX-a" addr del $VIP/24 dev eth0 2>/dev/null  # left by a crash
            [ "$d" = keepalived ] && kill -KILL "$VPID" 2>/dev/null
        done
    done
    stop "$BPID"
done

python3 - "$TMP/results" "$ADVERT" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if len(l.split()) == 4]
adv = float(sys.argv[2]) * 1000
skew = (256 - 100) * adv / 256
bound = {"KILL": 3 * adv + skew, "TERM": skew}
print("VRRPv3 advert_int %g ms, backup priority 100: Skew_Time %.2f ms, Master_Down_Interval %.2f ms"
      % (adv, skew, 3 * adv + skew))
print("%-11s %-5s %4s %9s %9s %9s %9s %10s" % ("daemon", "kill", "runs", "median", "min", "max",
                                               "GARP med", "RFC bound"))
for d in dict.fromkeys(r[0] for r in rows):
    for s in dict.fromkeys(r[1] for r in rows if r[0] == d):
        rs = [r for r in rows if r[0] == d and r[1] == s]
        num = lambda v: v not in ("timeout", "error")
        rep = [float(r[2]) for r in rs if num(r[2])]
        garp = [float(r[3]) for r in rs if num(r[3])]
        lost = len(rs) - len(rep)
        if not rep:
            print("%-11s %-5s %4d   no answer" % (d, s, len(rs)))
            continue
        print("%-11s %-5s %4d %9.2f %9.2f %9.2f %9s %10.2f%s" % (
            d, s, len(rs), statistics.median(rep), min(rep), max(rep),
            "%.2f" % statistics.median(garp) if garp else "-", bound[s],
            "  (%d runs: no answer)" % lost if lost else ""))
print("times in ms from the signal to the backup's first ARP reply for the VIP (GARP: first gratuitous ARP)")
PY
fails=0
finish >/dev/null
