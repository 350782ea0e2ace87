# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/ecmp-lib.sh: the topology of the ECMP tests (ecmp-bird.sh,
# ecmp-frr.sh; sourced after tests/netns/lib.sh and nft-lib.sh). Client cl
# with 100 source addresses 203.0.113.1-100, default route via the router r;
# r (192.0.2.1, 198.51.100.1) with fib_multipath_hash_policy=1; nodes nN
# (198.51.100.1N) on a bridge with r, each holding the VIP on lo and NATing
# (halbd -C, nftables) to its own real server rsN (198.51.100.(112+16N+2)),
# whose default route is its node; rsN answers "rsN".
#   ecmp_front             only the client, the router and the bridge sw
#   ecmp_topology N        build it with N nodes, start the real servers
#   ecmp_router_bird       BIRD on r from contrib/bird/router.conf
#   ecmp_node_bird N [nobfd]  BIRD on node N from contrib/bird/node.conf (pid
#                          in B_nN); nobfd: without BFD (the router's session
#                          to it then hangs on the BGP hold time alone)
#   ecmp_node_conf N       node N's halbd.conf without route_announce
#   ecmp_start_node N      start node N's halbd (pid in H_nN; flags
#                          ECMP_HALBD_FLAGS, default -C: no VRRP)
#   ctl NODE ARGS...       halbctl against node NODE
#   paths / paths_are "11 12"  the router's next hops for the VIP
#   dist N                 N connections over the 100 sources into $TMP/dist.out
#   ecmp_probe             nodes 1-3 record the client sources they receive
#                          (seen N, seen_some N, all_seen, unseen)
#   start_streams, step_begin N, step_end NAME, mark, stop_streams: 100
#                          streams (dr_streams.py) in $S, which node carried
#                          which, broken streams and stalls (ecmp-dr/-nat.sh)
VIP=192.0.2.200

ecmp_front() {
    ns_new cl; ns_new r
    ns_link cl eth0 r eth0
    ns cl ip addr add 192.0.2.2/25 dev eth0
    for i in $(seq 1 100); do ns cl ip addr add 203.0.113.$i/32 dev eth0; done
    ns cl ip route add default via 192.0.2.1
    # veth hands the client socket's hash to the router, whose multipath
    # choice then uses it, and Linux re-draws that hash on every SYN
    # retransmission: a dropped SYN would simply try another node. A router
    # hashes the headers, so a flow stays on its path: the same here.
    ns cl sysctl -qw net.core.txrehash=0 2>/dev/null || :
    ns r ip addr add 192.0.2.1/25 dev eth0
    ns r ip route add 203.0.113.0/24 via 192.0.2.2
    ns r sysctl -qw net.ipv4.ip_forward=1
    ns r sysctl -qw net.ipv4.fib_multipath_hash_policy=1
    ns_bridge sw
    ns_port sw r eth1
    ns r ip addr add 198.51.100.1/25 dev eth1
}

ecmp_topology() {
    ecmp_front
    for n in $(seq 1 "$1"); do
        ns_new n$n; ns_new rs$n
        ns_port sw n$n eth0
        ns n$n ip addr add 198.51.100.1$n/25 dev eth0
        ns n$n ip route add default via 198.51.100.1
        ns n$n sysctl -qw net.ipv4.ip_forward=1
        # As operators do: the node holds the service address itself, so a
        # flow that reaches a node is never routed back to the router.
        ns n$n ip addr add $VIP/32 dev lo
        ns_link n$n eth1 rs$n eth0
        base=$((112 + 16 * n))  # 198.51.100.128/28, .144/28, .160/28
        ns n$n ip addr add 198.51.100.$((base + 1))/28 dev eth1
        ns rs$n ip addr add 198.51.100.$((base + 2))/28 dev eth0
        ns rs$n ip route add default via 198.51.100.$((base + 1))
        rs_start $n
    done
    for n in $(seq 1 "$1"); do
        wait_until 10 "rs$n listening" ns n$n python3 -c "import socket; socket.create_connection(('198.51.100.$((112 + 16 * n + 2))', 8080), 1)"
    done
}

# The shipped examples (contrib/bird/), as an operator would start from them,
# logging session changes to bird.log (shown when a test fails), with one
# change: BFD multiplier 8 instead of 3 (400 ms). On this shared 2-core host
# under a full CI run BIRD missed 150 ms of BFD packets now and then: the
# session went down, and BIRD's default `error wait time` kept the path away
# for 60 s (contrib's files now set 1-10 s).
ECMP_BIRD_LOG='log stderr { info, remote, warning, error, auth, fatal, bug };'
ECMP_BFD='s/multiplier 3;/multiplier 8;/'

ecmp_router_bird() {
    mkdir -p "$TMP/r"
    { echo "$ECMP_BIRD_LOG"; sed "$ECMP_BFD" "$top_srcdir/contrib/bird/router.conf"; } >"$TMP/r/bird.conf"
    ns_bg r "$TMP/r/bird.log" bird -f -c "$TMP/r/bird.conf" -s "$TMP/r/bird.ctl" -P "$TMP/r/bird.pid"
}
ecmp_node_bird() {
    mkdir -p "$TMP/n$1"
    { echo "$ECMP_BIRD_LOG"; sed "$ECMP_BFD; s/198\.51\.100\.11;/198.51.100.1$1;/; s/local 198\.51\.100\.11 /local 198.51.100.1$1 /" \
        "$top_srcdir/contrib/bird/node.conf"; } >"$TMP/n$1/bird.conf"
    [ "${2:-}" = nobfd ] && sed -i '/^ *bfd {/d; /^protocol bfd/d' "$TMP/n$1/bird.conf"
    grep -q "local 198.51.100.1$1 as" "$TMP/n$1/bird.conf" || fail "node $1's bird.conf from the example"
    ns_bg n$1 "$TMP/n$1/bird.log" bird -f -c "$TMP/n$1/bird.conf" -s "$TMP/n$1/bird.ctl" -P "$TMP/n$1/bird.pid"
    eval "B_n$1=\$BG_PID"
}

ecmp_node_conf() {
    mkdir -p "$TMP/n$1"
    cat >"$TMP/n$1/halbd.conf" <<EOC
global_defs {
    router_id n$1
    lvs_backend nftables
}
virtual_server $VIP 8080 {
    delay_loop 1
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server 198.51.100.$((112 + 16 * $1 + 2)) 8080 {
        TCP_CHECK {
            connect_timeout 1
            retry 0
        }
    }
}
EOC
}

ecmp_start_node() {
    : >"$TMP/n$1/halbd.log"
    ns_bg n$1 "$TMP/n$1/halbd.log" "$HALBD" -n -l -D ${ECMP_HALBD_FLAGS--C} -f "$TMP/n$1/halbd.conf" -p "$TMP/n$1/halbd.pid" \
        --control-socket "$TMP/n$1/halbd.ctl"
    eval "H_n$1=\$BG_PID"
    wait_log "$TMP/n$1/halbd.log" "started with configuration" 10
}

# In the node's namespace: drain --wait reads that namespace's conntrack table.
ctl() { _n=$1; shift; ns "$_n" "$HALBCTL" -s "$TMP/$_n/halbd.ctl" "$@"; }

# The router's next hops for the VIP, e.g. "11 13".
paths() { ns r ip route show "$VIP" | grep -o 'via 198\.51\.100\.1[1-3]' | sed 's/.*\.//' | sort -u | tr '\n' ' ' | sed 's/ $//'; }
paths_are() { [ "$(paths)" = "$1" ]; }

# dist N: N connections over the 100 sources; the output lines "src rsN|ERROR".
dist() { nft_client dist "$VIP" 8080 "$1" 100 >"$TMP/dist.out"; }

# A probe on each node's eth0: the client sources it receives VIP traffic from.
ecmp_probe() {
    for n in 1 2 3; do
        ns n$n nft -f - <<EON
table netdev probe {
    set seen { type ipv4_addr; flags dynamic; size 1024; }
    chain probe_in {
        type filter hook ingress device "eth0" priority -10; policy accept;
        ip daddr $VIP tcp dport 8080 add @seen { ip saddr }
    }
}
EON
    done
}

# Streams (tests/netns/dr_streams.py, one per client address) and the
# probe: which node carried which stream, broken streams, stalls.
STREAMS=$top_srcdir/tests/netns/dr_streams.py
seen() { ns n$1 nft list set netdev probe seen | grep -o '203\.0\.113\.[0-9]*' | sort; }
unseen() { for n in 1 2 3; do ns n$n nft flush set netdev probe seen; done; }
seen_some() { [ -n "$(seen "$1")" ]; }
all_seen() { [ $(($(seen 1 | wc -l) + $(seen 2 | wc -l) + $(seen 3 | wc -l))) -ge 100 ]; }
field() { sed -n "s/.* $1 \([0-9]*\).*/\1/p" "$2/status" 2>/dev/null; }
all_echoing() { [ "$(field echoing "$1")" = 100 ]; }
settled() { [ $(($(field echoing "$1") + $(field broken "$1"))) = 100 ]; }
# Every stream not broken has no line waiting (for 100 ms or more).
caught_up() { [ $(($(field fresh "$1") + $(field broken "$1"))) = 100 ]; }

# Streams in $S: start_streams; step_begin N (the streams through node N
# into $S/victim, and mark: the stall counts from here; for a node coming
# back: mark, the step, then step_begin N after); step_end NAME (waits until every stream is caught up
# again, prints and asserts no new broken stream).
S=$TMP/streams
start_streams() {
    mkdir -p "$S"
    ns_bg cl "$S/client.log" python3 "$STREAMS" $VIP 8080 100 "$S"
    SP=$BG_PID
    wait_until 20 "100 streams echoing" all_echoing "$S"
    BROKEN0=0
}
step_begin() {
    unseen
    wait_until 5 "every stream seen by a node" all_seen
    seen $1 >"$S/victim"
    VICTIM=$1; VICTIMS=$(wc -l <"$S/victim")
    [ "${2:-}" = after ] || mark
}
mark() {
    touch "$S/mark"
    wait_until 5 "the streams reset their stall" sh -c "! test -e '$S/mark'"
}
step_end() {
    wait_until 20 "every stream echoes again or broke" caught_up "$S"
    b=$(field broken "$S"); stall=$(field max_stall_ms "$S")
    echo "  $1: $VICTIMS of 100 streams through n$VICTIM; broken $((b - BROKEN0)), longest stall $stall ms"
    [ "$b" = "$BROKEN0" ] && ok || fail "$1: $((b - BROKEN0)) stream(s) broke"
    BROKEN0=$b
}
stop_streams() {
    touch "$S/stop"; wait $SP
}

