#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# bench/check-vm.sh: halbd's health checks side by side with keepalived's
# checker process, in one boot of the tests/vm qemu VM (keepalived's
# checker needs IPVS, which the host kernel lacks). Both run as -C on the
# same generated file: N real servers 127.1.x.y:80 (100 per virtual
# server) with a TCP_CHECK each at the given delay_loop; one listener
# (check-listener.c, built here) on 0.0.0.0:80 answers for all of them.
#
# For each daemon, after a warm-up of two delay loops, a window of
# DURATION seconds (default 20) measures:
#   checks/s      TCP active opens in the window (/proc/net/snmp Tcp
#                 ActiveOpens: one per TCP_CHECK attempt, whichever daemon)
#   CPU s/10k     user + system seconds of every process of the daemon
#                 (/proc/PID/stat) per 10,000 checks
#   RSS           the daemon's processes' VmRSS at the end, summed
# and prints them side by side with the ratio halbd / keepalived. The VM
# is TCG-emulated on one vCPU: absolute figures are far below real
# hardware; compare the two within one run.
#
# usage: bench/check-vm.sh [N:DELAY]   (default 1000:1)
#   HALBD=path/to/src/halbd (default ../src/halbd beside this script)
set -u
here=$(cd "$(dirname "$0")" && pwd)
spec=${1:-1000:1}
n=${spec%%:*}
delay=${spec#*:}
case $n$delay in *[!0-9]* | "") echo "usage: $0 [N:DELAY]" >&2; exit 2 ;; esac
halbd=${HALBD:-$here/../src/halbd}
[ -f "$halbd" ] || { echo "check-vm.sh: no halbd binary at $halbd" >&2; exit 2; }
command -v bash >/dev/null 2>&1 || { echo "SKIP: the VM harness needs bash"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/halbd-check-vm.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
${CC:-cc} -O2 -o "$tmp/check-listener" "$here/check-listener.c" || { echo "check-vm.sh: cannot build check-listener.c" >&2; exit 1; }

cat >"$tmp/guest.sh" <<'EOF'
opens() { awk '$1 == "Tcp:" && $2 ~ /^[0-9]+$/ { print $6 }' /proc/net/snmp; }
cpu() { for p in $(pidof "$1"); do cat "/proc/$p/stat"; done | awk '{ t += $14 + $15 } END { printf "%.2f", t / 100 }'; }
rss() { for p in $(pidof "$1"); do grep VmRSS "/proc/$p/status"; done | awk '{ t += $2 } END { printf "%.1f", t / 1024 }'; }
now() { cut -d' ' -f1 /proc/uptime; }
modprobe crc32c_generic
modprobe ip_vs || { echo "check-vm: no ip_vs"; exit 1; }
ip link set lo up
check-listener tcp 80 >/tmp/listener.out 2>&1 &
while ! grep -q ready /tmp/listener.out; do sleep 0.1; done
awk -v n="$N" -v d="$DELAY" 'BEGIN {
    print "global_defs {\n    router_id checkbench\n}"
    for (v = 0; v * 100 < n; v++) {
        printf "virtual_server 10.0.%d.%d 80 {\n    lvs_sched rr\n    lvs_method DR\n    protocol TCP\n    delay_loop %d\n", int(v / 250), v % 250 + 1, d
        for (i = v * 100; i < n && i < v * 100 + 100; i++)
            printf "    real_server 127.1.%d.%d 80 {\n        TCP_CHECK {\n            connect_timeout 3\n        }\n    }\n", int(i / 250), i % 250 + 1
        print "}"
    }
}' >/tmp/checks.conf
for d in keepalived $HALBD_IN_VM; do
    ipvsadm -C
    case $d in
        keepalived) keepalived -n -l -G -C -f /tmp/checks.conf -p /run/k.pid -c /run/k-c.pid >/tmp/$d.log 2>&1 & ;;
        *) "$d" -n -l -G -C -f /tmp/checks.conf -p /run/h.pid >/tmp/$d.log 2>&1 & ;;
    esac
    pid=$!
    sleep $((2 * DELAY + 3))
    o0=$(opens) c0=$(cpu "$d") t0=$(now)
    sleep "$DURATION"
    o1=$(opens) c1=$(cpu "$d") t1=$(now) r=$(rss "$d")
    down=$(grep -ci "down\|removing" /tmp/$d.log)
    kill -TERM "$pid"; wait "$pid" 2>/dev/null
    echo "RESULT $d $o0 $o1 $c0 $c1 $t0 $t1 $r $down"
done
EOF

: "${HALBD_VM_TIMEOUT:=900}"
: "${HALBD_VM_MEM:=1G}"
export HALBD_VM_TIMEOUT HALBD_VM_MEM
{
    bash "$here/../tests/vm/run-in-vm.sh" --bin "$halbd" --bin "$tmp/check-listener" \
        --env "HALBD_IN_VM=$(basename "$halbd")" --env "N=$n" --env "DELAY=$delay" \
        --env "DURATION=${DURATION:-20}" "$tmp/guest.sh"
    echo $? >"$tmp/status"
} | tee "$tmp/output" | awk '!/^RESULT / { print; fflush() }' >&2
status=$(cat "$tmp/status")
[ "$status" = 77 ] && exit 77
awk -v spec="$n TCP_CHECK, delay_loop $delay" '
$1 == "RESULT" {
    d = ($2 == "keepalived") ? "k" : "h"
    checks = $4 - $3; secs = $8 - $7
    rate[d] = sprintf("%.0f", checks / secs)
    cpu[d] = checks > 0 ? sprintf("%.3f", ($6 - $5) / checks * 10000) : "n/a"
    rss[d] = $9; down[d] = $10
}
function ratio(a, b) { return (a == "" || b == "" || a == "n/a" || b == "n/a" || b + 0 == 0) ? "n/a" : sprintf("%.2f", a / b) }
END {
    printf "%-36s %12s %12s %16s\n", "checks in the VM, " spec, "keepalived", "halbd", "halbd/keepalived"
    printf "%-36s %12s %12s %16s\n", "checks/s (expected " spec ")", rate["k"], rate["h"], ratio(rate["h"], rate["k"])
    printf "%-36s %12s %12s %16s\n", "CPU s per 10,000 checks", cpu["k"], cpu["h"], ratio(cpu["h"], cpu["k"])
    printf "%-36s %12s %12s %16s\n", "RSS at the end (MiB)", rss["k"], rss["h"], ratio(rss["h"], rss["k"])
    printf "%-36s %12s %12s\n", "log lines about servers down", down["k"], down["h"]
}' "$tmp/output"
[ "$status" = 0 ]
