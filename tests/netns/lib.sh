# tests/netns/lib.sh: helpers for the real-kernel tests in network namespaces
# (sourced after tests/lib.sh). Every namespace, link and process a test makes
# is removed on exit; only addresses inside those namespaces are used.
#
#   ns_new NAME           create namespace "$NS_PREFIX-NAME" (echoes its name), lo up
#   ns NAME CMD...        run CMD inside it
#   ns_link A IFA B IFB   veth pair IFA in A <-> IFB in B, both up
#   ns_bridge NAME        a namespace holding bridge br0 (a "switch"); ns_port adds veths to it
#   ns_port SW NAME IF    veth IF in NAME plugged into SW's br0
#   ns_bg NAME LOG CMD... start CMD in NAME in the background (killed on exit); pid in $BG_PID
#   wait_until SECS DESC CMD...  poll CMD every 10 ms until it succeeds; fail DESC on timeout
#                          (for states with no event to wait on, e.g. an address appearing)
#   wait_log FILE TEXT SECS       wait until FILE contains TEXT
#   start_halbd NODE CONF [ARGS]  halbd -P (VRRP only) in NODE, log in $TMP/NODE/halbd.log,
#                          pid in $H_NODE; returns once it has read CONF (signals are safe)
#   stop_halbd NODE [SIG]  send SIG (TERM) to NODE's halbd and wait for it to exit
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

_port_n=0
ns_port() {
    _port_n=$((_port_n + 1))
    ip link add "$3" netns "$NS_PREFIX-$2" type veth peer name "p$_port_n" netns "$NS_PREFIX-$1" || return 1
    ip -n "$NS_PREFIX-$1" link set "p$_port_n" master br0 up
    ip -n "$NS_PREFIX-$2" link set "$3" up
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

start_halbd() {
    _n=$1; _c=$2; shift 2
    mkdir -p "$TMP/$_n"
    ns_bg "$_n" "$TMP/$_n/halbd.log" "$HALBD" -n -l -D -G -P -f "$_c" -p "$TMP/$_n/halbd.pid" "$@"
    eval "H_$_n=\$BG_PID"
    # Signals sent before halbd watches them would kill it (default action).
    wait_log "$TMP/$_n/halbd.log" "started with configuration" 5
}

stop_halbd() { eval "_p=\$H_$1"; kill -"${2:-TERM}" "$_p"; wait "$_p" 2>/dev/null; }
