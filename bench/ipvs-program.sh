#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# bench/ipvs-program.sh: how long halbd and keepalived take to program IPVS
# from empty (N virtual servers x M real servers, default 10,000 x 10, no
# health checkers), to apply a SIGHUP reload that changes 1% of the
# services (one real server's weight each), and to remove everything on
# SIGTERM. Both run on the same file, one after the other, in one boot of
# the tests/vm qemu VM (the host kernel has no IPVS). Prints a table with
# the ratio halbd / keepalived.
#
# Timing: wall time from just before the daemon is started (or signalled)
# until the table is as expected; the clock is /proc/uptime (10 ms). Both
# daemons program the services in configuration order, so the poll (every
# 0.1 s) asks the kernel for the LAST service only (`ipvsadm -Ln -t`, one
# small netlink dump): reading the whole table under TCG on the VM's one
# vCPU took a tenth of a second per poll and slowed whichever daemon ran.
# Once the last service looks done, the whole table (/proc/net/ip_vs) is
# checked once; if it is not complete yet, polling goes on with the whole
# table. The VM is TCG-emulated: absolute times are many times those of
# real hardware; the ratio is what to look at.
#
# usage: bench/ipvs-program.sh [NxM]         (default 10000x10)
#   HALBD=path/to/src/halbd   the binary (default ../src/halbd beside this
#                             script); missing = keepalived only
#   HALBD_VM_TIMEOUT          seconds for the whole VM (default 2400)
set -u

here=$(cd "$(dirname "$0")" && pwd)
size=${1:-10000x10}
n=${size%x*}
m=${size#*x}
case $n$m in *[!0-9]* | "") echo "usage: $0 [NxM]" >&2; exit 2 ;; esac
if [ "$n" -lt 100 ] || [ "$n" -gt 60000 ] || [ "$m" -lt 1 ] || [ "$m" -gt 60 ]; then
    echo "ipvs-program.sh: N must be 100..60000 and M 1..60" >&2
    exit 2
fi
command -v bash >/dev/null 2>&1 || { echo "SKIP: the VM harness needs bash"; exit 77; }
halbd=${HALBD:-$here/../src/halbd}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/halbd-ipvs-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/guest.sh" <<'EOF'
now() { cut -d' ' -f1 /proc/uptime; }
gone() { ! kill -0 "$1" 2>/dev/null; }
# cpu NAME: CPU seconds (user + system) used so far by every process NAME
# (keepalived: the parent and its checker child, which parses the file again).
cpu() {
    for p in $(pidof "$1"); do cat "/proc/$p/stat"; done |
        awk '{ t += $14 + $15 } END { printf "%.2f", t / 100 }'
}
# wait_for SECONDS CHEAP FULL NAME: poll CHEAP every 0.25 s. The time is
# taken when CHEAP first holds (with NAME's CPU seconds); FULL is then
# checked untimed, because reading the whole table takes seconds under TCG.
# If FULL does not hold yet, polling goes on with FULL and the time is when
# it does. Prints "WALL CPU", or "timeout".
wait_for() {
    _end=$(awk -v t="$(now)" -v s="$1" 'BEGIN { print t + s }')
    _cheap=$2 _full=$3 _seen=0
    while :; do
        if [ $_seen = 0 ] && $_cheap; then
            _seen=1
            _t=$(now) _c=$(cpu "$4")
            if $_full; then
                awk -v a="$T0" -v b="$_t" -v c="$_c" 'BEGIN { printf "%.2f %s\n", b - a, c }'
                return 0
            fi
        elif [ $_seen = 1 ] && $_full; then
            awk -v a="$T0" -v b="$(now)" -v c="$(cpu "$4")" 'BEGIN { printf "%.2f %s\n", b - a, c }'
            return 0
        fi
        if awk -v t="$(now)" -v e="$_end" 'BEGIN { exit !(t > e) }'; then
            echo timeout
            return 1
        fi
        sleep 0.25
    done
}
gen() { # EDITED: N x M services; EDITED=1 sets weight 77 on real server 1
        # of every 100th service (1% of the services)
    awk -v n="$N" -v m="$M" -v edited="$1" 'BEGIN {
        print "global_defs {\n    router_id bench\n}"
        for (i = 0; i < n; i++) {
            a = 1 + i
            printf "virtual_server 10.%d.%d.%d 80 {\n    lb_algo wrr\n    lb_kind NAT\n    protocol TCP\n",
                int(a / 65536), int(a / 256) % 256, a % 256
            for (j = 0; j < m; j++) {
                r = 8388608 + 1 + i * m + j
                w = (edited && i % 100 == 0 && j == 0) ? 77 : 1 + j % 5
                printf "    real_server 10.%d.%d.%d 8080 {\n        weight %d\n    }\n",
                    int(r / 65536), int(r / 256) % 256, r % 256, w
            }
            print "}"
        }
    }'
}
lines() { wc -l </proc/net/ip_vs; }
full() { [ "$(lines)" -eq "$WANT" ]; }
edited() { [ "$(awk '$1 == "->" && $4 == 77' /proc/net/ip_vs | wc -l)" -eq "$EDITS" ]; }
empty() { [ "$(lines)" -le 3 ]; }
vip() { a=$((1 + $1)); echo "10.$((a / 65536)).$((a / 256 % 256)).$((a % 256)):80"; }
# The last service (programmed last), the last edited one, the last one removed.
last_full() { [ "$(ipvsadm -Ln -t "$(vip $((N - 1)))" 2>/dev/null | grep -c -- '->')" -eq $((M + 1)) ]; }
last_edited() { ipvsadm -Ln -t "$(vip $(((N - 1) / 100 * 100)))" 2>/dev/null | awk '$1 == "->" && $4 == 77 { f = 1 } END { exit !f }'; }
last_gone() { ! ipvsadm -Ln -t "$(vip $((N - 1)))" >/dev/null 2>&1; }

modprobe crc32c_generic
modprobe ip_vs || { echo "bench: no ip_vs"; exit 1; }
modprobe ip_vs_wrr
WANT=$((3 + N + N * M))
EDITS=$(((N + 99) / 100))
gen 0 >/tmp/bench.orig
gen 1 >/tmp/bench.edited
echo "# $N services x $M real servers: $(wc -l </tmp/bench.orig) lines, $(wc -c </tmp/bench.orig) bytes; reload edits $EDITS services"
for d in keepalived $HALBD_IN_VM; do
    # A fresh ip_vs for each daemon: destinations removed by the previous
    # one wait in the kernel's dest trash (ip_vs_trash_get_dest() scans it
    # on every add) until they expire, which made whichever daemon ran
    # second several times slower.
    ipvsadm -C
    modprobe -r ip_vs_wrr ip_vs || echo "# cannot unload ip_vs: $d starts with the previous run's dest trash"
    modprobe ip_vs && modprobe ip_vs_wrr
    cp /tmp/bench.orig /tmp/bench.conf
    T0=$(now)
    case $d in
        keepalived) keepalived -n -l -G -C -f /tmp/bench.conf -p /run/b.pid -c /run/b-c.pid >"/tmp/$d.log" 2>&1 & ;;
        *) "$d" -n -l -G -f /tmp/bench.conf -p /run/b.pid >"/tmp/$d.log" 2>&1 & ;;
    esac
    pid=$!
    prog=$(wait_for 1200 last_full full "$d") || echo "# $d: programmed $(lines) of $WANT lines in time"
    cp /tmp/bench.edited /tmp/bench.conf
    T0=$(now)
    kill -HUP "$pid"
    c0=$(cpu "$d")
    rel=$(wait_for 600 last_edited edited "$d") || echo "# $d: reload not seen"
    # The reload must not have touched the total.
    [ "$(lines)" -eq "$WANT" ] || echo "# $d: after the reload the table has $(lines) lines, not $WANT"
    T0=$(now)
    kill -TERM "$pid"
    stop=$(wait_for 180 last_gone empty "$d") || echo "# $d: table not empty after SIGTERM"
    gone "$pid" || sleep 2
    gone "$pid" || { echo "# $d did not exit; killed"; kill -KILL "$pid"; }
    wait "$pid" 2>/dev/null
    # Two fields each (wall, CPU); the reload's CPU is what the reload added.
    set -- $prog; pw=${1:-timeout} pc=${2:-n/a}
    set -- $rel; rw=${1:-timeout} rc=$(awk -v a="$c0" -v b="${2:-}" 'BEGIN { if (b == "") print "n/a"; else printf "%.2f", b - a }')
    set -- $stop; sw=${1:-timeout}
    echo "RESULT $d $pw $pc $rw $rc $sw"
    case $d in keepalived) ;; *)
        echo "# $d's own log: start and end of each IPVS pass:"
        grep -E "starting|change\(s\) with|received SIG" "/tmp/$d.log" | cut -c1-160 | sed 's/^/#   /' ;;
    esac
    echo "# $d log (last 5 lines):"
    tail -n 5 "/tmp/$d.log" | cut -c1-200 | sed 's/^/#   /'
done
ipvsadm -C
EOF

set -- --env "N=$n" --env "M=$m"
if [ -f "$halbd" ] && [ "$(head -c 4 "$halbd" | od -An -c | tr -d ' ')" = '177ELF' ]; then
    set -- "$@" --bin "$halbd" --env "HALBD_IN_VM=$(basename "$halbd")"
else
    echo "# no halbd binary at $halbd: keepalived only" >&2
fi
: "${HALBD_VM_TIMEOUT:=2400}"
: "${HALBD_VM_MEM:=1G}"
export HALBD_VM_TIMEOUT HALBD_VM_MEM
{
    bash "$here/../tests/vm/run-in-vm.sh" "$@" "$tmp/guest.sh"
    echo $? >"$tmp/status"
} | tee "$tmp/output" | awk '!/^RESULT / { print; fflush() }' >&2
status=$(cat "$tmp/status")
[ "$status" = 77 ] && exit 77

awk -v size="$n x $m" -v pct="1% ($(((n + 99) / 100)) services)" '
$1 == "RESULT" { d = ($2 == "keepalived") ? "k" : "h"; pw[d] = $3; pc[d] = $4; rw[d] = $5; rc[d] = $6; sw[d] = $7 }
function cell(x) { return (x == "" ? "n/a" : x) }
function ratio(a, b) {
    if (a == "" || b == "" || a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b + 0 == 0) return "n/a"
    return sprintf("%.2f", a / b)
}
function row(what, x) {
    printf "%-38s %12s %12s %16s\n", what, cell(x["k"]), cell(x["h"]), ratio(x["h"], x["k"])
}
END {
    printf "%-38s %12s %12s %16s\n", "IPVS, " size " (seconds)", "keepalived", "halbd", "halbd/keepalived"
    row("program from empty, wall", pw)
    row("program from empty, CPU", pc)
    row("SIGHUP reload " pct ", wall", rw)
    row("SIGHUP reload, CPU", rc)
    row("SIGTERM, remove everything, wall", sw)
}' "$tmp/output"
[ "$status" = 0 ] || { echo "ipvs-program.sh: the VM run failed (status $status)" >&2; exit 1; }
exit 0
