#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/ecmp-dr.sh: issue 17's return path and node removal: three
# active halbd nodes behind an ECMP router (BIRD with BFD, contrib/bird/),
# forwarding by lb_kind DR on the nftables backend to three real servers they
# share. Client cl (100 source addresses 203.0.113.1-100) behind router r; on
# the bridge sw the router, nodes n1-n3 (198.51.100.11-13, each running BIRD
# and halbd with route_announce) and rs1-rs3 (198.51.100.21-23, the VIP on
# lo, replies straight through the router: no node sees them).
#  1. Every node announces; every node holds the same slot table; 300
#     requests from 100 clients spread over the servers, and each client
#     always reaches one server although its connections cross all nodes.
#  2. One set of 100 long-lived streams; a node is taken away four ways and
#     added back each time; broken streams and the longest stall are
#     printed per step: halbctl drain then SIGTERM (n3), SIGTERM (n2),
#     kill -9 of halbd alone (n1: BIRD keeps the route, the kernel keeps
#     forwarding, the restarted halbd takes over: nothing moves), kill -9 of
#     halbd and BIRD with the link down (n3: BFD drops it, timed; its streams
#     continue on n1 and n2: same table, DR, no state). No stream breaks.
#  3. Must break: every node's rule rewritten with a per-node hash seed; 100
#     new streams; hard kill of n2: the streams it carried land on other
#     real servers. n2 runs no BFD: the router's time to drop it by the BGP
#     hold time alone is printed beside n3's with BFD.
# Only documentation ranges, inside our namespaces.
set -u
: "${NS_PREFIX:=hecdr$$}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
netns_require
for tool in bird birdc python3 nft; do command -v $tool >/dev/null 2>&1 || skip "needs $tool"; done
: "${HALBCTL:=$top_builddir/src/halbctl}"
. "$top_srcdir/tests/netns/ecmp-lib.sh"
logs_on_failure "$TMP/*/halbd.log" "$TMP/*/bird.log" "$TMP/*.log" "$TMP/streams*/client.log"
export LC_ALL=C
STREAM=$top_srcdir/tests/netns/sync_stream.py


# ecmp-lib.sh's client and router; here the real servers share the bridge.
topology() {
    ecmp_front
    for n in 1 2 3; do
        ns_new n$n; ns_port sw n$n eth0
        ns n$n ip addr add 198.51.100.1$n/25 dev eth0
        ns n$n ip route add default via 198.51.100.1
        ns n$n ip addr add $VIP/32 dev lo
        ns_new rs$n; ns_port sw rs$n eth0
        ns rs$n sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
        ns rs$n ip addr add 198.51.100.2$n/25 dev eth0
        ns rs$n ip addr add $VIP/32 dev lo
        ns rs$n ip route add default via 198.51.100.1
        ns_bg rs$n "$TMP/rs$n.log" python3 "$STREAM" serve 8080 rs$n
    done
    ecmp_probe
}

node_conf() {
    {
        printf 'global_defs {\n    router_id n%s\n    lvs_backend nftables\n}\n' $1
        printf 'virtual_server %s 8080 {\n    delay_loop 1\n    lb_algo mh\n    lb_kind DR\n    protocol TCP\n' $VIP
        for r in 1 2 3; do
            printf '    real_server 198.51.100.2%s 8080 {\n        TCP_CHECK {\n            connect_timeout 1\n' $r
            printf '            retry 0\n        }\n    }\n'
        done
        printf '}\nroute_announce {\n    bird_socket %s\n    announce %s vip\n}\n' "$TMP/n$1/bird.ctl" $VIP
    } >"$TMP/n$1/halbd.conf"
}
start_node() { ecmp_start_node $1; }
slots() { ns n$1 nft list map netdev halbd tcp_192_0_2_200_8080_slots 2>/dev/null | grep -o '[0-9]* : 198\.51\.100\.2[1-3]'; }
full_slots() { [ "$(slots $1 | sed 's/.* : //' | sort -u | wc -l)" = 3 ]; }
path_gone() { [ "$(ns r ip route show $VIP | grep -c "198\.51\.100\.1$1")" = 0 ]; }
vip_enabled() { ns n$1 birdc -s "$TMP/n$1/bird.ctl" show protocols vip | grep -q 'vip .* up '; }

# node_down N: node N vanishes: its link down first (so that no FIN of
# BIRD's session tells the router), then kill -9 of halbd and BIRD; the
# router notices by BFD (or, without it, the BGP hold time of 3 s).
node_down() {
    ns n$1 ip link set eth0 down
    eval "kill -KILL \$H_n$1 \$B_n$1; wait \$H_n$1 \$B_n$1 2>/dev/null"
}
node_up() {
    ns n$1 ip link set eth0 up
    ns n$1 ip route replace default via 198.51.100.1
    ecmp_node_bird $1; start_node $1
    # The router's session waits `error wait time` (1-10 s in contrib's
    # router.conf, BIRD's default 60-300 s) after a BFD or hold timer
    # failure: restart it, as an operator bringing a node back would.
    ns r birdc -s "$TMP/r/bird.ctl" restart n$1 >/dev/null
}
# timed_gone N T0: wait until the router drops node N; prints the ms since T0.
timed_gone() {
    wait_until 15 "the router drops n$1" path_gone $1
    GONE_MS=$(($(now_ms) - $2))
}

topology
ecmp_router_bird
# n2 runs no BFD: its hard kill (step 3) gives the time without it.
for n in 1 2 3; do ecmp_node_bird $n $([ $n = 2 ] && echo nobfd); node_conf $n; done
for n in 1 2 3; do start_node $n; done

echo "1. three DR nodes, one table"
wait_until 20 "the router has a path through each node" paths_are "11 12 13"
for n in 1 2 3; do wait_until 15 "n$n programmed its DR slots" full_slots $n; done
slots 1 >"$TMP/slots1"
for n in 2 3; do slots $n | cmp -s - "$TMP/slots1" && ok || fail "n$n's slot table differs from n1's"; done
srcs=$(seq -f '203.0.113.%g' 1 100 | tr '\n' ' ')
ns cl python3 "$STREAM" get $VIP 8080 300 2 $srcs >"$TMP/get.out"
[ "$(grep -c ERROR "$TMP/get.out")" = 0 ] && ok || fail "$(grep -c ERROR "$TMP/get.out") request(s) failed"
for r in 1 2 3; do
    c=$(grep -c " rs$r\$" "$TMP/get.out")
    echo "  rs$r: $c of 300"
    [ "$c" -ge 45 ] && ok || fail "rs$r answered $c of 300"
done
split=$(sort -u "$TMP/get.out" | awk '{print $1}' | uniq -d | wc -l)
[ "$split" = 0 ] && ok || fail "$split client(s) reached more than one real server"
for n in 1 2 3; do
    c=$(seen $n | wc -l)
    echo "  clients seen by n$n: $c"
    [ "$c" -ge 20 ] && ok || fail "n$n carried connections of only $c clients (ECMP spread)"
done

echo "2. 100 streams; a node taken away four ways and added back"
start_streams
step_begin 3
t0=$(now_ms)
ctl n3 drain >"$TMP/drain.out" && ok || fail "halbctl drain: $(cat "$TMP/drain.out")"
wait_until 5 "drain withdraws n3's path" paths_are "11 12"
echo "  halbctl drain -> router drops n3: $(($(now_ms) - t0)) ms"
kill -TERM $H_n3; wait $H_n3
step_end "drain, then SIGTERM of n3"
mark
start_node 3
wait_until 10 "n3 announces again" paths_are "11 12 13"
step_begin 3 after
step_end "n3 back"

step_begin 2
t0=$(now_ms)
kill -TERM $H_n2
wait_until 5 "SIGTERM withdraws n2's path" paths_are "11 13"
echo "  SIGTERM -> router drops n2: $(($(now_ms) - t0)) ms"
wait $H_n2
step_end "SIGTERM of n2"
mark
start_node 2
wait_until 10 "n2 announces again" paths_are "11 12 13"
step_begin 2 after
step_end "n2 back"

# halbd dies alone: BIRD keeps announcing and the kernel keeps forwarding
# from halbd's table; the restarted halbd finds it and keeps it.
step_begin 1
kill -KILL $H_n1; wait $H_n1 2>/dev/null
vip_enabled 1 && ok || fail "n1's BIRD dropped the vip protocol when halbd died"
full_slots 1 && ok || fail "n1's DR table went with halbd"
paths_are "11 12 13" && ok || fail "the router dropped n1 when its halbd died: $(paths)"
start_node 1
wait_until 10 "the restarted halbd on n1 announces" sh -c "\"$HALBCTL\" -s \"$TMP/n1/halbd.ctl\" announce | grep -qw announced"
full_slots 1 && ok || fail "n1's DR table after the restart"
step_end "kill -9 of n1's halbd alone, restarted"
paths_are "11 12 13" && ok || fail "the router's paths after n1's restart: $(paths)"

step_begin 3
t0=$(now_ms)
node_down 3
timed_gone 3 $t0
within_ms "hard kill of n3 -> router drops it (BFD 50 ms x 8)" $GONE_MS 1000
step_end "kill -9 of n3's halbd and BIRD, link down"
# They did lose n3 until BFD dropped it (400 ms): a stall under 300 ms would mean
# something else carried them.
[ "$(field max_stall_ms "$S")" -ge 300 ] && ok || fail "n3's streams stalled only $(field max_stall_ms "$S") ms"
[ "$VICTIMS" -ge 10 ] && ok || fail "only $VICTIMS streams went through n3"
mark
node_up 3
wait_until 20 "n3 announces again" paths_are "11 12 13"
wait_until 15 "n3 programmed its DR slots" full_slots 3
step_begin 3 after
step_end "n3 back after the hard kill"
stop_streams
n=$(grep -c ' ok ' "$S/result")
[ "$n" = 100 ] && ok || fail "only $n of 100 streams ended ok: $(grep broken "$S/result" | head -3)"

echo "3. must break: per-node hash seeds"
rule=$(ns n1 nft -a list chain netdev halbd tcp_192_0_2_200_8080 | grep 'fwd ip to')
seed=$(echo "$rule" | sed -n 's/.* seed \(0x[0-9a-f]*\|[0-9]*\) .*/\1/p')
for n in 1 2 3; do
    ns n$n nft flush chain netdev halbd tcp_192_0_2_200_8080
    ns n$n nft add rule netdev halbd tcp_192_0_2_200_8080 \
        fwd ip to jhash ip saddr mod 4093 seed $(($seed + n)) map @tcp_192_0_2_200_8080_slots device '"eth0"'
    ns n$n nft add rule netdev halbd tcp_192_0_2_200_8080 drop
done
S=$TMP/streams2
start_streams
step_begin 2
t0=$(now_ms)
node_down 2
timed_gone 2 $t0
echo "  hard kill of n2 (no BFD) -> router drops it: $GONE_MS ms"
[ "$GONE_MS" -ge 1000 ] && ok || fail "without BFD the router dropped n2 in $GONE_MS ms, expected the hold time"
wait_until 20 "every stream echoes again or broke" settled "$S"
stop_streams
vb=$(sort "$S/result" | join "$S/victim" - | grep -c broken)
echo "  per-node seeds: $vb of $VICTIMS streams through n2 broke ($(grep -c broken "$S/result") of 100 overall)"
[ "$vb" -ge $((VICTIMS / 3)) ] && [ "$VICTIMS" -ge 10 ] && ok || fail "with per-node seeds only $vb of $VICTIMS streams through n2 broke"

for n in 1 3; do eval "kill -TERM \$H_n$n; wait \$H_n$n 2>/dev/null"; done
finish
