#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/seed-000-pf-carp.sh: seed article 000 (OpenBSD pf rdr
# round-robin sticky-address + CARP + pfsync) end to end, with
# etc/examples/pf-roundrobin-sticky.conf run unchanged on both nodes
# (`-i lb1` / `-i lb2`) but for one fixed address map (MAP below).
# Namespaces: client c (30 addresses) on the outside switch with lb1 and lb2;
# lb1/lb2 eth1 on the inside switch with web servers w1-w3 (default gateway:
# the gateway VIP); lb1 eth2 <-> lb2 eth2 is the pfsync link. Asserted on
# traffic: requests spread round-robin over w1-w3 and each client sticks to
# one server; kill -9 everything in lb1 and down its links during a
# long-lived stream: lb2 holds both VIPs, the stream goes on (longest stall
# printed), new requests are served. Then the same file without its
# conntrack_sync block: the same kill breaks the stream.
# Only documentation ranges, inside our namespaces.
set -u
: "${NS_PREFIX:=hs0$$}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
lb_test_setup
: "${HALBCTL:=$top_builddir/src/halbctl}"

# The article's networks -> documentation ranges: outside 192.168.1.0/24,
# inside 10.10.10.0/24, pfsync link 10.10.9.0/24. Interface names are the
# example's (eth0 outside, eth1 inside, eth2 sync).
MAP='s/192\.168\.1\./192.0.2./g; s/10\.10\.10\./198.51.100./g; s/10\.10\.9\./203.0.113./g'
VIP=192.0.2.100
GW=198.51.100.100
seed_confs "$top_srcdir/etc/examples/pf-roundrobin-sticky.conf" "$MAP"
CLIENTS=$(seq -f '192.0.2.%g' 21 50)

ns_switch swo; ns_switch swi
for n in c lb1 lb2 w1 w2 w3; do ns_new $n; done
ns_port swo c eth0; ns_port swo lb1 eth0; ns_port swo lb2 eth0
ns_port swi lb1 eth1; ns_port swi lb2 eth1
ns_link lb1 eth2 lb2 eth2
for a in $CLIENTS; do ip -n "$NS_PREFIX-c" addr add $a/24 dev eth0; done
for i in 1 2; do
    ip -n "$NS_PREFIX-lb$i" addr add 192.0.2.10$i/24 dev eth0
    ip -n "$NS_PREFIX-lb$i" addr add 198.51.100.10$i/24 dev eth1
    ip -n "$NS_PREFIX-lb$i" addr add 203.0.113.10$i/24 dev eth2
    ns lb$i sysctl -qw net.ipv4.ip_forward=1 net.netfilter.nf_conntrack_tcp_loose=0
done
for i in 1 2 3; do
    ns_port swi w$i eth0
    ip -n "$NS_PREFIX-w$i" addr add 198.51.100.1$i/24 dev eth0
    ip -n "$NS_PREFIX-w$i" route add default via $GW
    ns_bg w$i "$TMP/w$i.log" python3 "$STREAM" serve 80 w$i
done

both_vips() { has_vips $1 $VIP $GW; }
no_vips() { lacks_vips $1 $VIP $GW; }
slots() { nft_slot_dests $1 192.0.2.100 80 | grep -o '198\.51\.100\.1[1-3] \. 80' | sort -u | wc -l; }
three_up() { [ "$(slots $1)" = 3 ]; }
get() { ns c python3 "$STREAM" get $VIP 80 "$@"; }
revive() {  # as after a reboot: links up, no VIPs, an empty conntrack table
    ip -n "$NS_PREFIX-$1" addr del $VIP/24 dev eth0 2>/dev/null || :
    ip -n "$NS_PREFIX-$1" addr del $GW/24 dev eth1 2>/dev/null || :
    for l in eth0 eth1 eth2; do ip -n "$NS_PREFIX-$1" link set $l up; done
    ns $1 conntrack -F 2>/dev/null || :
}
start_pair() {  # start_pair CONF: both nodes on the one file, lb1 master
    start_halbd lb1 "$1" -i lb1
    start_halbd lb2 "$1" -i lb2
    wait_until 15 "lb1 holds the service VIP and the gateway VIP" both_vips lb1
    wait_until 15 "lb1 forwards to three web servers" three_up lb1
    no_vips lb2 && ok || fail "lb2 holds a VIP while lb1 is master"
}
failover() {  # kill lb1; lb2 must hold both VIPs
    t=$(now_ms)
    node_kill lb1 eth0 eth1 eth2
    wait_until 10 "lb2 takes the service VIP and the gateway VIP" both_vips lb2
    echo "  both VIPs on lb2 $(($(now_ms) - t)) ms after the kill"
}

echo "== round-robin, sticky-address"
start_pair "$TMP/sync.conf"
# 90 requests, each of the 30 clients three times (interleaved).
get 90 2 $CLIENTS >"$TMP/dist"
[ "$(served_by "$TMP/dist" ERROR)" = 0 ] && ok || fail "$(served_by "$TMP/dist" ERROR) requests failed"
sort -u "$TMP/dist" >"$TMP/pairs"
[ "$(cut -d' ' -f1 "$TMP/pairs" | uniq -d | wc -l)" = 0 ] && ok || fail "a client reached two servers: $(cat "$TMP/pairs")"
echo "  clients per server: w1 $(served_by "$TMP/pairs" w1) w2 $(served_by "$TMP/pairs" w2) w3 $(served_by "$TMP/pairs" w3)"
for w in w1 w2 w3; do
    [ "$(served_by "$TMP/pairs" $w)" = 10 ] && ok || fail "round-robin: $w has $(served_by "$TMP/pairs" $w) of 30 clients, want 10"
done

echo "== pfsync: the master dies during a session"
wait_until 15 "lb2 has lb1's full table" sync_full_table lb2
ext0=$(sync_external lb2)
stream_start 1 $VIP 80
more_external() { [ "$(sync_external lb2)" -gt "$ext0" ]; }
wait_until 10 "lb2 has the session in its external cache" more_external
failover
stream_alive 15 "the session goes on through lb2"
get 30 2 $(echo $CLIENTS | tr ' ' '\n' | sort -r) >"$TMP/after"  # another order than lb1 saw
[ "$(served_by "$TMP/after" ERROR)" = 0 ] && ok || fail "after the failover $(served_by "$TMP/after" ERROR) of 30 requests failed"
echo "  new clients after the failover: w1 $(served_by "$TMP/after" w1) w2 $(served_by "$TMP/after" w2) w3 $(served_by "$TMP/after" w3)"
# Not asserted: the sticky bindings live in halbd's nftables maps, which
# conntrack_sync does not carry (nor does pfsync carry pf's source nodes);
# in lb1's order, lb2's fresh rr counter would give the same assignment.
echo "  clients on the same server as before the failover: $(sort -u "$TMP/after" | comm -12 - "$TMP/pairs" | wc -l) of 30"
stream_stop
case "$(cat "$SD/result")" in ok*) ok ;; *) fail "with sync: $(cat "$SD/result")" ;; esac
echo "  longest stall of the session: $(stream_stall) ms"

echo "== without conntrack_sync the same kill breaks the session"
stop_halbd lb2
revive lb1
ns lb2 conntrack -F 2>/dev/null || :
start_pair "$TMP/nosync.conf"
stream_start 2 $VIP 80
failover
wait_until 20 "the session breaks without sync" test -f "$SD/result"
echo "  stream without sync: $(cat "$SD/result")"
case "$(cat "$SD/result")" in broken*) ok ;; *) fail "without sync the session survived" ;; esac
echo "  runtime $(($(now_ms) - T0)) ms"
finish
