#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/ecmp-dr.sh: issue 17's return path: three active halbd nodes
# behind an ECMP router (BIRD, as in ecmp-bird.sh), forwarding by lb_kind DR
# on the nftables backend to three real servers they share. Client cl (100
# source addresses 203.0.113.1-100) behind router r; on the bridge sw the
# router, nodes n1-n3 (198.51.100.11-13, each running BIRD and halbd with
# route_announce) and rs1-rs3 (198.51.100.21-23, the VIP on lo, replies
# straight through the router: no node sees them).
#  1. Every node announces; every node holds the same slot table; 300
#     requests from 100 clients spread over the servers, and each client
#     always reaches one server although its connections cross all nodes.
#  2. 100 long-lived streams; kill -9 of halbd and BIRD on n3 with its link
#     down: the router drops n3 (BGP hold time), and the streams n3 carried
#     continue through n1 and n2 (same table, DR: no state): none breaks.
#     Their number and the longest stall are printed.
#  3. Must break: n3 back, then every node's rule rewritten with a per-node
#     hash seed; 100 new streams; kill -9 of n2 the same way: the streams
#     it carried land on other real servers and break.
# Only documentation ranges, inside our namespaces.
set -u
: "${NS_PREFIX:=hecdr$$}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
netns_require
for tool in bird birdc python3 nft; do command -v $tool >/dev/null 2>&1 || skip "needs $tool"; done
logs_on_failure "$TMP/*/halbd.log" "$TMP/*/bird.log" "$TMP/*.log"
export LC_ALL=C
VIP=192.0.2.200
STREAM=$top_srcdir/tests/netns/sync_stream.py
STREAMS=$top_srcdir/tests/netns/dr_streams.py

topology() {
    ns_new cl; ns_new r
    ns_link cl eth0 r eth0
    ns cl ip addr add 192.0.2.2/25 dev eth0
    for i in $(seq 1 100); do ns cl ip addr add 203.0.113.$i/32 dev eth0; done
    ns cl ip route add default via 192.0.2.1
    ns cl sysctl -qw net.core.txrehash=0 2>/dev/null || :  # see ecmp-bird.sh
    ns r ip addr add 192.0.2.1/25 dev eth0
    ns r ip route add 203.0.113.0/24 via 192.0.2.2
    ns r sysctl -qw net.ipv4.ip_forward=1
    ns r sysctl -qw net.ipv4.fib_multipath_hash_policy=1
    ns_bridge sw
    ns_port sw r eth1
    ns r ip addr add 198.51.100.1/25 dev eth1
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
    # A probe on each node: the sources it receives VIP traffic from.
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

router_bird() {
    mkdir -p "$TMP/r"
    cp "$top_srcdir/contrib/bird/router.conf" "$TMP/r/bird.conf"
    ns_bg r "$TMP/r/bird.log" bird -f -c "$TMP/r/bird.conf" -s "$TMP/r/bird.ctl" -P "$TMP/r/bird.pid"
}
node_bird() {
    mkdir -p "$TMP/n$1"
    sed "s/198\.51\.100\.11;/198.51.100.1$1;/; s/local 198\.51\.100\.11 /local 198.51.100.1$1 /" \
        "$top_srcdir/contrib/bird/node.conf" >"$TMP/n$1/bird.conf"
    ns_bg n$1 "$TMP/n$1/bird.log" bird -f -c "$TMP/n$1/bird.conf" -s "$TMP/n$1/bird.ctl" -P "$TMP/n$1/bird.pid"
    eval "B_n$1=\$BG_PID"
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
start_node() {
    : >"$TMP/n$1/halbd.log"
    ns_bg n$1 "$TMP/n$1/halbd.log" "$HALBD" -n -l -D -C -f "$TMP/n$1/halbd.conf" -p "$TMP/n$1/halbd.pid" \
        --control-socket "$TMP/n$1/halbd.ctl"
    eval "H_n$1=\$BG_PID"
    wait_log "$TMP/n$1/halbd.log" "started with configuration" 10
}
paths() { ns r ip route show "$VIP" | grep -o 'via 198\.51\.100\.1[1-3]' | sed 's/.*\.//' | sort -u | tr '\n' ' ' | sed 's/ $//'; }
paths_are() { [ "$(paths)" = "$1" ]; }
slots() { ns n$1 nft list map netdev halbd tcp_192_0_2_200_8080_slots 2>/dev/null | grep -o '[0-9]* : 198\.51\.100\.2[1-3]'; }
full_slots() { [ "$(slots $1 | sed 's/.* : //' | sort -u | wc -l)" = 3 ]; }
seen() { ns n$1 nft list set netdev probe seen | grep -o '203\.0\.113\.[0-9]*' | sort; }
unseen() { for n in 1 2 3; do ns n$n nft flush set netdev probe seen; done; }
field() { sed -n "s/.*$1 \([0-9]*\).*/\1/p" "$2/status" 2>/dev/null; }
all_echoing() { [ "$(field echoing "$1")" = 100 ]; }
settled() { [ $(($(field echoing "$1") + $(field broken "$1"))) = 100 ]; }
path_gone() { [ "$(ns r ip route show $VIP | grep -c "198\.51\.100\.1$1")" = 0 ]; }

# node_down N: node N vanishes: its link down first (so that no FIN of
# BIRD's session tells the router), then kill -9 of halbd and BIRD; the
# router notices by the BGP hold time (3 s, contrib/bird/router.conf).
node_down() {
    ns n$1 ip link set eth0 down
    eval "kill -KILL \$H_n$1 \$B_n$1; wait \$H_n$1 \$B_n$1 2>/dev/null"
}
node_up() {
    ns n$1 ip link set eth0 up
    ns n$1 ip route replace default via 198.51.100.1
    node_bird $1; start_node $1
    # The router's session waits `error wait time` (60 s) after a hold
    # timer expiry: restart it, as an operator bringing a node back would.
    ns r birdc -s "$TMP/r/bird.ctl" restart n$1 >/dev/null
}

# phase DIR VICTIM: 100 streams; node VICTIM goes down; prints the streams
# it carried and writes DIR/result.
phase() {
    mkdir -p "$1"; unseen
    ns_bg cl "$1/client.log" python3 "$STREAMS" $VIP 8080 100 "$1"
    P=$BG_PID
    wait_until 20 "100 streams echoing" all_echoing "$1"
    seen $2 >"$1/victim"
    echo "  streams through n$2: $(wc -l <"$1/victim") of 100 (n1 $(seen 1 | wc -l), n2 $(seen 2 | wc -l), n3 $(seen 3 | wc -l))"
    touch "$1/mark"
    t0=$(now_ms)
    node_down $2
    wait_until 15 "the router drops n$2" path_gone $2
    echo "  router dropped n$2 after $(($(now_ms) - t0)) ms"
    # Every stream echoes again (or broke) within 20 s.
    wait_until 20 "every stream echoes again or broke" settled "$1"
    touch "$1/stop"; wait $P
    sort "$1/result" | join "$1/victim" - >"$1/victim.result"
}

topology
router_bird
for n in 1 2 3; do node_bird $n; node_conf $n; done
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

echo "2. kill -9 of halbd and BIRD on n3, link down: its streams continue"
phase "$TMP/p1" 3
v=$(wc -l <"$TMP/p1/victim")
b=$(grep -c broken "$TMP/p1/result")
vb=$(grep -c broken "$TMP/p1/victim.result")
stall=$(awk '$2 == "ok" {print $3}' "$TMP/p1/victim.result" | sort -n | tail -1)
echo "  of $v streams through n3: $((v - vb)) continued, longest stall ${stall:-?} ms; broken overall: $b of 100"
[ "$v" -ge 10 ] && ok || fail "only $v streams went through n3"
[ "$b" = 0 ] && ok || fail "$b stream(s) broke: $(grep broken "$TMP/p1/result" | head -3)"
# They did lose n3 (the router blackholed them until BGP dropped it): a
# stall of under a second would mean something else carried them.
[ "${stall:-0}" -ge 1000 ] && ok || fail "n3's streams stalled only ${stall:-?} ms"

echo "3. must break: per-node hash seeds"
node_up 3
wait_until 20 "n3 announces again" paths_are "11 12 13"
wait_until 15 "n3 programmed its DR slots" full_slots 3
rule=$(ns n1 nft -a list chain netdev halbd tcp_192_0_2_200_8080 | grep 'fwd ip to')
seed=$(echo "$rule" | sed -n 's/.* seed \(0x[0-9a-f]*\|[0-9]*\) .*/\1/p')
for n in 1 2 3; do
    ns n$n nft flush chain netdev halbd tcp_192_0_2_200_8080
    ns n$n nft add rule netdev halbd tcp_192_0_2_200_8080 \
        fwd ip to jhash ip saddr mod 4093 seed $(($seed + n)) map @tcp_192_0_2_200_8080_slots device '"eth0"'
    ns n$n nft add rule netdev halbd tcp_192_0_2_200_8080 drop
done
phase "$TMP/p2" 2
v=$(wc -l <"$TMP/p2/victim")
vb=$(grep -c broken "$TMP/p2/victim.result")
b=$(grep -c broken "$TMP/p2/result")
echo "  per-node seeds: $vb of $v streams through n2 broke ($b of 100 overall)"
[ "$vb" -ge $((v / 3)) ] && [ "$v" -ge 10 ] && ok || fail "with per-node seeds only $vb of $v streams through n2 broke"

for n in 1 3; do eval "kill -TERM \$H_n$n; wait \$H_n$n 2>/dev/null"; done
finish
