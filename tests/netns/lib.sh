# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/lib.sh: helpers for the real-kernel tests in network namespaces
# (sourced after tests/lib.sh). Every namespace, link and process a test makes
# is removed on exit; only addresses inside those namespaces are used.
# Tests run in parallel (make -j): every name outside a test's own namespaces
# is unique to it (namespaces "$NS_PREFIX-*", files under $TMP, halbd's pid
# file and control socket there), and no test touches a host-wide sysctl or
# the host's nftables.
#
#   ns_new NAME           create namespace "$NS_PREFIX-NAME" (echoes its name), lo up
#   ns NAME CMD...        run CMD inside it
#   ns_link A IFA B IFB   veth pair IFA in A <-> IFB in B, both up
#   ns_bridge NAME        a namespace holding bridge br0 (a "switch"); ns_port adds veths to it
#   ns_port SW NAME IF    veth IF in NAME plugged into SW's br0 (the switch-side
#                          port is p$_port_n, for a test that pulls the cable)
#   ns_switch NAME        ns_bridge without multicast snooping (VRRP adverts reach every port)
#   ns_bg NAME LOG CMD... start CMD in NAME in the background (killed on exit); pid in $BG_PID
#   wait_until SECS DESC CMD...  poll CMD every 10 ms until it succeeds; fail DESC on timeout
#                          (for states with no event to wait on, e.g. an address appearing)
#   wait_log FILE TEXT SECS       wait until FILE contains TEXT
#   has_vip NAME IP / lacks_vip NAME IP   whether NAME's interfaces hold IP
#   has_vips NAME IP... / lacks_vips NAME IP...   whether they hold every / none of them
#   holds A B IP          wait until A holds IP and B has released it (VRRP failover)
#   logs_on_failure GLOB  on exit after a failure, print the tail of the files GLOB matches
#   halbd_bg NAME CONF            start $HALBD on CONF in NAME, logging to $LOG ($TMP/halbd.log,
#                                 its tail printed at exit when a check failed), pid file $TMP/halbd.pid,
#                                 control socket $TMP/halbd.ctl
#   now_ms                        milliseconds since the epoch
#   log_count FILE TEXT           how many lines of FILE contain TEXT (0 if none)
#   wait_count FILE TEXT N SECS   wait until N lines of FILE contain TEXT
#   within_ms WHAT TOOK BOUND     ok if TOOK <= BOUND (ms), else fail; prints both
#   start_halbd NODE CONF [FLAG...]  run halbd (VRRP only unless HALBD_ONLY is set
#                          empty; foreground, log in $TMP/NODE/halbd.log, control socket
#                          $TMP/NODE/halbd.ctl) in NODE; its pid in $H_NODE; returns once
#                          it is started
#   stop_halbd NODE [SIG]  signal it (TERM) and wait for it to exit
#   show_daemon_logs N     on failure, the last N lines of every log under $TMP
#   lb_test_setup          the start of a load-balancer pair test: root, namespaces, nft
#                          and python3 or skip; halbd runs whole (HALBD_ONLY empty); logs
#                          shown on failure; T0 = its start (ms)
#   node_kill NODE IF...   a dead node: kill -9 every process in NODE, its links IF down
#   served_by FILE NAME    lines of FILE ending in " NAME" (sync_stream.py get output)
#   seed_confs EXAMPLE MAP  the seed tests' two files: $TMP/sync.conf (EXAMPLE through the
#                          sed MAP) and $TMP/nosync.conf (the same without its conntrack_sync
#                          block); ok if EXAMPLE has exactly that one block
#   sync_of NODE           `halbctl sync` of start_halbd's daemon in NODE
#   sync_external NODE     its external cache size; sync_full_table NODE: it has the
#                          peer's full table
#   stream_start N HOST PORT [NODE]  a long-lived TCP stream from NODE (default c;
#                          sync_stream.py client), state in $SD=$TMP/streamN (set SD to
#                          switch between streams); returns once it runs
#   stream_alive SECS DESC     ok if it echoes 50 more lines within SECS, unbroken
#   stream_stop            stop it; its result ("ok ..." / "broken: ...") in $SD/result
#   stream_stall           the longest stall of the stream so far (ms)
#   stream_mark / stream_phase_stall  start a new phase / the longest stall since (ms), to
#                          tell one failover's stall from the next one's
: "${NS_PREFIX:=halbd$$}"

netns_require() {
    require_root
    command -v ip >/dev/null 2>&1 || skip "needs iproute2"
    ip netns add "$NS_PREFIX-probe" 2>/dev/null || skip "cannot create network namespaces here"
    ip netns del "$NS_PREFIX-probe"
}

_ns_all=""
_bg_pids=""
_ns_cleanup() {
    # Runs from the EXIT trap, also under `set -e`: nothing here may fail.
    for p in $_bg_pids; do kill -TERM "$p" 2>/dev/null || :; done
    for p in $_bg_pids; do
        i=0
        while kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
        kill -KILL "$p" 2>/dev/null || :
    done
    for n in $_ns_all; do
        ip netns pids "$n" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || :
        ip netns del "$n" 2>/dev/null || :
    done
}
on_exit _ns_cleanup

ns_new() {
    ip netns add "$NS_PREFIX-$1" || return 1
    _ns_all="$_ns_all $NS_PREFIX-$1"
    ip -n "$NS_PREFIX-$1" link set lo up
}

ns() { _n=$1; shift; ip netns exec "$NS_PREFIX-$_n" "$@"; }

ns_link() {
    ip link add "$2" netns "$NS_PREFIX-$1" type veth peer name "$4" netns "$NS_PREFIX-$3" || return 1
    ip -n "$NS_PREFIX-$1" link set "$2" up
    ip -n "$NS_PREFIX-$3" link set "$4" up
}

ns_bridge() {
    ns_new "$1" || return 1
    ip -n "$NS_PREFIX-$1" link add br0 type bridge
    ip -n "$NS_PREFIX-$1" link set br0 up
}

ns_switch() {
    ns_bridge "$1" || return 1
    ip -n "$NS_PREFIX-$1" link set br0 type bridge mcast_snooping 0
}

_port_n=0
ns_port() {
    _port_n=$((_port_n + 1))
    ip link add "$3" netns "$NS_PREFIX-$2" type veth peer name "p$_port_n" netns "$NS_PREFIX-$1" || return 1
    ip -n "$NS_PREFIX-$1" link set "p$_port_n" master br0 up
    ip -n "$NS_PREFIX-$2" link set "$3" up
}

# ns_lan NODE=ADDR/LEN ...: a bridge "sw" (multicast snooping off, so VRRP
# adverts reach every port) and one namespace per node on it, with eth0
# holding ADDR/LEN.
ns_lan() {
    ns_switch sw || return 1
    for _spec in "$@"; do
        ns_new "${_spec%%=*}" || return 1
        ns_port sw "${_spec%%=*}" eth0 || return 1
        ip -n "$NS_PREFIX-${_spec%%=*}" addr add "${_spec#*=}" dev eth0
    done
}

ns_bg() {
    _n=$1; _log=$2; shift 2
    ip netns exec "$NS_PREFIX-$_n" "$@" >"$_log" 2>&1 &
    BG_PID=$!
    _bg_pids="$_bg_pids $BG_PID"
}

wait_until() {
    _secs=$1; _desc=$2; shift 2
    _end=$(($(date +%s%N) / 1000000 + _secs * 1000))
    while ! "$@" >/dev/null 2>&1; do
        if [ $(($(date +%s%N) / 1000000)) -ge $_end ]; then fail "$_desc (not within ${_secs}s)"; return 1; fi
        sleep 0.01
    done
    ok
}

wait_log() {
    wait_until "$3" "log $1 shows '$2'" grep -qF -- "$2" "$1"
}

has_vip() { ip -n "$NS_PREFIX-$1" -o addr show | grep -qF " $2/"; }
lacks_vip() { ! has_vip "$1" "$2"; }
has_vips() { _n=$1; shift; for _a in "$@"; do has_vip "$_n" "$_a" || return 1; done; }
lacks_vips() { _n=$1; shift; for _a in "$@"; do lacks_vip "$_n" "$_a" || return 1; done; }
holds() {
    wait_until 10 "$1 holds $3" has_vip "$1" "$3"
    wait_until 5 "$2 releases $3" lacks_vip "$2" "$3"
}

_logs_glob=""
_logs_on_failure() {
    [ "$fails" = 0 ] && return
    for f in $_logs_glob; do
        [ -f "$f" ] || continue
        echo "---- $f" >&2
        tail -n 30 "$f" >&2
    done
}
logs_on_failure() {
    _logs_glob="$_logs_glob $*"
    on_exit _logs_on_failure
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

log_count() { grep -cF -- "$2" "$1" 2>/dev/null || true; }

wait_count() {
    wait_until "$4" "log $1 shows '$2' (occurrence $3)" sh -c '[ "$(grep -cF -- "$2" "$1")" -ge "$3" ]' sh "$1" "$2" "$3"
}

within_ms() {
    echo "  $1: $2 ms (bound $3 ms)"
    if [ "$2" -le "$3" ]; then ok; else fail "$1 took $2 ms, bound $3 ms"; fi
}

_halbd_show_log() { [ "$fails" = 0 ] || { echo "--- halbd log" >&2; sed 's/^/    | /' "$LOG" | tail -80 >&2; }; }
halbd_bg() {
    LOG=$TMP/halbd.log
    on_exit _halbd_show_log
    ns_bg "$1" "$LOG" "$HALBD" -n -l -D -f "$2" -p "$TMP/halbd.pid" --control-socket "$TMP/halbd.ctl"
}

start_halbd() {
    _node=$1; _conf=$2; shift 2
    mkdir -p "$TMP/$_node"
    : >"$TMP/$_node/halbd.log"
    ns_bg "$_node" "$TMP/$_node/halbd.log" "$HALBD" -n -l -D -G ${HALBD_ONLY--P} -f "$_conf" -p "$TMP/$_node/halbd.pid" \
        --control-socket "$TMP/$_node/halbd.ctl" "$@"
    eval "H_$_node=\$BG_PID"
    # Signals sent before halbd watches them would kill it (default action).
    wait_log "$TMP/$_node/halbd.log" "started with configuration" 5
}

stop_halbd() { eval "_p=\$H_$1"; kill -"${2:-TERM}" "$_p"; wait "$_p" 2>/dev/null; }

show_daemon_logs() {
    [ "$fails" = 0 ] && return
    for f in "$TMP"/*/halbd.log "$TMP"/*.log; do
        [ -f "$f" ] || continue
        echo "---- $f" >&2
        tail -n "$1" "$f" >&2
    done
}

node_kill() {
    _n=$1; shift
    ip netns pids "$NS_PREFIX-$_n" | xargs -r kill -KILL
    for _l in "$@"; do ip -n "$NS_PREFIX-$_n" link set "$_l" down; done
}

: "${STREAM:=$top_srcdir/tests/netns/sync_stream.py}"
stream_echoed() { sed -n 's/.*echoed \([0-9]*\).*/\1/p' "$SD/status" 2>/dev/null; }
stream_progressed() { [ "$(stream_echoed)" -gt "$1" ]; }
stream_start() {
    SD=$TMP/stream$1; mkdir -p "$SD"
    ns_bg "${4:-c}" "$SD/client.log" python3 "$STREAM" client "$2" "$3" "$SD"
    STREAM_PID=$BG_PID
    wait_until 20 "the stream runs" stream_progressed 20  # python starts slowly on a loaded host
}
stream_alive() {
    _e=$(stream_echoed)
    wait_until "$1" "$2" stream_progressed $((_e + 50))
    [ ! -f "$SD/result" ] && ok || fail "$2: $(cat "$SD/result")"
}
stream_stop() {
    touch "$SD/stop"
    wait_until 10 "the stream ends" test -f "$SD/result"
    echo "  stream: $(cat "$SD/result")"
}
stream_stall() { sed -n 's/.*max_stall_ms \([0-9]*\).*/\1/p' "$SD/status" 2>/dev/null; }
stream_mark() {
    touch "$SD/mark"
    wait_until 5 "the stream starts a new phase" sh -c "! test -e '$SD/mark'"
}
stream_phase_stall() { sed -n 's/.*phase_stall_ms \([0-9]*\).*/\1/p' "$SD/status" 2>/dev/null; }

# nft_slot_dests NODE VIP PORT: the real server ("ADDR . PORT") of each slot of
# the nftables backend's service VIP:PORT in NODE, one per line (the slots
# live in maps shared by many services: "VIP . PORT . SLOT : ADDR . PORT").
nft_slot_dests() {
    ns "$1" nft list table ip halbd 2>/dev/null | grep -oE "$(echo "$2" | sed 's/\./\\./g') \. $3 \. [0-9]+ : [0-9.]+ \. [0-9]+" |
        sed 's/.* : //'
}
served_by() { grep -c " $2\$" "$1" || true; }
seed_confs() {
    sed "$2" "$1" >"$TMP/sync.conf"
    sed "$2; /^conntrack_sync {/,/^}/d" "$1" >"$TMP/nosync.conf"
    [ "$(grep -c '^conntrack_sync' "$TMP/sync.conf")" = 1 ] && ! grep -q '^conntrack_sync' "$TMP/nosync.conf" && ok \
        || fail "$1 has one conntrack_sync block"
}
sync_of() { ns "$1" "${HALBCTL:-$top_builddir/src/halbctl}" -s "$TMP/$1/halbd.ctl" sync; }
sync_external() { sync_of "$1" | sed -n 's/.*external \([0-9]*\).*/\1/p'; }
sync_full_table() { sync_of "$1" | grep -q 'full table received'; }

lb_test_setup() {
    netns_require
    for _t in nft python3; do command -v $_t >/dev/null 2>&1 || skip "needs $_t"; done
    HALBD_ONLY=""
    logs_on_failure "$TMP/*/halbd.log" "$TMP/*.log"
    T0=$(now_ms)
}
