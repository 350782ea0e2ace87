#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/seed-001-carp-two-groups.sh: seed article 001 (FreeBSD carp0 +
# carp1 + pf + pfsync) end to end, with etc/examples/carp-two-groups.conf run
# on both nodes (`-i lb1` / `-i lb2`) through one fixed address map (MAP),
# plus the example's outbound NAT rule (the article's pf `nat on $ext_if`).
# Namespaces: c (the outside: clients 192.0.2.21-40 and a host 192.0.2.1)
# on the outside switch with lb1/lb2 eth0; lb1/lb2 eth1 on the inside switch
# with web servers s1, s2 (ports 80 and 443, default gateway the carp1 VIP);
# lb1 eth2 <-> lb2 eth2 is the heartbeat/pfsync link. Asserted on traffic:
# both ports are balanced over s1 and s2, each client sticking to one; s1
# reaches the outside host with the public VIP as its source (NAT on the
# gateway); the article's test, the master's outside cable pulled during an
# inbound and an outbound session: lb2 holds both VIPs (lb1 none, though its
# inside link is up), both sessions go on; the cable back: lb1 takes both
# VIPs back and the sessions still go on. Then the file without its
# conntrack_sync block: the same pull breaks the inbound session.
# Only documentation ranges, inside our namespaces.
set -u
: "${NS_PREFIX:=hs1$$}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
lb_test_setup
: "${HALBCTL:=$top_builddir/src/halbctl}"

# The article's networks -> documentation ranges: outside 192.168.1.0/24,
# inside 192.168.10.0/24, heartbeat link 10.10.10.0/24. Interface names are
# the example's (eth0 = em0, eth1 = em1, eth2 = vr0/fxp0).
MAP='s/192\.168\.1\./192.0.2./g; s/192\.168\.10\./198.51.100./g; s/10\.10\.10\./203.0.113./g'
EX=$top_srcdir/etc/examples/carp-two-groups.conf
VIP=192.0.2.51
GW=198.51.100.100
seed_confs "$EX" "$MAP"
# The outbound NAT rule exactly as the example's comment gives it.
sed -n "$MAP; s/^#     nft /nft /p" "$EX" >"$TMP/nat.sh"
[ "$(grep -c '^nft ' "$TMP/nat.sh")" = 3 ] && ok || fail "the example's outbound NAT: $(cat "$TMP/nat.sh")"
CLIENTS=$(seq -f '192.0.2.%g' 21 40)

ns_switch swo; ns_switch swi
for n in c lb1 lb2 s1 s2; do ns_new $n; done
ns_port swo c eth0; ns_port swo lb1 eth0; ns_port swo lb2 eth0
ns_port swi lb1 eth1; ns_port swi lb2 eth1
ns_link lb1 eth2 lb2 eth2
for a in $CLIENTS 192.0.2.1; do ip -n "$NS_PREFIX-c" addr add $a/24 dev eth0; done
ns_bg c "$TMP/outside.log" python3 "$STREAM" serve 8080
for i in 1 2; do
    ip -n "$NS_PREFIX-lb$i" addr add 192.0.2.5$((i + 1))/24 dev eth0
    ip -n "$NS_PREFIX-lb$i" addr add 198.51.100.1$((i - 1))/24 dev eth1
    ip -n "$NS_PREFIX-lb$i" addr add 203.0.113.25$((i - 1))/24 dev eth2
    ns lb$i sysctl -qw net.ipv4.ip_forward=1 net.netfilter.nf_conntrack_tcp_loose=0
    ns lb$i sh "$TMP/nat.sh" || fail "lb$i: the outbound NAT rule"
done
for i in 1 2; do
    ns_port swi s$i eth0
    ip -n "$NS_PREFIX-s$i" addr add 198.51.100.2$((i - 1))/24 dev eth0
    ip -n "$NS_PREFIX-s$i" route add default via $GW
    ns_bg s$i "$TMP/s$i-80.log" python3 "$STREAM" serve 80 s$i
    ns_bg s$i "$TMP/s$i-443.log" python3 "$STREAM" serve 443 s$i
done

both_vips() { has_vips $1 $VIP $GW; }
no_vips() { lacks_vips $1 $VIP $GW; }
slots() { nft_slot_dests lb1 192.0.2.51 $1 | grep -o "198\.51\.100\.2[01] \. $1" | sort -u | wc -l; }
both_up() { [ "$(slots 80)" = 2 ] && [ "$(slots 443)" = 2 ]; }
get() { ns c python3 "$STREAM" get $VIP "$@"; }
start_pair() {  # start_pair CONF: both nodes on the one file, lb1 master
    start_halbd lb1 "$1" -i lb1
    start_halbd lb2 "$1" -i lb2
    wait_until 15 "lb1 holds carp0 and carp1 (service and gateway VIPs)" both_vips lb1
    wait_until 15 "lb1 forwards ports 80 and 443 to s1 and s2" both_up
    no_vips lb2 && ok || fail "lb2 holds a VIP while lb1 is master"
}
pull() {  # the master's outside cable out; lb2 must hold both VIPs, lb1 none
    t=$(now_ms)
    ip -n "$NS_PREFIX-lb1" link set eth0 down
    wait_until 10 "lb2 takes carp0 and carp1" both_vips lb2
    echo "  both VIPs on lb2 $(($(now_ms) - t)) ms after the pull"
    wait_until 5 "lb1 gives up carp1 too (its inside link is up)" no_vips lb1
}

echo "== both ports balanced, sticky per client"
start_pair "$TMP/sync.conf"
for port in 80 443; do
    get $port 40 2 $CLIENTS >"$TMP/dist$port"
    [ "$(served_by "$TMP/dist$port" ERROR)" = 0 ] && ok || fail "port $port: $(served_by "$TMP/dist$port" ERROR) requests failed"
    sort -u "$TMP/dist$port" >"$TMP/pairs$port"
    [ "$(cut -d' ' -f1 "$TMP/pairs$port" | uniq -d | wc -l)" = 0 ] && ok || fail "port $port: a client reached two servers"
    echo "  port $port clients: s1 $(served_by "$TMP/pairs$port" s1) s2 $(served_by "$TMP/pairs$port" s2)"
    for s in s1 s2; do
        [ "$(served_by "$TMP/pairs$port" $s)" = 10 ] && ok || fail "port $port round-robin: $s has $(served_by "$TMP/pairs$port" $s) of 20 clients"
    done
done

echo "== sessions in and out; the master's outside cable pulled"
wait_until 15 "lb2 has lb1's full table" sync_full_table lb2
ext0=$(sync_external lb2)
stream_start 1 $VIP 80; SD_IN=$SD
stream_start 2 192.0.2.1 8080 s1; SD_OUT=$SD
# The outside host sees s1's session coming from the public VIP.
from_vip() { ns c ss -Htn state established '( sport = :8080 )' | grep -q " $VIP:"; }
wait_until 5 "s1's outbound session reaches the outside from $VIP" from_vip
more_external() { [ "$(sync_external lb2)" -ge $((ext0 + 2)) ]; }
wait_until 10 "lb2 has both sessions in its external cache" more_external
mark_both() { SD=$SD_IN; stream_mark; SD=$SD_OUT; stream_mark; }
alive_both() {  # alive_both VIA: both sessions go on; their stalls in this phase
    SD=$SD_IN; stream_alive 15 "the inbound session goes on through $1"
    SD=$SD_OUT; stream_alive 15 "the outbound session goes on through $1"
    echo "  longest stall (to $1): inbound $(SD=$SD_IN; stream_phase_stall) ms, outbound $(SD=$SD_OUT; stream_phase_stall) ms"
}
mark_both
pull
alive_both lb2
get 80 20 2 $CLIENTS >"$TMP/after"
[ "$(served_by "$TMP/after" ERROR)" = 0 ] && ok || fail "through lb2: $(served_by "$TMP/after" ERROR) of 20 requests failed"

echo "== the cable back: lb1 preempts, the sessions go on"
mark_both
ip -n "$NS_PREFIX-lb1" link set eth0 up
wait_until 40 "lb1 takes carp0 and carp1 back" both_vips lb1
wait_until 5 "lb2 releases them" no_vips lb2
alive_both lb1
for sd in "$SD_IN" "$SD_OUT"; do
    SD=$sd; stream_stop
    case "$(cat "$SD/result")" in ok*) ok ;; *) fail "with sync: $(cat "$SD/result")" ;; esac
    echo "  longest stall of $(basename "$SD"): $(stream_stall) ms"
done

echo "== without conntrack_sync the same pull breaks the session"
stop_halbd lb1; stop_halbd lb2
for n in lb1 lb2; do ns $n conntrack -F 2>/dev/null || :; done
start_pair "$TMP/nosync.conf"
stream_start 3 $VIP 80
pull
wait_until 20 "the session breaks without sync" test -f "$SD/result"
echo "  stream without sync: $(cat "$SD/result")"
case "$(cat "$SD/result")" in broken*) ok ;; *) fail "without sync the session survived" ;; esac
echo "  runtime $(($(now_ms) - T0)) ms"
finish
