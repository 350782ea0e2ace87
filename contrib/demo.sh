#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# contrib/demo.sh: halbd's live demo, the README's first command. On this
# machine, in network namespaces it makes and removes, a client and a
# long-lived session reach three real servers through a pair of load
# balancers running halbd (nftables NAT, rr, TCP_CHECK, VRRP, conntrack_sync);
# a live screen shows the pair while a real server and then the master die and
# come back. The Python half (traffic, session, screen) is contrib/demo.py.
#
#   contrib/demo.sh [--step] [--no-build] [--ci] [--no-sync] [--bindir DIR]
# Run as root on Debian 12 (it apt-get installs what is missing). See README.
set -u

usage() {
    cat <<'EOF'
Usage: contrib/demo.sh [OPTION]...
halbd's live demo in network namespaces (root; Debian 12 or similar).
  --step        wait for Enter before each act
  --no-build    do not build: use halbd/halbctl from PATH (or --bindir, $HALBD, $HALBCTL)
  --bindir DIR  use DIR/halbd and DIR/halbctl (implies --no-build)
  --ci          no live screen, no waiting: one line per act, exit 0 only if
                every act's outcome held
  --no-sync     run without conntrack_sync (the session then dies with the master)
  --bench SECS  after the acts, measure requests/s through the VIP and straight
                to one real server (routed, no NAT), SECS seconds each, twice
  --print-config  print the configuration both nodes run, and exit
  -h, --help    this help
Environment: HALBD, HALBCTL (binaries), DEMO_PREFIX (namespace prefix,
default halbd-demo), DEMO_RATE (client requests/s, default 300), KEEP_LOGS
(a directory: the daemons' logs and the configuration are copied there on exit).
EOF
}

STEP=0 BUILD=1 CI=0 SYNC=1 BINDIR="" BENCH="" PRINT=0
while [ $# -gt 0 ]; do
    case $1 in
        --step) STEP=1 ;;
        --no-build) BUILD=0 ;;
        --bindir) BINDIR=${2:?--bindir needs a directory}; BUILD=0; shift ;;
        --bindir=*) BINDIR=${1#*=}; BUILD=0 ;;
        --ci) CI=1 ;;
        --no-sync) SYNC=0 ;;
        --bench) BENCH=${2:?--bench needs seconds}; shift ;;
        --print-config) PRINT=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "demo.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
[ -n "${HALBD:-}" ] && [ -n "${HALBCTL:-}" ] && BUILD=0

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/.." && pwd)
PFX=${DEMO_PREFIX:-halbd-demo}
RATE=${DEMO_RATE:-300}
PORT=8000
say() { printf '%s\n' "$*"; }
die() { printf 'demo.sh: %s\n' "$*" >&2; exit 1; }

# ---- what it needs ----------------------------------------------------------
need_packages() {
    pk="iproute2 nftables conntrack python3 procps"
    [ "$BUILD" = 1 ] && pk="$pk build-essential autoconf automake autoconf-archive pkg-config
        libnl-3-dev libnl-genl-3-dev libnl-route-3-dev libmnl-dev libipset-dev
        libnetfilter-conntrack-dev libnftables-dev libnftnl-dev libssl-dev libpcre2-dev
        libboost-program-options-dev libsystemd-dev libgtest-dev libgmock-dev"
    missing=""
    for p in $pk; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
    done
    [ -z "$missing" ] && return 0
    command -v apt-get >/dev/null || die "missing packages:$missing (and no apt-get to install them)"
    say "installing:$missing"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null \
        || die "apt-get install failed"
}

build() {
    B=$SRC/build/demo
    [ -f "$SRC/config.status" ] && B=$SRC  # configured in the source tree: build there
    say "building halbd in $B (once; then incremental)"
    [ -x "$SRC/configure" ] || (cd "$SRC" && autoreconf -fi) || die "autoreconf failed"
    mkdir -p "$B"
    [ -f "$B/Makefile" ] || (cd "$B" && "$SRC/configure" -q) || die "configure failed"
    make -C "$B" -s -j"$(nproc)" src/halbd src/halbctl >/dev/null || die "make failed"
    HALBD=$B/src/halbd HALBCTL=$B/src/halbctl
}

# ---- namespaces, and cleaning them up ----------------------------------------
T=""
NODES="c s lb1 lb2 r1 r2 r3 swo swi"
VIEW_PID=""
ns() { n=$1; shift; ip netns exec "$PFX-$n" "$@"; }
# Background jobs in a subshell: no "Killed" notices when the acts kill them.
nsbg() { n=$1; log=$2; shift 2; (ip netns exec "$PFX-$n" "$@" >"$log" 2>&1 &); }
cleanup() {
    trap - EXIT INT TERM
    [ -n "$T" ] || return 0  # nothing made yet (--print-config, a missing tool)
    [ -n "$VIEW_PID" ] && kill "$VIEW_PID" 2>/dev/null && wait "$VIEW_PID" 2>/dev/null
    [ "$CI" = 0 ] && { tput cnorm 2>/dev/null; stty echo 2>/dev/null; }
    for n in $NODES; do ip netns pids "$PFX-$n" 2>/dev/null | xargs -r kill -KILL 2>/dev/null; done
    for n in $NODES; do
        i=0  # the namespace goes once its last process has died
        while [ -n "$(ip netns pids "$PFX-$n" 2>/dev/null)" ] && [ $i -lt 40 ]; do sleep 0.05; i=$((i + 1)); done
        ip netns del "$PFX-$n" 2>/dev/null
    done
    # The nftables tables and conntrack entries lived in the namespaces.
    [ -n "${KEEP_LOGS:-}" ] && cp -r "$T" "$KEEP_LOGS" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

switch() {  # a namespace holding bridge br0, multicast snooping off (VRRP)
    ip netns add "$PFX-$1" && ip -n "$PFX-$1" link set lo up
    ip -n "$PFX-$1" link add br0 type bridge mcast_snooping 0
    ip -n "$PFX-$1" link set br0 up
}
PORTN=0
plug() {  # plug SWITCH NODE IF ADDR/LEN
    PORTN=$((PORTN + 1))
    ip link add "$3" netns "$PFX-$2" type veth peer name "p$PORTN" netns "$PFX-$1"
    ip -n "$PFX-$1" link set "p$PORTN" master br0 up
    ip -n "$PFX-$2" link set "$3" up
    ip -n "$PFX-$2" addr add "$4" dev "$3"
}

topology() {
    for n in $NODES; do ip netns del "$PFX-$n" 2>/dev/null; done  # a previous run's
    switch swo; switch swi
    for n in c s lb1 lb2 r1 r2 r3; do ip netns add "$PFX-$n" && ip -n "$PFX-$n" link set lo up; done
    plug swo c eth0 192.0.2.10/24
    plug swo s eth0 192.0.2.20/24
    for i in 1 2; do
        plug swo lb$i eth0 192.0.2.$i/24
        plug swi lb$i eth1 198.51.100.$i/24
        ns lb$i sysctl -qw net.ipv4.ip_forward=1 net.netfilter.nf_conntrack_tcp_loose=0
    done
    ip link add eth2 netns "$PFX-lb1" type veth peer name eth2 netns "$PFX-lb2"
    for i in 1 2; do
        ip -n "$PFX-lb$i" link set eth2 up
        ip -n "$PFX-lb$i" addr add 203.0.113.$i/24 dev eth2
    done
    for i in 1 2 3; do
        plug swi r$i eth0 198.51.100.1$i/24
        ip -n "$PFX-r$i" route add default via 198.51.100.100
        rs_start $i
    done
    # The client can also reach a real server without the load balancer's
    # NAT (routed through the VIP): the throughput baseline.
    ip -n "$PFX-c" route add 198.51.100.0/24 via 192.0.2.100
}
rs_start() { nsbg r$1 "$T/r$1.log" "$PYTHON" "$PY" serve r$1 $PORT; }
rs_stop() { ip netns pids "$PFX-r$1" | xargs -r kill -KILL; }

conf() {  # the configuration both nodes run (the @lb1/@lb2 lines pick theirs)
    cat <<CONF
# The demo pair. lb1 is the preferred master; both VIPs (the service
# address outside, the real servers' gateway inside) move together.
global_defs {
    @lb1 router_id lb1
    @lb2 router_id lb2
    vrrp_version 3
    vrrp_garp_master_delay 0
    lvs_backend nftables
}
vrrp_sync_group LB {
    group {
        VI_OUT
        VI_IN
    }
}
vrrp_instance VI_OUT {
    state BACKUP
    interface eth0
    virtual_router_id 51
    @lb1 priority 200
    @lb2 priority 100
    advert_int 0.2
    virtual_ipaddress {
        192.0.2.100/24
    }
}
vrrp_instance VI_IN {
    state BACKUP
    interface eth1
    virtual_router_id 52
    @lb1 priority 200
    @lb2 priority 100
    advert_int 0.2
    virtual_ipaddress {
        198.51.100.100/24
    }
}
virtual_server 192.0.2.100 $PORT {
    delay_loop 1
    lvs_sched rr
    lvs_method NAT
    protocol TCP
CONF
    for i in 1 2 3; do
        cat <<CONF
    real_server 198.51.100.1$i $PORT {
        weight 1
        TCP_CHECK {
            connect_timeout 1
            retry 0
        }
    }
CONF
    done
    echo "}"
    [ "$SYNC" = 1 ] || return 0
    cat <<CONF
# Replicate conntrack (the NAT bindings) over the dedicated link eth2, so the
# session survives a failover; a restarted node waits for the peer's table.
conntrack_sync {
    interface eth2
    @lb1 peer 203.0.113.2
    @lb2 peer 203.0.113.1
    @lb1 source_ip 203.0.113.1
    @lb2 source_ip 203.0.113.2
    sync_group LB
    bulk_timeout 20
}
CONF
}

lb_start() {  # as after a (re)boot: no VIPs, empty conntrack, links up
    ns lb$1 conntrack -F >/dev/null 2>&1
    for l in eth0 eth1 eth2; do ip -n "$PFX-lb$1" link set $l up; done
    nsbg lb$1 "$T/lb$1.log" "$HALBD" -n -l -D -G -i lb$1 -f "$T/halbd.conf" -p "$T/lb$1.pid" \
        --control-socket "$T/lb$1.ctl"
}
lb_kill() {  # kill -9 everything in the node, links down
    ip netns pids "$PFX-lb$1" | xargs -r kill -KILL
    for l in eth0 eth1 eth2; do ip -n "$PFX-lb$1" link set $l down; done
    ip -n "$PFX-lb$1" addr del 192.0.2.100/24 dev eth0 2>/dev/null
    ip -n "$PFX-lb$1" addr del 198.51.100.100/24 dev eth1 2>/dev/null
}
ctl() { "$HALBCTL" -s "$T/$1.ctl" -t 2 "${@:2}"; }


# ---- observing: every act waits on these, with generous bounds ------------------
ms() { echo $(($(date +%s%N) / 1000000)); }
wait_for() {  # wait_for SECS CMD...: poll CMD every 50 ms; 1 on timeout
    end=$(($(ms) + $1 * 1000)); shift
    until "$@" >/dev/null 2>&1; do
        [ "$(ms)" -ge "$end" ] && return 1
        sleep 0.05
    done
}
state_is() {  # state_is NODE STATE: both instances of NODE are in STATE
    [ "$(ctl "$1" vrrp 2>/dev/null | grep -cE "^VI_(OUT|IN): $2,")" = 2 ]
}
real_is() { ctl "$1" checks 2>/dev/null | grep -qF "[198.51.100.1${2#r}]:$PORT $3,"; }
rate_of() { sed -n "s/.*$1 \([0-9]*\).*/\1/p" "$T/load.txt" 2>/dev/null; }
answering() { for r in "$@"; do [ "$(rate_of "$r")" -gt 0 ] || return 1; done; }
silent() { [ "$(rate_of "$1")" = 0 ]; }
sess() { sed -n "s/.*$1 \([^ ]*\).*/\1/p" "$T/session.txt" 2>/dev/null; }
session_ok() { [ ! -f "$T/result" ] && [ -n "$(sess echoed)" ]; }
echoed_past() { session_ok && [ "$(sess echoed)" -gt "$1" ]; }
moved_or_broken() { [ -f "$T/result" ] || echoed_past "$1"; }
session_goes_on() {  # 50 more lines echoed within 15 s, nothing broken
    e=$(sess echoed); e=${e:-0}
    wait_for 15 moved_or_broken "$((e + 50))" && session_ok
}
why_broken() { sed -n 's/.*"why": "\([^"]*\)".*/\1/p' "$T/result" 2>/dev/null; }

# ---- telling: narration for the screen, one line per act on stdout in --ci --------
RESULT=0
tell() { printf '%s\n' "$*" >>"$T/narration"; [ "$CI" = 1 ] && say "$*"; }
set_act() { echo "$1" >"$T/act.new" && mv "$T/act.new" "$T/act"; }  # the session reads it
verdict() {  # verdict N OUTCOME_OK TEXT; the act's stall window closes
    set_act -
    if [ "$2" = 0 ]; then tell "PASS act $1: $3"; else tell "FAIL act $1: $3"; RESULT=1; fi
}
act() {  # act N TITLE: announce, wait for Enter (--step), mark the session's stall window
    if [ "$STEP" = 1 ] && [ "$CI" = 0 ]; then
        tell "-- press Enter for act $1: $2"
        read -r _ </dev/tty
    elif [ "$CI" = 0 ]; then
        sleep 3  # let the screen settle before the next blow
    fi
    set_act "$1"  # from here the session's stalls count for this act
    tell "act $1: $2"
    A0=$(ms)
}
took() { echo $(($(ms) - A0)); }
stall() { sess act_stall_ms; }

# ---- the play -----------------------------------------------------------------------
[ "$PRINT" = 1 ] && { conf; exit 0; }
[ "$(id -u)" = 0 ] || die "run me as root (namespaces, nftables)"
need_packages
if [ -n "$BINDIR" ]; then
    HALBD=$BINDIR/halbd HALBCTL=$BINDIR/halbctl
elif [ "$BUILD" = 1 ]; then
    build
fi
: "${HALBD:=$(command -v halbd)}" "${HALBCTL:=$(command -v halbctl)}"
[ -x "$HALBD" ] && [ -x "$HALBCTL" ] || die "no halbd/halbctl (build, or give --bindir)"
PY=$HERE/demo.py
[ -f "$PY" ] || die "$PY is missing"
# The interpreter itself, not a wrapper (pyenv's shims take a second to start).
PYTHON=$(python3 -c 'import sys; print(sys.executable)') || die "python3 does not run"

T=$(mktemp -d /tmp/halbd-demo.XXXXXX)
conf >"$T/halbd.conf"
"$HALBD" -t -f "$T/halbd.conf" -i lb1 >"$T/conf-test" 2>&1 || { cat "$T/conf-test" >&2; die "configuration refused"; }
: >"$T/narration"
topology
set_act 0
if [ "$CI" = 0 ]; then
    "$PYTHON" "$PY" view "$T" "$HALBCTL" &
    VIEW_PID=$!
    stty -echo 2>/dev/null
fi
tell "act 0: lb1 (priority 200) and lb2 (100) start; the client sends $RATE requests/s to 192.0.2.100:$PORT"
A0=$(ms)
lb_start 1; lb_start 2
ok=0
wait_for 20 state_is lb1 MASTER && wait_for 20 state_is lb2 BACKUP || ok=1
for r in r1 r2 r3; do wait_for 20 real_is lb1 $r up || ok=1; done
[ "$SYNC" = 0 ] || wait_for 30 sh -c "'$HALBCTL' -s '$T/lb2.ctl' sync | grep -q 'full table received'" || ok=1
nsbg c "$T/load.log" "$PYTHON" "$PY" load 192.0.2.100 $PORT "$T" "$RATE"
nsbg s "$T/session.log" "$PYTHON" "$PY" session 192.0.2.100 $PORT "$T"
wait_for 20 echoed_past 20 || ok=1
wait_for 20 answering r1 r2 r3 || ok=1
SESS=$(sess server)
verdict 0 $ok "the pair is up in $(took) ms: lb1 MASTER, lb2 BACKUP, r1 r2 r3 up and answering ($(rate_of r1) $(rate_of r2) $(rate_of r3)/s), session via ${SESS:-?}"

# Act 1: a real server the session does not use dies, and returns.
V=r3; [ "$SESS" = r3 ] && V=r2
OTHERS=$(for r in r1 r2 r3; do [ $r = $V ] || printf "%s " $r; done); OTHERS=${OTHERS% }
act 1 "real server $V dies (kill -9 of its server process)"
rs_stop "${V#r}"
ok=0
wait_for 10 real_is lb1 $V down || ok=1; out=$(took)
wait_for 10 silent $V || ok=1
wait_for 5 answering $OTHERS || ok=1
tell "  $V is out of the pool in $out ms; no answers from it; $OTHERS answer"
tell "  $V comes back"
A1=$(ms); rs_start "${V#r}"
wait_for 15 real_is lb1 $V up || ok=1; back=$(($(ms) - A1))
wait_for 10 answering r1 r2 r3 || ok=1
session_goes_on || ok=1
verdict 1 $ok "$V died: out of the pool in $out ms, no answers from it; back in the pool in $back ms and answering; session unaffected (longest stall $(stall) ms)"

# Act 2: the master dies while the session runs.
act 2 "the master lb1 dies (kill -9 of everything in it, links down)"
lb_kill 1
ok=0
wait_for 10 state_is lb2 MASTER || ok=1; out=$(took)
tell "  lb2 is MASTER after $out ms"
session_goes_on || ok=1
wait_for 10 answering r1 r2 r3 || ok=1
if session_ok; then s="session survived"; else s="session BROKEN ($(why_broken))"; fi
verdict 2 $ok "master killed: lb2 MASTER in $out ms, $s, longest stall $(stall) ms, r1 r2 r3 answering through lb2"

# Act 3: the old master returns (as after a reboot), takes the peer's table, preempts.
act 3 "lb1 comes back (empty conntrack table) and preempts"
lb_start 1
ok=0
wait_for 40 state_is lb1 MASTER || ok=1; out=$(took)
wait_for 10 state_is lb2 BACKUP || ok=1
session_goes_on || ok=1
wait_for 10 answering r1 r2 r3 || ok=1
if session_ok; then s="session survived"; else s="session BROKEN ($(why_broken))"; fi
verdict 3 $ok "lb1 back: MASTER again after $out ms, lb2 BACKUP, $s, longest stall $(stall) ms, r1 r2 r3 answering"

# The end: the session stops and checks that every line came back in order.
touch "$T/stop"
wait_for 10 test -f "$T/result"
if grep -q '"ok": true' "$T/result" 2>/dev/null; then ok=0; else ok=1; fi
verdict 4 $ok "the session ends: sent $(sess sent), echoed $(sess echoed) in order, longest stall $(sess max_stall_ms) ms$([ $ok = 0 ] || echo ": $(why_broken)")"
if [ -n "$BENCH" ]; then  # the same client, with and without the load balancer's NAT
    # After the acts: its tens of thousands of connections, all replicated,
    # would make the failover's commit outlast commit_budget (2 s) under load.
    ip netns pids "$PFX-c" | xargs -r kill -KILL  # the load generator
    # Alternated twice, so that a busy moment of the machine hits both sides.
    vip=0 one=0
    for round in 1 2; do
        VIP=$(ns c "$PYTHON" "$PY" bench 192.0.2.100 $PORT "$BENCH")
        ONE=$(ns c "$PYTHON" "$PY" bench 198.51.100.11 $PORT "$BENCH")
        tell "bench $round: through the VIP $VIP; straight to r1 (routed by the master, no NAT) $ONE"
        v=${VIP%% *} o=${ONE%% *}
        vip=$((vip + ${v:-0})) one=$((one + ${o:-0}))
    done
    tell "bench: through the VIP $((vip / 2))/s, straight to r1 $((one / 2))/s, ratio $(awk "BEGIN { if ($one) printf \"%.2f\", $vip / $one; else print \"?\" }")"
fi
if [ "$CI" = 0 ]; then
    tell "all acts played. halbctl -s $T/lb1.ctl vrrp|checks|ipvs|sync in another terminal; Ctrl-C ends the demo"
    wait "$VIEW_PID"
fi
exit "$RESULT"
