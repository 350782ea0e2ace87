#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/vrrp-accept.sh: no_accept mode (vrrp_strict, no_accept, accept)
# on a real kernel. Namespaces a and b run halbd (b with the higher
# priority), c is a client; all on one bridge; a and b serve TCP on 8080.
# With vrrp_strict: exactly one master, whose nftables table `ip keepalived`
# holds the VIP in set `vips` (the backup's set is empty); the client can
# neither ping nor connect to the VIP, while it still resolves the IPv6 VIP
# (neighbour discovery passes) and reaches the node's own address; failover
# moves the element; SIGTERM deletes the table. With `accept` the client
# reaches the VIP and no table exists. keepalived 2.2.7 with the same
# configuration gives the client the same outcome. Only 192.0.2.0/24 and
# 2001:db8::/64 inside our namespaces.
set -u
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
. "$top_srcdir/tests/netns/vrrp-lib.sh"  # root, namespaces, keepalived
require_commands nft ping python3 bash  # bash: /dev/tcp; python3: a TCP listener

vrrp_lan a b c
for n in a b; do ns_bg $n "$TMP/http-$n.log" python3 -m http.server --bind :: 8080 --directory "$TMP"; done
MAC_B=$(ns b cat /sys/class/net/eth0/address)
VIP=192.0.2.100
VIP6=2001:db8::100

# The elements of set vips in NODE's table FAMILY keepalived ("" when none).
elements() { ns "$1" nft list set "$2" keepalived vips 2>/dev/null | sed -n 's/.*elements = { \(.*\) }.*/\1/p'; }
set_is() { [ "$(elements "$1" "$2")" = "$3" ]; }
no_table() { ! ns "$1" nft list tables | grep -q " keepalived$"; }
can_ping() { ns c ping -c1 -W1 "$1" >/dev/null 2>&1; }
can_connect() { ns c timeout 2 bash -c "exec 3<>/dev/tcp/$1/8080" 2>/dev/null; }
# reaches VIP: the client's ping and TCP connect both succeed.
expect_reachable() {
    if can_ping "$1"; then ok; else fail "$2: client cannot ping $1"; fi
    if can_connect "$1"; then ok; else fail "$2: client cannot connect to $1:8080"; fi
}
expect_dropped() {
    if can_ping "$1"; then fail "$2: client pings $1 (no_accept)"; else ok; fi
    if can_connect "$1"; then fail "$2: client connects to $1:8080 (no_accept)"; else ok; fi
}

conf() {  # FILE PRIORITY GLOBAL_LINE [instance lines...]
    _f=$1; _prio=$2; _g=$3; shift 3
    {
        echo "global_defs {"
        echo "    router_id $(basename "$_f" .conf)"
        echo "    vrrp_version 3"
        echo "    $_g"
        echo "}"
        for inst in "VI_1 51 $VIP/24" "VI_6 61 $VIP6/64"; do
            set -- $inst "$@"
            echo "vrrp_instance $1 {"
            echo "    state BACKUP"
            echo "    interface eth0"
            echo "    virtual_router_id $2"
            echo "    priority $_prio"
            echo "    advert_int 0.1"
            _vip=$3; shift 3
            for l in "$@"; do echo "    $l"; done
            echo "    virtual_ipaddress {"
            echo "        $_vip"
            echo "    }"
            echo "}"
        done
    } >"$_f"
}

echo "== vrrp_strict: the master drops traffic to its VIPs"
conf "$TMP/a.conf" 100 vrrp_strict
conf "$TMP/b.conf" 200 vrrp_strict
start_halbd a "$TMP/a.conf"
start_halbd b "$TMP/b.conf"
holds b a $VIP
holds b a $VIP6
wait_until 5 "b's set vips holds $VIP" set_is b ip $VIP
wait_until 5 "b's ip6 set vips holds $VIP6" set_is b ip6 $VIP6
set_is a ip "" && ok || fail "backup a's set is not empty: '$(elements a ip)'"
wait_until 5 "a hears b's adverts through the filter (VRRP still works)" halbd_heard a VI_1 5
if has_vip a $VIP; then fail "two masters"; else ok; fi
expect_dropped $VIP "strict, b master"
expect_dropped $VIP6 "strict, b master"
expect_reachable 192.0.2.2 "b's own address"
# Neighbour discovery still passes: the client resolves the IPv6 VIP to b.
ip -n "$NS_PREFIX-c" -6 neigh flush dev eth0
ns c ping -6 -c1 -W1 $VIP6 >/dev/null 2>&1
ip -n "$NS_PREFIX-c" -6 neigh show $VIP6 >"$TMP/out"
expect_output_has "lladdr $MAC_B" "client resolves $VIP6 by ND"
ns b nft list table ip keepalived >"$TMP/out"
expect_output_has "type filter hook input priority filter - 1; policy accept;" "input chain"
expect_output_has "ip daddr @vips drop" "input rule"
expect_output_has "ip saddr @vips drop" "output rule"
grep -qF "VRRP no_accept: dropping packets to and from $VIP (VI_1 BACKUP -> MASTER)" "$TMP/b/halbd.log" && ok ||
    fail "b's log lacks the drop line"

echo "== failover moves the element; SIGTERM deletes the table"
stop_halbd b
holds a b $VIP
wait_until 5 "a's set vips holds $VIP after failover" set_is a ip $VIP
no_table b && ok || fail "b kept its keepalived table after SIGTERM"
grep -qF "VRRP no_accept: deleted nftables table ip keepalived" "$TMP/b/halbd.log" && ok || fail "b's log lacks the delete line"
expect_dropped $VIP "strict, a master"
halbd_dump a
grep "^# VRRP no_accept" "$TMP/a/halbd.data" | sed 's/^#/  /'
stop_halbd a
no_table a && ok || fail "a kept its keepalived table after SIGTERM"

echo "== accept: the master takes traffic to its VIPs, no table"
conf "$TMP/a.conf" 100 vrrp_strict accept
conf "$TMP/b.conf" 200 vrrp_strict accept
start_halbd a "$TMP/a.conf"
start_halbd b "$TMP/b.conf"
holds b a $VIP
expect_reachable $VIP "accept, b master"
no_table b && ok || fail "b has a keepalived table with accept"
stop_halbd b
holds a b $VIP
expect_reachable $VIP "accept, a master"
stop_halbd a

echo "== no_accept without vrrp_strict, a table of its own name"
conf "$TMP/b.conf" 200 "nftables halbd_test" no_accept
start_halbd b "$TMP/b.conf"
wait_until 10 "b alone holds $VIP" has_vip b $VIP
wait_until 5 "table ip halbd_test holds $VIP" sh -c "ip netns exec $NS_PREFIX-b nft list set ip halbd_test vips | grep -qF '$VIP'"
expect_dropped $VIP "no_accept, b master"
stop_halbd b

echo "== keepalived 2.2.7, same configurations: the same outcome for the client"
conf "$TMP/ka.conf" 200 vrrp_strict
start_ka b "$TMP/ka.conf"
wait_until 10 "keepalived holds $VIP" has_vip b $VIP
wait_until 5 "keepalived's set vips holds $VIP" set_is b ip $VIP
expect_dropped $VIP "keepalived strict"
stop_ka
conf "$TMP/ka.conf" 200 vrrp_strict accept
start_ka b "$TMP/ka.conf"
wait_until 10 "keepalived (accept) holds $VIP" has_vip b $VIP
expect_reachable $VIP "keepalived accept"
stop_ka

finish
