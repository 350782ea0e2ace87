#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/ecmp-nat.sh: issue 17's NAT return path across several active
# nodes. Three nodes n1-n3 behind the BIRD ECMP router (ecmp-lib.sh, BFD)
# DNAT the VIP with the same Maglev table (nftables, mh) to rs1-rs3 on their
# inside link sw2 (198.51.100.128/26; the real servers have no route out)
# and source-NAT each flow to the node's own SNAT address SNAT_i
# (198.51.100.14i), a VRRP instance per node (node i MASTER of SNAT_i, the
# others BACKUP), so when a node dies a survivor takes its SNAT address and
# the replies to it still arrive. conntrack_sync among the three (one FT-FW
# session per peer) with `commit_mode always`: every node has every flow's
# NAT binding in its kernel before the router re-hashes the flow to it.
#  1. 100 long-lived streams; kill -9 of n1's halbd and BIRD, links down:
#     the streams it carried continue on n2/n3 (count, longest stall); n1
#     comes back with an empty conntrack table, BIRD and halbd together:
#     halbd holds the route until the peers' tables arrived (its log shows
#     the order), then announces: no stream breaks; all 100 end ok.
#  2. Must break: the same nodes without conntrack_sync; kill -9 of n2:
#     the streams it carried break (counted); 100 streams over n1 and n3,
#     n2 comes back: the streams the router now sends to it break (counted).
# Every node needs net.netfilter.nf_conntrack_tcp_be_liberal=1: a moved
# flow is asymmetric (LIBERAL=0 shows streams breaking with sync on).
# Only documentation ranges, inside our namespaces.
set -u
: "${NS_PREFIX:=hecnat$$}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
netns_require
for tool in bird birdc python3 nft conntrack; do command -v $tool >/dev/null 2>&1 || skip "needs $tool"; done
: "${HALBCTL:=$top_builddir/src/halbctl}"
. "$top_srcdir/tests/netns/ecmp-lib.sh"
logs_on_failure "$TMP/*/halbd.log" "$TMP/*/bird.log" "$TMP/*.log" "$TMP/streams*/client.log"
export LC_ALL=C
STREAM=$top_srcdir/tests/netns/sync_stream.py
ECMP_HALBD_FLAGS=  # VRRP too (the SNAT addresses)
: "${LIBERAL:=1}"  # LIBERAL=0 shows the moved flows breaking

topology() {
    ecmp_front
    ns_bridge sw2
    for n in 1 2 3; do
        ns_new n$n; ns_port sw n$n eth0; ns_port sw2 n$n eth1
        ns n$n ip addr add 198.51.100.1$n/25 dev eth0
        ns n$n ip addr add 198.51.100.13$n/26 dev eth1
        ns n$n ip route add default via 198.51.100.1
        ns n$n ip addr add $VIP/32 dev lo
        ns n$n sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
        # A moved flow is asymmetric (requests through the node the router
        # picks, replies through the holder of its SNAT address): each sees
        # one direction, and strict TCP window tracking calls the other
        # side's ACKs invalid (not un-NATed: the node's stack resets them).
        ns n$n sysctl -qw net.netfilter.nf_conntrack_tcp_be_liberal=$LIBERAL
        ns_new rs$n; ns_port sw2 rs$n eth0
        ns rs$n ip addr add 198.51.100.15$n/26 dev eth0
        ns_bg rs$n "$TMP/rs$n.log" python3 "$STREAM" serve 8080 rs$n
        # halbd does not write the source NAT: each node's to its own address.
        ns n$n nft -f - <<EON
table ip lbsnat {
    chain post {
        type nat hook postrouting priority srcnat;
        oifname "eth1" ct status dnat snat to 198.51.100.14$n
    }
}
EON
    done
    ecmp_probe
}

# node_conf N SYNC: SYNC "sync" adds conntrack_sync (commit_mode always).
node_conf() {
    {
        printf 'global_defs {\n    router_id n%s\n    lvs_backend nftables\n    vrrp_version 3\n    vrrp_garp_master_delay 0\n}\n' $1
        for j in 1 2 3; do
            prio=$((100 + $1)); [ $j = $1 ] && prio=200
            printf 'vrrp_instance SNAT_%s {\n    state BACKUP\n    interface eth1\n    virtual_router_id 6%s\n' $j $j
            printf '    priority %s\n    advert_int 0.1\n    virtual_ipaddress {\n        198.51.100.14%s/26 dev eth1\n    }\n}\n' $prio $j
        done
        printf 'virtual_server %s 8080 {\n    delay_loop 1\n    lb_algo mh\n    lb_kind NAT\n    protocol TCP\n' $VIP
        for r in 1 2 3; do
            printf '    real_server 198.51.100.15%s 8080 {\n        TCP_CHECK {\n            connect_timeout 1\n' $r
            printf '            retry 0\n        }\n    }\n'
        done
        printf '}\nroute_announce {\n    bird_socket %s\n    announce %s vip\n}\n' "$TMP/n$1/bird.ctl" $VIP
        if [ "$2" = sync ]; then
            printf 'conntrack_sync {\n    interface eth1\n    source_ip 198.51.100.13%s\n' $1
            for p in 1 2 3; do [ $p = $1 ] || printf '    peer 198.51.100.13%s\n' $p; done
            printf '    instance SNAT_1 SNAT_2 SNAT_3\n    commit_mode always\n    bulk_timeout 10\n}\n'
        fi
    } >"$TMP/n$1/halbd.conf"
}
snat_on() { ns "$1" ip -o addr show dev eth1 | grep -q " 198\.51\.100\.14$2/"; }
snat_held() { snat_on n1 $1 || snat_on n2 $1 || snat_on n3 $1; }
holder() { for h in 1 2 3; do snat_on n$h $1 && echo n$h; done; }
all_masters() { for n in 1 2 3; do snat_on n$n $n || return 1; done; }
ct_count() { ns "$1" conntrack -L -p tcp --dport 8080 2>/dev/null | grep -c 'src=203\.0\.113\.' || true; }
path_gone() { [ "$(ns r ip route show $VIP | grep -c "198\.51\.100\.1$1")" = 0 ]; }

# node_down N: links down (no FIN of BIRD's session tells the router), then
# kill -9 of halbd and BIRD; BFD drops the path, VRRP moves SNAT_N.
node_down() {
    ns n$1 ip link set eth0 down; ns n$1 ip link set eth1 down
    eval "kill -KILL \$H_n$1 \$B_n$1; wait \$H_n$1 \$B_n$1 2>/dev/null"
}
# node_up N: as after a reboot (empty conntrack table), BIRD and halbd
# together: halbd itself announces only once the peers' tables arrived
# (its log says it held the route, then announced after the table).
node_up() {
    ns n$1 conntrack -F 2>/dev/null || :
    ns n$1 ip link set eth0 up; ns n$1 ip link set eth1 up
    ns n$1 ip route replace default via 198.51.100.1
    ecmp_node_bird $1
    ns r birdc -s "$TMP/r/bird.ctl" restart n$1 >/dev/null
    ecmp_start_node $1
    wait_until 20 "n$1 has its peers' tables" sync_full_table n$1
    wait_log "$TMP/n$1/halbd.log" "announce $VIP: announced" 10
    held=$(grep -n "announce $VIP: withdrawn: conntrack sync: waiting for the peers' full tables" "$TMP/n$1/halbd.log" | head -1 | cut -d: -f1)
    table=$(grep -n "conntrack sync: the peer's full table received" "$TMP/n$1/halbd.log" | head -1 | cut -d: -f1)
    announced=$(grep -n "announce $VIP: announced" "$TMP/n$1/halbd.log" | head -1 | cut -d: -f1)
    [ -n "$held" ] && [ -n "$table" ] && [ "${held:-0}" -lt "${table:-0}" ] && [ "${table:-0}" -lt "${announced:-0}" ] && ok ||
        fail "n$1 must hold its route until the peers' tables arrived (log lines: held ${held:-none}, table ${table:-none}, announced ${announced:-none})"
}

# must_have_broken WHAT WHICH: after stop_streams, at least 3/4 of the
# streams in $S/victim (10 or more) broke.
must_have_broken() {
    vb=$(sort "$S/result" | join "$S/victim" - | grep -c broken)
    echo "  without sync, $1: $vb of the $VICTIMS streams $2 broke; $(grep -c broken "$S/result") of 100 overall"
    [ "$VICTIMS" -ge 10 ] && [ "$vb" -ge $((VICTIMS * 3 / 4)) ] && ok ||
        fail "without sync, $1: only $vb of $VICTIMS streams $2 broke"
}

topology
ecmp_router_bird
for n in 1 2 3; do ecmp_node_bird $n; node_conf $n sync; done
for n in 1 2 3; do ecmp_start_node $n; done

echo "1. NAT on three nodes, conntrack_sync commit_mode always"
wait_until 20 "the router has a path through each node" paths_are "11 12 13"
wait_until 20 "each node holds its own SNAT address" all_masters
for n in 1 2 3; do wait_until 20 "n$n has its peers' tables" sync_full_table n$n; done
[ "$fails" = 0 ] || { finish; exit 1; }
start_streams
for n in 1 2 3; do
    c=$(ct_count n$n)
    echo "  n$n's conntrack table: $c of the 100 streams"
    [ "$c" = 100 ] && ok || fail "n$n's kernel holds $c of the 100 streams (commit_mode always)"
done
step_begin 1
t0=$(now_ms)
node_down 1
wait_until 15 "the router drops n1" path_gone 1
wait_until 10 "a survivor takes SNAT_1" snat_held 1
echo "  n1 dead: router dropped it and SNAT_1 went to $(holder 1) in $(($(now_ms) - t0)) ms"
step_end "kill -9 of n1's halbd and BIRD, links down"
[ "$VICTIMS" -ge 10 ] && ok || fail "only $VICTIMS streams went through n1"
mark
node_up 1
wait_until 20 "n1 announces again" paths_are "11 12 13"
wait_until 10 "n1 takes SNAT_1 back" snat_on n1 1
step_begin 1 after
step_end "n1 back (empty table, peers' tables, then BGP)"
stop_streams
n=$(grep -c ' ok ' "$S/result")
echo "  with sync: $n of 100 streams ended ok"
[ "$n" = 100 ] && ok || fail "only $n of 100 streams ended ok: $(grep broken "$S/result" | head -3)"

echo "2. must break: no conntrack_sync"
for n in 1 2 3; do eval "kill -TERM \$H_n$n; wait \$H_n$n 2>/dev/null"; done
for n in 1 2 3; do ns n$n conntrack -F 2>/dev/null || :; node_conf $n nosync; ecmp_start_node $n; done
wait_until 20 "the router has a path through each node" paths_are "11 12 13"
wait_until 20 "each node holds its own SNAT address" all_masters
S=$TMP/streams2
start_streams
step_begin 2
node_down 2
wait_until 15 "the router drops n2" path_gone 2
wait_until 10 "a survivor takes SNAT_2" snat_held 2
wait_until 20 "every stream echoes again or broke" settled "$S"
stop_streams
must_have_broken "n2 leaves" "through it"
# 100 streams over n1 and n3, then n2 joins without their connections: the
# streams the router now hashes to it break.
S=$TMP/streams3
start_streams
unseen  # from here n2's probe records the streams moved to it
ns n2 conntrack -F 2>/dev/null || :
ns n2 ip link set eth0 up; ns n2 ip link set eth1 up
ns n2 ip route replace default via 198.51.100.1
ecmp_node_bird 2; ecmp_start_node 2
ns r birdc -s "$TMP/r/bird.ctl" restart n2 >/dev/null
wait_until 20 "n2 announces again" paths_are "11 12 13"
# The router's new path is there before a stream uses it, and all 100 may
# still be echoing then: wait for n2 to see streams, then for each to echo
# again or break (seen at once, the moved ones were missed: 0 of 0).
wait_until 10 "the router sends streams to n2" seen_some 2
wait_until 20 "every stream echoes again or broke" caught_up "$S"
seen 2 >"$S/victim"; VICTIMS=$(wc -l <"$S/victim")
stop_streams
must_have_broken "n2 joins" "the router moved to it"

for n in 1 2 3; do eval "kill -TERM \$H_n$n; wait \$H_n$n 2>/dev/null"; done
finish
