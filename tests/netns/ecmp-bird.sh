#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/ecmp-bird.sh: several active halbd nodes behind an ECMP router,
# each announcing the service address through its own BIRD (route_announce,
# issue 17). Namespaces: client cl (100 source addresses 203.0.113.1-100,
# default route via the router); router r running BIRD with BGP sessions to
# the three nodes and `merge paths on` (multipath into its kernel table,
# fib_multipath_hash_policy=1); nodes n1-n3 on a bridge with the router, each
# running BIRD (static protocol `vip` for 192.0.2.200/32, defined disabled)
# and halbd (-C: checks and nftables forwarding, NAT to its own real server
# rsN, whose default route is its node). rsN answers "rsN", so a client
# sees which node carried each connection. Each node holds the VIP on lo.
#  1. every node announces: the router holds three paths; connections
#     spread over all three nodes.
#  2. rs2 dies: n2 loses quorum and withdraws (the router keeps n1 and n3;
#     time measured); no connection fails; rs2 back: three paths again.
#  3. `halbctl drain` on n3 withdraws, `halbctl announce` says why;
#     `drain --wait` counts the connections still in use through n3;
#     `halbctl undrain` announces again.
#  4. SIGTERM of halbd on n1 withdraws before halbd exits.
#  5. kill -9 of halbd alone on n2: the route stays and n2 keeps forwarding
#     from the kernel's tables; a restarted halbd resumes with no withdrawal
#     (BIRD's protocol never went down).
#  6. The variant that must break: n3 without route_announce (its route
#     enabled by hand, as a static announcement) keeps its path when rs3
#     dies, and the connections hashed to it are refused by its own stack.
# Only documentation ranges, inside our namespaces.
set -u
: "${NS_PREFIX:=hecmp$$}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
netns_require
command -v bird >/dev/null 2>&1 || skip "needs bird (bird2)"
command -v birdc >/dev/null 2>&1 || skip "needs birdc (bird2)"
command -v python3 >/dev/null 2>&1 || skip "needs python3"
: "${HALBCTL:=$top_builddir/src/halbctl}"
. "$top_srcdir/tests/netns/nft-lib.sh"
. "$top_srcdir/tests/netns/ecmp-lib.sh"
logs_on_failure "$TMP/*/halbd.log" "$TMP/*/bird.log" "$TMP/*.log"

router_bird() { ecmp_router_bird; }
node_bird() { ecmp_node_bird "$@"; }

# node_conf N [announce]: node N's halbd configuration.
node_conf() {
    ecmp_node_conf $1
    [ "${2:-}" = announce ] && cat >>"$TMP/n$1/halbd.conf" <<EOC
route_announce {
    bird_socket $TMP/n$1/bird.ctl
    announce $VIP vip
}
EOC
}
start_node() { ecmp_start_node "$@"; }

vip_state() { ns n$1 birdc -s "$TMP/n$1/bird.ctl" show protocols vip | awk '$1 == "vip" {print $4, $5}'; }

ecmp_topology 3
router_bird
for n in 1 2 3; do node_bird $n; node_conf $n announce; done
for n in 1 2 3; do start_node $n; done

echo "1. three nodes announce; connections spread over all three"
wait_until 20 "the router has a path through each node" paths_are "11 12 13"
dist 150
for n in 1 2 3; do
    c=$(count "$TMP/dist.out" rs$n)
    echo "  through n$n: $c of 150"
    [ "$c" -ge 15 ] && ok || fail "n$n carried $c of 150 connections (ECMP spread)"
done
[ "$(grep -c ERROR "$TMP/dist.out")" = 0 ] && ok || fail "connections failed with every node serving"
ctl n1 announce >"$TMP/announce.out"
grep -q "^$VIP: announced" "$TMP/announce.out" && ok || fail "halbctl announce on n1: $(cat "$TMP/announce.out")"
grep -q "protocol vip: enabled" "$TMP/announce.out" && ok || fail "halbctl announce: protocol state"
ctl n1 --json announce | python3 -c '
import json, sys
d = json.load(sys.stdin)["data"]
assert d["connected"] and d["routes"][0]["announced"] and d["routes"][0]["protocols"][0]["state"] == "enabled", d
' && ok || fail "halbctl --json announce"

ctl n1 metrics | grep -qx "halbd_announce_route_announced{address=\"$VIP\"} 1" && ok ||
    fail "halbctl metrics: halbd_announce_route_announced"

echo "2. rs2 dies: n2 loses quorum and withdraws"
t0=$(now_ms)
rs_stop 2
wait_until 15 "n2 withdraws after its real server died" paths_are "11 13"
within_ms "real server killed -> router drops n2's path" $(($(now_ms) - t0)) 5000
grep -q "announce $VIP: withdrawn: virtual server $VIP port 8080 has no quorum" "$TMP/n2/halbd.log" && ok ||
    fail "n2's log says why it withdrew"
dist 60
[ "$(grep -c ERROR "$TMP/dist.out")" = 0 ] && ok || fail "$(grep -c ERROR "$TMP/dist.out") connection(s) failed after n2 withdrew"
[ "$(count "$TMP/dist.out" rs2)" = 0 ] && ok || fail "connections still reach n2"
rs_start 2
wait_until 15 "n2 announces again once rs2 is back" paths_are "11 12 13"

echo "3. halbctl drain / undrain on n3"
: >"$TMP/hold.ctl"
ns_bg cl "$TMP/hold.out" python3 "$PEER" hold "$VIP" 8080 30 "$TMP/hold.ctl"
wait_log "$TMP/hold.out" "OPEN" 10
held=$(grep OPEN "$TMP/hold.out" | tr ' ' '\n' | grep -cx rs3)
echo "  established through n3 before the drain: $held of 30"
t0=$(now_ms)
ctl n3 drain >"$TMP/drain.out" && ok || fail "halbctl drain: $(cat "$TMP/drain.out")"
wait_until 5 "drain withdraws n3's path" paths_are "11 12"
within_ms "halbctl drain -> router drops n3's path" $(($(now_ms) - t0)) 2000
grep -q "withdrawn: drained" "$TMP/drain.out" && ok || fail "drain's reply: $(cat "$TMP/drain.out")"
ctl n3 metrics | grep -qx "halbd_announce_drained 1" && ok || fail "halbctl metrics: halbd_announce_drained"
# drain --wait counts the connections to the drained address that are still
# in use: the held ones were used less than 30 s ago (not drained in 1 s);
# idle for 1 s they no longer count.
ctl n3 drain --wait 1 --idle 30 >"$TMP/wait.out"; rc=$?
[ "$rc" = 1 ] && grep -q "^not drained: $held connection(s) left" "$TMP/wait.out" && ok ||
    fail "drain --wait 1 --idle 30 (exit $rc): $(tail -1 "$TMP/wait.out"), expected $held left"
ctl n3 drain --wait 10 --idle 1 >"$TMP/wait.out"; rc=$?
[ "$rc" = 0 ] && grep -q "^drained: 0 connection(s) left" "$TMP/wait.out" && ok ||
    fail "drain --wait 10 --idle 1 (exit $rc): $(tail -1 "$TMP/wait.out")"
echo quit >>"$TMP/hold.ctl"
ctl n3 undrain >/dev/null && ok || fail "halbctl undrain"
wait_until 5 "undrain announces n3 again" paths_are "11 12 13"

echo "4. SIGTERM withdraws before halbd exits"
t0=$(now_ms)
kill -TERM "$H_n1"; wait "$H_n1" 2>/dev/null
[ "$(vip_state 1 | cut -d' ' -f1)" = down ] && ok || fail "n1's BIRD protocol vip after TERM: $(vip_state 1)"
wait_until 3 "the router drops n1 after TERM" paths_are "12 13"
within_ms "SIGTERM -> router drops n1's path" $(($(now_ms) - t0)) 2000
a=$(grep -n "vip disabled (stopping)" "$TMP/n1/halbd.log" | head -1 | cut -d: -f1)
b=$(grep -n "nftables.*removed\|halbd stopped" "$TMP/n1/halbd.log" | head -1 | cut -d: -f1)
[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ] && ok || fail "n1 withdrew (line ${a:-none}) before tearing down (line ${b:-none})"
start_node 1
wait_until 10 "n1 announces again after a restart" paths_are "11 12 13"

echo "5. kill -9 of halbd alone on n2: the route stays, the kernel keeps forwarding"
before=$(vip_state 2)
kill -KILL "$H_n2"; wait "$H_n2" 2>/dev/null
dist 60
[ "$(grep -c ERROR "$TMP/dist.out")" = 0 ] && ok || fail "connections failed with n2's halbd dead"
[ "$(count "$TMP/dist.out" rs2)" -gt 0 ] && ok || fail "n2 no longer carries connections while its halbd is dead"
paths_are "11 12 13" && ok || fail "the router lost a path when n2's halbd died alone: $(paths)"
start_node 2
wait_log "$TMP/n2/halbd.log" "BIRD: connected to" 5
wait_until 5 "n2's restarted halbd confirms vip" sh -c "\"$HALBCTL\" -s \"$TMP/n2/halbd.ctl\" announce | grep -q 'protocol vip: enabled'"
[ "$(vip_state 2)" = "$before" ] && ok || fail "n2's BIRD protocol went down and up across the restart ($before -> $(vip_state 2))"

echo "6. without route_announce (must break): n3 keeps its path when rs3 dies"
kill -TERM "$H_n3"; wait "$H_n3" 2>/dev/null
node_conf 3
ns n3 birdc -s "$TMP/n3/bird.ctl" enable vip >/dev/null
start_node 3
wait_until 10 "n3 announced statically" paths_are "11 12 13"
rs_stop 3
wait_log "$TMP/n3/halbd.log" "quorum lost" 15
paths_are "11 12 13" && ok || fail "without route_announce the path should have stayed: $(paths)"
# 60 new connections, each given 0.5 s (a SYN dropped at n3 is not answered).
nft_client dist "$VIP" 8080 60 100 0.5 >"$TMP/dist.out"
e=$(grep -c ERROR "$TMP/dist.out")
echo "  connections failed through n3 without route_announce: $e of 60 (rs1 $(count "$TMP/dist.out" rs1), rs2 $(count "$TMP/dist.out" rs2), rs3 $(count "$TMP/dist.out" rs3))"
[ "$e" -ge 6 ] && ok || fail "only $e connection(s) failed although n3 kept a path with no real server"

show_daemon_logs 30
finish
