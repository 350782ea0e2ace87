#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/seed-002-lvs-nat-icmp.sh: seed article 002 (LVS NAT, rr,
# ICMP_CHECK; heartbeat moving the VIP and the V-gate) end to end, with
# etc/examples/lvs-nat-icmp.conf run on both nodes (`-i lb1` / `-i lb2`)
# through one fixed address map (MAP). Namespaces: the client c
# (192.0.2.21, the article's 192.168.2.21) on one switch with lb1/lb2 eth0;
# lb1/lb2 eth1 on the other with web servers s1-s3 (default gateway: the
# V-gate). Asserted on where requests land: rr over s1-s3; the article's
# test, s3's cable pulled: right after, one request in three is lost (the
# pool still has s3), then s3 leaves the pool within the check's bound
# (delay_loop 3 + 2 x connect_timeout 1 + delay_before_retry 1 = 6 s, 5 s
# slack) and every request lands on s1 or s2; the cable back: s3 serves
# again within delay_loop + connect_timeout (+ 3 s slack). Then lb1's
# outside cable pulled: lb2 holds the VIP and the V-gate (once VI_VIP's peer
# is silent for 3 x advert_int + skew: the sync group moves when every
# member may, as keepalived's), and requests through lb2 land on all three
# (the replies need the V-gate there); the cable back: lb1 takes both back
# (it has the higher priority) and serves.
# Only documentation ranges, inside our namespaces.
set -u
: "${NS_PREFIX:=hs2$$}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
lb_test_setup

# The article's networks -> documentation ranges: 192.168.2.0/24 (client,
# VIP) and 10.10.10.0/24 (servers, V-gate). Interface names are the
# example's (eth0, eth1).
MAP='s/192\.168\.2\./192.0.2./g; s/10\.10\.10\./198.51.100./g'
sed "$MAP" "$top_srcdir/etc/examples/lvs-nat-icmp.conf" >"$TMP/seed.conf"
VIP=192.0.2.11
GATE=198.51.100.9

ns_switch sw0; ns_switch sw1
for n in c lb1 lb2 s1 s2 s3; do ns_new $n; done
ns_port sw0 c eth0; ns_port sw0 lb1 eth0; ns_port sw0 lb2 eth0
ns_port sw1 lb1 eth1; ns_port sw1 lb2 eth1
ip -n "$NS_PREFIX-c" addr add 192.0.2.21/24 dev eth0
for i in 1 2; do
    ip -n "$NS_PREFIX-lb$i" addr add 192.0.2.$i/24 dev eth0
    ip -n "$NS_PREFIX-lb$i" addr add 198.51.100.$i/24 dev eth1
    ns lb$i sysctl -qw net.ipv4.ip_forward=1
done
for i in 1 2 3; do
    ns_port sw1 s$i eth0
    eval "PORT_s$i=p$_port_n"   # s_i's cable: its port on the switch
    ip -n "$NS_PREFIX-s$i" addr add 198.51.100.1$i/24 dev eth0
    ip -n "$NS_PREFIX-s$i" route add default via $GATE
    ns_bg s$i "$TMP/s$i.log" python3 "$STREAM" serve 80 s$i
done
cable() {  # cable out|in SERVER: unplug / plug its switch port
    eval "_p=\$PORT_$2"
    ip -n "$NS_PREFIX-sw1" link set "$_p" $([ $1 = out ] && echo down || echo up)
}

both_vips() { has_vips $1 $VIP $GATE; }
no_vips() { lacks_vips $1 $VIP $GATE; }
in_pool() { nft_slot_dests $1 192.0.2.11 80 | grep -q "198\.51\.100\.$2 \. 80"; }
pool_has() { in_pool lb1 $1; }
pool_lacks() { ! in_pool lb1 $1; }
get() { ns c python3 "$STREAM" get $VIP 80 "$1" "$2" 192.0.2.21; }
spread() {  # spread FILE WANT1 WANT2 WANT3 DESC: requests per server, exactly
    echo "  $5: s1 $(served_by "$1" s1) s2 $(served_by "$1" s2) s3 $(served_by "$1" s3) failed $(served_by "$1" ERROR)"
    [ "$(served_by "$1" s1) $(served_by "$1" s2) $(served_by "$1" s3) $(served_by "$1" ERROR)" = "$2 $3 $4 0" ] \
        && ok || fail "$5: want s1 $2 s2 $3 s3 $4 and none failed"
}

echo "== round-robin through lb1"
start_halbd lb1 "$TMP/seed.conf" -i lb1
start_halbd lb2 "$TMP/seed.conf" -i lb2
wait_until 20 "lb1 holds the VIP and the V-gate" both_vips lb1
all_three() { pool_has 11 && pool_has 12 && pool_has 13; }
wait_until 15 "lb1 forwards to s1-s3" all_three
no_vips lb2 && ok || fail "lb2 holds an address while lb1 is master"
get 30 2 >"$TMP/rr"
spread "$TMP/rr" 10 10 10 "30 requests"

echo "== s3's cable pulled"
t=$(now_ms)
cable out s3
get 3 0.5 >"$TMP/lost"
# While s3 is still in the pool, rr sends one request in three to it: lost.
# (On a host slow enough for its check to fail first, nothing is asserted.)
if pool_has 13; then
    [ "$(served_by "$TMP/lost" ERROR)" = 1 ] && ok || fail "right after the pull one request in three is lost: $(cat "$TMP/lost")"
else
    echo "  note: s3 left the pool before three requests were made"
fi
wait_until 15 "s3 leaves the pool" pool_lacks 13
within_ms "s3 left the pool after the pull" $(($(now_ms) - t)) 11000
get 30 2 >"$TMP/two"
spread "$TMP/two" 15 15 0 "30 requests without s3"
grep -E "198\.51\.100\.13" "$TMP/lb1/halbd.log" | tail -n 2 | sed 's/^/  lb1| /'

echo "== s3's cable back"
t=$(now_ms)
cable in s3
wait_until 15 "s3 is back in the pool" pool_has 13
within_ms "s3 back in the pool after the plug" $(($(now_ms) - t)) 7000
get 30 2 >"$TMP/back"
spread "$TMP/back" 10 10 10 "30 requests with s3 back"
grep -E "198\.51\.100\.13" "$TMP/lb1/halbd.log" | tail -n 2 | sed 's/^/  lb1| /'

echo "== lb1's outside cable pulled: the VIP and the V-gate move together"
t=$(now_ms)
ip -n "$NS_PREFIX-lb1" link set eth0 down
wait_until 15 "lb2 holds the VIP and the V-gate" both_vips lb2
echo "  both addresses on lb2 $(($(now_ms) - t)) ms after the pull"
served() { get 1 0.5 | grep -qv ERROR; }
wait_until 10 "a request is served through lb2" served
echo "  first request served $(($(now_ms) - t)) ms after the pull (the outage)"
wait_until 5 "lb1 gives up the V-gate too (its eth1 is up)" no_vips lb1
for n in lb1 lb2; do grep -E "VI_(VIP|GATE): [A-Z]+ -> " "$TMP/$n/halbd.log" | tail -n 2 | sed "s/^/  $n| /"; done
get 30 2 >"$TMP/via-lb2"
spread "$TMP/via-lb2" 10 10 10 "30 requests through lb2"

echo "== lb1's cable back: it takes both back"
ip -n "$NS_PREFIX-lb1" link set eth0 up
t=$(now_ms)
wait_until 20 "lb1 holds the VIP and the V-gate again" both_vips lb1
wait_until 5 "lb2 releases them" no_vips lb2
echo "  both addresses back on lb1 $(($(now_ms) - t)) ms after the plug"
get 30 2 >"$TMP/via-lb1"
spread "$TMP/via-lb1" 10 10 10 "30 requests through lb1 again"
echo "  runtime $(($(now_ms) - T0)) ms"
finish
