#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/vrrp-vmac.sh: use_vmac on a real kernel. Namespaces a and b
# (halbd, later keepalived in a) and c (a client) share a bridge. Asserts: each
# node has the macvlan vrrp.51 in mode private with the MAC 00:00:5e:00:01:33;
# the VIP is on the master's vrrp.51 only; the client resolves the VIP to the
# virtual MAC; after kill -9 of the master the other node holds the VIP and
# the client reaches it at the same MAC; a restarted halbd reuses its leftover
# VMAC; SIGTERM deletes the VMAC; halbd and keepalived, both with use_vmac,
# elect one master. The same for IPv6 (vrrp.61, 00:00:5e:00:02:3d, the
# parent's link-local on the VMAC). Only 192.0.2.0/24 and 2001:db8::/64
# inside our namespaces are used.
set -u
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
. "$top_srcdir/tests/netns/vrrp-lib.sh"  # root, namespaces, keepalived
require_commands ping arping

vrrp_lan a b c
ns c ip link add mvprobe link eth0 type macvlan mode private 2>/dev/null || skip "no macvlan support"
ns c ip link del mvprobe

VMAC=vrrp.51; VMAC_MAC=00:00:5e:00:01:33; VIP=192.0.2.100; VRID=51; LEN=24
conf() {  # FILE PRIORITY; VIP, LEN and VRID as set
    cat >"$1" <<EOC
global_defs {
    vrrp_version 3
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    use_vmac
    virtual_router_id $VRID
    priority $2
    advert_int 0.1
    virtual_ipaddress {
        $VIP/$LEN
    }
}
EOC
}
conf "$TMP/a.conf" 100
conf "$TMP/b.conf" 200

vmac_ok() {  # NODE: vrrp.51 exists, is a private-mode macvlan with the virtual MAC, and is up
    ip -n "$NS_PREFIX-$1" -d link show "$VMAC" >"$TMP/link.$1" 2>&1 || return 1
    grep -q "link/ether $VMAC_MAC " "$TMP/link.$1" && grep -q "macvlan mode private" "$TMP/link.$1" &&
        grep -q "[<,]UP[,>]" "$TMP/link.$1"
}
no_vmac() { ! ip -n "$NS_PREFIX-$1" link show "$VMAC" >/dev/null 2>&1; }
has_vip() { ip -n "$NS_PREFIX-$1" -o addr show dev "${3:-$VMAC}" 2>/dev/null | grep -qF " $2/"; }
lacks_vip_anywhere() { ! ip -n "$NS_PREFIX-$1" -o addr show | grep -qF " $2/"; }
client_mac() { ip -n "$NS_PREFIX-c" neigh show "$VIP" | grep -qi "lladdr $VMAC_MAC"; }
# reach WHAT: the client pings the VIP and its neighbour entry is the virtual
# MAC. Polled: right after a handover the old master's last frames from the
# same MAC (its answer to the new master's GARP) can point the bridge at it
# until the new master's next advert.
reach() {
    wait_until 5 "$1: client pings $VIP" ns c ping -c1 -W1 $VIP
    wait_until 3 "$1: client resolves $VIP to $VMAC_MAC" client_mac ||
        ip -n "$NS_PREFIX-c" neigh show >&2
}

echo "== halbd - halbd with use_vmac"
start_halbd a "$TMP/a.conf"
start_halbd b "$TMP/b.conf"
wait_until 5 "a has $VMAC ($VMAC_MAC, macvlan mode private, up)" vmac_ok a
wait_until 5 "b has $VMAC ($VMAC_MAC, macvlan mode private, up)" vmac_ok b
wait_until 10 "b (priority 200) holds $VIP on $VMAC" has_vip b $VIP
has_vip b $VIP eth0 && fail "b has $VIP on eth0 too" || ok
if command -v tcpdump >/dev/null 2>&1; then
    ns_bg c "$TMP/adverts.log" tcpdump -i eth0 -n -l -c 1 "ether src $VMAC_MAC and ip proto 112"
    wait_until 5 "the client sees b's adverts from $VMAC_MAC" grep -q "VRRP" "$TMP/adverts.log"
fi
wait_until 5 "a holds $VIP nowhere" lacks_vip_anywhere a $VIP
[ "$(ns b cat /proc/sys/net/ipv4/conf/eth0/arp_ignore)" = 1 ] && ok || fail "b: eth0 arp_ignore is not 1"
[ "$(ns b cat /proc/sys/net/ipv4/conf/$VMAC/rp_filter)" = 0 ] && ok || fail "b: $VMAC rp_filter is not 0"
reach "b master"
ns c arping -c1 -w2 -I eth0 $VIP >"$TMP/out" 2>&1
if grep -qi "$VMAC_MAC" "$TMP/out"; then ok; else fail "arping $VIP: not answered by $VMAC_MAC"; cat "$TMP/out" >&2; fi

# kill -9: b's VMAC and VIP stay behind; b's link goes down as a dead node's would.
t0=$(($(date +%s%N) / 1000000))
stop_halbd b KILL
wait_until 5 "a takes $VIP on $VMAC after kill -9 of b" has_vip a $VIP
echo "   failover (kill -9): $(($(date +%s%N) / 1000000 - t0)) ms"
ip -n "$NS_PREFIX-b" link set eth0 down
reach "a master after kill -9 of b"
ip -n "$NS_PREFIX-b" link set eth0 up

# Restarted, b reuses the VMAC it left, drops the stale VIP, then preempts.
start_halbd b "$TMP/b.conf"
wait_log "$TMP/b/halbd.log" "reusing VMAC $VMAC" 5
wait_until 10 "restarted b holds $VIP again" has_vip b $VIP
wait_until 5 "a releases $VIP" lacks_vip_anywhere a $VIP
reach "b master again"

# Deleted under the master, the VMAC comes back with the VIP.
ip -n "$NS_PREFIX-b" link del $VMAC
wait_until 5 "b rebuilds $VMAC" vmac_ok b
wait_until 5 "b re-adds $VIP on the rebuilt $VMAC" has_vip b $VIP
reach "b master after its VMAC was deleted"

t0=$(($(date +%s%N) / 1000000))
stop_halbd b TERM
no_vmac b && ok || fail "SIGTERM left $VMAC on b"
wait_until 5 "a takes $VIP after SIGTERM of b" has_vip a $VIP
echo "   handover (SIGTERM): $(($(date +%s%N) / 1000000 - t0)) ms"
reach "a master after SIGTERM of b"
stop_halbd a TERM
no_vmac a && ok || fail "SIGTERM left $VMAC on a"

echo "== IPv6: halbd - halbd with use_vmac"
VMAC=vrrp.61; VMAC_MAC=00:00:5e:00:02:3d; VIP=2001:db8::100; VRID=61; LEN=64
conf "$TMP/a6.conf" 100
conf "$TMP/b6.conf" 200
start_halbd a "$TMP/a6.conf"
start_halbd b "$TMP/b6.conf"
wait_until 5 "a has $VMAC ($VMAC_MAC, macvlan mode private, up)" vmac_ok a
wait_until 5 "b has $VMAC ($VMAC_MAC, macvlan mode private, up)" vmac_ok b
wait_until 10 "b holds $VIP on $VMAC" has_vip b $VIP
wait_until 5 "a holds $VIP nowhere" lacks_vip_anywhere a $VIP
# The VMAC's only link-local address is the parent's (no generated one).
LL_B=$(ip -n "$NS_PREFIX-b" -6 -o addr show dev eth0 scope link | awk '{print $4}')
[ "$(ip -n "$NS_PREFIX-b" -6 -o addr show dev $VMAC scope link | awk '{print $4}')" = "$LL_B" ] && ok ||
    fail "b: $VMAC's link-local is not eth0's ($LL_B)"
reach "IPv6 b master"
stop_halbd b TERM
no_vmac b && ok || fail "SIGTERM left $VMAC on b"
wait_until 5 "a takes $VIP after SIGTERM of b" has_vip a $VIP
reach "IPv6 a master after SIGTERM of b"
stop_halbd a TERM
no_vmac a && ok || fail "SIGTERM left $VMAC on a"
VMAC=vrrp.51; VMAC_MAC=00:00:5e:00:01:33; VIP=192.0.2.100; VRID=51; LEN=24

echo "== keepalived (a) - halbd (b), both with use_vmac"
start_ka a "$TMP/a.conf"
wait_until 10 "keepalived alone holds $VIP on its $VMAC" has_vip a $VIP
start_halbd b "$TMP/b.conf"
wait_until 10 "halbd (priority 200) takes $VIP from keepalived" has_vip b $VIP
wait_until 5 "keepalived releases $VIP" lacks_vip_anywhere a $VIP
reach "halbd master beside keepalived"
stop_halbd b TERM
wait_until 5 "keepalived takes $VIP after SIGTERM of halbd" has_vip a $VIP
lacks_vip_anywhere b $VIP && ok || fail "halbd left $VIP"
stop_ka

finish
