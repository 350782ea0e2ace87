#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/ecmp-frr.sh: route_announce with `daemon frr` (issue 17): the
# same announce/withdraw logic as ecmp-bird.sh through FRR's vtysh, smaller.
# The topology of ecmp-lib.sh with two nodes; the router runs BIRD
# (contrib/bird/router.conf, multipath into its kernel table); each node
# runs FRR's zebra, bfdd and bgpd from contrib/frr/node.conf (own config,
# sockets and pid files under $TMP/nN/frr) and halbd, which adds and removes
# `network 192.0.2.200/32` through vtysh.
#  0. n2's halbd starts before its FRR: it says so once, retries, and
#     announces as soon as bgpd answers.
#  1. both nodes announce: two paths on the router, connections over both.
#  2. rs2 dies: n2 loses quorum and withdraws (time from the withdrawal's
#     log line to the router's kernel table); rs2 back: announced again.
#  3. `halbctl drain` on n1 withdraws (timed), `halbctl undrain` announces.
#  4. bgpd restarted on n2 (its running configuration is frr.conf again):
#     halbd notices and adds the network line again.
#  5. SIGTERM of halbd on n1 removes the line before halbd exits.
#  6. The variant that must break: n2 without route_announce and the line
#     added by hand (a static announcement) keeps its path when rs2 dies,
#     and the connections hashed to it fail.
#  7. n1 dies hard (link down, kill -9 of halbd, bgpd, bfdd, zebra): the
#     router's BFD session to bfdd (contrib/frr's profile, multiplier 8 as
#     in ecmp-lib.sh) drops its path within 1 s (the hold time is 3 s).
# Only documentation ranges, inside our namespaces.
set -u
: "${NS_PREFIX:=hefrr$$}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
netns_require
: "${FRR_DIR:=/usr/lib/frr}"
command -v bird >/dev/null 2>&1 || skip "needs bird (bird2) for the router"
command -v python3 >/dev/null 2>&1 || skip "needs python3"
VTYSH=$(command -v vtysh) || skip "needs FRR's vtysh"
[ -x "$FRR_DIR/bgpd" ] && [ -x "$FRR_DIR/zebra" ] && [ -x "$FRR_DIR/bfdd" ] || skip "needs FRR's bgpd, zebra and bfdd in $FRR_DIR"
id frr >/dev/null 2>&1 || skip "needs FRR's user frr"
: "${HALBCTL:=$top_builddir/src/halbctl}"
. "$top_srcdir/tests/netns/nft-lib.sh"
. "$top_srcdir/tests/netns/ecmp-lib.sh"
logs_on_failure "$TMP/*/halbd.log" "$TMP/*/frr/*.log" "$TMP/*/bird.log" "$TMP/*.log"
NET="network $VIP/32"

# FRR's daemons drop to the user frr: it must reach its directory.
chmod 711 "$TMP"

frr_bgpd() {
    D=$TMP/n$1/frr
    ns_bg n$1 "$D/bgpd.log" "$FRR_DIR/bgpd" -u frr -g frr -f "$D/bgpd.conf" -i "$D/bgpd.pid" -z "$D/zserv.api" \
        --vty_socket "$D" -P 0 --log stdout
    eval "B_n$1=\$BG_PID"
    wait_until 10 "n$1's bgpd answers" vty $1 -c "show bgp summary"
}

# node_frr N: zebra and bgpd of node N from the shipped example.
node_frr() {
    D=$TMP/n$1/frr
    mkdir -p "$D"
    chmod 711 "$TMP/n$1"
    chown frr:frr "$D"
    sed "s/bgp router-id 198\.51\.100\.11/bgp router-id 198.51.100.1$1/" "$top_srcdir/contrib/frr/node.conf" >"$D/node.conf"
    # One file per daemon: the example's last block is bfdd's (BFD
    # multiplier 8 here, as ecmp-lib.sh does for BIRD: a loaded host).
    sed '/^bfd$/,$d' "$D/node.conf" >"$D/bgpd.conf"
    sed -n '/^bfd$/,$p' "$D/node.conf" | sed 's/detect-multiplier 3/detect-multiplier 8/' >"$D/bfdd.conf"
    grep -q "router-id 198.51.100.1$1" "$D/bgpd.conf" || fail "node $1's frr.conf from the example"
    grep -q "detect-multiplier 8" "$D/bfdd.conf" || fail "node $1's bfdd part of the example"
    : >"$D/zebra.conf"
    ns_bg n$1 "$D/zebra.log" "$FRR_DIR/zebra" -u frr -g frr -f "$D/zebra.conf" -i "$D/zebra.pid" -z "$D/zserv.api" \
        --vty_socket "$D" -P 0 --log stdout
    eval "Z_n$1=\$BG_PID"
    wait_until 10 "n$1's zebra socket" test -S "$D/zserv.api"
    ns_bg n$1 "$D/bfdd.log" "$FRR_DIR/bfdd" -u frr -g frr -f "$D/bfdd.conf" -i "$D/bfdd.pid" -z "$D/zserv.api" \
        --vty_socket "$D" --bfdctl "$D/bfdd.sock" -P 0 --log stdout
    eval "F_n$1=\$BG_PID"
    frr_bgpd $1
}

vty() { _n=$1; shift; ns n$_n "$VTYSH" --vty_socket "$TMP/n$_n/frr" -d bgpd "$@"; }
has_network() { vty $1 -c "show running-config" | grep -q "^  $NET\$"; }

# node_conf N [announce]
node_conf() {
    ecmp_node_conf $1
    [ "${2:-}" = announce ] && cat >>"$TMP/n$1/halbd.conf" <<EOC
route_announce {
    daemon frr
    vtysh $VTYSH
    frr_vty_socket $TMP/n$1/frr
    frr_asn 65001
    announce $VIP
}
EOC
}

ecmp_topology 2
ecmp_router_bird
for n in 1 2; do node_conf $n announce; done
node_frr 1
ecmp_start_node 1

echo "0. n2's halbd before its FRR: one log line, retries, then announces"
ecmp_start_node 2
wait_until 10 "n2 retried three times" sh -c "\"$HALBCTL\" -s \"$TMP/n2/halbd.ctl\" announce | grep -q 'connection failures [3-9]'"
node_frr 2
wait_until 10 "n2's halbd adds the network line once bgpd answers" has_network 2
[ "$(log_count "$TMP/n2/halbd.log" "failed to connect to any daemons")" = 1 ] && ok ||
    fail "n2 logged the unreachable bgpd $(log_count "$TMP/n2/halbd.log" "failed to connect to any daemons") times"

echo "1. both nodes announce through FRR; connections over both"
wait_until 20 "the router has a path through each node" paths_are "11 12"
dist 60
for n in 1 2; do
    c=$(count "$TMP/dist.out" rs$n)
    echo "  through n$n: $c of 60"
    [ "$c" -ge 10 ] && ok || fail "n$n carried $c of 60 connections (ECMP spread)"
done
[ "$(grep -c ERROR "$TMP/dist.out")" = 0 ] && ok || fail "connections failed with both nodes serving"
ctl n1 announce >"$TMP/announce.out"
grep -q "^FRR at $VTYSH (bgpd at $TMP/n1/frr, router bgp 65001): connected" "$TMP/announce.out" && ok ||
    fail "halbctl announce on n1: $(head -1 "$TMP/announce.out")"
grep -q "  network $VIP/32: enabled" "$TMP/announce.out" && ok || fail "halbctl announce: $(cat "$TMP/announce.out")"

echo "2. rs2 dies: n2 loses quorum and withdraws"
t0=$(now_ms)
rs_stop 2
wait_log "$TMP/n2/halbd.log" "announce $VIP: withdrawn: virtual server $VIP port 8080 has no quorum" 15
t1=$(now_ms)
wait_until 5 "n2 withdraws after its real server died" paths_are "11"
t2=$(now_ms)
within_ms "quorum loss (n2's log) -> route gone from the router's kernel table" $((t2 - t1)) 2000
echo "  (real server killed -> route gone: $((t2 - t0)) ms, of which the health check's detection $((t1 - t0)) ms)"
has_network 2 && fail "n2's bgpd still has $NET" || ok
dist 30
[ "$(grep -c ERROR "$TMP/dist.out")" = 0 ] && ok || fail "$(grep -c ERROR "$TMP/dist.out") connection(s) failed after n2 withdrew"
[ "$(count "$TMP/dist.out" rs2)" = 0 ] && ok || fail "connections still reach n2"
rs_start 2
wait_until 15 "n2 announces again once rs2 is back" paths_are "11 12"

echo "3. halbctl drain / undrain on n1"
t0=$(now_ms)
ctl n1 drain >"$TMP/drain.out" && ok || fail "halbctl drain: $(cat "$TMP/drain.out")"
wait_until 5 "drain withdraws n1's path" paths_are "12"
within_ms "halbctl drain -> route gone from the router's kernel table" $(($(now_ms) - t0)) 2000
grep -q "withdrawn: drained" "$TMP/drain.out" && ok || fail "drain's reply: $(cat "$TMP/drain.out")"
t0=$(now_ms)
ctl n1 undrain >/dev/null && ok || fail "halbctl undrain"
wait_until 5 "undrain announces n1 again" paths_are "11 12"
within_ms "halbctl undrain -> route back in the router's kernel table" $(($(now_ms) - t0)) 2000

echo "4. bgpd restarts on n2: halbd adds its line again"
added=$(log_count "$TMP/n2/halbd.log" "FRR: network $VIP/32 added")
eval "kill \$B_n2"; eval "wait \$B_n2" 2>/dev/null
wait_until 5 "the router drops n2 with its bgpd" paths_are "11"
frr_bgpd 2
wait_until 10 "n2's halbd adds the line to the restarted bgpd" has_network 2
# Seen by a periodic read ("is gone from bgpd") or after failed reads.
wait_count "$TMP/n2/halbd.log" "FRR: network $VIP/32 added" $((added + 1)) 2
wait_until 10 "the router has n2's path again" paths_are "11 12"

echo "5. SIGTERM removes the line before halbd exits"
t0=$(now_ms)
kill -TERM "$H_n1"
# Gone before halbd exits: it exits withdraw_grace (1 s) later.
wait_until 3 "the router drops n1 after TERM" paths_are "12"
within_ms "SIGTERM -> route gone from the router's kernel table" $(($(now_ms) - t0)) 2000
wait "$H_n1" 2>/dev/null
has_network 1 && fail "n1's bgpd still has $NET after halbd exited" || ok
[ "$(grep -c "stopping: withdraw_grace over" "$TMP/n1/halbd.log")" = 1 ] && ok || fail "n1 did not wait withdraw_grace on its loop"
a=$(grep -n "FRR: network $VIP/32 removed (stopping)" "$TMP/n1/halbd.log" | head -1 | cut -d: -f1)
b=$(grep -n "nftables.*removed\|halbd stopped" "$TMP/n1/halbd.log" | head -1 | cut -d: -f1)
[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ] && ok || fail "n1 withdrew (line ${a:-none}) before tearing down (line ${b:-none})"
ecmp_start_node 1
wait_until 10 "n1 announces again after a restart" paths_are "11 12"

echo "6. a static announcement (must break): n2 keeps its path when rs2 dies"
kill -TERM "$H_n2"; wait "$H_n2" 2>/dev/null
node_conf 2
vty 2 -c "configure terminal" -c "router bgp 65001" -c "address-family ipv4 unicast" -c "$NET" >/dev/null
ecmp_start_node 2
wait_until 10 "n2 announced statically" paths_are "11 12"
rs_stop 2
wait_log "$TMP/n2/halbd.log" "quorum lost" 15
paths_are "11 12" && ok || fail "with a static announcement the path should have stayed: $(paths)"
nft_client dist "$VIP" 8080 40 100 0.5 >"$TMP/dist.out"
e=$(grep -c ERROR "$TMP/dist.out")
echo "  connections failed through n2 announced statically: $e of 40 (rs1 $(count "$TMP/dist.out" rs1))"
[ "$e" -ge 6 ] && ok || fail "only $e connection(s) failed although n2 kept a path with no real server"

echo "7. hard death of n1 (link down, kill -9 of halbd and FRR): BFD drops it"
bfd_up() { ns r birdc -s "$TMP/r/bird.ctl" show bfd sessions | grep "198\.51\.100\.11 " | grep -q " Up "; }
wait_until 10 "the router's BFD session to n1 (FRR's bfdd) is up" bfd_up
paths_are "11 12" && ok || fail "both paths before n1's death: $(paths)"
t0=$(now_ms)
ns n1 ip link set eth0 down
kill -KILL "$H_n1" "$B_n1" "$F_n1" "$Z_n1"; wait "$H_n1" "$B_n1" "$F_n1" "$Z_n1" 2>/dev/null
wait_until 10 "the router drops n1" paths_are "12"
within_ms "hard death of n1 -> router drops it (FRR bfdd, BFD 50 ms x 8)" $(($(now_ms) - t0)) 1000

show_daemon_logs 30
finish
