#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# bench/sync-bench.sh: connection-sync figures, halbd against conntrackd
# 1.4.7 in FT-FW mode (unicast), as ratios in one run (issue 13). For each
# daemon and each table size (SIZES, default "10000 100000"): two fresh
# namespaces m (master) and b (backup) joined by a VRRP link (eth0) and a
# sync link (eth2, 203.0.113.0/24); the same daemon on both; bench/sync_bench
# inserts N connections into m's kernel through ctnetlink and sniffs b's end
# of the sync link; then b commits them into its kernel (halbd: m is killed,
# b becomes MASTER and logs its built-in commit; conntrackd: `conntrackd -c`
# on b, timed). The method is in bench/README.md. Root; takes the netns
# lock itself. Run from the build tree after `make bench/sync_bench`:
#   sudo sh ../../bench/sync-bench.sh         (or SIZES="10000" ...)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${BUILD:=$(pwd)}"
HALBD=${HALBD:-$BUILD/src/halbd} HALBCTL=$BUILD/src/halbctl SB=$BUILD/bench/sync_bench
for f in "$HALBD" "$HALBCTL" "$SB"; do [ -x "$f" ] || { echo "missing $f (make bench/sync_bench)" >&2; exit 2; }; done
command -v conntrackd >/dev/null || { echo "needs conntrackd" >&2; exit 2; }
: "${SIZES:=10000 100000}"
# conntrackd (since 1.4.5) puts itself in SCHED_RR at priority 99 unless its
# configuration says otherwise; halbd runs as started. SCHED=rr runs halbd
# the same way (chrt -r 99), so that the two compete for the CPU alike with
# the inserter and the other daemon; SCHED=other (default) leaves it as is.
case ${SCHED:-other} in
    rr) halbd_sched="chrt -r 99" ;;
    other) halbd_sched="" ;;
    *) echo "SCHED=rr or SCHED=other" >&2; exit 2 ;;
esac
P=hsb$$
TMP=$(mktemp -d /tmp/sync-bench.XXXXXX)
exec 9>/tmp/halbd-netns.lock
flock 9
cleanup() {
    for _x in m b; do
        ip netns pids $P-$_x 2>/dev/null | xargs -r kill -KILL 2>/dev/null || :
        ip netns del $P-$_x 2>/dev/null || :
    done
}
trap 'cleanup; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
ns() { _n=$1; shift; ip netns exec $P-$_n "$@"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
wait_for() {  # SECS CMD...: poll every 50 ms
    _end=$(($(now_ms) + $1 * 1000)); shift
    until "$@" >/dev/null 2>&1; do
        [ "$(now_ms)" -lt $_end ] || { echo "timed out: $*" >&2; return 1; }
        sleep 0.05
    done
}
daemon_pid() { for _p in $(ip netns pids $P-$1); do [ "$(cat /proc/$_p/comm)" = "$2" ] && echo $_p; done | head -1; }
cpu_ns() {  # PID
    [ -n "${1:-}" ] && [ -d "/proc/$1" ] || { echo "no daemon process to measure" >&2; echo 0; return; }
    cat /proc/"$1"/task/*/schedstat | awk '{s += $1} END {printf "%d", s}'; }  # on-CPU time, all threads

setup() {
    cleanup
    for _x in m b; do ip netns add $P-$_x; ip -n $P-$_x link set lo up; done
    ip link add eth0 netns $P-m type veth peer name eth0 netns $P-b
    ip link add eth2 netns $P-m type veth peer name eth2 netns $P-b
    _i=1
    for _x in m b; do
        ip -n $P-$_x link set eth0 up; ip -n $P-$_x link set eth2 up
        ip -n $P-$_x addr add 192.0.2.$_i/24 dev eth0
        ip -n $P-$_x addr add 203.0.113.$_i/24 dev eth2
        _i=2
    done
}

halbd_conf() {  # NODE(1|2) PRIORITY
    cat <<EOF
global_defs {
    router_id n$1
    vrrp_version 3
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority $2
    advert_int 1
    virtual_ipaddress {
        192.0.2.100/24
    }
}
conntrack_sync {
    interface eth2
    peer 203.0.113.$((3 - $1))
    source_ip 203.0.113.$1
    instance VI_1
    bulk_timeout 5
    commit_budget 10
}
EOF
}

ctd_conf() {  # NODE(1|2)
    cat <<EOF
Sync {
    Mode FTFW {
        ResendQueueSize 262144
    }
    UDP {
        IPv4_address 203.0.113.$1
        IPv4_Destination_Address 203.0.113.$((3 - $1))
        Port 3780
        Interface eth2
        SndSocketBuffer 1249280
        RcvSocketBuffer 1249280
        Checksum on
    }
}
General {
    HashSize 65536
    HashLimit 524288
    LogFile $TMP/ctd$1.log
    Syslog off
    LockFile $TMP/ctd$1.lock
    UNIX {
        Path $TMP/ctd$1.ctl
    }
    NetlinkBufferSize 2097152
    NetlinkBufferSizeMaxGrowth 8388608
}
EOF
}

ext_count() {  # the backup's external cache size
    case $1 in
        halbd) ns b "$HALBCTL" -s "$TMP/b.ctl" sync | sed -n 's/.*external \([0-9]*\).*/\1/p' ;;
        conntrackd) ns b conntrackd -C "$TMP/ctd2.conf" -e 2>/dev/null | grep -c 'src=' ;;
    esac
}
ext_at_least() { [ "$(ext_count "$1")" -ge "$2" ] 2>/dev/null; }
kernel_count() { ns "$1" conntrack -C 2>/dev/null; }
kernel_at_least() { [ "$(kernel_count "$1")" -ge "$2" ]; }

run() {  # run DAEMON N: prints one RESULT line
    d=$1 n=$2
    setup
    if [ "$d" = halbd ]; then
        halbd_conf 1 200 >"$TMP/m.conf"; halbd_conf 2 100 >"$TMP/b.conf"
        # m first: b's only MASTER entry (and commit) is the one measured.
        for x in m b; do
            ns $x $halbd_sched "$HALBD" -n -l -P -f "$TMP/$x.conf" -p "$TMP/$x.pid" --control-socket "$TMP/$x.ctl" \
                >"$TMP/$x.log" 2>&1 &
            eval "pid_$x=\$!"
            [ $x = b ] || wait_for 10 sh -c "ip -n $P-m -o addr show dev eth0 | grep -q 192.0.2.100/"
        done
        wait_for 10 grep -q "full table received" "$TMP/b.log"
    else
        for x in 1 2; do ctd_conf $x >"$TMP/ctd$x.conf"; rm -f "$TMP/ctd$x.lock" "$TMP/ctd$x.ctl"; done  # left by kill -9
        ns m conntrackd -C "$TMP/ctd1.conf" >"$TMP/m.log" 2>&1 & pid_m=$!
        ns b conntrackd -C "$TMP/ctd2.conf" >"$TMP/b.log" 2>&1 & pid_b=$!
        wait_for 10 test -S "$TMP/ctd1.ctl"; wait_for 10 test -S "$TMP/ctd2.ctl"
    fi
    pid_m=$(daemon_pid m "$d"); pid_b=$(daemon_pid b "$d")  # not the shells that started them
    echo "    m: $d scheduling: $(chrt -p "$pid_m" | sed -n 's/.*policy: //p' | head -1), priority $(chrt -p "$pid_m" | sed -n 's/.*priority: //p')"
    sleep 1  # both idle: the hellos and the first resync are over
    ns b "$SB" capture eth2 3780 "$n" "$TMP/arrivals" 15 >"$TMP/capture.out" 2>&1 & cap=$!
    wait_for 10 grep -q READY "$TMP/capture.out"
    cm0=$(cpu_ns "$pid_m"); cb0=$(cpu_ns "$pid_b")
    # PERF=DIR: profile both during replication, the backup during its commit.
    [ -z "${PERF:-}" ] || { perf record -q -g -o "$PERF/$d-$n-master.data" -p "$pid_m" 2>/dev/null & perf_m=$!
        perf record -q -g -o "$PERF/$d-$n-backup-rx.data" -p "$pid_b" 2>/dev/null & perf_r=$!; sleep 0.5; }
    ns m "$SB" insert "$n" "$TMP/inserts" "${BATCH:-100}" >"$TMP/insert.out"
    wait $cap || :
    wait_for 60 ext_at_least "$d" "$n" || :
    cm1=$(cpu_ns "$pid_m"); cb1=$(cpu_ns "$pid_b")
    [ -z "${PERF:-}" ] || { kill -INT $perf_m $perf_r; wait $perf_m $perf_r || :; }
    [ -z "${PERF:-}" ] || { perf record -q -g -o "$PERF/$d-$n-backup.data" -p "$pid_b" 2>/dev/null & perf_b=$!; sleep 0.5; }
    ext=$(ext_count "$d")
    if [ "$d" = halbd ]; then  # the channel's counters, for when figures look wrong (KEEP=1)
        for x in m b; do ns $x "$HALBCTL" -s "$TMP/$x.ctl" sync >"$TMP/$x.sync" 2>&1 || :; done
        grep -E "re-reads|events lost" "$TMP/m.sync" "$TMP/m.log" 2>/dev/null | sed 's/^/    m: /' || :
    else  # did the master's event socket overrun (events lost, resync later)?
        ns m conntrackd -C "$TMP/ctd1.conf" -s runtime 2>/dev/null | grep -iE "overrun|events received|resync with kernel" | sed 's/^/    m: /' || :
    fi
    # The commit into b's kernel.
    if [ "$d" = halbd ]; then
        kill -KILL "$pid_m"
        wait_for 60 grep -q "conntrack sync: committed [1-9]" "$TMP/b.log" || :
        commit_ms=$(sed -n 's/.*conntrack sync: committed [1-9][0-9]* connection(s) in \([0-9.]*\) ms.*/\1/p' "$TMP/b.log" | head -1)
        grep -E "VI_1: [A-Z]+ -> " "$TMP/b.log" | sed 's/^/    b: /'  # one BACKUP -> MASTER, or the figures are not a clean failover
    else
        t0=$(date +%s%N)
        ns b conntrackd -C "$TMP/ctd2.conf" -c >/dev/null 2>&1 || :
        commit_ms=$(( ($(date +%s%N) - t0) / 1000 ))
        commit_ms=$(echo "$commit_ms" | awk '{printf "%.1f", $1 / 1000}')
    fi
    wait_for 30 kernel_at_least b "$n" || :
    [ -z "${PERF:-}" ] || { kill -INT $perf_b; wait $perf_b || :; }
    in_kernel=$(kernel_count b)
    tick=1000000000  # ns
    python3 "$here/sync-bench-report.py" "$d" "$n" "$TMP/inserts" "$TMP/arrivals" "$TMP/capture.out" \
        "$(( cm1 - cm0 ))" "$(( cb1 - cb0 ))" "$tick" "$ext" "$commit_ms" "$in_kernel" | tee -a "$TMP/results"
    sed 's/^/    insert: /' "$TMP/insert.out"
    cleanup
}

for n in $SIZES; do
    for d in ${DAEMONS:-halbd conntrackd}; do run $d "$n"; done
done
python3 "$here/sync-bench-report.py" --ratios "$TMP/results"
